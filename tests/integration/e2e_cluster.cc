#include "tests/integration/e2e_cluster.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/tls_credentials.h"

extern char** environ;

namespace fedlink::e2e {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(50);
// A command that runs longer than this is killed (a hung CLI must fail the
// test, not hang it).
constexpr auto kCommandTimeout = std::chrono::seconds(180);

#define E2E_RETURN_IF_ERROR(expr)              \
  do {                                         \
    if (absl::Status s_ = (expr); !s_.ok()) {  \
      return s_;                               \
    }                                          \
  } while (false)

// A loopback TCP port nobody listens on right now.
absl::StatusOr<int> FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) return absl::InternalError("cannot bind a loopback port");
  return ntohs(address.sin_port);
}

// Starts `argv` with stdin from /dev/null and stdout/stderr to the files
// (both to `out` when `err` is empty; appended when `append`).
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv_strings, const fs::path& out,
                            const fs::path& err, bool append) {
  std::vector<std::string> copy = argv_strings;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), flags, 0600);
  if (err.empty()) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), flags, 0600);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", argv_strings[0], ": errno ", rc));
  }
  return pid;
}

// The exit code (or -signal) once `pid` has ended, nullopt while it runs.
std::optional<int> Reap(pid_t pid, bool block) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
  if (r != pid) return std::nullopt;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

// Sends `signal`, waits up to `timeout`, then SIGKILLs.
int Terminate(pid_t pid, int signal, std::chrono::seconds timeout) {
  ::kill(pid, signal);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (std::optional<int> code = Reap(pid, false)) return *code;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  return Reap(pid, true).value_or(-SIGKILL);
}

// Whether something listens on the UNIX socket `path`.
bool UnixSocketAnswers(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string p = path.string();
  if (p.size() >= sizeof(address.sun_path)) {
    ::close(fd);
    return false;
  }
  std::copy(p.begin(), p.end(), address.sun_path);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

std::string Tail(const std::string& text, size_t max_bytes) {
  return text.size() <= max_bytes ? text : "…" + text.substr(text.size() - max_bytes);
}

// `pem` indented for a YAML block scalar.
std::string IndentBlock(const std::string& text, int spaces) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, std::string(static_cast<size_t>(spaces), ' '), line, "\n");
  }
  return out;
}

