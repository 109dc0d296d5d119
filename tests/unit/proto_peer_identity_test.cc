// Identities from fedlink://<role>/<name> URIs: what is accepted, what is
// refused, and the wire form. (Extraction from a live TLS peer is covered by
// tests/integration/proto_mtls_test.cc.)
#include "proto/runtime/peer_identity.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::proto {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseIdentityUriTest, AcceptsEveryRole) {
  struct Case {
    const char* uri;
    Role role;
    const char* name;
    const char* agency;
  };
  for (const Case& c : {
           Case{"fedlink://agent/edu", Role::kAgent, "edu", "edu"},
           Case{"fedlink://steward/edu/bob", Role::kSteward, "edu/bob", "edu"},
           Case{"fedlink://analyst/alice", Role::kAnalyst, "alice", ""},
           Case{"fedlink://auditor/carol.w", Role::kAuditor, "carol.w", ""},
           Case{"fedlink://operator/ops-1", Role::kOperator, "ops-1", ""},
           Case{"fedlink://coordinator/coord_a", Role::kCoordinator, "coord_a", ""},
       }) {
    absl::StatusOr<PeerIdentity> identity = ParseIdentityUri(c.uri);
    ASSERT_TRUE(identity.ok()) << c.uri << ": " << identity.status();
    EXPECT_EQ(identity->role, c.role) << c.uri;
    EXPECT_EQ(identity->name, c.name) << c.uri;
    EXPECT_EQ(identity->agency, c.agency) << c.uri;
    EXPECT_EQ(IdentityUri(*identity), c.uri);
  }
}

TEST(ParseIdentityUriTest, RefusesAnythingElseWithoutQuotingIt) {
  const std::string long_name(65, 'a');
  for (const std::string& uri : {
           std::string("fedlink://agent/"),
           std::string("fedlink://agent"),
           std::string("fedlink://admin/edu"),
           std::string("fedlink://Agent/edu"),
           std::string("fedlink://agent/Edu"),
           std::string("fedlink://agent/edu/x"),
           std::string("fedlink://agent/edu/"),
           std::string("fedlink://agent/-edu"),
           std::string("fedlink://agent/ed%75"),
           std::string("fedlink://agent/edu?x=1"),
           std::string("fedlink://agent/edu#f"),
           std::string("fedlink://agent/e du"),
           std::string("fedlink://steward/bob"),
           std::string("fedlink://steward/edu/"),
           std::string("fedlink://steward/edu/bob/x"),
           std::string("fedlink://analyst/a/b"),
           std::string("FEDLINK://agent/edu"),
           std::string("https://agent/edu"),
           std::string("fedlink:/agent/edu"),
           std::string("fedlink://agent/") + long_name,
           std::string("fedlink://agent/edu\n"),
           std::string(""),
       }) {
    absl::StatusOr<PeerIdentity> identity = ParseIdentityUri(uri);
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument) << uri;
    if (!uri.empty()) {
      EXPECT_THAT(std::string(identity.status().message()), Not(HasSubstr(uri))) << uri;
    }
  }
}

TEST(ParseIdentityUriTest, NamesUpTo64Bytes) {
  const std::string name(64, 'z');
  absl::StatusOr<PeerIdentity> identity = ParseIdentityUri("fedlink://analyst/" + name);
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->name, name);
  EXPECT_TRUE(IsValidName(name));
  EXPECT_FALSE(IsValidName(name + "z"));
}

TEST(RoleNameTest, RoundTrips) {
  for (Role role : {Role::kAgent, Role::kSteward, Role::kAnalyst, Role::kAuditor, Role::kOperator,
                    Role::kCoordinator}) {
    EXPECT_EQ(RoleFromName(RoleName(role)), role);
  }
  EXPECT_EQ(RoleFromName("root"), std::nullopt);
  EXPECT_EQ(RoleFromName("AGENT"), std::nullopt);
}

TEST(IdentityProtoTest, RoundTripsAndChecksConsistency) {
  PeerIdentity steward{Role::kSteward, "edu/bob", "edu"};
  v1::Identity wire = ToProto(steward);
  EXPECT_EQ(wire.role(), v1::ROLE_STEWARD);
  EXPECT_EQ(wire.name(), "edu/bob");
  EXPECT_EQ(wire.agency(), "edu");
  absl::StatusOr<PeerIdentity> back = FromProto(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, steward);

  wire.set_agency("wages");
  EXPECT_EQ(FromProto(wire).status().code(), absl::StatusCode::kInvalidArgument);
  wire.set_role(v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(FromProto(wire).status().code(), absl::StatusCode::kInvalidArgument);

  v1::Identity analyst;
  analyst.set_role(v1::ROLE_ANALYST);
  analyst.set_name("alice");
  analyst.set_agency("edu");  // analysts act for no agency
  EXPECT_EQ(FromProto(analyst).status().code(), absl::StatusCode::kInvalidArgument);
  analyst.clear_agency();
  EXPECT_TRUE(FromProto(analyst).ok());
}

}  // namespace
}  // namespace fedlink::proto
