// A running coordinator: the store in <data_dir>/db, the audit trail signed
// with the tree-head key, the core with its matching worker, the mTLS gRPC
// server (with the standard grpc.health.v1.Health service) and a retention
// timer, and — when the config has `metrics.listen` — the HTTP metrics
// endpoint. `fedlink-coordinator serve` and the integration tests start it
// the same way.
//
// Health: "" and "fedlink.v1.Coordinator" are SERVING from the start until
// Shutdown, which turns them NOT_SERVING before it drains the server.
#ifndef FEDLINK_COORDINATOR_RPC_COORDINATOR_SERVER_H_
#define FEDLINK_COORDINATOR_RPC_COORDINATOR_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "coordinator/config/coordinator_config.h"
#include "coordinator/core/coordinator_core.h"
#include "coordinator/rpc/coordinator_metrics.h"
#include "coordinator/rpc/coordinator_service.h"
#include "proto/metrics/metrics_http_server.h"
#include "proto/runtime/tls_credentials.h"

namespace fedlink::coordinator {

struct ServerOptions {
  // Overrides config.listen_address when set (tests: "127.0.0.1:0").
  std::string listen_address;
  // Overrides config.metrics_listen when set.
  std::string metrics_listen_address;
  absl::Duration retention_interval = absl::Minutes(1);
  // Re-reads the config file for ReloadConfig (empty: config.source_path).
  std::string config_path;
  // gRPC sync server threads (bounded).
  int max_threads = 64;
};

// Reads the tree-head signing key, or creates it (PKCS#8 PEM, mode 0600)
// when the file does not exist. FailedPrecondition for a key file readable
// by group or others; InvalidArgument for a file that holds no Ed25519 key.
absl::StatusOr<crypto::Ed25519PrivateKey> LoadOrCreateAuditKey(const std::string& path);

// Reads the 32-byte store key (seals the per-job data keys), or creates it
// (mode 0600). FailedPrecondition for a file readable by group or others;
// InvalidArgument for a file of another size.
absl::StatusOr<crypto::SecretBytes> LoadOrCreateStoreKey(const std::string& path);

class CoordinatorServer {
 public:
  // Opens everything and starts serving. Errors name the file or address
  // (TLS material, data dir, listen or metrics address that cannot be
  // bound).
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Start(const CoordinatorConfig& config,
                                                                   ServerOptions options = {});
  ~CoordinatorServer();

  int port() const { return port_; }
  // The metrics endpoint's port; 0 when it is not served.
  int metrics_port() const { return metrics_http_ == nullptr ? 0 : metrics_http_->port(); }
  CoordinatorCore& core() { return *core_; }
  CoordinatorMetrics& metrics() { return *metrics_; }
  // Blocks until Shutdown is called from another thread.
  void Wait();
  // Stops accepting calls, ends watch streams, stops the timer. Idempotent.
  void Shutdown();
  // What the operator's ReloadConfig does — the registries from the config
  // file and the CRLs of tls.crl_dir — asked for by the host (SIGHUP);
  // audited as the coordinator's own CONFIG_RELOADED. Errors as
  // CoordinatorCore::ReloadConfig; on error nothing changes.
  absl::StatusOr<v1::ReloadConfigResponse> ReloadConfig();

 private:
  CoordinatorServer() = default;

  // Reads the scrape-time gauges (jobs by state, audit size, store size).
  void RefreshGauges();
  // Audits a handshake refused for a revoked client certificate.
  void RecordRevokedPeer(const proto::RevokedPeer& peer);

  std::unique_ptr<CoordinatorMetrics> metrics_;
  std::unique_ptr<CoordinatorStore> store_;
  std::unique_ptr<AuditTrail> audit_;
  // The CRLs the handshakes consult (null without tls.crl_dir).
  std::shared_ptr<proto::CertificateRevocations> revocations_;
  std::unique_ptr<CoordinatorCore> core_;
  std::unique_ptr<CoordinatorService> service_;
  std::unique_ptr<grpc::Server> server_;
  // Stopped first: its callbacks read the store and the audit trail.
  std::unique_ptr<metrics::MetricsHttpServer> metrics_http_;
  std::atomic<bool> serving_{false};
  int port_ = 0;
  absl::Notification stop_;
  std::thread timer_;
  bool shut_down_ = false;
};

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_RPC_COORDINATOR_SERVER_H_
