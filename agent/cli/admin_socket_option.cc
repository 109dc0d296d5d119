#include "agent/cli/admin_socket_option.h"

#include "agent/daemon/agent_config.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::cli {

absl::StatusOr<std::string> ResolveAdminSocket(const std::string& socket,
                                               const std::string& config) {
  if (!socket.empty()) return socket;
  if (!config.empty()) {
    FEDLINK_ASSIGN_OR_RETURN(daemon::AgentConfig loaded, daemon::LoadAgentConfigFile(config));
    return loaded.admin_socket;
  }
  return std::string(kDefaultAdminSocket);
}

}  // namespace fedlink::agent::cli
