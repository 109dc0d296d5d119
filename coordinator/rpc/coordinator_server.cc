#include "coordinator/rpc/coordinator_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "coordinator/rpc/rpc_metrics_interceptor.h"
#include "linkage/status_macros.h"
#include "linkage/thread_name.h"
#include "proto/metrics/rocksdb_size.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/tls_credentials.h"
#include "spdlog/spdlog.h"

namespace fedlink::coordinator {

absl::StatusOr<crypto::Ed25519PrivateKey> LoadOrCreateAuditKey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "audit key file ", path, " is accessible by group or others (chmod 600 it)"));
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    absl::StatusOr<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::FromPem(content.str());
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("audit key file ", path,
                                                     " holds no unencrypted Ed25519 private key"));
    }
    return key;
  }
  FEDLINK_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, crypto::Ed25519PrivateKey::Generate());
  FEDLINK_ASSIGN_OR_RETURN(crypto::SecretBytes pem, key.ToPem());
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot create audit key file ", path));
  const ssize_t written = ::write(fd, pem.data(), pem.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (written != static_cast<ssize_t>(pem.size()) || !synced) {
    return absl::UnavailableError(absl::StrCat("cannot write audit key file ", path));
  }
  spdlog::info("created the audit tree-head key {}", path);
  return key;
}

