#include "coordinator/rpc/coordinator_service.h"

#include <map>
#include <string>
#include <utility>

#include "proto/runtime/limits.h"
#include "proto/runtime/status_convert.h"

namespace fedlink::coordinator {
namespace {

// Identity, then request validation; each refusal is audited. Returns the
// caller or the gRPC status to answer with.
template <typename Request>
absl::StatusOr<proto::PeerIdentity> Admit(CoordinatorCore* core, grpc::ServerContext* context,
                                          std::string_view rpc, const Request* request) {
  absl::StatusOr<proto::PeerIdentity> caller =
      proto::PeerIdentityFromAuthContext(*context->auth_context());
  if (!caller.ok()) return caller.status();
  if (request != nullptr) {
    absl::Status valid = proto::Validate(*request);
    if (!valid.ok()) {
      core->RecordRefusal(*caller, rpc, valid);
      return valid;
    }
  }
  return caller;
}

// Maps the core's answer; PermissionDenied answers are audited as refusals.
grpc::Status Answer(CoordinatorCore* core, const proto::PeerIdentity& caller, std::string_view rpc,
                    const absl::Status& status) {
  if (status.code() == absl::StatusCode::kPermissionDenied) core->RecordRefusal(caller, rpc, status);
  return proto::ToGrpcStatus(status);
}

template <typename Response, typename Call>
grpc::Status Unary(CoordinatorCore* core, grpc::ServerContext* context, std::string_view rpc,
                   const google::protobuf::Message* request, Response* response, Call call) {
  absl::StatusOr<proto::PeerIdentity> caller = Admit(core, context, rpc, request);
  if (!caller.ok()) return proto::ToGrpcStatus(caller.status());
  auto result = call(*caller);
  if (!result.ok()) return Answer(core, *caller, rpc, result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status CoordinatorService::WatchWork(grpc::ServerContext* context,
                                           const v1::WatchWorkRequest* request,
                                           grpc::ServerWriter<v1::WorkItem>* writer) {
  absl::StatusOr<proto::PeerIdentity> caller = Admit(core_, context, "WatchWork", request);
  if (!caller.ok()) return proto::ToGrpcStatus(caller.status());
  uint64_t seen = core_->change_count();
  absl::StatusOr<std::vector<v1::WorkItem>> items = core_->OutstandingWork(*caller);
  if (!items.ok()) return Answer(core_, *caller, "WatchWork", items.status());
  const std::string agency = caller->name;
  core_->AgentConnected(agency, +1);
  metrics_->AgentStream(agency, +1);
  struct Disconnect {
    CoordinatorCore* core;
    CoordinatorMetrics* metrics;
    std::string agency;
    ~Disconnect() {
      core->AgentConnected(agency, -1);
      metrics->AgentStream(agency, -1);
    }
  } disconnect{core_, metrics_, agency};

  v1::WorkItem welcome;
  *welcome.mutable_welcome()->mutable_server_time() = google::protobuf::Timestamp();
  welcome.mutable_welcome()->mutable_server_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  *welcome.mutable_receipt() = core_->MakeReceipt(request->known_tree_size());
  if (!writer->Write(welcome)) return grpc::Status::OK;

  // Items already sent on this stream (by job and kind, without receipt):
  // new or changed ones are sent; the level-triggered full set on connect.
  std::map<std::string, std::string> sent;
  for (;;) {
    for (v1::WorkItem& item : *items) {
      v1::WorkItem key_item = item;
      key_item.clear_receipt();
      std::string key = key_item.SerializeAsString();
      auto [it, inserted] = sent.try_emplace(item.job_id(), key);
      if (!inserted && it->second == key) continue;
      it->second = std::move(key);
      if (!writer->Write(item)) return grpc::Status::OK;
    }
    if (context->IsCancelled() || stopping_.load()) return grpc::Status::OK;
    seen = core_->WaitForChange(seen, watch_poll_);
    if (still_trusted_ != nullptr) {
      // The certificate may have been revoked (and the list reloaded) since
      // the stream began: the agent must reconnect, and will be refused.
      const absl::Status trusted = still_trusted_(*context->auth_context());
      if (!trusted.ok()) {
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(trusted.message()));
      }
    }
    items = core_->OutstandingWork(*caller);
    if (!items.ok()) return Answer(core_, *caller, "WatchWork", items.status());
  }
}

grpc::Status CoordinatorService::SubmitDecision(grpc::ServerContext* context,
                                                const v1::SubmitDecisionRequest* request,
                                                v1::SubmitDecisionResponse* response) {
  grpc::Status status =
      Unary(core_, context, "SubmitDecision", request, response,
            [&](const proto::PeerIdentity& c) { return core_->SubmitDecision(c, *request); });
  if (status.ok()) metrics_->CountDecision(request->decision().verdict());
  return status;
}

grpc::Status CoordinatorService::UploadEncodings(grpc::ServerContext* context,
                                                 grpc::ServerReader<v1::EncodingBatch>* reader,
                                                 v1::UploadSummary* response) {
  absl::StatusOr<proto::PeerIdentity> caller =
      Admit<v1::EncodingBatch>(core_, context, "UploadEncodings", nullptr);
  if (!caller.ok()) return proto::ToGrpcStatus(caller.status());
  uint64_t batches = 0, records = 0, bytes = 0;
  absl::StatusOr<v1::UploadSummary> summary =
      core_->UploadEncodings(*caller, [&](v1::EncodingBatch* batch) {
        if (!reader->Read(batch)) return false;
        ++batches;
        records += batch->record_count();
        bytes += batch->ByteSizeLong();
        return true;
      });
  metrics_->CountEncodingsReceived(batches, records, bytes);
  if (!summary.ok()) return Answer(core_, *caller, "UploadEncodings", summary.status());
  metrics_->CountEncodingsStored(caller->name, *summary);
  *response = *std::move(summary);
  return grpc::Status::OK;
}

grpc::Status CoordinatorService::FetchAssignments(grpc::ServerContext* context,
                                                  const v1::FetchAssignmentsRequest* request,
                                                  grpc::ServerWriter<v1::AssignmentBatch>* writer) {
  absl::StatusOr<proto::PeerIdentity> caller = Admit(core_, context, "FetchAssignments", request);
  if (!caller.ok()) return proto::ToGrpcStatus(caller.status());
  uint64_t sent = 0;
  absl::Status status =
      core_->FetchAssignments(*caller, *request, [&](const v1::AssignmentBatch& b) {
        if (!writer->Write(b)) return false;
        ++sent;
        return true;
      });
  metrics_->CountAssignmentBatchesSent(sent);
  return Answer(core_, *caller, "FetchAssignments", status);
}

grpc::Status CoordinatorService::UploadPayload(grpc::ServerContext* context,
                                               grpc::ServerReader<v1::PayloadChunk>* reader,
                                               v1::PayloadSummary* response) {
  absl::StatusOr<proto::PeerIdentity> caller =
      Admit<v1::PayloadChunk>(core_, context, "UploadPayload", nullptr);
  if (!caller.ok()) return proto::ToGrpcStatus(caller.status());
  uint64_t chunks = 0, bytes = 0;
  absl::StatusOr<v1::PayloadSummary> summary =
      core_->UploadPayload(*caller, [&](v1::PayloadChunk* chunk) {
        if (!reader->Read(chunk)) return false;
        ++chunks;
        bytes += chunk->ByteSizeLong();
        return true;
      });
  metrics_->CountPayloadReceived(chunks, bytes);
  if (!summary.ok()) return Answer(core_, *caller, "UploadPayload", summary.status());
  metrics_->CountPayloadStored(caller->name, *summary);
  *response = *std::move(summary);
  return grpc::Status::OK;
}

grpc::Status CoordinatorService::AckPurge(grpc::ServerContext* context,
                                          const v1::AckPurgeRequest* request,
                                          v1::AckPurgeResponse* response) {
  return Unary(core_, context, "AckPurge", request, response,
               [&](const proto::PeerIdentity& c) { return core_->AckPurge(c, *request); });
}

grpc::Status CoordinatorService::AbandonJob(grpc::ServerContext* context,
                                            const v1::AbandonJobRequest* request,
                                            v1::AbandonJobResponse* response) {
  return Unary(core_, context, "AbandonJob", request, response,
               [&](const proto::PeerIdentity& c) { return core_->AbandonJob(c, *request); });
}

grpc::Status CoordinatorService::SubmitJob(grpc::ServerContext* context,
                                           const v1::SubmitJobRequest* request, v1::Job* response) {
  return Unary(core_, context, "SubmitJob", request, response,
               [&](const proto::PeerIdentity& c) { return core_->SubmitJob(c, *request); });
}

grpc::Status CoordinatorService::GetJob(grpc::ServerContext* context,
                                        const v1::GetJobRequest* request, v1::Job* response) {
  return Unary(core_, context, "GetJob", request, response,
               [&](const proto::PeerIdentity& c) { return core_->GetJob(c, *request); });
}

grpc::Status CoordinatorService::ListJobs(grpc::ServerContext* context,
                                          const v1::ListJobsRequest* request,
                                          v1::ListJobsResponse* response) {
  return Unary(core_, context, "ListJobs", request, response,
               [&](const proto::PeerIdentity& c) { return core_->ListJobs(c, *request); });
}

grpc::Status CoordinatorService::CancelJob(grpc::ServerContext* context,
                                           const v1::CancelJobRequest* request, v1::Job* response) {
  return Unary(core_, context, "CancelJob", request, response,
               [&](const proto::PeerIdentity& c) { return core_->CancelJob(c, *request); });
}

grpc::Status CoordinatorService::FetchResults(grpc::ServerContext* context,
                                              const v1::FetchResultsRequest* request,
                                              grpc::ServerWriter<v1::ResultsItem>* writer) {
  absl::StatusOr<proto::PeerIdentity> caller = Admit(core_, context, "FetchResults", request);
  if (!caller.ok()) return proto::ToGrpcStatus(caller.status());
  uint64_t sent = 0;
  absl::Status status = core_->FetchResults(*caller, *request, [&](const v1::ResultsItem& item) {
    if (!writer->Write(item)) return false;
    ++sent;
    return true;
  });
  metrics_->CountResultsItemsSent(sent);
  return Answer(core_, *caller, "FetchResults", status);
}

grpc::Status CoordinatorService::ListAuditEntries(grpc::ServerContext* context,
                                                  const v1::ListAuditEntriesRequest* request,
                                                  grpc::ServerWriter<v1::LoggedEntry>* writer) {
  absl::StatusOr<proto::PeerIdentity> caller = Admit(core_, context, "ListAuditEntries", request);
  if (!caller.ok()) return proto::ToGrpcStatus(caller.status());
  return Answer(core_, *caller, "ListAuditEntries",
                core_->ListAuditEntries(*caller, *request,
                                        [&](const v1::LoggedEntry& e) { return writer->Write(e); }));
}

grpc::Status CoordinatorService::GetSignedTreeHead(grpc::ServerContext* context,
                                                   const v1::GetSignedTreeHeadRequest* request,
                                                   v1::SignedTreeHead* response) {
  return Unary(core_, context, "GetSignedTreeHead", request, response,
               [&](const proto::PeerIdentity& c) { return core_->GetSignedTreeHead(c, *request); });
}

grpc::Status CoordinatorService::GetInclusionProof(grpc::ServerContext* context,
                                                   const v1::GetInclusionProofRequest* request,
                                                   v1::InclusionProof* response) {
  return Unary(core_, context, "GetInclusionProof", request, response,
               [&](const proto::PeerIdentity& c) { return core_->GetInclusionProof(c, *request); });
}

grpc::Status CoordinatorService::GetConsistencyProof(grpc::ServerContext* context,
                                                     const v1::GetConsistencyProofRequest* request,
                                                     v1::ConsistencyProof* response) {
  return Unary(core_, context, "GetConsistencyProof", request, response,
               [&](const proto::PeerIdentity& c) { return core_->GetConsistencyProof(c, *request); });
}

grpc::Status CoordinatorService::ListJobSummaries(grpc::ServerContext* context,
                                                  const v1::ListJobSummariesRequest* request,
                                                  v1::ListJobSummariesResponse* response) {
  return Unary(core_, context, "ListJobSummaries", request, response,
               [&](const proto::PeerIdentity& c) { return core_->ListJobSummaries(c, *request); });
}

grpc::Status CoordinatorService::ListRegistrations(grpc::ServerContext* context,
                                                   const v1::ListRegistrationsRequest* request,
                                                   v1::ListRegistrationsResponse* response) {
  return Unary(core_, context, "ListRegistrations", request, response,
               [&](const proto::PeerIdentity& c) { return core_->ListRegistrations(c); });
}

grpc::Status CoordinatorService::ReloadConfig(grpc::ServerContext* context,
                                              const v1::ReloadConfigRequest* request,
                                              v1::ReloadConfigResponse* response) {
  return Unary(core_, context, "ReloadConfig", request, response,
               [&](const proto::PeerIdentity& c) { return core_->ReloadConfig(c); });
}

grpc::Status CoordinatorService::GetStatus(grpc::ServerContext* context,
                                           const v1::GetStatusRequest* request,
                                           v1::CoordinatorStatus* response) {
  return Unary(core_, context, "GetStatus", request, response,
               [&](const proto::PeerIdentity& c) { return core_->GetStatus(c); });
}

}  // namespace fedlink::coordinator
