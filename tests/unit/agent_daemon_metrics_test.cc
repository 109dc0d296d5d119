// The agent daemon's metrics (agent/daemon/agent_metrics.h) and the
// MeteredCoordinatorApi that feeds most of them: what is counted for calls,
// stream messages and their outcome, and that nothing names a job.
#include <memory>
#include <string>
#include <vector>

#include "agent/daemon/agent_metrics.h"
#include "agent/daemon/metered_coordinator_api.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/str_cat.h"
#include "prometheus/text_serializer.h"

namespace fedlink::agent::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Scrape(const AgentMetrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
}

// A coordinator whose answers the test sets.
class ScriptedCoordinator : public CoordinatorApi {
 public:
  template <typename Message, typename Summary>
  class Stream : public UploadStream<Message, Summary> {
   public:
    Stream(absl::Status write, absl::Status finish) : write_(write), finish_(finish) {}
    absl::Status Write(const Message&) override { return write_; }
    absl::StatusOr<Summary> Finish() override {
      if (!finish_.ok()) return finish_;
      return Summary();
    }

   private:
    absl::Status write_;
    absl::Status finish_;
  };

  absl::StatusOr<v1::SubmitDecisionResponse> SubmitDecision(const v1::SignedDecision&) override {
    if (!decision_status.ok()) return decision_status;
    return v1::SubmitDecisionResponse();
  }
  absl::StatusOr<std::unique_ptr<EncodingUpload>> UploadEncodings() override {
    return std::unique_ptr<EncodingUpload>(
        new Stream<v1::EncodingBatch, v1::UploadSummary>(write_status, finish_status));
  }
  absl::Status FetchAssignments(
      const v1::FetchAssignmentsRequest&,
      absl::FunctionRef<absl::Status(const v1::AssignmentBatch&)> visit) override {
    v1::AssignmentBatch batch;
    for (uint32_t p = 0; p < 7; ++p) batch.add_pseudonyms(p);
    return visit(batch);
  }
  absl::StatusOr<std::unique_ptr<PayloadUpload>> UploadPayload() override {
    return absl::UnavailableError("connection refused");
  }
  absl::StatusOr<v1::AckPurgeResponse> AckPurge(std::string_view) override {
    return v1::AckPurgeResponse();
  }
  absl::StatusOr<v1::AbandonJobResponse> AbandonJob(const v1::AbandonJobRequest&) override {
    return v1::AbandonJobResponse();
  }

  absl::Status decision_status;
  absl::Status write_status;
  absl::Status finish_status;
};

TEST(AgentMetricsTest, CountsCallsByMethodAndCodeAndDecisionsByVerdict) {
  AgentMetrics metrics;
  ScriptedCoordinator inner;
  MeteredCoordinatorApi api(&inner, &metrics);
  v1::SignedDecision decision;
  decision.set_job_id("j42");
  decision.set_verdict(v1::VERDICT_APPROVE);
  ASSERT_TRUE(api.SubmitDecision(decision).ok());
  inner.decision_status = absl::UnavailableError("down");
  EXPECT_FALSE(api.SubmitDecision(decision).ok());
  EXPECT_FALSE(api.UploadPayload().ok());
  ASSERT_TRUE(api.AckPurge("j42").ok());
  uint64_t seen = 0;
  ASSERT_TRUE(api.FetchAssignments(v1::FetchAssignmentsRequest(), [&](const v1::AssignmentBatch& b) {
                   seen += static_cast<uint64_t>(b.pseudonyms_size());
                   return absl::OkStatus();
                 }).ok());
  EXPECT_EQ(seen, 7u);
  const std::string text = Scrape(metrics);
  EXPECT_THAT(text, HasSubstr("fedlink_agent_coordinator_calls_total{code=\"OK\",rpc=\"SubmitDecision\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_coordinator_calls_total{code=\"UNAVAILABLE\",rpc=\"SubmitDecision\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_coordinator_calls_total{code=\"UNAVAILABLE\",rpc=\"UploadPayload\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_coordinator_calls_total{code=\"OK\",rpc=\"AckPurge\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_coordinator_calls_total{code=\"OK\",rpc=\"FetchAssignments\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_decisions_delivered_total{verdict=\"approve\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_decisions_delivered_total{verdict=\"deny\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_assignments_received_total 7\n"));
  EXPECT_THAT(text, Not(HasSubstr("j42")));
}

TEST(AgentMetricsTest, CountsOnlyMessagesTheStreamTookAndTheCallAtFinish) {
  AgentMetrics metrics;
  ScriptedCoordinator inner;
  MeteredCoordinatorApi api(&inner, &metrics);
  v1::EncodingBatch batch;
  batch.set_job_id("j42");
  batch.set_record_count(64);
  batch.mutable_filters()->assign(64 * 128, '\x5a');
  {
    auto upload = api.UploadEncodings();
    ASSERT_TRUE(upload.ok());
    ASSERT_TRUE((*upload)->Write(batch).ok());
    ASSERT_TRUE((*upload)->Write(batch).ok());
    EXPECT_THAT(Scrape(metrics), Not(HasSubstr("rpc=\"UploadEncodings\"")));
    ASSERT_TRUE((*upload)->Finish().ok());
  }
  inner.write_status = absl::UnavailableError("stream broke");
  inner.finish_status = absl::PermissionDeniedError("not yours");
  {
    auto upload = api.UploadEncodings();
    ASSERT_TRUE(upload.ok());
    EXPECT_FALSE((*upload)->Write(batch).ok());
    EXPECT_FALSE((*upload)->Finish().ok());
  }
  const std::string text = Scrape(metrics);
  EXPECT_THAT(text, HasSubstr("fedlink_agent_sent_messages_total{stream=\"encodings\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("fedlink_agent_sent_bytes_total{stream=\"encodings\"} ",
                                           2 * batch.ByteSizeLong(), "\n")));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_encoded_records_total 128\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_coordinator_calls_total{code=\"OK\",rpc=\"UploadEncodings\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(
      "fedlink_agent_coordinator_calls_total{code=\"PERMISSION_DENIED\",rpc=\"UploadEncodings\"} 1\n"));
}

TEST(AgentMetricsTest, WorkItemsStatesAndConnectionGauges) {
  AgentMetrics metrics(absl::FromUnixSeconds(1700000000));
  metrics.CountWorkItem("encode", absl::OkStatus(), absl::Seconds(42));
  metrics.CountWorkItem("encode", absl::FailedPreconditionError("no approval"), absl::Milliseconds(3));
  metrics.CountConnection();
  metrics.CountDisconnect();
  metrics.SetConnected(true);
  metrics.SetJobCounts({{v1::AGENT_JOB_STATE_UPLOADED, 3}});
  metrics.SetRecords(5000);
  metrics.SetRowsReleased(120);
  const std::string text = Scrape(metrics);
  EXPECT_THAT(text, HasSubstr("fedlink_agent_work_items_total{code=\"OK\",item=\"encode\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_work_items_total{code=\"FAILED_PRECONDITION\",item=\"encode\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_step_seconds_count{item=\"encode\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_step_seconds_bucket{item=\"encode\",le=\"60\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_step_seconds_bucket{item=\"encode\",le=\"15\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_connected 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_coordinator_connections_total 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_coordinator_disconnects_total 1\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_jobs{state=\"uploaded\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_jobs{state=\"pending_decision\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_records 5000\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_rows_released 120\n"));
  EXPECT_THAT(text, HasSubstr("fedlink_agent_start_time_seconds 1700000000\n"));
}

}  // namespace
}  // namespace fedlink::agent::daemon
