// The agent daemon end to end, in process: a fake Coordinator (a real gRPC
// server on 127.0.0.1 with mutual TLS from deploy/pki.sh certificates) and
// the real AgentDaemon over a data directory made by `init`, with records
// ingested through the admin socket. The steward decides through the admin
// socket (the `jobs` command's code); the fake checks what reaches it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "agent/admin/admin_client.h"
#include "agent/cli/audit_command.h"
#include "agent/cli/init_command.h"
#include "agent/cli/jobs_command.h"
#include "agent/daemon/agent_config.h"
#include "agent/daemon/agent_daemon.h"
#include "agent/daemon/event_log.h"
#include "agent/store/signing_key_file.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "proto/runtime/decision_verify.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/peer_identity.h"
#include "proto/runtime/tls_credentials.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/unit/agent_daemon_test_util.h"

namespace fedlink::agent::daemon {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace testing;  // NOLINT: the fixtures of agent_daemon_test_util.h

constexpr int kRecords = 300;  // 5 batches of 64

std::string RunShell(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

void WriteFile(const fs::path& path, const std::string& content, fs::perms perms) {
  std::ofstream(path, std::ios::binary) << content;
  fs::permissions(path, perms);
}

// Polls `done` every 20 ms for up to 60 s.
bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 3000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// A coordinator as far as one agent sees it. Level-triggered like the real
// one: every WatchWork stream starts with a Welcome and every outstanding
// item (an EncodeJob carrying the current next_sequence), then new items.
class FakeCoordinator final : public v1::Coordinator::Service {
 public:
  // Makes `item` outstanding (replacing the job's item of the same kind)
  // and sends it on the open stream.
  void Post(const v1::WorkItem& item) {
    std::lock_guard<std::mutex> lock(mu_);
    outstanding_[{item.job_id(), item.work_case()}] = item;
    fresh_.push_back(item);
    cv_.notify_all();
  }
  void Withdraw(const std::string& job_id, v1::WorkItem::WorkCase kind) {
    std::lock_guard<std::mutex> lock(mu_);
    outstanding_.erase({job_id, kind});
  }
  // UploadEncodings stops after storing batch `sequence` until Release().
  void HoldAfterBatch(uint64_t sequence) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_after_ = sequence;
  }
  void ReleaseHold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_after_ = UINT64_MAX;
    cv_.notify_all();
  }
  bool holding() {
    std::lock_guard<std::mutex> lock(mu_);
    return holding_;
  }
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  void Restart() {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }

