// EvaluateJob: a clean job is allowed; each kind of violation is reported
// with its code and field; several at once are all listed; messages never
// carry a cohort criterion.
#include "agent/policy/policy_check.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent_policy_test_util.h"

namespace fedlink::agent::policy {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::TestAnalyst;
using testing::TestColumns;
using testing::TestNow;
using testing::TestPolicy;
using testing::TestSpec;

PolicyVerdict Evaluate(const v1::JobSpec& spec, const v1::Identity& analyst = TestAnalyst(),
                       const AgentPolicy& policy = TestPolicy()) {
  return EvaluateJob(spec, analyst, policy, TestColumns(), TestNow());
}

std::vector<std::pair<ViolationCode, std::string>> CodesAndFields(const PolicyVerdict& verdict) {
  std::vector<std::pair<ViolationCode, std::string>> out;
  for (const Violation& v : verdict.violations) out.emplace_back(v.code, v.field);
  return out;
}

// The only violation of `spec`.
Violation OnlyViolation(const v1::JobSpec& spec, const v1::Identity& analyst = TestAnalyst()) {
  const PolicyVerdict verdict = Evaluate(spec, analyst);
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.violations.size(), 1u);
  return verdict.violations.empty() ? Violation{} : verdict.violations[0];
}

TEST(PolicyCheckTest, CleanJobIsAllowed) {
  const PolicyVerdict verdict = Evaluate(TestSpec());
  EXPECT_TRUE(verdict.allowed);
  EXPECT_THAT(verdict.violations, IsEmpty());
}

TEST(PolicyCheckTest, CleanAggregateJobIsAllowed) {
  v1::JobSpec spec = TestSpec();
  spec.set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  spec.mutable_aggregate()->set_min_cell_count(25);
  spec.mutable_aggregate()->mutable_category()->set_agency("edu");
  spec.mutable_aggregate()->mutable_category()->set_column("program_code");
  EXPECT_TRUE(Evaluate(spec).allowed);
}

TEST(PolicyCheckTest, DisallowedPartner) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(1)->set_agency("police");
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kPartnerNotAllowed);
  EXPECT_EQ(v.field, "parties[1].agency");
  EXPECT_EQ(v.message, "agency 'police' is not an allowed partner");
}

TEST(PolicyCheckTest, AgencyNotAParty) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(0)->set_agency("health");
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kAgencyNotParty);
  EXPECT_EQ(v.field, "parties");
  EXPECT_EQ(v.message, "this agency ('edu') is not a party of the job");
}

TEST(PolicyCheckTest, ColumnNotInIngestSchema) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(0)->add_columns("last_name");  // an identifier field
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kColumnNotInSchema);
  EXPECT_EQ(v.field, "parties[0].columns[2]");
  EXPECT_THAT(v.message, HasSubstr("column 'last_name' is not an attribute of this agency's "
                                   "ingest schema (identifier columns are never released)"));
}

TEST(PolicyCheckTest, ColumnAboveMaxClass) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(0)->add_columns("gpa");  // allowed by name, confidential
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kColumnAboveMaxClass);
  EXPECT_EQ(v.field, "parties[0].columns[2]");
  EXPECT_EQ(v.message, "column 'gpa' is confidential; the policy allows at most internal");
}

TEST(PolicyCheckTest, ColumnNotAllowedAndAboveClassAreBothListed) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(0)->add_columns("iep_status");  // not listed, restricted
  const PolicyVerdict verdict = Evaluate(spec);
  EXPECT_THAT(CodesAndFields(verdict),
              ElementsAre(std::pair(ViolationCode::kColumnNotAllowed, "parties[0].columns[2]"),
                          std::pair(ViolationCode::kColumnAboveMaxClass, "parties[0].columns[2]")));
  EXPECT_EQ(verdict.violations[0].message,
            "column 'iep_status' is not on the policy's list of allowed attributes");
}

