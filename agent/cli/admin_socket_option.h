// How the commands that talk to the running daemon (jobs, audit export,
// ingest through the daemon) find its admin socket: --socket, else the
// admin.socket of --config's agent.yaml, else the default path.
#ifndef FEDLINK_AGENT_CLI_ADMIN_SOCKET_OPTION_H_
#define FEDLINK_AGENT_CLI_ADMIN_SOCKET_OPTION_H_

#include <string>

#include "absl/status/statusor.h"

namespace fedlink::agent::cli {

inline constexpr char kDefaultAdminSocket[] = "/run/fedlink/agent.sock";

// The socket as described above. Errors of LoadAgentConfigFile.
absl::StatusOr<std::string> ResolveAdminSocket(const std::string& socket,
                                               const std::string& config);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_ADMIN_SOCKET_OPTION_H_
