#include "proto/runtime/peer_identity.h"

#include <array>
#include <utility>
#include <vector>

#include <grpc/grpc_security_constants.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fedlink::proto {
namespace {

constexpr absl::string_view kScheme = "fedlink://";
constexpr size_t kMaxNameBytes = 64;

struct RoleEntry {
  Role role;
  std::string_view name;
  v1::Role wire;
};

constexpr std::array<RoleEntry, 6> kRoles = {{
    {Role::kAgent, "agent", v1::ROLE_AGENT},
    {Role::kSteward, "steward", v1::ROLE_STEWARD},
    {Role::kAnalyst, "analyst", v1::ROLE_ANALYST},
    {Role::kAuditor, "auditor", v1::ROLE_AUDITOR},
    {Role::kOperator, "operator", v1::ROLE_OPERATOR},
    {Role::kCoordinator, "coordinator", v1::ROLE_COORDINATOR},
}};

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsNameChar(char c) { return IsNameStart(c) || c == '.' || c == '_' || c == '-'; }

// Splits `name` for `role` into (agency, ok). Stewards: "<agency>/<person>";
// agents: the name is the agency; others: a single NAME, no agency.
bool SplitName(Role role, std::string_view name, std::string* agency) {
  if (role == Role::kSteward) {
    size_t slash = name.find('/');
    if (slash == std::string_view::npos) return false;
    std::string_view agency_part = name.substr(0, slash);
    std::string_view person = name.substr(slash + 1);
    if (!IsValidName(agency_part) || !IsValidName(person)) return false;
    *agency = std::string(agency_part);
    return true;
  }
  if (!IsValidName(name)) return false;
  agency->clear();
  if (role == Role::kAgent) *agency = std::string(name);
  return true;
}

absl::Status BadUri() {
  return absl::InvalidArgumentError(
      "identity URI is not of the form fedlink://<role>/<name> (roles: agent, steward, "
      "analyst, auditor, operator, coordinator; names [a-z0-9][a-z0-9._-]*, at most 64 "
      "bytes; stewards <agency>/<person>)");
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const RoleEntry& e : kRoles) {
    if (e.role == role) return e.name;
  }
  return "invalid";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (const RoleEntry& e : kRoles) {
    if (e.name == name) return e.role;
  }
  return std::nullopt;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes || !IsNameStart(name.front())) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

absl::StatusOr<PeerIdentity> ParseIdentityUri(std::string_view uri) {
  if (!absl::StartsWith(absl::string_view(uri.data(), uri.size()), kScheme)) return BadUri();
  std::string_view rest = uri.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return BadUri();
  std::optional<Role> role = RoleFromName(rest.substr(0, slash));
  if (!role.has_value()) return BadUri();
  PeerIdentity identity;
  identity.role = *role;
  std::string_view name = rest.substr(slash + 1);
  // The character rules exclude '%', '?', '#', '@', ':' and upper case, so
  // no escape, query, fragment, user info or port can hide in a name.
  if (!SplitName(identity.role, name, &identity.agency)) return BadUri();
  identity.name = std::string(name);
  return identity;
}

std::string IdentityUri(const PeerIdentity& identity) {
  return absl::StrCat(kScheme, std::string(RoleName(identity.role)), "/", identity.name);
}

absl::StatusOr<PeerIdentity> PeerIdentityFromAuthContext(const grpc::AuthContext& context) {
  if (!context.IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("the peer presented no verified certificate");
  }
  std::vector<grpc::string_ref> type =
      context.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
  // "tls" from the TLS credentials this library builds, "ssl" from gRPC's
  // older SSL credentials; both are verified X.509 peers.
  std::string_view transport =
      type.size() == 1 ? std::string_view(type[0].data(), type[0].size()) : std::string_view();
  if (transport != GRPC_TLS_TRANSPORT_SECURITY_TYPE &&
      transport != GRPC_SSL_TRANSPORT_SECURITY_TYPE) {
    return absl::UnauthenticatedError("the connection is not mutual TLS");
  }
  std::optional<PeerIdentity> found;
  for (const grpc::string_ref& value : context.FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME)) {
    std::string_view uri(value.data(), value.size());
    if (!absl::StartsWith(absl::string_view(uri.data(), uri.size()), kScheme)) continue;
    if (found.has_value()) {
      return absl::UnauthenticatedError(
          "the peer certificate carries more than one fedlink:// URI SAN");
    }
    absl::StatusOr<PeerIdentity> parsed = ParseIdentityUri(uri);
    if (!parsed.ok()) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the peer certificate's fedlink identity is invalid: ", parsed.status().message()));
    }
    found = *std::move(parsed);
  }
  if (!found.has_value()) {
    return absl::UnauthenticatedError("the peer certificate carries no fedlink:// URI SAN");
  }
  return *std::move(found);
}

v1::Identity ToProto(const PeerIdentity& identity) {
  v1::Identity out;
  for (const RoleEntry& e : kRoles) {
    if (e.role == identity.role) out.set_role(e.wire);
  }
  out.set_name(identity.name);
  out.set_agency(identity.agency);
  return out;
}

absl::StatusOr<PeerIdentity> FromProto(const v1::Identity& identity) {
  const RoleEntry* entry = nullptr;
  for (const RoleEntry& e : kRoles) {
    if (e.wire == identity.role()) entry = &e;
  }
  if (entry == nullptr) return absl::InvalidArgumentError("identity.role: not a known role");
  PeerIdentity out;
  out.role = entry->role;
  if (!SplitName(out.role, identity.name(), &out.agency)) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity.name: not a valid ", std::string(entry->name), " name"));
  }
  if (out.agency != identity.agency()) {
    return absl::InvalidArgumentError(
        "identity.agency: does not match the name (agents: the name; stewards: the part "
        "before '/'; other roles: empty)");
  }
  out.name = identity.name();
  return out;
}

}  // namespace fedlink::proto
