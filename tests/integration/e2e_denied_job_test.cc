// One steward's denial ends a job before anything leaves any agency: the
// other steward had already approved, yet the job is DENIED with the
// denying agency's reason shown to the analyst (`fedlink job status`,
// `fedlink job results`), no agent encoded or uploaded a record, and the
// coordinator's store holds no encoding, assignment or payload of the job.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_coordinator_store.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

using ::testing::HasSubstr;

TEST(DeniedJobTest, ADenialReleasesNothingAndTheAnalystSeesWhy) {
  absl::StatusOr<std::unique_ptr<E2eCluster>> made =
      StartSyntheticCluster({{"edu", Range(0, 40)}, {"health", Range(20, 60)}});
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  JobOptions job;
  job.title = "Outcomes that health will not share";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.method = "tokens";
  job.parties = {{"edu", {"program"}}, {"health", {"program"}}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();

  CommandResult approved = cluster.Approve("edu", *job_id);
  ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  const std::string reason = "Not covered by data sharing agreement DSA-E2E-1";
  CommandResult denied = cluster.Deny("health", *job_id, reason);
  ASSERT_EQ(denied.exit_code, 0) << denied.Describe();

  absl::StatusOr<v1::Job> final_job = cluster.WaitForJobState(*job_id, v1::JOB_STATE_DENIED);
  ASSERT_TRUE(final_job.ok()) << final_job.status();
  EXPECT_THAT(final_job->state_reason(), HasSubstr("health"));
  EXPECT_THAT(final_job->state_reason(), HasSubstr(reason));
  for (const v1::PartyProgress& party : final_job->parties()) {
    EXPECT_EQ(party.records_uploaded(), 0u) << party.agency();
    EXPECT_EQ(party.assignments(), 0u) << party.agency();
    EXPECT_EQ(party.payload_chunks(), 0u) << party.agency();
  }

  // What the analyst's command line says.
  CommandResult status = cluster.JobStatus(*job_id);
  EXPECT_EQ(status.exit_code, 0) << status.Describe();
  EXPECT_THAT(status.out, HasSubstr("DENIED")) << status.Describe();
  EXPECT_THAT(status.out, HasSubstr(reason)) << status.Describe();
  CommandResult results = cluster.Results(*job_id);
  EXPECT_NE(results.exit_code, 0) << results.Describe();
  EXPECT_THAT(results.err, HasSubstr(reason)) << results.Describe();
  EXPECT_FALSE(std::filesystem::exists(cluster.analyst_dir() / "linked.csv"));

  // The approving agency encoded nothing: it never got the job nonce.
  absl::StatusOr<v1::AgentJob> edu = cluster.AgentJob("edu", *job_id);
  ASSERT_TRUE(edu.ok()) << edu.status();
  EXPECT_EQ(edu->decision().verdict(), v1::VERDICT_APPROVE);
  EXPECT_EQ(edu->records_uploaded(), 0u);
  EXPECT_EQ(edu->rows_released(), 0u);
  absl::StatusOr<v1::AgentJob> health = cluster.AgentJob("health", *job_id);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->decision().verdict(), v1::VERDICT_DENY);
  EXPECT_EQ(health->decision().reason(), reason);
  EXPECT_EQ(health->records_uploaded(), 0u);

  // And the coordinator stored nothing of it.
  ASSERT_TRUE(cluster.StopCoordinator().ok());
  absl::StatusOr<JobDataByFamily> stored =
      ReadStoredJobData(cluster.coordinator_data_dir(), *job_id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  for (const char* family : {"encodings", "assignments", "payloads"}) {
    EXPECT_TRUE(stored->at(family).empty()) << family << " of a denied job";
  }
}

}  // namespace
}  // namespace fedlink::e2e
