#include "agent/cli/exit_codes.h"

namespace fedlink::agent::cli {

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  // The admin client and the store report "not there / busy" as
  // Unavailable (admin_client.h, agent_store_access.h, record_store.h).
  if (absl::IsUnavailable(status)) return kExitUnavailable;
  return kExitFailed;
}

}  // namespace fedlink::agent::cli
