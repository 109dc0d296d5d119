// What an agency's own rules do to a job, through the real processes: a
// party's cohort filter (written in the analyst's job YAML) selects the
// records the agent encodes and releases; a job that breaks the agency's
// policy cannot be approved with `fedlink-agent jobs approve`, the steward
// sees every broken rule in `jobs show`, and the job goes nowhere.
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

using ::testing::HasSubstr;

TEST(CohortAndPolicyTest, CohortFilterSelectsWhatIsEncodedAndReleased) {
  // SyntheticCsv gives person n the program alpha, beta, gamma for n % 3.
  absl::StatusOr<std::unique_ptr<E2eCluster>> made =
      StartSyntheticCluster({{"edu", Range(0, 90)}, {"health", Range(45, 135)}});
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  JobOptions job;
  job.title = "Alpha programme only";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.method = "tokens";
  job.parties = {{"edu", {"program", "truth_person"},
                  "[{column: program, comparison: equal, compare_as: text, values: [alpha]}]"},
                 {"health", {"truth_person"}, ""}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();
  for (const std::string& agency : cluster.agencies()) {
    CommandResult approved = cluster.Approve(agency, *job_id);
    ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  }
  absl::StatusOr<v1::Job> done = cluster.WaitForJobState(*job_id, v1::JOB_STATE_COMPLETE);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->parties(0).records_uploaded(), 30u) << "the alpha third of edu's 90";
  EXPECT_EQ(done->parties(1).records_uploaded(), 90u);

  CommandResult results = cluster.Results(*job_id);
  ASSERT_EQ(results.exit_code, 0) << results.Describe();
  absl::StatusOr<std::vector<std::vector<std::string>>> csv =
      ParseCsv(ReadFileBytes(cluster.analyst_dir() / "linked.csv"));
  ASSERT_TRUE(csv.ok()) << csv.status();
  std::set<std::string> people, expected;
  for (size_t i = 1; i < csv->size(); ++i) {
    const std::vector<std::string>& row = (*csv)[i];
    ASSERT_EQ(row.size(), 4u);
    EXPECT_EQ(row[1], "alpha");
    EXPECT_EQ(row[2], row[3]);
    people.insert(row[2]);
  }
  for (int n : Range(45, 90)) {
    if (n % 3 == 0) expected.insert(std::to_string(n));
  }
  EXPECT_EQ(people, expected);
}

TEST(CohortAndPolicyTest, AJobBreakingThePolicyCannotBeApproved) {
  absl::StatusOr<std::unique_ptr<E2eCluster>> made =
      StartSyntheticCluster({{"edu", Range(0, 20)}, {"health", Range(10, 30)}});
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  // edu's policy allows program and truth_person, and tokens among others;
  // this job asks edu for a column the policy does not list.
  JobOptions job;
  job.title = "Asks for too much";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.method = "tokens";
  job.parties = {{"edu", {"program", "home_address"}, ""}, {"health", {"program"}, ""}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();

  CommandResult refused = cluster.Approve("edu", *job_id);
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_THAT(refused.err, HasSubstr("home_address")) << refused.Describe();
  CommandResult shown = cluster.RunAgentCli(
      {"jobs", "show", *job_id, "--socket", cluster.agent_socket("edu").string()});
  EXPECT_EQ(shown.exit_code, 0) << shown.Describe();
  EXPECT_THAT(shown.out, HasSubstr("home_address")) << shown.Describe();
  absl::StatusOr<v1::AgentJob> edu = cluster.AgentJob("edu", *job_id);
  ASSERT_TRUE(edu.ok()) << edu.status();
  EXPECT_EQ(edu->state(), v1::AGENT_JOB_STATE_PENDING_DECISION);
  EXPECT_FALSE(edu->policy_violations().empty());

  // health's steward approves; the job still waits for edu, which denies.
  ASSERT_EQ(cluster.Approve("health", *job_id).exit_code, 0);
  absl::StatusOr<v1::Job> pending = cluster.GetJob(*job_id);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->state(), v1::JOB_STATE_PENDING_APPROVAL);
  ASSERT_EQ(cluster.Deny("edu", *job_id, "Requests a column outside our policy").exit_code, 0);
  absl::StatusOr<v1::Job> denied = cluster.WaitForJobState(*job_id, v1::JOB_STATE_DENIED);
  ASSERT_TRUE(denied.ok()) << denied.status();
  EXPECT_THAT(denied->state_reason(), HasSubstr("outside our policy"));
}

}  // namespace
}  // namespace fedlink::e2e