  std::vector<v1::SignedDecision> decisions() {
    std::lock_guard<std::mutex> lock(mu_);
    return decisions_;
  }
  std::map<uint64_t, std::string> batches() {
    std::lock_guard<std::mutex> lock(mu_);
    return batches_;
  }
  bool upload_complete() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_ != 0 && NextSequenceLocked() == total_;
  }
  int batch_conflicts() {
    std::lock_guard<std::mutex> lock(mu_);
    return conflicts_;
  }
  int batches_received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  std::vector<v1::PayloadChunk> chunks() {
    std::lock_guard<std::mutex> lock(mu_);
    return chunks_;
  }
  std::vector<std::string> acks() {
    std::lock_guard<std::mutex> lock(mu_);
    return acks_;
  }
  std::vector<v1::AbandonJobRequest> abandonments() {
    std::lock_guard<std::mutex> lock(mu_);
    return abandonments_;
  }
  std::vector<std::string> callers() {
    std::lock_guard<std::mutex> lock(mu_);
    return callers_;
  }

  grpc::Status WatchWork(grpc::ServerContext* context, const v1::WatchWorkRequest*,
                         grpc::ServerWriter<v1::WorkItem>* writer) override {
    Note(context);
    v1::WorkItem welcome;
    welcome.mutable_welcome()->mutable_server_time()->set_seconds(1);
    if (!writer->Write(welcome)) return grpc::Status::CANCELLED;
    std::unique_lock<std::mutex> lock(mu_);
    std::vector<v1::WorkItem> items;
    for (const auto& [key, item] : outstanding_) items.push_back(WithResumePointLocked(item));
    fresh_.clear();
    while (true) {
      lock.unlock();
      for (const v1::WorkItem& item : items) {
        if (!writer->Write(item)) return grpc::Status::CANCELLED;
      }
      lock.lock();
      items.clear();
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      if (stopping_ || context->IsCancelled()) break;
      while (!fresh_.empty()) {
        items.push_back(WithResumePointLocked(fresh_.front()));
        fresh_.pop_front();
      }
    }
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "coordinator going away");
  }

  grpc::Status SubmitDecision(grpc::ServerContext* context, const v1::SubmitDecisionRequest* request,
                              v1::SubmitDecisionResponse* response) override {
    Note(context);
    if (absl::Status valid = proto::Validate(*request); !valid.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(valid.message()));
    }
    std::lock_guard<std::mutex> lock(mu_);
    decisions_.push_back(request->decision());
    response->set_state(v1::JOB_STATE_PENDING_APPROVAL);
    return grpc::Status::OK;
  }

  grpc::Status UploadEncodings(grpc::ServerContext* context,
                               grpc::ServerReader<v1::EncodingBatch>* reader,
                               v1::UploadSummary* summary) override {
    Note(context);
    v1::EncodingBatch batch;
    while (reader->Read(&batch)) {
      std::unique_lock<std::mutex> lock(mu_);
      const std::string bytes = batch.SerializeAsString();
      ++received_;
      auto [it, inserted] = batches_.emplace(batch.sequence(), bytes);
      if (!inserted && it->second != bytes) ++conflicts_;
      if (batch.final_batch()) total_ = batch.sequence() + 1;
      summary->set_job_id(batch.job_id());
      if (batch.sequence() >= hold_after_) {
        holding_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return hold_after_ == UINT64_MAX || context->IsCancelled(); });
        holding_ = false;
        if (context->IsCancelled()) return grpc::Status::CANCELLED;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    summary->set_next_sequence(NextSequenceLocked());
    summary->set_complete(total_ != 0 && NextSequenceLocked() == total_);
    return grpc::Status::OK;
  }

  grpc::Status FetchAssignments(grpc::ServerContext* context,
                                const v1::FetchAssignmentsRequest* request,
                                grpc::ServerWriter<v1::AssignmentBatch>* writer) override {
    Note(context);
    // Research ids for pseudonyms 0..9 (the first ten of the cohort).
    v1::AssignmentBatch batch;
    batch.set_job_id(request->job_id());
    batch.set_sequence(0);
    batch.set_final_batch(true);
    for (uint32_t p = 0; p < 10; ++p) {
      batch.add_pseudonyms(p);
      batch.mutable_research_ids()->append(std::string(16, static_cast<char>('A' + p)));
    }
    writer->Write(batch);
    return grpc::Status::OK;
  }

  grpc::Status UploadPayload(grpc::ServerContext* context, grpc::ServerReader<v1::PayloadChunk>* reader,
                             v1::PayloadSummary* summary) override {
    Note(context);
    v1::PayloadChunk chunk;
    bool complete = false;
    while (reader->Read(&chunk)) {
      std::lock_guard<std::mutex> lock(mu_);
      chunks_.push_back(chunk);
      summary->set_job_id(chunk.job_id());
      summary->set_kind(chunk.kind());
      summary->set_next_chunk_index(chunk.chunk_index() + 1);
      complete = complete || chunk.final_chunk();
    }
    summary->set_complete(complete);
    return grpc::Status::OK;
  }

  grpc::Status AckPurge(grpc::ServerContext* context, const v1::AckPurgeRequest* request,
                        v1::AckPurgeResponse*) override {
    Note(context);
    std::lock_guard<std::mutex> lock(mu_);
    acks_.push_back(request->job_id());
    return grpc::Status::OK;
  }

  grpc::Status AbandonJob(grpc::ServerContext* context, const v1::AbandonJobRequest* request,
                          v1::AbandonJobResponse* response) override {
    Note(context);
    std::lock_guard<std::mutex> lock(mu_);
    abandonments_.push_back(*request);
    response->set_state(v1::JOB_STATE_FAILED);
    return grpc::Status::OK;
  }

 private:
  // Records who called (every call must come from fedlink://agent/edu).
  void Note(grpc::ServerContext* context) {
    absl::StatusOr<proto::PeerIdentity> peer =
        proto::PeerIdentityFromAuthContext(*context->auth_context());
    std::lock_guard<std::mutex> lock(mu_);
    callers_.push_back(peer.ok() ? proto::IdentityUri(*peer) : "unauthenticated");
  }
  uint64_t NextSequenceLocked() const {
    uint64_t next = 0;
    while (batches_.count(next) != 0) ++next;
    return next;
  }
  v1::WorkItem WithResumePointLocked(v1::WorkItem item) const {
    if (item.has_encode()) item.mutable_encode()->set_next_sequence(NextSequenceLocked());
    return item;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<std::string, int>, v1::WorkItem> outstanding_;
  std::deque<v1::WorkItem> fresh_;
  bool stopping_ = false;
  std::vector<v1::SignedDecision> decisions_;
  std::map<uint64_t, std::string> batches_;
  uint64_t total_ = 0;
  int conflicts_ = 0;
  int received_ = 0;
  uint64_t hold_after_ = UINT64_MAX;
  bool holding_ = false;
  std::vector<v1::PayloadChunk> chunks_;
  std::vector<std::string> acks_;
  std::vector<v1::AbandonJobRequest> abandonments_;
  std::vector<std::string> callers_;
};

class AgentDaemonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-agentd-pki-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    pki_ = new fs::path(pattern);
    int exit_code = -1;
    const std::string output = RunShell(
        absl::StrCat("'", FEDLINK_SOURCE_DIR, "/deploy/pki.sh' --out '", pki_->string(),
                     "' --coordinator coord --agent edu"),
        &exit_code);
    ASSERT_EQ(exit_code, 0) << output;
  }
  static void TearDownTestSuite() {
    if (pki_ != nullptr) fs::remove_all(*pki_);
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    char pattern[] = "/tmp/fedlink-agentd-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    StartCoordinator(0);
    MakeAgentFiles();
    StartAgent();
    IngestRecords();
    spec_bytes_ = LinkSpec().SerializeAsString();
  }

  void TearDown() override {
    if (agent_ != nullptr) agent_->Shutdown();
    agent_.reset();
    StopCoordinator();
    fs::remove_all(dir_);
  }

  void StartCoordinator(int port) {
    absl::StatusOr<proto::TlsCredentials<grpc::ServerCredentials>> credentials =
        proto::MakeServerCredentials(proto::TlsFiles{(*pki_ / "ca.crt").string(),
                                                     (*pki_ / "coordinator/coord.crt").string(),
                                                     (*pki_ / "coordinator/coord.key").string()});
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    fake_.Restart();
    grpc::ServerBuilder builder;
    proto::ApplyMessageSizeLimits(builder);
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), credentials->credentials, &port_);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }

  void StopCoordinator() {
    fake_.Stop();
    fake_.ReleaseHold();
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      server_.reset();
    }
  }

  void MakeAgentFiles() {
    const fs::path secret = dir_ / "linkage_secret.hex";
    WriteFile(secret, std::string(64, 'a') + "\n", fs::perms::owner_read | fs::perms::owner_write);
    std::ostringstream init_out;
    ASSERT_TRUE(cli::RunInitCommand({(dir_ / "data").string(), "edu", secret.string()}, init_out)
                    .ok());
    const crypto::Ed25519PublicKey wages = TestKey(2).public_key();
    const std::string wages_hex = crypto::ToHex(absl::MakeConstSpan(wages.bytes()));
    WriteFile(dir_ / "policy.yaml",
              absl::StrCat("version: 1\nagency: edu\npartners:\n  - agency: wages\n"
                           "    ed25519_public_key: ",
                           wages_hex,
                           "\nanalysts: [alice]\nattributes:\n  allow: [program_code, grad_year]\n"
                           "  max_sensitivity: internal\nmethods: [tokens, tokens_and_bloom]\n"
                           "output_modes: [linked_microdata, aggregate]\nmax_cohort_size: 100000\n"
                           "max_job_days: 3650\n"),
              fs::perms::owner_read | fs::perms::owner_write);
    WriteFile(dir_ / "ingest-schema.yaml", kEduSchemaYaml,
              fs::perms::owner_read | fs::perms::owner_write);
    fs::create_directory(dir_ / "run");
    fs::permissions(dir_ / "run", fs::perms::owner_all);
    socket_ = (dir_ / "run" / "admin.sock").string();
    WriteFile(dir_ / "agent.yaml",
              absl::StrCat("version: 1\nagency: edu\ndata_dir: data\npolicy_file: policy.yaml\n"
                           "ingest_schema_file: ingest-schema.yaml\ncoordinator:\n"
                           "  address: \"127.0.0.1:",
                           port_, "\"\n  ca_file: ", (*pki_ / "ca.crt").string(),
                           "\n  cert_file: ", (*pki_ / "agent/edu.crt").string(),
                           "\n  key_file: ", (*pki_ / "agent/edu.key").string(),
                           "\nadmin:\n  socket: run/admin.sock\nlog:\n  format: json\n"
                           "reconnect:\n  initial_ms: 50\n  max_ms: 400\n  jitter: 0.2\n"
                           "encoding:\n  threads: 2\n  max_records_per_batch: 64\n"),
              fs::perms::owner_read | fs::perms::owner_write);
  }

  void StartAgent() {
    absl::StatusOr<AgentConfig> config = LoadAgentConfigFile((dir_ / "agent.yaml").string());
    ASSERT_TRUE(config.ok()) << config.status();
    auto log = EventLog::ToSink(LogFormat::kJson, "debug",
                                std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    absl::StatusOr<std::unique_ptr<AgentDaemon>> agent = AgentDaemon::Create(*config, log);
    ASSERT_TRUE(agent.ok()) << agent.status();
    agent_ = std::move(*agent);
    ASSERT_TRUE(agent_->Start().ok());
    client_ = admin::AdminClient::ForSocket(socket_);
  }

  void RestartAgent() {
    agent_->Shutdown();
    agent_.reset();
    StartAgent();
  }

  // Streams EduCsv through AgentAdmin.Ingest.
  void IngestRecords() {
    grpc::ClientContext context;
    auto stream = client_->stub().Ingest(&context);
    v1::IngestRequest request;
    request.mutable_start()->set_source_name("edu.csv");
    request.mutable_start()->set_schema_yaml(kEduSchemaYaml);
    request.mutable_start()->set_schema_source_name("ingest-schema.yaml");
    ASSERT_TRUE(stream->Write(request));
    request.Clear();
    request.set_data(EduCsv(kRecords));
    ASSERT_TRUE(stream->Write(request));
    request.Clear();
    request.mutable_finish();
    ASSERT_TRUE(stream->Write(request));
    stream->WritesDone();
    v1::IngestEvent event;
    v1::IngestSummary summary;
    while (stream->Read(&event)) {
      if (event.has_summary()) summary = event.summary();
    }
    const grpc::Status status = stream->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(summary.rows_inserted(), static_cast<uint64_t>(kRecords));
  }

  std::optional<v1::AgentJob> Show(const std::string& job_id) {
    absl::StatusOr<v1::AgentJob> job = client_->ShowJob(job_id);
    if (!job.ok()) return std::nullopt;
    return *job;
  }

  // DecideJob from the coordinator, approval by the steward with the jobs
  // command; returns the decision the coordinator received.
  v1::SignedDecision ReceiveAndApprove(const std::string& job_id) {
    fake_.Post(DecideItem(job_id, spec_bytes_));
    EXPECT_TRUE(WaitFor([&] { return Show(job_id).has_value(); }));
    cli::JobsCommandOptions options;
    options.action = "approve";
    options.job_id = job_id;
    options.steward = "bob";
    options.socket = socket_;
    std::ostringstream out;
    const absl::Status approved = cli::RunJobsCommand(options, out);
    EXPECT_TRUE(approved.ok()) << approved;
    EXPECT_THAT(out.str(), HasSubstr("delivered to the coordinator"));
    fake_.Withdraw(job_id, v1::WorkItem::kDecide);
    std::vector<v1::SignedDecision> decisions = fake_.decisions();
    EXPECT_FALSE(decisions.empty());
    return decisions.empty() ? v1::SignedDecision() : decisions.back();
  }

  static fs::path* pki_;
  fs::path dir_;
  std::string socket_;
  FakeCoordinator fake_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::ostringstream log_;
  std::unique_ptr<AgentDaemon> agent_;
  std::unique_ptr<admin::AdminClient> client_;
  std::string spec_bytes_;
};

