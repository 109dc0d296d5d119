// How the operator commands open an initialised data directory and its
// record store (init creates them; ingest, quality and check-config open
// them).
#ifndef FEDLINK_AGENT_CLI_AGENT_STORE_ACCESS_H_
#define FEDLINK_AGENT_CLI_AGENT_STORE_ACCESS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/store/data_dir.h"
#include "agent/store/record_store.h"

namespace fedlink::agent::cli {

// The meta entry holding the agency name given to `init`.
inline constexpr std::string_view kAgencyMeta = "agent/agency";

struct OpenedStore {
  DataDirLayout layout;
  std::unique_ptr<RecordStore> store;
};

// Opens the store of the initialised data directory `data_dir`. Errors name
// the directory and say what to do: NotFound (with the `fedlink-agent init`
// hint) when the directory, its at-rest key or its store is missing;
// Unavailable when another process (a running `fedlink-agent serve`) holds
// the store; errors of OpenDataDir, LoadKeyFile and RecordStore::Open
// otherwise. Thread-safe.
absl::StatusOr<OpenedStore> OpenAgentStore(const std::string& data_dir,
                                           const RecordStoreOptions& options);

// The agency name recorded by init, or nullopt. Errors of GetMeta.
absl::StatusOr<std::optional<std::string>> StoredAgency(
    const RecordStore& store);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_AGENT_STORE_ACCESS_H_