absl::StatusOr<crypto::SecretBytes> LoadOrCreateStoreKey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store key file ", path, " is accessible by group or others (chmod 600 it)"));
    }
    if (st.st_size != 32) {
      return absl::InvalidArgumentError(absl::StrCat("store key file ", path, " is not 32 bytes"));
    }
    crypto::SecretBytes key = crypto::SecretBytes::Zeroed(32);
    const int fd = ::open(path.c_str(), O_RDONLY);
    const bool read_ok = fd >= 0 && ::read(fd, key.mutable_data(), 32) == 32;
    if (fd >= 0) ::close(fd);
    if (!read_ok) return absl::UnavailableError(absl::StrCat("cannot read store key file ", path));
    return key;
  }
  FEDLINK_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::SecretBytes::Random(32));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot create store key file ", path));
  const bool ok = ::write(fd, key.data(), 32) == 32 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::UnavailableError(absl::StrCat("cannot write store key file ", path));
  return key;
}

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Start(
    const CoordinatorConfig& config, ServerOptions options) {
  std::unique_ptr<CoordinatorServer> server(new CoordinatorServer);
  proto::TlsOptions tls_options = config.tls_options;
  // Handshakes begin once the server listens, after the audit trail opened.
  tls_options.on_revoked_peer = [self = server.get()](const proto::RevokedPeer& peer) {
    self->RecordRevokedPeer(peer);
  };
  FEDLINK_ASSIGN_OR_RETURN(auto credentials, proto::MakeServerCredentials(config.tls, tls_options));
  server->revocations_ = credentials.revocations;
  CoordinatorService::PeerCheck still_trusted = credentials.check_peer;
  if (server->revocations_ != nullptr) {
    const proto::RevocationSummary crl = server->revocations_->summary();
    spdlog::info("{} revoked certificates in {} CRL files of {}", crl.revoked, crl.crl_files,
                 server->revocations_->directory());
    for (const std::string& file : crl.expired) {
      spdlog::warn("CRL {} is past its next update; it still revokes, but renew it "
                   "(deploy/pki.sh --crl)", file);
    }
  }
  if (credentials.identity.role != proto::Role::kCoordinator) {
    return absl::FailedPreconditionError(absl::StrCat(
        "tls.cert ", config.tls.cert_file, " is not a coordinator certificate (fedlink://coordinator/…)"));
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return absl::FailedPreconditionError(absl::StrCat("cannot create data_dir ", config.data_dir));
  ::chmod(config.data_dir.c_str(), 0700);
  FEDLINK_ASSIGN_OR_RETURN(
      crypto::SecretBytes store_key,
      LoadOrCreateStoreKey((std::filesystem::path(config.data_dir) / "store-key").string()));
  FEDLINK_ASSIGN_OR_RETURN(server->store_,
                           CoordinatorStore::Open((std::filesystem::path(config.data_dir) / "db").string(),
                                                  store_key));
  const std::string key_file = config.audit_key_file.empty()
                                   ? (std::filesystem::path(config.data_dir) / "audit-signing-key.pem").string()
                                   : config.audit_key_file;
  FEDLINK_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, LoadOrCreateAuditKey(key_file));
  FEDLINK_ASSIGN_OR_RETURN(server->audit_,
                           AuditTrail::Open(server->store_->db(),
                                            server->store_->family(StoreFamily::kAuditLog),
                                            std::move(key), [] { return absl::Now(); }, true));
  server->metrics_ = std::make_unique<CoordinatorMetrics>();
  CoreOptions core_options;
  core_options.on_transition = [metrics = server->metrics_.get()](
                                   const std::string& job_id, v1::JobState from, v1::JobState to) {
    metrics->JobTransition(job_id, from, to);
  };
  core_options.registry = config.registry;
  core_options.min_cell_count = config.min_cell_count;
  core_options.retention_grace = config.retention_grace;
  const std::string config_path = options.config_path.empty() ? config.source_path : options.config_path;
  core_options.reload_registry = [config_path, revocations = server->revocations_]()
      -> absl::StatusOr<Registry> {
    FEDLINK_ASSIGN_OR_RETURN(CoordinatorConfig reloaded, LoadCoordinatorConfig(config_path));
    if (revocations == nullptr) return reloaded.registry;
    if (reloaded.tls_options.crl_directory != revocations->directory()) {
      spdlog::warn("reload: tls.crl_dir changed to '{}'; still reading '{}' until a restart",
                   reloaded.tls_options.crl_directory, revocations->directory());
    }
    absl::StatusOr<proto::RevocationSummary> crl = revocations->Reload();
    if (!crl.ok()) {
      return absl::Status(crl.status().code(),
                          absl::StrCat("tls.crl_dir: ", crl.status().message(),
                                       " (the previous revocation list stays in force)"));
    }
    spdlog::info("reload: {} revoked certificates in {} CRL files of {}", crl->revoked,
                 crl->crl_files, revocations->directory());
    for (const std::string& file : crl->expired) {
      spdlog::warn("reload: CRL {} is past its next update; it still revokes, but renew it "
                   "(deploy/pki.sh --crl)", file);
    }
    return reloaded.registry;
  };
  FEDLINK_ASSIGN_OR_RETURN(server->core_,
                           CoordinatorCore::Create(server->store_.get(), server->audit_.get(),
                                                   std::move(core_options)));
  FEDLINK_RETURN_IF_ERROR(server->core_->Start());
  server->service_ =
      std::make_unique<CoordinatorService>(server->core_.get(), server->metrics_.get(),
                                           absl::Seconds(1), std::move(still_trusted));

  // The standard grpc.health.v1.Health service, on the same mTLS port.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(MakeRpcMetricsInterceptorFactory(server->metrics_.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  proto::ApplyMessageSizeLimits(builder);
  grpc::ResourceQuota quota("fedlink-coordinator");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  const std::string address =
      options.listen_address.empty() ? config.listen_address : options.listen_address;
  builder.AddListeningPort(address, credentials.credentials, &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  if (grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService()) {
    health->SetServingStatus(v1::Coordinator::service_full_name(), true);
  }
  server->serving_ = true;
  const std::string metrics_address = options.metrics_listen_address.empty()
                                          ? config.metrics_listen
                                          : options.metrics_listen_address;
  if (!metrics_address.empty()) {
    metrics::MetricsHttpOptions http;
    http.listen_address = metrics_address;
    http.registry = server->metrics_->registry();
    http.before_scrape = [raw = server.get()] { raw->RefreshGauges(); };
    http.readiness = [raw = server.get()] {
      return raw->serving_.load() ? metrics::Readiness{true, "serving"}
                                  : metrics::Readiness{false, "shutting down"};
    };
    FEDLINK_ASSIGN_OR_RETURN(server->metrics_http_, metrics::MetricsHttpServer::Start(std::move(http)));
    spdlog::info("metrics on http://{}/metrics (port {})", metrics_address,
                 server->metrics_http_->port());
  }
  CoordinatorServer* raw = server.get();
  server->timer_ = std::thread([raw, interval = options.retention_interval] {
    NameCurrentThread("coord-retention");
    while (!raw->stop_.WaitForNotificationWithTimeout(interval)) {
      absl::Status s = raw->core_->RunRetention();
      if (!s.ok()) spdlog::error("retention: {}", std::string(s.message()));
    }
  });
  spdlog::info("fedlink-coordinator {} listening on {} (port {})", FEDLINK_VERSION, address,
               server->port_);
  return server;
}

void CoordinatorServer::RefreshGauges() {
  std::map<v1::JobState, uint64_t> counts;
  absl::Status counted = store_->ForEachJob([&](const internal::StoredJob& job) {
    ++counts[job.job().state()];
    return absl::OkStatus();
  });
  // A store that cannot be read leaves the last counts; the error is logged.
  if (counted.ok()) {
    metrics_->SetJobCounts(counts);
  } else {
    spdlog::error("metrics: counting jobs: {}", std::string(counted.message()));
  }
  metrics_->SetAuditEntries(audit_->log().tree_size());
  metrics_->SetStoreSize(metrics::MeasureRocksDb(*store_->db()));
}

void CoordinatorServer::RecordRevokedPeer(const proto::RevokedPeer& peer) {
  const proto::PeerIdentity self{proto::Role::kCoordinator, "coordinator", ""};
  const proto::PeerIdentity& actor = peer.identity.has_value() ? *peer.identity : self;
  spdlog::warn("refused {}: {} ({} handshakes and calls since the last report)",
               peer.identity.has_value() ? proto::IdentityUri(*peer.identity) : "an unnamed peer",
               peer.reason, peer.refusals);
  if (audit_ == nullptr) return;
  absl::Status recorded =
      audit_->Record(actor, v1::AUDIT_ACTION_CERTIFICATE_REJECTED, v1::AUDIT_OUTCOME_REFUSED, "",
                     actor.agency, "", peer.reason, {{"refusals", peer.refusals}});
  if (!recorded.ok()) spdlog::error("audit: {}", std::string(recorded.message()));
}

absl::StatusOr<v1::ReloadConfigResponse> CoordinatorServer::ReloadConfig() {
  return core_->ReloadConfigOnSignal();
}

void CoordinatorServer::Wait() { stop_.WaitForNotification(); }

void CoordinatorServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  serving_ = false;
  if (!stop_.HasBeenNotified()) stop_.Notify();
  // Health checkers see NOT_SERVING while calls drain.
  if (server_ != nullptr && server_->GetHealthCheckService() != nullptr) {
    server_->GetHealthCheckService()->Shutdown();
  }
  if (service_) service_->StopWatches();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (timer_.joinable()) timer_.join();
  metrics_http_.reset();
}

CoordinatorServer::~CoordinatorServer() {
  Shutdown();
  // The core (matching worker) stops before the store it writes to.
  core_.reset();
}

}  // namespace fedlink::coordinator
