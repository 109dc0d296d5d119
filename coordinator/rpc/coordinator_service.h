// The gRPC face of CoordinatorCore (sync API; the server bounds its thread
// pool). Each handler reads the caller's identity from the verified peer
// certificate, validates the request against the contract's limits, calls
// the core and maps its status with proto::ToGrpcStatus. Refused calls
// (identity, role, validation) are recorded in the audit trail.
#ifndef FEDLINK_COORDINATOR_RPC_COORDINATOR_SERVICE_H_
#define FEDLINK_COORDINATOR_RPC_COORDINATOR_SERVICE_H_

#include <atomic>
#include <functional>
#include <utility>

#include "absl/time/time.h"
#include "coordinator/core/coordinator_core.h"
#include "coordinator/rpc/coordinator_metrics.h"
#include "fedlink/v1/coordinator.grpc.pb.h"

namespace fedlink::coordinator {

class CoordinatorService final : public v1::Coordinator::Service {
 public:
  // Whether the peer of a call may still be served (its certificate not
  // revoked since the call began); a refusal ends a WatchWork stream.
  using PeerCheck = std::function<absl::Status(const grpc::AuthContext&)>;

  // `core` and `metrics` must outlive the service. `watch_poll` bounds how
  // long a WatchWork stream waits before it checks for cancellation and
  // runs `still_trusted` (if any) again.
  CoordinatorService(CoordinatorCore* core, CoordinatorMetrics* metrics,
                     absl::Duration watch_poll = absl::Seconds(1), PeerCheck still_trusted = nullptr)
      : core_(core),
        metrics_(metrics),
        watch_poll_(watch_poll),
        still_trusted_(std::move(still_trusted)) {}

  // Ends every open WatchWork stream (before the server shuts down).
  void StopWatches() { stopping_.store(true); }

  grpc::Status WatchWork(grpc::ServerContext* context, const v1::WatchWorkRequest* request,
                         grpc::ServerWriter<v1::WorkItem>* writer) override;
  grpc::Status SubmitDecision(grpc::ServerContext* context, const v1::SubmitDecisionRequest* request,
                              v1::SubmitDecisionResponse* response) override;
  grpc::Status UploadEncodings(grpc::ServerContext* context,
                               grpc::ServerReader<v1::EncodingBatch>* reader,
                               v1::UploadSummary* response) override;
  grpc::Status FetchAssignments(grpc::ServerContext* context,
                                const v1::FetchAssignmentsRequest* request,
                                grpc::ServerWriter<v1::AssignmentBatch>* writer) override;
  grpc::Status UploadPayload(grpc::ServerContext* context, grpc::ServerReader<v1::PayloadChunk>* reader,
                             v1::PayloadSummary* response) override;
  grpc::Status AckPurge(grpc::ServerContext* context, const v1::AckPurgeRequest* request,
                        v1::AckPurgeResponse* response) override;
  grpc::Status AbandonJob(grpc::ServerContext* context, const v1::AbandonJobRequest* request,
                          v1::AbandonJobResponse* response) override;
  grpc::Status SubmitJob(grpc::ServerContext* context, const v1::SubmitJobRequest* request,
                         v1::Job* response) override;
  grpc::Status GetJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                      v1::Job* response) override;
  grpc::Status ListJobs(grpc::ServerContext* context, const v1::ListJobsRequest* request,
                        v1::ListJobsResponse* response) override;
  grpc::Status CancelJob(grpc::ServerContext* context, const v1::CancelJobRequest* request,
                         v1::Job* response) override;
  grpc::Status FetchResults(grpc::ServerContext* context, const v1::FetchResultsRequest* request,
                            grpc::ServerWriter<v1::ResultsItem>* writer) override;
  grpc::Status ListAuditEntries(grpc::ServerContext* context,
                                const v1::ListAuditEntriesRequest* request,
                                grpc::ServerWriter<v1::LoggedEntry>* writer) override;
  grpc::Status GetSignedTreeHead(grpc::ServerContext* context,
                                 const v1::GetSignedTreeHeadRequest* request,
                                 v1::SignedTreeHead* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* context,
                                 const v1::GetInclusionProofRequest* request,
                                 v1::InclusionProof* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const v1::GetConsistencyProofRequest* request,
                                   v1::ConsistencyProof* response) override;
  grpc::Status ListJobSummaries(grpc::ServerContext* context,
                                const v1::ListJobSummariesRequest* request,
                                v1::ListJobSummariesResponse* response) override;
  grpc::Status ListRegistrations(grpc::ServerContext* context,
                                 const v1::ListRegistrationsRequest* request,
                                 v1::ListRegistrationsResponse* response) override;
  grpc::Status ReloadConfig(grpc::ServerContext* context, const v1::ReloadConfigRequest* request,
                            v1::ReloadConfigResponse* response) override;
  grpc::Status GetStatus(grpc::ServerContext* context, const v1::GetStatusRequest* request,
                         v1::CoordinatorStatus* response) override;

 private:
  CoordinatorCore* const core_;
  CoordinatorMetrics* const metrics_;
  const absl::Duration watch_poll_;
  const PeerCheck still_trusted_;
  std::atomic<bool> stopping_{false};
};

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_RPC_COORDINATOR_SERVICE_H_
