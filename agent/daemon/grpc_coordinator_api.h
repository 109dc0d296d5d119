// CoordinatorApi over the fedlink.v1.Coordinator gRPC stub on the agent's
// mTLS channel. Unary calls carry a deadline; streams none (an upload may
// take long) but every call in flight is cancelled by CancelAll, which the
// daemon calls when it stops.
#ifndef FEDLINK_AGENT_DAEMON_GRPC_COORDINATOR_API_H_
#define FEDLINK_AGENT_DAEMON_GRPC_COORDINATOR_API_H_

#include <memory>
#include <mutex>
#include <set>
#include <string_view>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/time/time.h"
#include "agent/daemon/coordinator_api.h"
#include "fedlink/v1/coordinator.grpc.pb.h"

namespace fedlink::agent::daemon {

// Thread-safe.
class GrpcCoordinatorApi : public CoordinatorApi {
 public:
  explicit GrpcCoordinatorApi(std::shared_ptr<grpc::Channel> channel,
                              absl::Duration unary_deadline = absl::Seconds(30));

  absl::StatusOr<v1::SubmitDecisionResponse> SubmitDecision(
      const v1::SignedDecision& decision) override;
  absl::StatusOr<std::unique_ptr<EncodingUpload>> UploadEncodings() override;
  absl::Status FetchAssignments(
      const v1::FetchAssignmentsRequest& request,
      absl::FunctionRef<absl::Status(const v1::AssignmentBatch&)> visit) override;
  absl::StatusOr<std::unique_ptr<PayloadUpload>> UploadPayload() override;
  absl::StatusOr<v1::AckPurgeResponse> AckPurge(std::string_view job_id) override;
  absl::StatusOr<v1::AbandonJobResponse> AbandonJob(const v1::AbandonJobRequest& request) override;

  // Cancels every call in flight; later calls fail with Cancelled.
  void CancelAll();

  v1::Coordinator::Stub& stub() { return *stub_; }

  // Tracks a context so CancelAll reaches it; false once cancelled (the
  // caller must not start the call). Used by the streams and by the daemon's
  // WatchWork loop.
  bool Track(grpc::ClientContext* context);
  void Untrack(grpc::ClientContext* context);

 private:
  std::unique_ptr<v1::Coordinator::Stub> stub_;
  const absl::Duration unary_deadline_;
  std::mutex mu_;
  std::set<grpc::ClientContext*> active_;  // guarded by mu_
  bool cancelled_ = false;                 // guarded by mu_
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_GRPC_COORDINATOR_API_H_
