// The AgentAdmin gRPC service (agent_admin.proto): the steward's and the
// operator's way into the running daemon, so the CLI never opens the record
// store behind the daemon's back (RocksDB allows one process anyway). An
// adapter only: each method validates its request, calls the daemon's job
// steps, job store, audit log or the ingest pipeline, and converts the
// result's status.
// Served on a UNIX-domain socket only (admin_socket.h).
#ifndef FEDLINK_AGENT_ADMIN_ADMIN_SERVICE_H_
#define FEDLINK_AGENT_ADMIN_ADMIN_SERVICE_H_

#include <functional>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "agent/audit/agent_audit_log.h"
#include "agent/daemon/job_steps.h"
#include "agent/daemon/job_store.h"
#include "agent/store/record_store.h"
#include "fedlink/v1/agent_admin.grpc.pb.h"

namespace fedlink::agent::admin {

struct AdminBackend {
  daemon::JobSteps* steps = nullptr;
  daemon::JobStore* jobs = nullptr;
  RecordStore* store = nullptr;
  // The local audit log; null when the agent keeps none (no coordinator
  // tree-head key configured).
  const audit::AgentAuditLog* audit_log = nullptr;
  // The daemon's connection fields of AgentStatus (agency, version,
  // coordinator address and connection, tree head, start time); the service
  // adds records and job counts.
  std::function<v1::AgentStatus()> status;
  // Records per committed ingest batch.
  size_t ingest_batch_size = 10'000;
};

// Thread-safe (gRPC's sync server calls methods from its thread pool); one
// ingest at a time (a second gets FAILED_PRECONDITION).
class AgentAdminService final : public v1::AgentAdmin::Service {
 public:
  explicit AgentAdminService(AdminBackend backend) : backend_(std::move(backend)) {}

  grpc::Status Ingest(grpc::ServerContext* context,
                      grpc::ServerReaderWriter<v1::IngestEvent, v1::IngestRequest>* stream) override;
  grpc::Status Quality(grpc::ServerContext* context, const v1::QualityRequest* request,
                       v1::DataQualityReport* response) override;
  grpc::Status ListJobs(grpc::ServerContext* context, const v1::AgentListJobsRequest* request,
                        v1::AgentListJobsResponse* response) override;
  grpc::Status ShowJob(grpc::ServerContext* context, const v1::ShowJobRequest* request,
                       v1::AgentJob* response) override;
  grpc::Status Decide(grpc::ServerContext* context, const v1::DecideRequest* request,
                      v1::DecideResponse* response) override;
  grpc::Status Status(grpc::ServerContext* context, const v1::AgentStatusRequest* request,
                      v1::AgentStatus* response) override;
  grpc::Status ExportAuditLog(grpc::ServerContext* context,
                              const v1::ExportAuditLogRequest* request,
                              grpc::ServerWriter<v1::AuditArchiveChunk>* writer) override;

 private:
  AdminBackend backend_;
  std::mutex ingest_mu_;  // held by the running ingest
};

}  // namespace fedlink::agent::admin

#endif  // FEDLINK_AGENT_ADMIN_ADMIN_SERVICE_H_