std::string RandomHex(size_t bytes) {
  std::ifstream random("/dev/urandom", std::ios::binary);
  std::string raw(bytes, '\0');
  random.read(raw.data(), static_cast<std::streamsize>(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

bool IsFinal(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_COMPLETE:
    case v1::JOB_STATE_DENIED:
    case v1::JOB_STATE_FAILED:
    case v1::JOB_STATE_CANCELLED:
    case v1::JOB_STATE_PURGED:
      return true;
    default:
      return false;
  }
}

std::string DescribeJob(const v1::Job& job) {
  std::string text = absl::StrCat(v1::JobState_Name(job.state()));
  if (!job.state_reason().empty()) absl::StrAppend(&text, " (", job.state_reason(), ")");
  for (const v1::PartyProgress& p : job.parties()) {
    absl::StrAppend(&text, "; ", p.agency(), ": ", v1::Verdict_Name(p.verdict()), ", uploaded ",
                    p.records_uploaded(), p.upload_complete() ? " (complete)" : "",
                    ", assignments ", p.assignments(), ", chunks ", p.payload_chunks(),
                    p.payload_complete() ? " (complete)" : "");
  }
  return text;
}

}  // namespace

std::string CommandResult::Describe() const {
  return absl::StrCat("exit ", exit_code, "\n--- stdout\n", Tail(out, 6000), "\n--- stderr\n",
                      Tail(err, 6000));
}

// ------------------------------------------------------------------ setup

absl::StatusOr<std::unique_ptr<E2eCluster>> E2eCluster::Create(ClusterOptions options) {
  std::unique_ptr<E2eCluster> cluster(new E2eCluster(std::move(options)));
  E2E_RETURN_IF_ERROR(cluster->Setup());
  return cluster;
}

E2eCluster::~E2eCluster() {
  for (auto& [agency, pid] : agent_pids_) {
    if (pid > 0) Terminate(pid, SIGKILL, std::chrono::seconds(10));
  }
  if (coordinator_pid_ > 0) Terminate(coordinator_pid_, SIGKILL, std::chrono::seconds(10));
  const char* keep = std::getenv("FEDLINK_E2E_KEEP");
  if (!root_.empty() && (keep == nullptr || std::string(keep) != "1")) {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
}

absl::Status E2eCluster::Setup() {
  if (options_.agencies.size() < 2) return absl::InvalidArgumentError("need at least 2 agencies");
  // Children inherit it; under ASan the c-ares resolver misbehaves.
  ::setenv("GRPC_DNS_RESOLVER", "native", 1);
  char pattern[] = "/tmp/fedlink-e2e-XXXXXX";  // short: UNIX socket paths are limited
  if (::mkdtemp(pattern) == nullptr) return absl::InternalError("mkdtemp failed");
  root_ = pattern;
  for (const char* dir : {"coordinator/keys", "analyst", "auditor", "commands"}) {
    fs::create_directories(root_ / dir);
  }
  for (const AgencyOptions& agency : options_.agencies) {
    agency_ids_.push_back(agency.id);
    fs::create_directories(agency_dir(agency.id) / "run");
    fs::permissions(agency_dir(agency.id) / "run", fs::perms::owner_all);
  }
  absl::StatusOr<int> port = FreePort();
  if (!port.ok()) return port.status();
  port_ = *port;

  std::vector<std::string> pki = {"--out", (root_ / "pki").string(), "--coordinator", "coord",
                                  "--analyst", "alice", "--operator", "ops",
                                  "--auditor", "audrey"};
  for (const std::string& id : agency_ids_) {
    pki.push_back("--agent");
    pki.push_back(id);
  }
  CommandResult made = Run(std::string(FEDLINK_SOURCE_DIR) + "/deploy/pki.sh", pki);
  if (made.exit_code != 0) return absl::InternalError("pki.sh failed: " + made.Describe());

  // The coordinator's tree-head key, made up front (as an operator would)
  // so that every agent can pin its public half.
  CommandResult key = Run("/usr/bin/openssl", {"genpkey", "-algorithm", "ed25519", "-out",
                                               (coordinator_dir() / "keys/audit.pem").string()});
  if (key.exit_code != 0) return absl::InternalError("openssl genpkey: " + key.Describe());
  fs::permissions(coordinator_dir() / "keys/audit.pem",
                  fs::perms::owner_read | fs::perms::owner_write);
  key = Run("/usr/bin/openssl", {"pkey", "-in", (coordinator_dir() / "keys/audit.pem").string(),
                                 "-pubout", "-out",
                                 (coordinator_dir() / "keys/audit.pub.pem").string()});
  if (key.exit_code != 0) return absl::InternalError("openssl pkey: " + key.Describe());

  // One linkage secret shared by every agency (exchanged out of band in a
  // real deployment; never seen by the coordinator).
  E2E_RETURN_IF_ERROR(WriteFileBytes(root_ / "linkage_secret.hex", RandomHex(32) + "\n"));
  for (const std::string& id : agency_ids_) {
    CommandResult init = RunAgentCli({"init", "--data-dir", agent_data_dir(id).string(),
                                      "--agency", id, "--linkage-secret",
                                      (root_ / "linkage_secret.hex").string()});
    if (init.exit_code != 0) {
      return absl::InternalError(absl::StrCat("init of ", id, ": ", init.Describe()));
    }
    // Registered with the coordinator as the agency's decision key.
    fs::copy_file(agent_data_dir(id) / "signing_key.pub.pem",
                  coordinator_dir() / "keys" / (id + ".pub"));
  }
  for (const AgencyOptions& agency : options_.agencies) {
    E2E_RETURN_IF_ERROR(WriteAgencyFiles(agency));
  }
  E2E_RETURN_IF_ERROR(WriteCoordinatorConfig());
  return WriteAnalystFiles();
}

absl::Status E2eCluster::WriteAgencyFiles(const AgencyOptions& agency) {
  const fs::path dir = agency_dir(agency.id);
  std::string partners;
  for (const std::string& other : agency_ids_) {
    if (other == agency.id) continue;
    absl::StrAppend(&partners, "  - agency: ", other, "\n    ed25519_public_key: |\n",
                    IndentBlock(ReadFileBytes(agent_data_dir(other) / "signing_key.pub.pem"), 6));
  }
  std::string policy = absl::StrCat(
      "version: 1\nagency: ", agency.id, "\npartners:\n", partners, "analysts: [alice]\n",
      "attributes:\n  allow: [", absl::StrJoin(agency.allowed_attributes, ", "), "]\n",
      "  max_sensitivity: ", agency.max_sensitivity, "\n",
      "methods: [tokens, bloom, tokens_and_bloom]\n",
      "output_modes: [linked_microdata, aggregate]\nmax_cohort_size: 250000\n",
      "max_job_days: 365\n");
  if (agency.min_cell_count) absl::StrAppend(&policy, "min_cell_count: ", *agency.min_cell_count, "\n");
  E2E_RETURN_IF_ERROR(WriteFileBytes(dir / "policy.yaml", policy));
  E2E_RETURN_IF_ERROR(WriteFileBytes(dir / "ingest-schema.yaml", agency.ingest_schema_yaml));
  const fs::path pki = root_ / "pki";
  const std::string config = absl::StrCat(
      "version: 1\nagency: ", agency.id,
      "\ndata_dir: data\npolicy_file: policy.yaml\ningest_schema_file: ingest-schema.yaml\n",
      "coordinator:\n  address: \"127.0.0.1:", port_, "\"\n",
      "  ca_file: ", (pki / "ca.crt").string(), "\n",
      "  cert_file: ", (pki / "agent" / (agency.id + ".crt")).string(), "\n",
      "  key_file: ", (pki / "agent" / (agency.id + ".key")).string(), "\n",
      "  tree_head_key: ", (coordinator_dir() / "keys/audit.pub.pem").string(), "\n",
      "admin:\n  socket: run/admin.sock\n  mode: \"0600\"\n",
      "log:\n  format: json\n  level: ", options_.agent_log_level, "\n",
      // The agent also takes initial_ms as gRPC's connect timeout, so the
      // first attempts may time out on a loaded machine; the cap keeps later
      // ones long enough for a TLS handshake under sanitizers.
      "reconnect:\n  initial_ms: 100\n  max_ms: 2000\n  multiplier: 2\n  jitter: 0.2\n",
      "encoding:\n  threads: ", options_.encoding_threads,
      "\n  max_records_per_batch: ", options_.max_records_per_batch, "\n");
  return WriteFileBytes(dir / "agent.yaml", config);
}

absl::Status E2eCluster::WriteCoordinatorConfig() {
  const fs::path pki = root_ / "pki";
  std::string agencies;
  for (const std::string& id : agency_ids_) {
    absl::StrAppend(&agencies, "  - id: ", id, "\n    decision_key: keys/", id, ".pub\n");
  }
  const std::string config = absl::StrCat(
      "version: 1\nlisten: 127.0.0.1:", port_, "\ndata_dir: data\nlog_format: json\n",
      "tls:\n  ca: ", (pki / "ca.crt").string(), "\n  cert: ",
      (pki / "coordinator/coord.crt").string(), "\n  key: ",
      (pki / "coordinator/coord.key").string(), "\n", "audit_key: keys/audit.pem\n",
      "aggregate:\n  min_cell_count: ", options_.min_cell_count, "\n",
      "retention:\n  grace_hours: ", options_.grace_hours, "\n", "agencies:\n", agencies,
      "analysts:\n  - name: alice\n    training_expires: 2099-12-31\n");
  return WriteFileBytes(coordinator_dir() / "coordinator.yaml", config);
}

absl::Status E2eCluster::WriteAnalystFiles() {
  CommandResult keys = Run(FEDLINK_CLI_BINARY, {"keys", "init", "--out", analyst_key().string()});
  if (keys.exit_code != 0) return absl::InternalError("fedlink keys init: " + keys.Describe());
  const fs::path pki = root_ / "pki";
  for (const auto& [dir, identity] :
       std::vector<std::pair<std::string, std::string>>{{"analyst", "analyst/alice"},
                                                        {"auditor", "auditor/audrey"}}) {
    std::string config = absl::StrCat(
        "coordinator: 127.0.0.1:", port_, "\nca: ", (pki / "ca.crt").string(),
        "\ncert: ", (pki / (identity + ".crt")).string(),
        "\nkey: ", (pki / (identity + ".key")).string(), "\n");
    if (dir == "auditor") {
      absl::StrAppend(&config, "audit:\n  log_key: ",
                      (coordinator_dir() / "keys/audit.pub.pem").string(), "\n  state: ",
                      (root_ / "auditor/audit-state.pb").string(), "\n  agency_keys:\n");
      for (const std::string& id : agency_ids_) {
        absl::StrAppend(&config, "    ", id, ": ",
                        (coordinator_dir() / "keys" / (id + ".pub")).string(), "\n");
      }
    }
    E2E_RETURN_IF_ERROR(WriteFileBytes(root_ / dir / "client.yaml", config));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------ daemons

absl::Status E2eCluster::WaitReady(pid_t& pid, const std::string& what,
                                   std::chrono::seconds timeout,
                                   const std::function<bool()>& ready) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (std::optional<int> code = Reap(pid, false)) {
      pid = -1;
      return absl::InternalError(
          absl::StrCat(what, " exited with ", *code, " while starting\n", LogTails()));
    }
    if (ready()) return absl::OkStatus();
    std::this_thread::sleep_for(kPollInterval);
  }
  return absl::DeadlineExceededError(absl::StrCat(what, " not ready after ", timeout.count(),
                                                  " s\n", LogTails()));
}

absl::Status E2eCluster::StartCoordinator(std::chrono::seconds timeout) {
  if (coordinator_pid_ > 0) return absl::FailedPreconditionError("coordinator already running");
  absl::StatusOr<pid_t> pid =
      Spawn({FEDLINK_COORDINATOR_BINARY, "serve", "--config",
             (coordinator_dir() / "coordinator.yaml").string()},
            coordinator_log(), "", /*append=*/true);
  if (!pid.ok()) return pid.status();
  coordinator_pid_ = *pid;
  return WaitReady(coordinator_pid_, "fedlink-coordinator", timeout, [&] {
    std::unique_ptr<v1::Coordinator::Stub> ops = CoordinatorStub("operator/ops", true);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::CoordinatorStatus status;
    return ops->GetStatus(&context, v1::GetStatusRequest(), &status).ok();
  });
}

absl::StatusOr<int> E2eCluster::StopCoordinator(int signal, std::chrono::seconds timeout) {
  if (coordinator_pid_ <= 0) return absl::FailedPreconditionError("coordinator not running");
  const int code = Terminate(coordinator_pid_, signal, timeout);
  coordinator_pid_ = -1;
  return code;
}

absl::Status E2eCluster::StartAgent(const std::string& agency, std::chrono::seconds timeout) {
  if (FindAgency(agency) == nullptr) return absl::NotFoundError("unknown agency " + agency);
  if (agent_running(agency)) return absl::FailedPreconditionError(agency + " already running");
  absl::StatusOr<pid_t> pid =
      Spawn({FEDLINK_AGENT_BINARY, "serve", "--config", (agency_dir(agency) / "agent.yaml").string()},
            agent_log(agency), "", /*append=*/true);
  if (!pid.ok()) return pid.status();
  agent_pids_[agency] = *pid;
  std::unique_ptr<v1::Coordinator::Stub> ops;
  if (coordinator_running()) ops = CoordinatorStub("operator/ops");
  return WaitReady(agent_pids_[agency], "fedlink-agent " + agency, timeout, [&] {
    if (!UnixSocketAnswers(agent_socket(agency))) return false;
    if (ops == nullptr) return true;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::CoordinatorStatus status;
    if (!ops->GetStatus(&context, v1::GetStatusRequest(), &status).ok()) return false;
    return std::find(status.connected_agencies().begin(), status.connected_agencies().end(),
                     agency) != status.connected_agencies().end();
  });
}

absl::Status E2eCluster::StartAllAgents() {
  for (const std::string& id : agency_ids_) E2E_RETURN_IF_ERROR(StartAgent(id));
  return absl::OkStatus();
}

absl::StatusOr<int> E2eCluster::StopAgent(const std::string& agency, int signal,
                                          std::chrono::seconds timeout) {
  auto it = agent_pids_.find(agency);
  if (it == agent_pids_.end() || it->second <= 0) {
    return absl::FailedPreconditionError(agency + " not running");
  }
  const int code = Terminate(it->second, signal, timeout);
  it->second = -1;
  return code;
}

bool E2eCluster::agent_running(const std::string& agency) const {
  auto it = agent_pids_.find(agency);
  return it != agent_pids_.end() && it->second > 0;
}

const AgencyOptions* E2eCluster::FindAgency(const std::string& agency) const {
  for (const AgencyOptions& a : options_.agencies) {
    if (a.id == agency) return &a;
  }
  return nullptr;
}

std::string E2eCluster::LogTails(size_t max_bytes) const {
  std::string text = absl::StrCat("--- coordinator log\n",
                                  Tail(ReadFileBytes(coordinator_log()), max_bytes), "\n");
  for (const std::string& id : agency_ids_) {
    absl::StrAppend(&text, "--- agent ", id, " log\n", Tail(ReadFileBytes(agent_log(id)), max_bytes),
                    "\n");
  }
  return text;
}

// ------------------------------------------------------------------ commands

CommandResult E2eCluster::Run(const std::string& binary, const std::vector<std::string>& args) {
  CommandResult result;
  const std::string base = absl::StrCat(++commands_run_);
  const fs::path out = root_ / "commands" / (base + ".out");
  const fs::path err = root_ / "commands" / (base + ".err");
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  // The command line itself, for reading a failed run's directory.
  (void)WriteFileBytes(root_ / "commands" / (base + ".cmd"), absl::StrJoin(argv, " ") + "\n");
  absl::StatusOr<pid_t> pid = Spawn(argv, out, err, /*append=*/false);
  if (!pid.ok()) {
    result.err = std::string(pid.status().message());
    return result;
  }
  result.exit_code = Terminate(*pid, 0, std::chrono::duration_cast<std::chrono::seconds>(
                                            kCommandTimeout));
  result.out = ReadFileBytes(out);
  result.err = ReadFileBytes(err);
  return result;
}

CommandResult E2eCluster::RunAgentCli(const std::vector<std::string>& args) {
  return Run(FEDLINK_AGENT_BINARY, args);
}

CommandResult E2eCluster::RunAnalystCli(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--config", (analyst_dir() / "client.yaml").string()};
  all.insert(all.end(), args.begin(), args.end());
  return Run(FEDLINK_CLI_BINARY, all);
}

CommandResult E2eCluster::RunCli(const std::vector<std::string>& args) {
  return Run(FEDLINK_CLI_BINARY, args);
}

CommandResult E2eCluster::RunAuditorCli(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--config", (root_ / "auditor" / "client.yaml").string()};
  all.insert(all.end(), args.begin(), args.end());
  return Run(FEDLINK_CLI_BINARY, all);
}

CommandResult E2eCluster::Ingest(const std::string& agency, const std::string& csv,
                                 const std::string& file_name) {
  const fs::path input = agency_dir(agency) / file_name;
  if (absl::Status written = WriteFileBytes(input, csv); !written.ok()) {
    CommandResult failed;
    failed.err = std::string(written.message());
    return failed;
  }
  return RunAgentCli({"ingest", input.string(), "--schema",
                      (agency_dir(agency) / "ingest-schema.yaml").string(), "--data-dir",
                      agent_data_dir(agency).string()});
}

absl::StatusOr<std::string> E2eCluster::SubmitJob(const JobOptions& job) {
  const std::string name = absl::StrCat("job-", ++jobs_written_);
  const fs::path schema = analyst_dir() / (name + "-linkage-schema.yaml");
  std::error_code error;
  fs::copy_file(job.linkage_schema, schema, fs::copy_options::overwrite_existing, error);
  if (error) return absl::NotFoundError(job.linkage_schema.string() + ": " + error.message());
  const absl::Time expires =
      absl::Now() + absl::Hours(static_cast<double>(job.expires_in.count()));
  std::string yaml = absl::StrCat(
      "title: ", job.title, "\npurpose: End-to-end test of fedlink\n",
      "irb_reference: IRB-E2E-1\ndata_sharing_agreement: DSA-E2E-1\n",
      "expires_at: ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", expires, absl::UTCTimeZone()), "\n",
      "method: ", job.method, "\noutput: ", job.output, "\nlinkage_schema: ",
      schema.filename().string(), "\n");
  if (job.bloom_threshold && job.method != "tokens") absl::StrAppend(&yaml, "match: {bloom_threshold: ", *job.bloom_threshold, "}\n");
  if (job.aggregate_min_cell_count) {
    absl::StrAppend(&yaml, "aggregate: {min_cell_count: ", *job.aggregate_min_cell_count, "}\n");
  }
  if (job.output == "linked_microdata") {
    absl::StrAppend(&yaml, "analyst_key:\n  public_key: ", analyst_key().filename().string(),
                    ".pub\n  aead: aes-128-gcm\n");
  }
  absl::StrAppend(&yaml, "parties:\n");
  for (const JobParty& party : job.parties) {
    absl::StrAppend(&yaml, "  - agency: ", party.agency, "\n");
    if (!party.columns.empty()) {
      absl::StrAppend(&yaml, "    columns: [", absl::StrJoin(party.columns, ", "), "]\n");
    }
    if (!party.cohort.empty()) absl::StrAppend(&yaml, "    cohort: ", party.cohort, "\n");
  }
  const fs::path file = analyst_dir() / (name + ".yaml");
  E2E_RETURN_IF_ERROR(WriteFileBytes(file, yaml));
  CommandResult submitted = RunAnalystCli({"job", "submit", file.string()});
  // "submitted job <id> (<state>)"
  constexpr absl::string_view kPrefix = "submitted job ";
  absl::string_view out = submitted.out;
  if (submitted.exit_code != 0 || !absl::ConsumePrefix(&out, kPrefix)) {
    return absl::InternalError("fedlink job submit: " + submitted.Describe());
  }
  return std::string(out.substr(0, out.find(' ')));
}

CommandResult E2eCluster::Approve(const std::string& agency, const std::string& job_id) {
  absl::StatusOr<v1::AgentJob> known =
      WaitForAgentJob(agency, job_id, [](const v1::AgentJob&) { return true; });
  if (!known.ok()) {
    CommandResult failed;
    failed.err = std::string(known.status().message());
    return failed;
  }
  return RunAgentCli({"jobs", "approve", job_id, "--socket", agent_socket(agency).string(),
                      "--steward", "sam"});
}

CommandResult E2eCluster::Deny(const std::string& agency, const std::string& job_id,
                               const std::string& reason) {
  absl::StatusOr<v1::AgentJob> known =
      WaitForAgentJob(agency, job_id, [](const v1::AgentJob&) { return true; });
  if (!known.ok()) {
    CommandResult failed;
    failed.err = std::string(known.status().message());
    return failed;
  }
  return RunAgentCli({"jobs", "deny", job_id, "--reason", reason, "--socket",
                      agent_socket(agency).string(), "--steward", "sam"});
}

CommandResult E2eCluster::CancelJob(const std::string& job_id, const std::string& reason) {
  return RunAnalystCli({"job", "cancel", job_id, "--reason", reason});
}

CommandResult E2eCluster::Results(const std::string& job_id, const std::string& out_name) {
  return RunAnalystCli({"job", "results", job_id, "--out", (analyst_dir() / out_name).string(),
                        "--key", analyst_key().string()});
}

// ------------------------------------------------------------------ state

std::unique_ptr<v1::Coordinator::Stub> E2eCluster::CoordinatorStub(const std::string& identity,
                                                                   bool fresh_connection) const {
  const fs::path pki = root_ / "pki";
  proto::TlsFiles files{(pki / "ca.crt").string(), (pki / (identity + ".crt")).string(),
                        (pki / (identity + ".key")).string()};
  absl::StatusOr<proto::TlsCredentials<grpc::ChannelCredentials>> credentials =
      proto::MakeChannelCredentials(files);
  if (!credentials.ok()) return nullptr;
  grpc::ChannelArguments arguments;
  proto::ApplyMessageSizeLimits(arguments);
  // Polls start before the coordinator listens (and go on across its
  // restarts): reconnect quickly instead of after gRPC's growing backoff.
  // (Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC takes it as the connect
  // timeout, and a TLS handshake on a loaded machine needs more.)
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  if (fresh_connection) arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return v1::Coordinator::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", port_), credentials->credentials, arguments));
}

absl::StatusOr<v1::Job> E2eCluster::GetJob(const std::string& job_id) {
  std::unique_ptr<v1::Coordinator::Stub> stub = CoordinatorStub("analyst/alice");
  if (stub == nullptr) return absl::InternalError("no analyst credentials");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::GetJobRequest request;
  request.set_job_id(job_id);
  v1::Job job;
  const grpc::Status status = stub->GetJob(&context, request, &job);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("GetJob: ", status.error_message()));
  }
  return job;
}

