// kill -9 at several points of a running microdata job: the coordinator
// after the first approval, an agent before the second approval (so the
// encode work waits for it), the coordinator again while uploads run, and
// an agent once the results are out. Every process comes back from its
// data directory; the job completes and the analyst's CSV is exactly the
// undisturbed result (synthetic exact copies: the 120 shared people, each
// once, every row's two ground-truth values equal).
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

TEST(RestartTest, JobSurvivesKillNineOfCoordinatorAndAgentsAtSeveralPoints) {
  ClusterOptions options;
  options.max_records_per_batch = 8;  // 30 batches per agency: uploads take a while
  absl::StatusOr<std::unique_ptr<E2eCluster>> made =
      StartSyntheticCluster({{"edu", Range(0, 240)}, {"health", Range(120, 360)}}, options);
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  JobOptions job;
  job.title = "A job through crashes";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.parties = {{"edu", {"truth_person"}}, {"health", {"truth_person"}}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();

  // 1. edu approves; the coordinator dies right after.
  CommandResult approved = cluster.Approve("edu", *job_id);
  ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  ASSERT_EQ(cluster.KillCoordinator().value_or(0), -SIGKILL);
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  absl::StatusOr<v1::Job> after = cluster.GetJob(*job_id);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->parties(0).verdict(), v1::VERDICT_APPROVE) << "an acknowledged decision is kept";

  // 2. edu's agent dies; health approves, so encoding starts without edu.
  ASSERT_EQ(cluster.KillAgent("edu").value_or(0), -SIGKILL);
  approved = cluster.Approve("health", *job_id);
  ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  ASSERT_TRUE(cluster.WaitForJobState(*job_id, v1::JOB_STATE_ENCODING).ok());
  ASSERT_TRUE(cluster.StartAgent("edu").ok());

  // 3. The coordinator dies while the uploads run.
  absl::StatusOr<v1::Job> uploading = cluster.WaitForJob(*job_id, [](const v1::Job& j) {
    return j.state() != v1::JOB_STATE_ENCODING || j.parties(0).records_uploaded() > 0 ||
           j.parties(1).records_uploaded() > 0;
  });
  ASSERT_TRUE(uploading.ok()) << uploading.status();
  ASSERT_EQ(cluster.KillCoordinator().value_or(0), -SIGKILL);
  ASSERT_TRUE(cluster.StartCoordinator().ok());

  // 4. The job completes; health's agent dies and comes back after.
  absl::StatusOr<v1::Job> done = cluster.WaitForJobState(*job_id, v1::JOB_STATE_COMPLETE);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(cluster.KillAgent("health").value_or(0), -SIGKILL);
  ASSERT_TRUE(cluster.StartAgent("health").ok());
  for (const v1::PartyProgress& party : done->parties()) {
    EXPECT_EQ(party.records_uploaded(), 240u) << party.agency();
    EXPECT_EQ(party.assignments(), 120u) << party.agency();
  }

  CommandResult results = cluster.Results(*job_id);
  ASSERT_EQ(results.exit_code, 0) << results.Describe();
  absl::StatusOr<std::vector<std::vector<std::string>>> csv =
      ParseCsv(ReadFileBytes(cluster.analyst_dir() / "linked.csv"));
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_EQ(csv->size(), 121u);
  std::set<std::string> research_ids, people;
  for (size_t i = 1; i < csv->size(); ++i) {
    const std::vector<std::string>& row = (*csv)[i];
    ASSERT_EQ(row.size(), 3u);
    EXPECT_EQ(row[1], row[2]) << "line " << i;
    research_ids.insert(row[0]);
    people.insert(row[1]);
  }
  EXPECT_EQ(research_ids.size(), 120u);
  std::set<std::string> expected;
  for (int person : Range(120, 240)) expected.insert(std::to_string(person));
  EXPECT_EQ(people, expected);
}

// A steward may decide while the coordinator is down: the signed decision
// is queued by the agent and delivered once the coordinator is back.
TEST(RestartTest, DecisionMadeWhileTheCoordinatorIsDownIsDeliveredLater) {
  absl::StatusOr<std::unique_ptr<E2eCluster>> made =
      StartSyntheticCluster({{"edu", Range(0, 20)}, {"health", Range(10, 30)}});
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;
  JobOptions job;
  job.title = "Approved during an outage";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.method = "tokens";
  job.parties = {{"edu", {"truth_person"}}, {"health", {"truth_person"}}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();
  ASSERT_EQ(cluster.Approve("edu", *job_id).exit_code, 0);
  ASSERT_TRUE(cluster.WaitForAgentJob("health", *job_id, [](const v1::AgentJob&) {
    return true;
  }).ok());

  ASSERT_EQ(cluster.StopCoordinator().value_or(-1), 0);
  CommandResult queued = cluster.Approve("health", *job_id);
  ASSERT_EQ(queued.exit_code, 0) << queued.Describe();
  EXPECT_THAT(queued.out, ::testing::HasSubstr("queued")) << queued.Describe();
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  absl::StatusOr<v1::Job> done = cluster.WaitForJobState(*job_id, v1::JOB_STATE_COMPLETE);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->parties(1).assignments(), 10u);
}

}  // namespace
}  // namespace fedlink::e2e
