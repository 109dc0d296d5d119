#include "agent/daemon/agent_daemon.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <optional>
#include <string>
#include <utility>

#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/str_cat.h"
#include "agent/admin/admin_socket.h"
#include "agent/cli/agent_store_access.h"
#include "agent/ingest/ingest_pipeline.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/policy/agent_policy.h"
#include "agent/store/key_file.h"
#include "agent/store/signing_key_file.h"
#include "linkage/status_macros.h"
#include "linkage/thread_name.h"
#include "proto/metrics/rocksdb_size.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/tls_credentials.h"

namespace fedlink::agent::daemon {
namespace {

int ClampMillis(absl::Duration d) {
  const int64_t ms = absl::ToInt64Milliseconds(d);
  return static_cast<int>(std::min<int64_t>(std::max<int64_t>(ms, 1), 3600000));
}

std::string_view WorkName(const v1::WorkItem& item) {
  switch (item.work_case()) {
    case v1::WorkItem::kWelcome:
      return "welcome";
    case v1::WorkItem::kDecide:
      return "decide";
    case v1::WorkItem::kEncode:
      return "encode";
    case v1::WorkItem::kRelease:
      return "release";
    case v1::WorkItem::kPurge:
      return "purge";
    case v1::WorkItem::WORK_NOT_SET:
      break;
  }
  return "none";
}

// The coordinator's pinned tree-head key (a PEM public key file).
absl::StatusOr<crypto::Ed25519PublicKey> LoadPublicKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() > 16384) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": larger than 16 KiB"));
  }
  absl::StatusOr<crypto::Ed25519PublicKey> key = crypto::Ed25519PublicKey::FromPem(text.str());
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not an Ed25519 PEM public key (coordinator.tree_head_key)"));
  }
  return key;
}

}  // namespace

AgentDaemon::AgentDaemon(AgentConfig config, std::shared_ptr<EventLog> log)
    : config_(std::move(config)), log_(std::move(log)) {}

absl::StatusOr<std::unique_ptr<AgentDaemon>> AgentDaemon::Create(AgentConfig config,
                                                                 std::shared_ptr<EventLog> log) {
  if (log == nullptr) return absl::InvalidArgumentError("AgentDaemon: no log");
  FEDLINK_RETURN_IF_ERROR(ValidateBackoffPolicy(config.reconnect));
  std::unique_ptr<AgentDaemon> daemon(new AgentDaemon(std::move(config), std::move(log)));
  const AgentConfig& c = daemon->config_;
  daemon->metrics_ = std::make_unique<AgentMetrics>();

  FEDLINK_ASSIGN_OR_RETURN(policy::AgentPolicy policy, policy::LoadAgentPolicyFile(c.policy_file));
  if (policy.agency != c.agency) {
    return absl::FailedPreconditionError(absl::StrCat(c.policy_file, ": the policy is agency ",
                                                      policy.agency, "'s, the agent is ",
                                                      c.agency));
  }
  FEDLINK_ASSIGN_OR_RETURN(ingest::IngestSchema schema,
                           ingest::LoadIngestSchemaFile(c.ingest_schema_file));

  RecordStoreOptions store_options;
  store_options.create_if_missing = false;
  FEDLINK_ASSIGN_OR_RETURN(cli::OpenedStore opened, cli::OpenAgentStore(c.data_dir, store_options));
  daemon->store_ = std::move(opened.store);
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> stored_agency,
                           cli::StoredAgency(*daemon->store_));
  if (stored_agency.has_value() && *stored_agency != c.agency) {
    return absl::FailedPreconditionError(absl::StrCat(c.data_dir, ": initialised for agency ",
                                                      *stored_agency, ", not ", c.agency));
  }
  FEDLINK_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey signing_key,
                           LoadSigningKey(opened.layout.signing_key));
  FEDLINK_ASSIGN_OR_RETURN(crypto::SecretBytes linkage_secret,
                           LoadKeyFile(opened.layout.linkage_secret, "linkage secret"));
  FEDLINK_ASSIGN_OR_RETURN(daemon->signer_,
                           policy::DecisionSigner::Create(c.agency, std::move(signing_key)));

  proto::TlsOptions tls_options;
  tls_options.crl_directory = c.crl_directory;
  FEDLINK_ASSIGN_OR_RETURN(
      proto::TlsCredentials<grpc::ChannelCredentials> credentials,
      proto::MakeChannelCredentials(proto::TlsFiles{c.ca_file, c.cert_file, c.key_file},
                                    tls_options));
  if (credentials.identity.role != proto::Role::kAgent || credentials.identity.name != c.agency) {
    return absl::FailedPreconditionError(
        absl::StrCat(c.cert_file, ": the certificate is ", proto::IdentityUri(credentials.identity),
                     ", not fedlink://agent/", c.agency));
  }
  grpc::ChannelArguments arguments;
  proto::ApplyMessageSizeLimits(arguments);
  // gRPC's own reconnection follows the configured schedule, so that a
  // coordinator that comes back is reached within our backoff, not gRPC's.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, ClampMillis(c.reconnect.initial));
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, ClampMillis(c.reconnect.initial));
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, ClampMillis(c.reconnect.max));
  daemon->coordinator_ = std::make_unique<GrpcCoordinatorApi>(
      grpc::CreateCustomChannel(c.coordinator_address, credentials.credentials, arguments));
  daemon->metered_coordinator_ =
      std::make_unique<MeteredCoordinatorApi>(daemon->coordinator_.get(), daemon->metrics_.get());

  daemon->jobs_ = std::make_unique<JobStore>(*daemon->store_);
  if (!c.coordinator_tree_head_key_file.empty()) {
    FEDLINK_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey coordinator_key,
                             LoadPublicKeyFile(c.coordinator_tree_head_key_file));
    FEDLINK_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey audit_key,
                             LoadSigningKey(opened.layout.signing_key));
    audit::AgentAuditLogOptions audit_options;
    audit_options.agency = c.agency;
    audit_options.coordinator_key = coordinator_key;
    FEDLINK_ASSIGN_OR_RETURN(daemon->audit_,
                             audit::AgentAuditLog::Open(*daemon->store_, std::move(audit_key),
                                                        std::move(audit_options)));
  }
  JobStepsDeps deps;
  deps.agency = c.agency;
  deps.store = daemon->store_.get();
  deps.jobs = daemon->jobs_.get();
  deps.coordinator = daemon->metered_coordinator_.get();
  deps.signer = daemon->signer_.get();
  deps.policy = std::move(policy);
  deps.schema = std::move(schema);
  deps.linkage_secret = std::move(linkage_secret);
  deps.encode_threads = c.encode_threads;
  deps.max_records_per_batch = c.max_records_per_batch;
  deps.log = daemon->log_;
  deps.stopping = &daemon->stopping_;
  deps.audit = daemon->audit_.get();
  FEDLINK_ASSIGN_OR_RETURN(daemon->steps_, JobSteps::Create(std::move(deps)));

  admin::AdminBackend backend;
  backend.steps = daemon->steps_.get();
  backend.jobs = daemon->jobs_.get();
  backend.store = daemon->store_.get();
  backend.audit_log = daemon->audit_.get();
  AgentDaemon* self = daemon.get();
  backend.status = [self] { return self->StatusBase(); };
  daemon->admin_service_ = std::make_unique<admin::AgentAdminService>(std::move(backend));
  return daemon;
}