absl::StatusOr<v1::Job> E2eCluster::WaitForJob(const std::string& job_id,
                                               const std::function<bool(const v1::Job&)>& done,
                                               std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  absl::StatusOr<v1::Job> job = absl::UnavailableError("never asked");
  while (Clock::now() < deadline) {
    job = GetJob(job_id);
    if (job.ok() && done(*job)) return job;
    if (job.ok() && IsFinal(job->state())) break;
    std::this_thread::sleep_for(kPollInterval * 2);
  }
  const std::string last = job.ok() ? DescribeJob(*job) : std::string(job.status().message());
  return absl::DeadlineExceededError(
      absl::StrCat("job ", job_id, " did not reach the wanted state; last: ", last, "\n",
                   LogTails()));
}

absl::StatusOr<v1::Job> E2eCluster::WaitForJobState(const std::string& job_id,
                                                    v1::JobState state,
                                                    std::chrono::seconds timeout) {
  return WaitForJob(job_id, [state](const v1::Job& job) { return job.state() == state; },
                    timeout);
}

absl::StatusOr<v1::AgentJob> E2eCluster::AgentJob(const std::string& agency,
                                                  const std::string& job_id) {
  const fs::path out = root_ / "commands" / "poll.out";
  const fs::path err = root_ / "commands" / "poll.err";
  absl::StatusOr<pid_t> pid =
      Spawn({FEDLINK_AGENT_BINARY, "jobs", "show", job_id, "--socket",
             agent_socket(agency).string(), "--output", "json"},
            out, err, /*append=*/false);
  if (!pid.ok()) return pid.status();
  const int code = Terminate(*pid, 0, std::chrono::seconds(60));
  if (code != 0) return absl::NotFoundError(ReadFileBytes(err));
  v1::AgentJob job;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(ReadFileBytes(out), &job, options).ok()) {
    return absl::InternalError("jobs show --output json printed no AgentJob: " +
                               ReadFileBytes(out));
  }
  return job;
}