fs::path* AgentDaemonTest::pki_ = nullptr;

TEST_F(AgentDaemonTest, DecideApproveEncodeReleasePurge) {
  // Pending for the steward, with the policy verdict.
  fake_.Post(DecideItem("job-1", spec_bytes_));
  ASSERT_TRUE(WaitFor([&] { return Show("job-1").has_value(); }));
  absl::StatusOr<std::vector<v1::AgentJob>> pending =
      client_->ListJobs({v1::AGENT_JOB_STATE_PENDING_DECISION});
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].spec().title(), LinkSpec().title());
  EXPECT_TRUE((*pending)[0].policy_violations().empty());

  const v1::SignedDecision own = ReceiveAndApprove("job-1");
  // Genuine: it verifies against the key `init` wrote.
  absl::StatusOr<crypto::Ed25519PrivateKey> key =
      LoadSigningKey((dir_ / "data" / "signing_key.pem").string());
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(proto::VerifyApproval(own,
                                    {"job-1", proto::JobSpecSha256(spec_bytes_), "edu"},
                                    key->public_key())
                  .ok());
  EXPECT_EQ(own.steward(), "edu/bob");

  fake_.Post(EncodeItem("job-1", spec_bytes_, {own, WagesApproval("job-1", spec_bytes_)}));
  ASSERT_TRUE(WaitFor([&] { return fake_.upload_complete(); })) << log_.str();
  EXPECT_EQ(fake_.batches().size(), 5u);
  ASSERT_TRUE(WaitFor([&] {
    auto job = Show("job-1");
    return job.has_value() && job->state() == v1::AGENT_JOB_STATE_UPLOADED;
  }));
  fake_.Withdraw("job-1", v1::WorkItem::kEncode);

  v1::WorkItem release;
  release.set_job_id("job-1");
  release.mutable_release()->set_kind(v1::PAYLOAD_KIND_ROWS);
  release.mutable_release()->set_assignments(10);
  fake_.Post(release);
  ASSERT_TRUE(WaitFor([&] {
    auto job = Show("job-1");
    return job.has_value() && job->state() == v1::AGENT_JOB_STATE_RELEASED;
  })) << log_.str();
  EXPECT_EQ(Show("job-1")->rows_released(), 10u);
  ASSERT_FALSE(fake_.chunks().empty());
  EXPECT_TRUE(fake_.chunks().back().final_chunk());
  fake_.Withdraw("job-1", v1::WorkItem::kRelease);

  v1::WorkItem purge;
  purge.set_job_id("job-1");
  purge.mutable_purge()->set_final_state(v1::JOB_STATE_COMPLETE);
  fake_.Post(purge);
  ASSERT_TRUE(WaitFor([&] { return !fake_.acks().empty(); }));
  EXPECT_EQ(Show("job-1")->state(), v1::AGENT_JOB_STATE_PURGED);

  // Every call came from the agent's certificate; no identifier was sent or
  // logged.
  for (const std::string& caller : fake_.callers()) EXPECT_EQ(caller, "fedlink://agent/edu");
  std::string sent;
  for (const auto& [sequence, bytes] : fake_.batches()) sent += bytes;
  for (const v1::PayloadChunk& chunk : fake_.chunks()) sent += chunk.SerializeAsString();
  for (int i = 0; i < kRecords; i += 13) {
    EXPECT_THAT(sent, Not(HasSubstr(LocalId(i))));
    EXPECT_THAT(sent, Not(HasSubstr(LastName(i))));
    EXPECT_THAT(log_.str(), Not(HasSubstr(LocalId(i))));
    EXPECT_THAT(log_.str(), Not(HasSubstr(FirstName(i))));
  }
}