TEST(PolicyCheckTest, ColumnNotAllowedWithinClass) {
  AgentPolicy policy = TestPolicy();
  policy.columns = {"grad_year"};
  const PolicyVerdict verdict = Evaluate(TestSpec(), TestAnalyst(), policy);
  EXPECT_THAT(CodesAndFields(verdict),
              ElementsAre(std::pair(ViolationCode::kColumnNotAllowed, "parties[0].columns[0]")));
}

TEST(PolicyCheckTest, OtherPartiesColumnsAreNotThisAgencysConcern) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(1)->add_columns("iep_status");
  EXPECT_TRUE(Evaluate(spec).allowed);
}

TEST(PolicyCheckTest, CohortFilterOnUnknownColumn) {
  v1::JobSpec spec = TestSpec();
  v1::CohortCondition* c = spec.mutable_parties(0)->mutable_cohort()->add_all_of();
  c->set_column("diagnosis");
  c->set_comparison(v1::COMPARISON_EQUAL);
  c->set_compare_as(v1::VALUE_TYPE_TEXT);
  c->add_values("secret-criterion-HIV");
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kCohortColumnUnknown);
  EXPECT_EQ(v.field, "parties[0].cohort.all_of[1].column");
  EXPECT_THAT(v.message, HasSubstr("'diagnosis'"));
  EXPECT_THAT(v.message, Not(HasSubstr("secret-criterion")));
}

TEST(PolicyCheckTest, CohortFilterIsHeldToTheColumnRules) {
  v1::JobSpec spec = TestSpec();
  v1::CohortCondition* c = spec.mutable_parties(0)->mutable_cohort()->add_all_of();
  c->set_column("iep_status");
  c->set_comparison(v1::COMPARISON_EQUAL);
  c->set_compare_as(v1::VALUE_TYPE_TEXT);
  c->add_values("Y");
  EXPECT_THAT(CodesAndFields(Evaluate(spec)),
              ElementsAre(std::pair(ViolationCode::kColumnNotAllowed,
                                    "parties[0].cohort.all_of[1].column"),
                          std::pair(ViolationCode::kColumnAboveMaxClass,
                                    "parties[0].cohort.all_of[1].column")));
}

TEST(PolicyCheckTest, AnalystNotAllowed) {
  const Violation v = OnlyViolation(TestSpec(), TestAnalyst("mallory"));
  EXPECT_EQ(v.code, ViolationCode::kAnalystNotAllowed);
  EXPECT_EQ(v.field, "analyst.name");
  EXPECT_EQ(v.message, "analyst 'mallory' is not on the policy's analyst allow-list");
}

TEST(PolicyCheckTest, SubmitterWithoutAnalystRoleIsRefused) {
  v1::Identity operator_identity = TestAnalyst("alice");
  operator_identity.set_role(v1::ROLE_OPERATOR);
  const Violation v = OnlyViolation(TestSpec(), operator_identity);
  EXPECT_EQ(v.code, ViolationCode::kAnalystNotAllowed);
  EXPECT_EQ(v.field, "analyst.role");
}

TEST(PolicyCheckTest, MethodNotAllowed) {
  v1::JobSpec spec = TestSpec();
  spec.set_method(v1::LINKAGE_METHOD_BLOOM);
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kMethodNotAllowed);
  EXPECT_EQ(v.field, "method");
  EXPECT_EQ(v.message,
            "linkage method bloom is not allowed (allowed: tokens, tokens_and_bloom)");
}

TEST(PolicyCheckTest, OutputModeNotAllowed) {
  AgentPolicy policy = TestPolicy();
  policy.output_modes = {v1::OUTPUT_MODE_AGGREGATE};
  const PolicyVerdict verdict = Evaluate(TestSpec(), TestAnalyst(), policy);
  ASSERT_EQ(verdict.violations.size(), 1u);
  EXPECT_EQ(verdict.violations[0].code, ViolationCode::kOutputModeNotAllowed);
  EXPECT_EQ(verdict.violations[0].field, "output_mode");
  EXPECT_EQ(verdict.violations[0].message,
            "output mode linked_microdata is not allowed (allowed: aggregate)");
}

