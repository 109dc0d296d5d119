#include "agent/cli/agent_store_access.h"

#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/store/key_file.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::cli {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

absl::Status NotInitialised(const std::string& data_dir,
                            std::string_view what) {
  return absl::NotFoundError(absl::StrCat(
      "data directory ", data_dir, " is not initialised (",
      absl::string_view(what.data(), what.size()),
      "); run `fedlink-agent init --data-dir ", data_dir,
      " --agency NAME --linkage-secret FILE` first"));
}

}  // namespace

absl::StatusOr<OpenedStore> OpenAgentStore(const std::string& data_dir,
                                           const RecordStoreOptions& options) {
  absl::StatusOr<DataDirLayout> layout = OpenDataDir(data_dir);
  if (absl::IsNotFound(layout.status())) {
    return NotInitialised(data_dir, "it does not exist");
  }
  if (!layout.ok()) return layout.status();
  if (!Exists(layout->at_rest_key)) {
    return NotInitialised(data_dir, "it has no at-rest key");
  }
  FEDLINK_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                           LoadKeyFile(layout->at_rest_key, "at-rest key"));
  RecordStoreOptions store_options = options;
  store_options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<RecordStore>> store =
      RecordStore::Open(layout->store, std::move(key), store_options);
  if (absl::IsNotFound(store.status())) {
    return NotInitialised(data_dir, "it has no record store");
  }
  if (absl::IsUnavailable(store.status())) {
    return absl::UnavailableError(absl::StrCat(
        "the record store in ", data_dir,
        " is in use by another process (is `fedlink-agent serve` running? "
        "then send the command through it): ",
        store.status().message()));
  }
  if (!store.ok()) return store.status();
  return OpenedStore{.layout = *std::move(layout),
                     .store = *std::move(store)};
}

absl::StatusOr<std::optional<std::string>> StoredAgency(
    const RecordStore& store) {
  return store.GetMeta(kAgencyMeta);
}

}  // namespace fedlink::agent::cli
