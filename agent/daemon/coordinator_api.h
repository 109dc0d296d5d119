// What the agent's job steps need from the coordinator, as a narrow
// interface: the gRPC implementation (grpc_coordinator_api.h) adapts the
// fedlink.v1.Coordinator stub over mTLS; tests substitute their own.
// Every method returns the coordinator's status unchanged (converted with
// proto/runtime/status_convert.h) or Cancelled when the daemon is stopping.
#ifndef FEDLINK_AGENT_DAEMON_COORDINATOR_API_H_
#define FEDLINK_AGENT_DAEMON_COORDINATOR_API_H_

#include <memory>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fedlink/v1/assignment.pb.h"
#include "fedlink/v1/coordinator.pb.h"
#include "fedlink/v1/encoding.pb.h"
#include "fedlink/v1/payload.pb.h"

namespace fedlink::agent::daemon {

// One client stream of messages (encoding batches or payload chunks).
template <typename Message, typename Summary>
class UploadStream {
 public:
  virtual ~UploadStream() = default;
  // Sends one message. Unavailable/Cancelled/… when the stream broke (the
  // caller then calls Finish for the coordinator's reason).
  virtual absl::Status Write(const Message& message) = 0;
  // Half-closes the stream and returns the coordinator's summary.
  virtual absl::StatusOr<Summary> Finish() = 0;
};

using EncodingUpload = UploadStream<v1::EncodingBatch, v1::UploadSummary>;
using PayloadUpload = UploadStream<v1::PayloadChunk, v1::PayloadSummary>;

// Thread-safe: calls may come from the work loop and the admin service at
// once.
class CoordinatorApi {
 public:
  virtual ~CoordinatorApi() = default;

  virtual absl::StatusOr<v1::SubmitDecisionResponse> SubmitDecision(
      const v1::SignedDecision& decision) = 0;
  virtual absl::StatusOr<std::unique_ptr<EncodingUpload>> UploadEncodings() = 0;
  // Calls `visit` with each batch in order; stops at its first error.
  virtual absl::Status FetchAssignments(
      const v1::FetchAssignmentsRequest& request,
      absl::FunctionRef<absl::Status(const v1::AssignmentBatch&)> visit) = 0;
  virtual absl::StatusOr<std::unique_ptr<PayloadUpload>> UploadPayload() = 0;
  virtual absl::StatusOr<v1::AckPurgeResponse> AckPurge(std::string_view job_id) = 0;
  // Tells the coordinator this agency gives the job up for good.
  virtual absl::StatusOr<v1::AbandonJobResponse> AbandonJob(
      const v1::AbandonJobRequest& request) = 0;
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_COORDINATOR_API_H_
