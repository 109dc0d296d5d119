// `fedlink-agent jobs` renderings: the pending table shows the policy
// verdict, `show` lists every violation and the decision.
#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/jobs_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent::cli {
namespace {

using ::testing::HasSubstr;

v1::AgentJob PendingJob(int violations) {
  v1::AgentJob job;
  job.set_job_id("job-7");
  job.set_state(v1::AGENT_JOB_STATE_PENDING_DECISION);
  job.set_analyst("alice");
  job.set_job_spec_sha256(std::string(32, '\x01'));
  job.mutable_received_at()->set_seconds(1893456000);
  job.mutable_spec()->set_title("Outcomes of 2015 graduates");
  for (int i = 0; i < violations; ++i) {
    job.add_policy_violations("column_not_allowed at parties[0].columns[1]: 'gpa' is not allowed");
  }
  return job;
}

TEST(JobsTableTest, PendingTableShowsPolicyVerdict) {
  const std::string table = JobsTable({PendingJob(0), PendingJob(2)});
  EXPECT_THAT(table, HasSubstr("JOB"));
  EXPECT_THAT(table, HasSubstr("pending_decision"));
  EXPECT_THAT(table, HasSubstr("approvable"));
  EXPECT_THAT(table, HasSubstr("2 violations"));
  EXPECT_THAT(table, HasSubstr("2030-01-01 00:00:00Z"));
  EXPECT_EQ(JobsTable({}), "no jobs\n");
}

TEST(JobsTableTest, DetailsListViolationsHashAndDecision) {
  v1::AgentJob job = PendingJob(1);
  std::string details = JobDetails(job);
  EXPECT_THAT(details, HasSubstr("spec sha256:  01010101"));
  EXPECT_THAT(details, HasSubstr("0101010101"));
  EXPECT_THAT(details, HasSubstr("cannot be approved"));
  EXPECT_THAT(details, HasSubstr("'gpa' is not allowed"));
  job.set_state(v1::AGENT_JOB_STATE_DENIED);
  job.mutable_decision()->set_verdict(v1::VERDICT_DENY);
  job.mutable_decision()->set_steward("edu/bob");
  job.mutable_decision()->set_reason("no DSA on file");
  details = JobDetails(job);
  EXPECT_THAT(details, HasSubstr("denied by edu/bob"));
  EXPECT_THAT(details, HasSubstr("no DSA on file"));
}

TEST(JobsTableTest, DenyWithoutReasonIsRefusedBeforeConnecting) {
  JobsCommandOptions options;
  options.action = "deny";
  options.job_id = "job-7";
  options.socket = "/nonexistent/admin.sock";
  std::ostringstream out;
  absl::Status status = RunJobsCommand(options, out);
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("--reason"));
  options.action = "approve";
  status = RunJobsCommand(options, out);
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("fedlink-agent serve"));
}

}  // namespace
}  // namespace fedlink::agent::cli