AgentDaemon::~AgentDaemon() { Shutdown(); }

absl::Status AgentDaemon::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return absl::FailedPreconditionError("the agent daemon was started already");
  if (!config_.metrics_listen.empty()) {
    metrics::MetricsHttpOptions http;
    http.listen_address = config_.metrics_listen;
    http.registry = metrics_->registry();
    http.before_scrape = [this] { RefreshGauges(); };
    http.readiness = [this] {
      return connected_.load()
                 ? metrics::Readiness{true, "connected to " + config_.coordinator_address}
                 : metrics::Readiness{false, "not connected to " + config_.coordinator_address};
    };
    FEDLINK_ASSIGN_OR_RETURN(metrics_http_, metrics::MetricsHttpServer::Start(std::move(http)));
  }
  absl::StatusOr<std::unique_ptr<grpc::Server>> admin =
      admin::StartAdminServer(config_.admin_socket, config_.admin_socket_mode,
                              admin_service_.get());
  if (!admin.ok()) {
    metrics_http_.reset();
    return admin.status();
  }
  admin_server_ = *std::move(admin);
  started_ = true;
  started_at_ = absl::Now();
  queue_ = std::make_unique<WorkQueue>([this](const v1::WorkItem& item) { RunItem(item); });
  watch_thread_ = std::thread([this] {
    NameCurrentThread("agent-watch");
    WatchLoop();
  });
  log_->Info("agent.started",
             {{"agency", config_.agency},
              {"coordinator", config_.coordinator_address},
              {"admin_socket", config_.admin_socket},
              {"metrics", metrics_http_ == nullptr
                              ? std::string("off")
                              : absl::StrCat("http://", config_.metrics_listen, "/metrics")},
              {"version", std::string(kAgentSoftwareVersion)}});
  return absl::OkStatus();
}

void AgentDaemon::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_ || shut_down_) {
      shut_down_ = true;
      return;
    }
    shut_down_ = true;
    stopping_ = true;
  }
  cv_.notify_all();
  log_->Info("agent.stopping", {{"agency", config_.agency}});
  coordinator_->CancelAll();
  if (admin_server_ != nullptr) {
    admin_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  if (watch_thread_.joinable()) watch_thread_.join();
  queue_->Stop();
  admin::RemoveAdminSocket(config_.admin_socket);
  connected_ = false;
  metrics_http_.reset();
  log_->Info("agent.stopped", {{"agency", config_.agency}});
}

