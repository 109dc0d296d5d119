// The coordinator's metric families (coordinator/rpc/coordinator_metrics.h)
// and its JSON log lines (coordinator/rpc/server_logging.h): what an
// operator's dashboards and log collectors rely on.
#include "coordinator/rpc/coordinator_metrics.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "coordinator/rpc/server_logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus/text_serializer.h"

namespace fedlink::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Scrape(const CoordinatorMetrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
}

TEST(CoordinatorMetricsTest, ObservesHowLongJobsSpentInEachPhase) {
  absl::Time now = absl::FromUnixSeconds(1700000000);
  CoordinatorMetrics metrics([&now] { return now; });
  metrics.JobTransition("j1", v1::JOB_STATE_SUBMITTED, v1::JOB_STATE_PENDING_APPROVAL);
  now += absl::Seconds(90);
  metrics.JobTransition("j1", v1::JOB_STATE_PENDING_APPROVAL, v1::JOB_STATE_APPROVED);
  metrics.JobTransition("j1", v1::JOB_STATE_APPROVED, v1::JOB_STATE_ENCODING);
  now += absl::Seconds(5);
  metrics.JobTransition("j1", v1::JOB_STATE_ENCODING, v1::JOB_STATE_MATCHING);
  now += absl::Milliseconds(500);
  metrics.JobTransition("j1", v1::JOB_STATE_MATCHING, v1::JOB_STATE_COMPLETE);
  const std::string text = Scrape(metrics);
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_job_phase_seconds_sum{phase=\"pending_approval\"} 90\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_job_phase_seconds_count{phase=\"encoding\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_job_phase_seconds_sum{phase=\"matching\"} 0.5\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_job_phase_seconds_bucket{phase=\"matching\",le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_job_phase_seconds_bucket{phase=\"matching\",le=\"0.1\"} 0\n"));
  // The state it was created in was not seen entering: no observation.
  EXPECT_THAT(text, Not(HasSubstr("phase=\"submitted\"")));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_job_transitions_total{state=\"complete\"} 1\n"));
  // Job ids never become labels.
  EXPECT_THAT(text, Not(HasSubstr("j1")));
}

TEST(CoordinatorMetricsTest, ForgetsFinishedJobsAndSkipsPhasesNotSeenEntered) {
  absl::Time now = absl::FromUnixSeconds(1700000000);
  CoordinatorMetrics metrics([&now] { return now; });
  // A job resumed after a restart: its first state change has no start.
  metrics.JobTransition("j2", v1::JOB_STATE_MATCHING, v1::JOB_STATE_FAILED);
  now += absl::Seconds(10);
  // Purged later: FAILED is final, nothing was remembered.
  metrics.JobTransition("j2", v1::JOB_STATE_FAILED, v1::JOB_STATE_PURGED);
  const std::string text = Scrape(metrics);
  EXPECT_THAT(text, Not(HasSubstr("fedlink_coordinator_job_phase_seconds_count")));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_job_transitions_total{state=\"failed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_job_transitions_total{state=\"purged\"} 1\n"));
}

TEST(CoordinatorMetricsTest, JobCountsCoverEveryStateAndCountersStartAtZero) {
  CoordinatorMetrics metrics;
  metrics.SetJobCounts({{v1::JOB_STATE_PENDING_APPROVAL, 2}, {v1::JOB_STATE_COMPLETE, 5}});
  metrics.SetAuditEntries(17);
  metrics.SetStoreSize({4096, 512});
  const std::string text = Scrape(metrics);
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_jobs{state=\"pending_approval\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_jobs{state=\"complete\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_jobs{state=\"matching\"} 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("state=\"unspecified\"")));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_audit_entries 17\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_store_bytes{kind=\"table_files\"} 4096\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_store_bytes{kind=\"memtables\"} 512\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_decisions_total{verdict=\"deny\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_received_bytes_total{stream=\"payload\"} 0\n"));
}

TEST(CoordinatorMetricsTest, CountsUploadsDecisionsAndAgentStreams) {
  CoordinatorMetrics metrics;
  metrics.CountEncodingsReceived(3, 300, 4000);
  v1::UploadSummary summary;
  summary.set_batches_stored(2);
  summary.set_batches_repeated(1);
  metrics.CountEncodingsStored("edu", summary);
  metrics.CountDecision(v1::VERDICT_APPROVE);
  metrics.AgentStream("edu", +1);
  metrics.AgentStream("edu", +1);
  metrics.AgentStream("edu", -1);
  metrics.CountRpc(CoordinatorMetrics::RpcLabel("/fedlink.v1.Coordinator/SubmitJob"),
                   grpc::StatusCode::PERMISSION_DENIED);
  const std::string text = Scrape(metrics);
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_received_records_total 300\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_received_messages_total{stream=\"encodings\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_encoding_batches_total{agent=\"edu\",result=\"stored\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_encoding_batches_total{agent=\"edu\",result=\"repeated\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_decisions_total{verdict=\"approve\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_coordinator_agent_streams{agent=\"edu\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(
      "fedlink_coordinator_rpcs_total{code=\"PERMISSION_DENIED\",rpc=\"fedlink.v1.Coordinator/SubmitJob\"} 1\n"));
}

TEST(CoordinatorMetricsTest, RpcLabelsAreAFixedSet) {
  EXPECT_EQ(CoordinatorMetrics::RpcLabel("/fedlink.v1.Coordinator/WatchWork"),
            "fedlink.v1.Coordinator/WatchWork");
  EXPECT_EQ(CoordinatorMetrics::RpcLabel("/grpc.health.v1.Health/Check"),
            "grpc.health.v1.Health/Check");
  EXPECT_EQ(CoordinatorMetrics::RpcLabel("/fedlink.v1.Coordinator/NoSuchMethod"), "other");
  EXPECT_EQ(CoordinatorMetrics::RpcLabel("/fedlink.v1.Coordinator/"), "other");
  EXPECT_EQ(CoordinatorMetrics::RpcLabel("/grpc.health.v1.Health/CheckAll"), "other");
  EXPECT_EQ(CoordinatorMetrics::RpcLabel("/x.Y/j0123"), "other");
  EXPECT_EQ(CoordinatorMetrics::RpcLabel(""), "other");
}

TEST(ServerLoggingTest, JsonLinesAreValidAndCarryTheJobId) {
  const std::string line = absl::StrCat(
      R"({"time":"t","level":"info",)",
      JsonMessageMembers("job j00ff SUBMITTED -> PENDING_APPROVAL"), "}");
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed["job"], "j00ff");
  EXPECT_EQ(parsed["message"], "job j00ff SUBMITTED -> PENDING_APPROVAL");

  const std::string colon = absl::StrCat("{", JsonMessageMembers("job j1: compaction: x"), "}");
  EXPECT_EQ(nlohmann::json::parse(colon)["job"], "j1");
}

TEST(ServerLoggingTest, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string message = "refused \"x\" from a\\b:\n\ttab\x01 'q'";
  const std::string line = absl::StrCat("{", JsonMessageMembers(message), "}");
  EXPECT_THAT(line, Not(HasSubstr("\n")));
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed["message"], message);
  EXPECT_FALSE(parsed.contains("job"));
  // A quoted or malformed "id" is not taken as a job id.
  EXPECT_FALSE(nlohmann::json::parse(absl::StrCat("{", JsonMessageMembers("job 'x\"y' z"), "}"))
                   .contains("job"));
}

}  // namespace
}  // namespace fedlink::coordinator
