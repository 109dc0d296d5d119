#include "agent/daemon/grpc_coordinator_api.h"

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/status_convert.h"

namespace fedlink::agent::daemon {
namespace {

absl::Status Stopped() { return absl::CancelledError("the agent is stopping"); }

// A tracked context that untracks itself.
class TrackedContext {
 public:
  explicit TrackedContext(GrpcCoordinatorApi* api) : api_(api) { tracked_ = api_->Track(&context_); }
  ~TrackedContext() {
    if (tracked_) api_->Untrack(&context_);
  }
  bool ok() const { return tracked_; }
  grpc::ClientContext* get() { return &context_; }

 private:
  GrpcCoordinatorApi* api_;
  grpc::ClientContext context_;
  bool tracked_ = false;
};

template <typename Message, typename Summary>
class GrpcUpload : public UploadStream<Message, Summary> {
 public:
  using Start = std::function<std::unique_ptr<grpc::ClientWriter<Message>>(grpc::ClientContext*,
                                                                            Summary*)>;
  GrpcUpload(GrpcCoordinatorApi* api, const Start& start) : context_(api) {
    if (context_.ok()) writer_ = start(context_.get(), &summary_);
  }
  bool started() const { return writer_ != nullptr; }

  absl::Status Write(const Message& message) override {
    if (writer_ == nullptr || finished_) return absl::FailedPreconditionError("stream closed");
    if (!writer_->Write(message)) return absl::UnavailableError("the upload stream broke");
    return absl::OkStatus();
  }

  absl::StatusOr<Summary> Finish() override {
    if (writer_ == nullptr || finished_) return absl::FailedPreconditionError("stream closed");
    finished_ = true;
    writer_->WritesDone();
    const grpc::Status status = writer_->Finish();
    if (!status.ok()) return proto::FromGrpcStatus(status);
    // The coordinator's answer is checked like any inbound message.
    const absl::Status valid = proto::Validate(summary_);
    if (!valid.ok()) return valid;
    return summary_;
  }

 private:
  TrackedContext context_;
  Summary summary_;
  std::unique_ptr<grpc::ClientWriter<Message>> writer_;
  bool finished_ = false;
};

}  // namespace

GrpcCoordinatorApi::GrpcCoordinatorApi(std::shared_ptr<grpc::Channel> channel,
                                       absl::Duration unary_deadline)
    : stub_(v1::Coordinator::NewStub(std::move(channel))), unary_deadline_(unary_deadline) {}

bool GrpcCoordinatorApi::Track(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  active_.insert(context);
  return true;
}

void GrpcCoordinatorApi::Untrack(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  active_.erase(context);
}

void GrpcCoordinatorApi::CancelAll() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  for (grpc::ClientContext* context : active_) context->TryCancel();
}

absl::StatusOr<v1::SubmitDecisionResponse> GrpcCoordinatorApi::SubmitDecision(
    const v1::SignedDecision& decision) {
  TrackedContext context(this);
  if (!context.ok()) return Stopped();
  context.get()->set_deadline(std::chrono::system_clock::now() +
                              absl::ToChronoMilliseconds(unary_deadline_));
  v1::SubmitDecisionRequest request;
  *request.mutable_decision() = decision;
  v1::SubmitDecisionResponse response;
  const grpc::Status status = stub_->SubmitDecision(context.get(), request, &response);
  if (!status.ok()) return proto::FromGrpcStatus(status);
  return response;
}

absl::StatusOr<std::unique_ptr<EncodingUpload>> GrpcCoordinatorApi::UploadEncodings() {
  auto upload = std::make_unique<GrpcUpload<v1::EncodingBatch, v1::UploadSummary>>(
      this, [this](grpc::ClientContext* context, v1::UploadSummary* summary) {
        return stub_->UploadEncodings(context, summary);
      });
  if (!upload->started()) return Stopped();
  return std::unique_ptr<EncodingUpload>(std::move(upload));
}

absl::StatusOr<std::unique_ptr<PayloadUpload>> GrpcCoordinatorApi::UploadPayload() {
  auto upload = std::make_unique<GrpcUpload<v1::PayloadChunk, v1::PayloadSummary>>(
      this, [this](grpc::ClientContext* context, v1::PayloadSummary* summary) {
        return stub_->UploadPayload(context, summary);
      });
  if (!upload->started()) return Stopped();
  return std::unique_ptr<PayloadUpload>(std::move(upload));
}

absl::Status GrpcCoordinatorApi::FetchAssignments(
    const v1::FetchAssignmentsRequest& request,
    absl::FunctionRef<absl::Status(const v1::AssignmentBatch&)> visit) {
  TrackedContext context(this);
  if (!context.ok()) return Stopped();
  std::unique_ptr<grpc::ClientReader<v1::AssignmentBatch>> reader =
      stub_->FetchAssignments(context.get(), request);
  v1::AssignmentBatch batch;
  absl::Status visited;
  while (reader->Read(&batch)) {
    visited = proto::Validate(batch);
    if (visited.ok()) visited = visit(batch);
    if (!visited.ok()) {
      context.get()->TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (!visited.ok()) return visited;
  return proto::FromGrpcStatus(status);
}

absl::StatusOr<v1::AckPurgeResponse> GrpcCoordinatorApi::AckPurge(std::string_view job_id) {
  TrackedContext context(this);
  if (!context.ok()) return Stopped();
  context.get()->set_deadline(std::chrono::system_clock::now() +
                              absl::ToChronoMilliseconds(unary_deadline_));
  v1::AckPurgeRequest request;
  request.set_job_id(std::string(job_id));
  v1::AckPurgeResponse response;
  const grpc::Status status = stub_->AckPurge(context.get(), request, &response);
  if (!status.ok()) return proto::FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::AbandonJobResponse> GrpcCoordinatorApi::AbandonJob(
    const v1::AbandonJobRequest& request) {
  TrackedContext context(this);
  if (!context.ok()) return Stopped();
  context.get()->set_deadline(std::chrono::system_clock::now() +
                              absl::ToChronoMilliseconds(unary_deadline_));
  v1::AbandonJobResponse response;
  const grpc::Status status = stub_->AbandonJob(context.get(), request, &response);
  if (!status.ok()) return proto::FromGrpcStatus(status);
  return response;
}

}  // namespace fedlink::agent::daemon
