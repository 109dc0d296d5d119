#include "agent/daemon/metered_coordinator_api.h"

#include <functional>
#include <utility>

namespace fedlink::agent::daemon {
namespace {

// Counts each message the inner stream accepted, and the call at Finish.
template <typename Message, typename Summary>
class MeteredStream final : public UploadStream<Message, Summary> {
 public:
  MeteredStream(std::unique_ptr<UploadStream<Message, Summary>> inner, AgentMetrics* metrics,
                std::string_view rpc, std::function<void(const Message&)> count_message)
      : inner_(std::move(inner)),
        metrics_(metrics),
        rpc_(rpc),
        count_message_(std::move(count_message)) {}

  absl::Status Write(const Message& message) override {
    absl::Status status = inner_->Write(message);
    if (status.ok()) count_message_(message);
    return status;
  }

  absl::StatusOr<Summary> Finish() override {
    absl::StatusOr<Summary> summary = inner_->Finish();
    metrics_->CountCall(rpc_, summary.status());
    return summary;
  }

 private:
  const std::unique_ptr<UploadStream<Message, Summary>> inner_;
  AgentMetrics* const metrics_;
  const std::string_view rpc_;
  const std::function<void(const Message&)> count_message_;
};

}  // namespace

absl::StatusOr<v1::SubmitDecisionResponse> MeteredCoordinatorApi::SubmitDecision(
    const v1::SignedDecision& decision) {
  absl::StatusOr<v1::SubmitDecisionResponse> response = inner_->SubmitDecision(decision);
  metrics_->CountCall("SubmitDecision", response.status());
  if (response.ok()) metrics_->CountDecisionDelivered(decision.verdict());
  return response;
}

absl::StatusOr<std::unique_ptr<EncodingUpload>> MeteredCoordinatorApi::UploadEncodings() {
  absl::StatusOr<std::unique_ptr<EncodingUpload>> inner = inner_->UploadEncodings();
  if (!inner.ok()) {
    metrics_->CountCall("UploadEncodings", inner.status());
    return inner.status();
  }
  AgentMetrics* metrics = metrics_;
  return std::unique_ptr<EncodingUpload>(
      new MeteredStream<v1::EncodingBatch, v1::UploadSummary>(
          *std::move(inner), metrics_, "UploadEncodings",
          [metrics](const v1::EncodingBatch& batch) {
            metrics->CountEncodingBatchSent(batch.record_count(), batch.ByteSizeLong());
          }));
}

absl::Status MeteredCoordinatorApi::FetchAssignments(
    const v1::FetchAssignmentsRequest& request,
    absl::FunctionRef<absl::Status(const v1::AssignmentBatch&)> visit) {
  absl::Status status = inner_->FetchAssignments(request, [&](const v1::AssignmentBatch& batch) {
    metrics_->CountAssignmentsReceived(static_cast<uint64_t>(batch.pseudonyms_size()));
    return visit(batch);
  });
  metrics_->CountCall("FetchAssignments", status);
  return status;
}

absl::StatusOr<std::unique_ptr<PayloadUpload>> MeteredCoordinatorApi::UploadPayload() {
  absl::StatusOr<std::unique_ptr<PayloadUpload>> inner = inner_->UploadPayload();
  if (!inner.ok()) {
    metrics_->CountCall("UploadPayload", inner.status());
    return inner.status();
  }
  AgentMetrics* metrics = metrics_;
  return std::unique_ptr<PayloadUpload>(new MeteredStream<v1::PayloadChunk, v1::PayloadSummary>(
      *std::move(inner), metrics_, "UploadPayload", [metrics](const v1::PayloadChunk& chunk) {
        metrics->CountPayloadChunkSent(chunk.ByteSizeLong());
      }));
}

absl::StatusOr<v1::AckPurgeResponse> MeteredCoordinatorApi::AckPurge(std::string_view job_id) {
  absl::StatusOr<v1::AckPurgeResponse> response = inner_->AckPurge(job_id);
  metrics_->CountCall("AckPurge", response.status());
  return response;
}

absl::StatusOr<v1::AbandonJobResponse> MeteredCoordinatorApi::AbandonJob(
    const v1::AbandonJobRequest& request) {
  absl::StatusOr<v1::AbandonJobResponse> response = inner_->AbandonJob(request);
  metrics_->CountCall("AbandonJob", response.status());
  return response;
}

}  // namespace fedlink::agent::daemon