TEST_F(AgentDaemonTest, ForgedOrReplayedApprovalsEncodeNothing) {
  const v1::SignedDecision own = ReceiveAndApprove("job-1");
  // wages's approval signed by a key that is not the one pinned for wages.
  fake_.Post(EncodeItem("job-1", spec_bytes_, {own, WagesApproval("job-1", spec_bytes_, 5)}));
  // Failed for good: the agent abandons the job at the coordinator.
  ASSERT_TRUE(WaitFor([&] { return fake_.abandonments().size() == 1; }));
  EXPECT_THAT(Show("job-1")->failure_reason(), HasSubstr("nothing encoded"));
  const v1::AbandonJobRequest abandoned = fake_.abandonments()[0];
  EXPECT_EQ(abandoned.job_id(), "job-1");
  EXPECT_EQ(abandoned.reason(), v1::ABANDON_REASON_APPROVALS_UNVERIFIED);
  EXPECT_THAT(abandoned.detail(), HasSubstr("do not verify against the pinned keys"));
  // Genuine approvals, but of another job: a replay.
  const v1::SignedDecision other = ReceiveAndApprove("job-2");
  fake_.Post(EncodeItem("job-1", spec_bytes_, {other, WagesApproval("job-2", spec_bytes_)}));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  agent_->WaitIdle();
  EXPECT_TRUE(fake_.batches().empty());
  EXPECT_EQ(Show("job-1")->state(), v1::AGENT_JOB_STATE_FAILED);
  EXPECT_EQ(Show("job-1")->records_uploaded(), 0u);
  EXPECT_EQ(fake_.abandonments().size(), 1u);  // once
  // job-2 was given no work: approved, never abandoned.
  EXPECT_EQ(Show("job-2")->state(), v1::AGENT_JOB_STATE_APPROVED);
}