TEST(PolicyCheckTest, ExpiryInThePastOrNow) {
  for (absl::Duration before : {absl::Seconds(0), absl::Hours(1)}) {
    v1::JobSpec spec = TestSpec();
    spec.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(TestNow() - before));
    const Violation v = OnlyViolation(spec);
    EXPECT_EQ(v.code, ViolationCode::kExpiryInPast);
    EXPECT_EQ(v.field, "expires_at");
  }
  v1::JobSpec spec = TestSpec();
  spec.clear_expires_at();
  EXPECT_EQ(OnlyViolation(spec).code, ViolationCode::kExpiryInPast);
}

TEST(PolicyCheckTest, ExpiryBeyondHorizon) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_expires_at()->set_seconds(
      absl::ToUnixSeconds(TestNow() + absl::Hours(24 * 365) + absl::Seconds(1)));
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kExpiryBeyondHorizon);
  EXPECT_EQ(v.message,
            "the job expires at 2031-01-01T00:00:01Z, more than 365 days from now (the "
            "policy's limit)");
  // Exactly at the horizon is allowed.
  spec.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(TestNow() + absl::Hours(24 * 365)));
  EXPECT_TRUE(Evaluate(spec).allowed);
}

TEST(PolicyCheckTest, AggregateThresholdBelowAgencyMinimum) {
  v1::JobSpec spec = TestSpec();
  spec.set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  spec.mutable_aggregate()->set_min_cell_count(19);
  Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kCellThresholdTooLow);
  EXPECT_EQ(v.field, "aggregate.min_cell_count");
  EXPECT_EQ(v.message, "cells below 19 are suppressed; this agency requires at least 20");
  // 0 means the coordinator's default of 10, below this agency's 20.
  spec.mutable_aggregate()->set_min_cell_count(0);
  v = OnlyViolation(spec);
  EXPECT_EQ(v.message,
            "cells below 10 (the default) are suppressed; this agency requires at least 20");
  spec.mutable_aggregate()->set_min_cell_count(20);
  EXPECT_TRUE(Evaluate(spec).allowed);
}

TEST(PolicyCheckTest, AggregateCategoryColumnOfThisAgencyIsChecked) {
  v1::JobSpec spec = TestSpec();
  spec.set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  spec.mutable_aggregate()->set_min_cell_count(20);
  spec.mutable_aggregate()->mutable_category()->set_agency("edu");
  spec.mutable_aggregate()->mutable_category()->set_column("gpa");
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.code, ViolationCode::kColumnAboveMaxClass);
  EXPECT_EQ(v.field, "aggregate.category.column");
  // Another party's category column is that party's business.
  spec.mutable_aggregate()->mutable_category()->set_agency("wages");
  EXPECT_TRUE(Evaluate(spec).allowed);
}

TEST(PolicyCheckTest, EveryViolationIsListedInSpecOrder) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(0)->add_columns("ssn");
  spec.mutable_parties(0)->add_columns("gpa");
  spec.mutable_parties(1)->set_agency("police");
  spec.add_parties()->set_agency("tax");
  spec.set_method(v1::LINKAGE_METHOD_BLOOM);
  spec.set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  spec.mutable_aggregate()->set_min_cell_count(11);
  spec.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(TestNow()) - 1);
  const PolicyVerdict verdict = Evaluate(spec, TestAnalyst("mallory"));
  EXPECT_FALSE(verdict.allowed);
  EXPECT_THAT(
      CodesAndFields(verdict),
      ElementsAre(std::pair(ViolationCode::kColumnNotInSchema, "parties[0].columns[2]"),
                  std::pair(ViolationCode::kColumnAboveMaxClass, "parties[0].columns[3]"),
                  std::pair(ViolationCode::kPartnerNotAllowed, "parties[1].agency"),
                  std::pair(ViolationCode::kPartnerNotAllowed, "parties[2].agency"),
                  std::pair(ViolationCode::kAnalystNotAllowed, "analyst.name"),
                  std::pair(ViolationCode::kMethodNotAllowed, "method"),
                  std::pair(ViolationCode::kExpiryInPast, "expires_at"),
                  std::pair(ViolationCode::kCellThresholdTooLow, "aggregate.min_cell_count")));
}

