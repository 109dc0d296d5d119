// Who is on the other end of a mutual-TLS connection, read from the peer
// certificate gRPC has already verified against the deployment CA.
//
// A fedlink certificate carries exactly one URI SAN of the form
//   fedlink://<role>/<name>
// with <role> one of agent, steward, analyst, auditor, operator, coordinator
// and <name> a NAME ([a-z0-9][a-z0-9._-]*, 1..64 bytes), except for stewards,
// whose name is "<agency>/<person>" (two NAMEs). An agent's name is its
// agency id. deploy/pki.sh issues such certificates. Anything else — no
// fedlink URI, two of them, another role, a malformed name, percent-escapes,
// a query or fragment — is not an identity, and a call from it is refused.
#ifndef FEDLINK_PROTO_RUNTIME_PEER_IDENTITY_H_
#define FEDLINK_PROTO_RUNTIME_PEER_IDENTITY_H_

#include <optional>
#include <string>
#include <string_view>

#include <grpcpp/security/auth_context.h>

#include "absl/status/statusor.h"
#include "fedlink/v1/common.pb.h"

namespace fedlink::proto {

enum class Role { kAgent, kSteward, kAnalyst, kAuditor, kOperator, kCoordinator };

// "agent", "steward", … as in the URI.
std::string_view RoleName(Role role);
// The inverse of RoleName; nullopt for any other text (case-sensitive).
std::optional<Role> RoleFromName(std::string_view name);

struct PeerIdentity {
  Role role = Role::kAgent;
  // The full name from the URI: "edu" (agent), "edu/bob" (steward), "alice".
  std::string name;
  // The agency an agent or steward acts for ("edu"); empty for other roles.
  std::string agency;

  friend bool operator==(const PeerIdentity&, const PeerIdentity&) = default;
};

// Whether `name` is a NAME: [a-z0-9][a-z0-9._-]*, 1..64 bytes.
bool IsValidName(std::string_view name);

// Parses "fedlink://<role>/<name>". InvalidArgument (not quoting the input)
// when it is not of that form. Thread-safe.
absl::StatusOr<PeerIdentity> ParseIdentityUri(std::string_view uri);

// "fedlink://<role>/<name>" of a valid identity.
std::string IdentityUri(const PeerIdentity& identity);

// The identity of an authenticated TLS peer. Unauthenticated when the
// connection is not an authenticated TLS connection, or its certificate does
// not carry exactly one valid fedlink:// URI SAN (URIs of other schemes are
// ignored). Thread-safe.
absl::StatusOr<PeerIdentity> PeerIdentityFromAuthContext(const grpc::AuthContext& context);

// Conversions to and from the wire form (fedlink.v1.Identity). The reverse
// direction validates like ParseIdentityUri: InvalidArgument on a bad role
// or name, or an agency that disagrees with the name.
v1::Identity ToProto(const PeerIdentity& identity);
absl::StatusOr<PeerIdentity> FromProto(const v1::Identity& identity);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_PEER_IDENTITY_H_