TEST_F(AgentDaemonTest, RestartMidUploadResumesWhereTheCoordinatorStopped) {
  const v1::SignedDecision own = ReceiveAndApprove("job-1");
  fake_.HoldAfterBatch(1);  // store batches 0 and 1, then stall
  fake_.Post(EncodeItem("job-1", spec_bytes_, {own, WagesApproval("job-1", spec_bytes_)}));
  ASSERT_TRUE(WaitFor([&] { return fake_.holding(); })) << log_.str();
  RestartAgent();  // cancels the stalled upload
  fake_.ReleaseHold();
  ASSERT_TRUE(WaitFor([&] { return fake_.upload_complete(); })) << log_.str();
  EXPECT_EQ(fake_.batches().size(), 5u);
  EXPECT_EQ(fake_.batch_conflicts(), 0);  // a re-sent batch is identical
  // Batches 0 and 1 before the restart, 2..4 after: none sent twice.
  EXPECT_EQ(fake_.batches_received(), 5);
  ASSERT_TRUE(WaitFor([&] {
    auto job = Show("job-1");
    return job.has_value() && job->state() == v1::AGENT_JOB_STATE_UPLOADED;
  }));
  EXPECT_EQ(Show("job-1")->cohort_size(), static_cast<uint64_t>(kRecords));
}

TEST_F(AgentDaemonTest, ReconnectsWithBackoffWhenTheCoordinatorComesBack) {
  ASSERT_TRUE(WaitFor([&] { return agent_->connections() == 1 && agent_->connected(); }));
  StopCoordinator();
  ASSERT_TRUE(WaitFor([&] { return !agent_->connected(); }));
  // While it is away the agent keeps trying, spaced by the backoff.
  ASSERT_TRUE(WaitFor([&] { return agent_->disconnects() >= 3; }));
  absl::StatusOr<v1::AgentStatus> status = client_->Status();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_FALSE(status->coordinator_connected());
  EXPECT_EQ(status->agency(), "edu");
  EXPECT_EQ(status->records(), static_cast<uint64_t>(kRecords));
  EXPECT_THAT(log_.str(), HasSubstr("\"retry_in_ms\""));

  StartCoordinator(port_);
  ASSERT_TRUE(WaitFor([&] { return agent_->connections() == 2 && agent_->connected(); }))
      << log_.str();
  // A job posted now still arrives.
  fake_.Post(DecideItem("job-3", spec_bytes_));
  ASSERT_TRUE(WaitFor([&] { return Show("job-3").has_value(); }));
}