void AgentDaemon::RefreshGauges() {
  metrics_->SetConnected(connected_.load());
  std::map<v1::AgentJobState, uint64_t> counts;
  uint64_t rows_released = 0;
  const absl::Status counted = jobs_->ForEach([&](const JobRecord& record) {
    ++counts[record.state];
    rows_released += record.rows_released;
    return absl::OkStatus();
  });
  // What cannot be read keeps its last value; the error is logged.
  if (counted.ok()) {
    metrics_->SetJobCounts(counts);
    metrics_->SetRowsReleased(rows_released);
  } else {
    log_->Error("metrics.read_failed", EventLog::StatusFields(counted, {{"what", "jobs"}}));
  }
  absl::StatusOr<std::optional<nlohmann::json>> last_ingest = ingest::LoadLastIngest(*store_);
  if (!last_ingest.ok()) {
    log_->Error("metrics.read_failed",
                EventLog::StatusFields(last_ingest.status(), {{"what", "last_ingest"}}));
  } else if (last_ingest->has_value()) {
    const nlohmann::json& summary = **last_ingest;
    auto records = summary.find("records_in_store");
    if (records != summary.end() && records->is_number_unsigned()) {
      metrics_->SetRecords(records->get<uint64_t>());
    }
  }
  // The store's one RocksDB database (every family, not only the audit log's).
  metrics_->SetStoreSize(metrics::MeasureRocksDb(*store_->audit_log_db()));
}

v1::AgentStatus AgentDaemon::StatusBase() const {
  v1::AgentStatus status;
  status.set_agency(config_.agency);
  status.set_software_version(std::string(kAgentSoftwareVersion));
  status.set_coordinator_address(config_.coordinator_address);
  status.set_coordinator_connected(connected_.load());
  const int64_t last = last_contact_unix_ms_.load();
  if (last > 0) {
    status.mutable_last_contact()->set_seconds(last / 1000);
    status.mutable_last_contact()->set_nanos(static_cast<int32_t>((last % 1000) * 1000000));
  }
  status.mutable_started_at()->set_seconds(absl::ToUnixSeconds(started_at_));
  return status;
}

void AgentDaemon::RunItem(const v1::WorkItem& item) {
  const absl::Time began = absl::Now();
  absl::Status status;
  if (item.has_welcome()) {
    status = steps_->ResumeAfterConnect();
  } else {
    status = steps_->Handle(item);
  }
  metrics_->CountWorkItem(WorkName(item), status, absl::Now() - began);
  if (!status.ok() && !stopping_) {
    log_->Warn("work.item_failed",
               EventLog::StatusFields(status, {{"job", item.job_id()}, {"item", WorkName(item)}}));
  }
}

void AgentDaemon::WatchLoop() {
  Backoff backoff(config_.reconnect, DefaultJitterSource());
  while (!stopping_) {
    grpc::ClientContext context;
    if (!coordinator_->Track(&context)) break;
    v1::WatchWorkRequest request;
    request.set_software_version(std::string(kAgentSoftwareVersion));
    if (audit_ != nullptr) {
      if (std::optional<v1::SignedTreeHead> head = audit_->coordinator_head()) {
        request.set_known_tree_size(head->head().tree_size());
      }
    }
    std::unique_ptr<grpc::ClientReader<v1::WorkItem>> reader =
        coordinator_->stub().WatchWork(&context, request);
    v1::WorkItem item;
    while (reader->Read(&item)) {
      last_contact_unix_ms_ = absl::ToUnixMillis(absl::Now());
      if (absl::Status valid = proto::Validate(item); !valid.ok()) {
        // A malformed item is dropped; the coordinator repeats what is owed.
        log_->Warn("work.invalid_item", EventLog::StatusFields(valid, {{"job", item.job_id()}}));
        continue;
      }
      if (item.has_welcome()) {
        connected_ = true;
        ++connections_;
        metrics_->CountConnection();
        backoff.Reset();
        log_->Info("coordinator.connected", {{"address", config_.coordinator_address}});
        if (audit_ != nullptr && item.receipt().has_tree_head()) {
          absl::StatusOr<audit::ReceiptResult> taken =
              audit_->RecordReceipt(item.receipt(), "WatchWork", "");
          if (!taken.ok()) {
            log_->Error("audit.receipt_refused",
                        EventLog::StatusFields(taken.status(), {{"rpc", "WatchWork"}}));
          }
        }
      } else {
        log_->Debug("work.received", {{"job", item.job_id()}, {"item", WorkName(item)}});
      }
      queue_->Push(std::move(item));
      item.Clear();
    }
    const grpc::Status status = reader->Finish();
    coordinator_->Untrack(&context);
    connected_ = false;
    if (stopping_) break;
    ++disconnects_;
    metrics_->CountDisconnect();
    const absl::Duration delay = backoff.Next();
    log_->Warn("coordinator.disconnected",
               {{"address", config_.coordinator_address},
                {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))},
                {"error", status.error_message()},
                {"attempt", backoff.failures()},
                {"retry_in_ms", absl::ToInt64Milliseconds(delay)}});
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoMilliseconds(delay), [this] { return stopping_.load(); });
  }
}

}  // namespace fedlink::agent::daemon