TEST(PolicyCheckTest, EmptySpecIsEvaluatedWithoutCrashing) {
  const PolicyVerdict verdict = Evaluate(v1::JobSpec(), v1::Identity());
  EXPECT_THAT(CodesAndFields(verdict),
              ElementsAre(std::pair(ViolationCode::kAgencyNotParty, "parties"),
                          std::pair(ViolationCode::kAnalystNotAllowed, "analyst.role"),
                          std::pair(ViolationCode::kMethodNotAllowed, "method"),
                          std::pair(ViolationCode::kOutputModeNotAllowed, "output_mode"),
                          std::pair(ViolationCode::kExpiryInPast, "expires_at")));
  EXPECT_THAT(verdict.violations[2].message, HasSubstr("linkage method unspecified"));
}

TEST(PolicyCheckTest, CohortSizeLimit) {
  const AgentPolicy policy = TestPolicy();
  EXPECT_FALSE(CheckCohortSize(100000, policy).has_value());
  const std::optional<Violation> v = CheckCohortSize(100001, policy);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->code, ViolationCode::kCohortTooLarge);
  EXPECT_EQ(v->message, "the cohort has 100001 records; the policy allows at most 100000");
}

TEST(PolicyCheckTest, NamesInMessagesAreQuotedSafely) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(1)->set_agency("evil\n\x1b[31m");
  const Violation v = OnlyViolation(spec);
  EXPECT_EQ(v.message, "agency 'evil\\x0a\\x1b[31m' is not an allowed partner");
}

TEST(PolicyCheckTest, ColumnClassesComeFromTheIngestSchemaAttributes) {
  ingest::IngestSchema schema;
  ingest::IdentifierColumn surname;
  surname.column = "SURNAME";
  surname.field = "last_name";
  schema.identifiers.push_back(surname);
  ingest::AttributeColumn grade;
  grade.column = "GRADE_LEVEL";
  grade.name = "grade_level";
  grade.sensitivity = ingest::Sensitivity::kInternal;
  schema.attributes.push_back(grade);
  const ColumnClasses classes = ColumnClassesFromSchema(schema);
  EXPECT_EQ(classes.size(), 1u);
  ASSERT_TRUE(classes.contains("grade_level"));
  EXPECT_EQ(classes.at("grade_level"), ingest::Sensitivity::kInternal);
}

TEST(PolicyCheckTest, FormatViolationsFitsTheLimit) {
  std::vector<Violation> violations;
  for (int i = 0; i < 40; ++i) {
    violations.push_back({ViolationCode::kPartnerNotAllowed, "parties[1].agency",
                          "agency 'police' is not an allowed partner"});
  }
  const std::string all = FormatViolations(violations, 100000);
  EXPECT_THAT(all, HasSubstr("partner_not_allowed at parties[1].agency: agency 'police' is not"));
  EXPECT_THAT(all, Not(HasSubstr("more")));
  for (size_t limit : {size_t{32}, size_t{100}, size_t{2000}}) {
    const std::string cut = FormatViolations(violations, limit);
    EXPECT_LE(cut.size(), limit);
    EXPECT_THAT(cut, AnyOf(HasSubstr(" more"), HasSubstr("40 policy violations")))
        << "limit " << limit;
  }
  EXPECT_EQ(FormatViolations(violations, 32), "40 policy violations");
  EXPECT_EQ(FormatViolations({}, 100), "");
}

}  // namespace
}  // namespace fedlink::agent::policy
