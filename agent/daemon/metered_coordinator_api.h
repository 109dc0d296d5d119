// A CoordinatorApi that counts what passes through it (agent_metrics.h):
// calls by method and status, messages and bytes written to the upload
// streams, records encoded, assignments received, decisions delivered. The
// job steps use it in place of the gRPC adapter, so they count nothing
// themselves.
#ifndef FEDLINK_AGENT_DAEMON_METERED_COORDINATOR_API_H_
#define FEDLINK_AGENT_DAEMON_METERED_COORDINATOR_API_H_

#include <memory>
#include <string_view>

#include "agent/daemon/agent_metrics.h"
#include "agent/daemon/coordinator_api.h"

namespace fedlink::agent::daemon {

// Thread-safe as `inner`. `inner` and `metrics` must outlive it and the
// streams it returns.
class MeteredCoordinatorApi final : public CoordinatorApi {
 public:
  MeteredCoordinatorApi(CoordinatorApi* inner, AgentMetrics* metrics)
      : inner_(inner), metrics_(metrics) {}

  absl::StatusOr<v1::SubmitDecisionResponse> SubmitDecision(
      const v1::SignedDecision& decision) override;
  // A stream's call is counted when it is finished (an upload abandoned
  // without Finish is not counted as a call; its messages are).
  absl::StatusOr<std::unique_ptr<EncodingUpload>> UploadEncodings() override;
  absl::Status FetchAssignments(
      const v1::FetchAssignmentsRequest& request,
      absl::FunctionRef<absl::Status(const v1::AssignmentBatch&)> visit) override;
  absl::StatusOr<std::unique_ptr<PayloadUpload>> UploadPayload() override;
  absl::StatusOr<v1::AckPurgeResponse> AckPurge(std::string_view job_id) override;
  absl::StatusOr<v1::AbandonJobResponse> AbandonJob(const v1::AbandonJobRequest& request) override;

 private:
  CoordinatorApi* const inner_;
  AgentMetrics* const metrics_;
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_METERED_COORDINATOR_API_H_
