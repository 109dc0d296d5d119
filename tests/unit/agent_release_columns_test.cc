// ResolveReleaseColumns: identifiers and columns beyond the policy are
// refused at release time, whatever the spec asks for.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/release/release_columns.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent_policy_test_util.h"
#include "tests/unit/agent_release_test_util.h"

namespace fedlink::agent::release {
namespace {

using policy::testing::TestPolicy;
using policy::testing::TestSpec;
using testing::EduSchema;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

v1::JobSpec SpecAsking(std::vector<std::string> columns) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(0)->clear_columns();
  for (const std::string& column : columns)
    spec.mutable_parties(0)->add_columns(column);
  return spec;
}

TEST(ReleaseColumnsTest, ResolvesApprovedAttributesInSpecOrder) {
  absl::StatusOr<std::vector<std::string>> columns =
      ResolveReleaseColumns(SpecAsking({"grad_year", "program_code"}), "edu",
                            EduSchema(), TestPolicy());
  ASSERT_TRUE(columns.ok()) << columns.status();
  EXPECT_THAT(*columns, ElementsAre("grad_year", "program_code"));
}

TEST(ReleaseColumnsTest, NoColumnsReleasesResearchIdsOnly) {
  absl::StatusOr<std::vector<std::string>> columns =
      ResolveReleaseColumns(SpecAsking({}), "edu", EduSchema(), TestPolicy());
  ASSERT_TRUE(columns.ok()) << columns.status();
  EXPECT_TRUE(columns->empty());
}

TEST(ReleaseColumnsTest, RefusesEveryIdentifierByFieldOrHeaderName) {
  for (const char* identifier :
       {"first_name", "last_name", "dob", "ssn", "first", "last", "birth",
        "student_id", "local_id"}) {
    absl::StatusOr<std::vector<std::string>> columns =
        ResolveReleaseColumns(SpecAsking({"program_code", identifier}), "edu",
                              EduSchema(), TestPolicy());
    EXPECT_EQ(columns.status().code(), absl::StatusCode::kPermissionDenied)
        << identifier;
    EXPECT_THAT(columns.status().message(),
                HasSubstr(std::string("columns[1] ") + identifier +
                          " is an identifier"));
  }
}

TEST(ReleaseColumnsTest, EvenAPolicyListingAnIdentifierCannotReleaseIt) {
  policy::AgentPolicy policy = TestPolicy();
  policy.columns.push_back("ssn");
  policy.max_sensitivity = ingest::Sensitivity::kRestricted;
  EXPECT_EQ(
      ResolveReleaseColumns(SpecAsking({"ssn"}), "edu", EduSchema(), policy)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);
}

TEST(ReleaseColumnsTest, ListsEveryRefusedColumnWithItsReason) {
  absl::StatusOr<std::vector<std::string>> columns =
      ResolveReleaseColumns(SpecAsking({"gpa", "iep_status", "shoe_size",
                                        "program_code", "program_code"}),
                            "edu", EduSchema(), TestPolicy());
  ASSERT_EQ(columns.status().code(), absl::StatusCode::kPermissionDenied);
  const std::string message(columns.status().message());
  EXPECT_THAT(
      message,
      HasSubstr("columns[0] gpa is confidential, above the policy's maximum "
                "internal"));
  EXPECT_THAT(
      message,
      HasSubstr("columns[1] iep_status is not on the policy's column list"));
  EXPECT_THAT(message, HasSubstr("columns[2] shoe_size is not an attribute"));
  EXPECT_THAT(message, HasSubstr("columns[4] program_code is requested twice"));
  EXPECT_THAT(message, Not(HasSubstr("columns[3]")));
}

TEST(ReleaseColumnsTest, RefusesWrongAgencyModeOrSchema) {
  EXPECT_EQ(
      ResolveReleaseColumns(SpecAsking({}), "wages", EduSchema(), TestPolicy())
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  policy::AgentPolicy health = TestPolicy();
  health.agency = "health";
  EXPECT_EQ(ResolveReleaseColumns(SpecAsking({}), "health", EduSchema(), health)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  v1::JobSpec aggregate = SpecAsking({"program_code"});
  aggregate.set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  EXPECT_EQ(ResolveReleaseColumns(aggregate, "edu", EduSchema(), TestPolicy())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  ingest::IngestSchema broken = EduSchema();
  broken.attributes[0].name =
      "first_name";  // collides with an identifier field
  EXPECT_EQ(ResolveReleaseColumns(SpecAsking({"first_name"}), "edu", broken,
                                  TestPolicy())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::agent::release