absl::StatusOr<v1::AgentJob> E2eCluster::WaitForAgentJob(
    const std::string& agency, const std::string& job_id,
    const std::function<bool(const v1::AgentJob&)>& done, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  absl::StatusOr<v1::AgentJob> job = absl::NotFoundError("never asked");
  while (Clock::now() < deadline) {
    job = AgentJob(agency, job_id);
    if (job.ok() && done(*job)) return job;
    std::this_thread::sleep_for(kPollInterval * 2);
  }
  const std::string last = job.ok() ? absl::StrCat(v1::AgentJobState_Name(job->state()), " ",
                                                   job->failure_reason())
                                    : std::string(job.status().message());
  return absl::DeadlineExceededError(absl::StrCat("agent ", agency, ", job ", job_id,
                                                  ": not in the wanted state; last: ", last, "\n",
                                                  LogTails()));
}

// ------------------------------------------------------------------ helpers

std::vector<std::pair<fs::path, std::string>> ReadTree(const fs::path& dir) {
  std::vector<std::pair<fs::path, std::string>> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file()) files.emplace_back(it->path(), ReadFileBytes(it->path()));
  }
  return files;
}

std::string ReadFileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

absl::Status WriteFileBytes(const fs::path& path, const std::string& bytes, fs::perms perms) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) return absl::InternalError("cannot write " + path.string());
  }
  std::error_code error;
  fs::permissions(path, perms, error);
  if (error) return absl::InternalError("chmod " + path.string() + ": " + error.message());
  return absl::OkStatus();
}

bool ContainsValue(const std::string& haystack, const std::string& needle, bool digits_bounded) {
  if (needle.empty()) return false;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    if (!digits_bounded) return true;
    const bool digit_before = at > 0 && is_digit(haystack[at - 1]);
    const size_t after = at + needle.size();
    const bool digit_after = after < haystack.size() && is_digit(haystack[after]);
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = true;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      field_started = false;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return absl::InvalidArgumentError("unterminated quoted field");
  if (field_started || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace fedlink::e2e
