// The agency agent daemon (`fedlink-agent serve`): opens the data directory
// and keys, dials the coordinator with mutual TLS and watches for work
// (WatchWork, reconnecting with capped exponential backoff and jitter),
// runs each work item's job step (job_steps.h) on a work queue, and serves
// the local AgentAdmin service on a UNIX-domain socket (agent/admin).
//
// Outbound only: the agent opens no network port to the coordinator; the
// coordinator's only way to ask for anything is the WatchWork stream the
// agent opened. With `metrics.listen` in agent.yaml it serves plain HTTP
// there for monitoring only: /metrics (agent_metrics.h), /healthz, and
// /readyz (200 while connected to the coordinator, else 503).
//
// Restart safety: every step's progress is in the store (job_record.h), and
// the coordinator re-sends every outstanding item after a reconnect; on each
// Welcome the daemon also re-sends undelivered decisions and purge
// acknowledgements.
#ifndef FEDLINK_AGENT_DAEMON_AGENT_DAEMON_H_
#define FEDLINK_AGENT_DAEMON_AGENT_DAEMON_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/server.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/admin/admin_service.h"
#include "agent/audit/agent_audit_log.h"
#include "agent/daemon/agent_config.h"
#include "agent/daemon/agent_metrics.h"
#include "agent/daemon/event_log.h"
#include "agent/daemon/grpc_coordinator_api.h"
#include "agent/daemon/job_steps.h"
#include "agent/daemon/metered_coordinator_api.h"
#include "agent/daemon/job_store.h"
#include "agent/daemon/work_queue.h"
#include "agent/policy/decision_signer.h"
#include "agent/store/record_store.h"
#include "proto/metrics/metrics_http_server.h"

namespace fedlink::agent::daemon {

// FEDLINK_VERSION is project(VERSION) of CMakeLists.txt (fedlink::version).
inline constexpr std::string_view kAgentSoftwareVersion = "fedlink-agent " FEDLINK_VERSION;

class AgentDaemon {
 public:
  // Loads and checks everything `config` names; nothing is started.
  // Errors name the file: those of OpenDataDir, LoadKeyFile, LoadSigningKey,
  // RecordStore::Open (Unavailable when another process holds the store),
  // LoadAgentPolicyFile, LoadIngestSchemaFile, MakeChannelCredentials;
  // FailedPrecondition when the policy, the certificate or the data
  // directory is for another agency than config.agency, or the certificate
  // is not an agent's.
  static absl::StatusOr<std::unique_ptr<AgentDaemon>> Create(AgentConfig config,
                                                             std::shared_ptr<EventLog> log);

  AgentDaemon(const AgentDaemon&) = delete;
  AgentDaemon& operator=(const AgentDaemon&) = delete;
  ~AgentDaemon();  // Shutdown()

  // Starts the metrics endpoint (if configured), the admin socket, the work
  // queue and the WatchWork loop. Errors of MetricsHttpServer::Start and
  // StartAdminServer; FailedPrecondition if already started.
  absl::Status Start();

  // Stops accepting admin calls, cancels coordinator calls in flight (an
  // upload stops at the next batch; its progress stays), lets the running
  // step end, joins every thread and removes the socket. Idempotent;
  // thread-safe.
  void Shutdown();

  // For status and tests.
  bool connected() const { return connected_.load(); }
  // Welcomes received since Start.
  uint64_t connections() const { return connections_.load(); }
  // Connection attempts that failed or ended since Start.
  uint64_t disconnects() const { return disconnects_.load(); }
  // Blocks until the work queue is idle (tests).
  void WaitIdle() { queue_->WaitIdle(); }
  // The metrics endpoint's port; 0 when it is not served.
  int metrics_port() const { return metrics_http_ == nullptr ? 0 : metrics_http_->port(); }
  AgentMetrics& metrics() { return *metrics_; }
  v1::AgentStatus StatusBase() const;

 private:
  AgentDaemon(AgentConfig config, std::shared_ptr<EventLog> log);

  void WatchLoop();
  void RunItem(const v1::WorkItem& item);
  // Reads the scrape-time gauges (jobs by state, records, store size).
  void RefreshGauges();

  const AgentConfig config_;
  const std::shared_ptr<EventLog> log_;
  std::unique_ptr<AgentMetrics> metrics_;
  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<audit::AgentAuditLog> audit_;  // null: no audit key configured
  std::unique_ptr<policy::DecisionSigner> signer_;
  std::unique_ptr<GrpcCoordinatorApi> coordinator_;
  std::unique_ptr<MeteredCoordinatorApi> metered_coordinator_;  // what the steps call
  std::unique_ptr<JobSteps> steps_;
  std::unique_ptr<admin::AgentAdminService> admin_service_;
  std::unique_ptr<grpc::Server> admin_server_;
  std::unique_ptr<WorkQueue> queue_;
  std::thread watch_thread_;
  // Stopped by Shutdown, before anything its callbacks read goes away.
  std::unique_ptr<metrics::MetricsHttpServer> metrics_http_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> disconnects_{0};
  std::atomic<int64_t> last_contact_unix_ms_{0};
  absl::Time started_at_ = absl::InfinitePast();

  std::mutex mu_;  // guards started_/shut_down_ and the backoff wait
  std::condition_variable cv_;
  bool started_ = false;
  bool shut_down_ = false;
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_AGENT_DAEMON_H_