TEST_F(AgentDaemonTest, AdminSocketIsPrivateAndCheckedDirectoryIsRequired) {
  struct stat st {};
  ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A second daemon on the same data directory is refused (store lock).
  absl::StatusOr<AgentConfig> config = LoadAgentConfigFile((dir_ / "agent.yaml").string());
  ASSERT_TRUE(config.ok());
  auto log = EventLog::ToSink(LogFormat::kText, "info",
                              std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
  EXPECT_FALSE(AgentDaemon::Create(*config, log).ok());
  // A world-accessible socket directory is refused.
  agent_->Shutdown();
  agent_.reset();
  fs::permissions(dir_ / "run", fs::perms::owner_all | fs::perms::others_exec);
  absl::StatusOr<std::unique_ptr<AgentDaemon>> agent = AgentDaemon::Create(*config, log);
  ASSERT_TRUE(agent.ok()) << agent.status();
  absl::Status started = (*agent)->Start();
  EXPECT_TRUE(absl::IsFailedPrecondition(started)) << started;
  EXPECT_THAT(started.message(), HasSubstr("0701"));
}

// This agent has no coordinator tree-head key, so it keeps no audit log:
// the export says what to configure, and a failed export leaves no file.
TEST_F(AgentDaemonTest, AuditExportNeedsTheAuditLogAndLeavesNoPartialFile) {
  std::ostringstream archive;
  absl::StatusOr<uint64_t> bytes = client_->ExportAuditLog(&archive);
  EXPECT_TRUE(absl::IsFailedPrecondition(bytes.status())) << bytes.status();
  EXPECT_THAT(bytes.status().message(), HasSubstr("coordinator.tree_head_key"));

  cli::AuditExportOptions options;
  options.out = (dir_ / "audit.fla").string();
  options.socket = socket_;
  std::ostringstream out;
  EXPECT_TRUE(absl::IsFailedPrecondition(cli::RunAuditExportCommand(options, out)));
  options.socket = (dir_ / "run" / "no-such.sock").string();
  EXPECT_TRUE(absl::IsUnavailable(cli::RunAuditExportCommand(options, out)));
  options.socket.clear();
  options.out.clear();
  EXPECT_TRUE(absl::IsInvalidArgument(cli::RunAuditExportCommand(options, out)));
  EXPECT_FALSE(fs::exists(dir_ / "audit.fla"));
  EXPECT_FALSE(fs::exists(dir_ / "audit.fla.partial"));
  EXPECT_TRUE(out.str().empty());
}

#ifdef FEDLINK_AGENT_BINARY
// `fedlink-agent serve` as operators run it: up, answering on its socket,
// then SIGTERM → exit 0 with the socket removed and the store released.
TEST_F(AgentDaemonTest, ServeBinaryStopsGracefullyOnSigterm) {
  agent_->Shutdown();
  agent_.reset();
  const std::string config = (dir_ / "agent.yaml").string();
  const std::string log_path = (dir_ / "serve.log").string();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) ::dup2(fd, 2);
    ::execl(FEDLINK_AGENT_BINARY, FEDLINK_AGENT_BINARY, "serve", "--config", config.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<v1::AgentStatus> status = client_->Status();
    return status.ok() && status->coordinator_connected();
  }));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(fs::exists(socket_));
  std::ifstream in(log_path);
  std::stringstream log_text;
  log_text << in.rdbuf();
  const std::string log = log_text.str();
  EXPECT_THAT(log, HasSubstr("\"event\":\"agent.stopped\""));
  // The store is free again: a new daemon opens it.
  StartAgent();
}
#endif

}  // namespace
}  // namespace fedlink::agent::daemon
