// Where the AgentAdmin service listens: a UNIX-domain socket, never a TCP
// port. The service is local by design (a steward on the agency's host), so
// it has no TLS; instead the operating system decides who may connect:
//
//  * gRPC local credentials refuse any transport but a UNIX socket;
//  * the socket's directory must exist, be owned by the agent's user and
//    be writable by nobody else (so no one can replace the socket or
//    intercept a client) and grant others no access at all (so during the
//    instant between bind(2) and chmod(2), when the socket has the umask's
//    mode, nobody outside the owner and the directory's group can reach it);
//  * the socket file gets mode 0600 (only the agent's user) or 0660 (also
//    the directory's group, e.g. a "fedlink-stewards" group).
// Peer credentials (SO_PEERCRED) would need gRPC's internals; file
// permissions give the same guarantee for a socket on a local file system.
//
// A stale socket left by a crashed daemon is removed; any other file at the
// path is refused, never deleted.
#ifndef FEDLINK_AGENT_ADMIN_ADMIN_SOCKET_H_
#define FEDLINK_AGENT_ADMIN_ADMIN_SOCKET_H_

#include <memory>
#include <string>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"

namespace fedlink::agent::admin {

// Largest socket path (sun_path holds 108 bytes with the terminating NUL).
inline constexpr size_t kMaxSocketPathBytes = 107;

// Checks the directory of `socket_path` as above and removes a stale
// socket. FailedPrecondition naming the path and what is wrong (missing
// directory, another owner, group/other write, other access, a non-socket
// file at the path, a path too long or relative). Thread-safe.
absl::Status PrepareAdminSocket(const std::string& socket_path);

// Starts `service` on `socket_path` (PrepareAdminSocket first) with local
// credentials and sets the socket's mode (0600 or 0660; anything else is
// InvalidArgument). Unavailable if gRPC cannot bind. The caller shuts the
// server down and then calls RemoveAdminSocket.
absl::StatusOr<std::unique_ptr<grpc::Server>> StartAdminServer(const std::string& socket_path,
                                                                unsigned mode,
                                                                grpc::Service* service);

// Removes the socket file if it is a socket. Thread-safe.
void RemoveAdminSocket(const std::string& socket_path);

}  // namespace fedlink::agent::admin

#endif  // FEDLINK_AGENT_ADMIN_ADMIN_SOCKET_H_
