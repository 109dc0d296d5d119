// Observability of a real deployment: both daemons (the built
// fedlink-coordinator and fedlink-agent binaries) started with the example
// configs of deploy/examples — copied to a temporary directory, with only
// their addresses, data paths and the example analyst's training date
// changed — are scraped over HTTP (/metrics, /healthz, /readyz) and the
// coordinator's standard grpc.health.v1.Health service is called over
// mutual TLS. A submitted job must show in both daemons' metrics (by state,
// never by id) and in their JSON log lines (by id, never a value).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/ed25519.h"
#include "linkage/schema/linkage_schema.h"
#include "nlohmann/json.hpp"
#include "proto/runtime/limits.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "proto/runtime/tls_credentials.h"
#include "tests/integration/coordinator_daemon_runner.h"
#include "tests/support/http_get.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;
using ::fedlink::test_http::HttpGet;
using ::fedlink::test_http::HttpResponse;
using ::testing::HasSubstr;
using ::testing::Not;

using testing::CommandOutput;
using testing::FreeLoopbackPort;
using testing::ReadTextFile;
using testing::RunCommand;

// `text` with `from` replaced by `to`; `from` must occur exactly once (so a
// changed example fails here, by name, instead of starting a wrong daemon).
std::string ReplaceOnce(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the example no longer has: " << from;
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "the example has twice: " << from;
  return text.replace(at, from.size(), to);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The value of one series ("name{labels}" exactly as served) in a scrape.
std::optional<double> Sample(const std::string& scrape, const std::string& series) {
  for (const std::string& line : Lines(scrape)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

// Polls `done` every 50 ms for up to 30 s.
bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 600; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// grpc.health.v1.Health/Check through the generic stub: the request and
// response are two-field messages, encoded here by hand (Debian ships no
// health.proto). Returns the gRPC status and the ServingStatus number
// (1 SERVING, 2 NOT_SERVING).
std::pair<grpc::Status, int> HealthCheck(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& service) {
  std::string request;
  if (!service.empty()) {
    request.push_back('\x0a');  // field 1, length-delimited
    request.push_back(static_cast<char>(service.size()));
    request += service;
  }
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::GenericStub stub(channel);
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request_buffer,
                 &response_buffer, [&done](grpc::Status status) { done.set_value(status); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) return {status, 0};
  std::vector<grpc::Slice> slices;
  (void)response_buffer.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  uint32_t serving = 0;
  // An absent field is the default, UNKNOWN (0).
  if (in.ReadTag() == 8) in.ReadVarint32(&serving);
  return {status, static_cast<int>(serving)};
}

class DaemonMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-metrics-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    CommandOutput pki = RunCommand(absl::StrCat("'", FEDLINK_SOURCE_DIR, "/deploy/pki.sh' --out '",
                                         dir_.string(), "/pki' --coordinator coord --agent edu",
                                         " --operator ops --analyst alice"));
    ASSERT_EQ(pki.exit_code, 0) << pki.text;

    // The agency: a data directory made by `fedlink-agent init`.
    const fs::path secret = dir_ / "linkage-secret.hex";
    std::ofstream(secret) << std::string(64, 'a') << "\n";
    fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write);
    CommandOutput init = RunCommand(absl::StrCat(FEDLINK_AGENT_BINARY, " init --data-dir '",
                                          (dir_ / "agent-data").string(),
                                          "' --agency edu --linkage-secret '", secret.string(), "'"));
    ASSERT_EQ(init.exit_code, 0) << init.text;

    // The coordinator's registry names the agencies' decision keys.
    fs::create_directories(dir_ / "keys");
    fs::copy_file(dir_ / "agent-data/signing_key.pub.pem", dir_ / "keys/edu.pub");
    for (const char* agency : {"highered", "employment"}) {
      auto key = crypto::Ed25519PrivateKey::Generate();
      ASSERT_TRUE(key.ok());
      std::ofstream(dir_ / "keys" / (std::string(agency) + ".pub"))
          << key->public_key().ToPem().value();
    }

    const fs::path examples = fs::path(FEDLINK_SOURCE_DIR) / "deploy/examples";
    for (const char* file : {"agent-policy.yaml", "ingest-schema.yaml"}) {
      fs::copy_file(examples / file, dir_ / file);
    }
    grpc_port_ = FreeLoopbackPort();
    coordinator_metrics_port_ = FreeLoopbackPort();
    agent_metrics_port_ = FreeLoopbackPort();
    std::string coordinator = ReadTextFile(examples / "coordinator.yaml");
    coordinator = ReplaceOnce(coordinator, "listen: 0.0.0.0:7443",
                              absl::StrCat("listen: 127.0.0.1:", grpc_port_));
    coordinator = ReplaceOnce(coordinator, "data_dir: /var/lib/fedlink/coordinator",
                              "data_dir: coordinator-data");
    coordinator = ReplaceOnce(coordinator, "listen: 127.0.0.1:9464",
                              absl::StrCat("listen: 127.0.0.1:", coordinator_metrics_port_));
    coordinator = ReplaceOnce(coordinator, "training_expires: 2027-06-30",
                              "training_expires: 2099-12-31");
    std::ofstream(dir_ / "coordinator.yaml") << coordinator;

    // The admin socket's directory must be private to the agent's user.
    fs::create_directories(dir_ / "run");
    fs::permissions(dir_ / "run", fs::perms::owner_all);
    std::string agent = ReadTextFile(examples / "agent.yaml");
    agent = ReplaceOnce(agent, "data_dir: /var/lib/fedlink/agent", "data_dir: agent-data");
    agent = ReplaceOnce(agent, "address: coord.example.org:7443",
                        absl::StrCat("address: localhost:", grpc_port_));
    agent = ReplaceOnce(agent, "socket: /run/fedlink/agent.sock",
                        absl::StrCat("socket: ", (dir_ / "run/agent.sock").string()));
    agent = ReplaceOnce(agent, "listen: 127.0.0.1:9465",
                        absl::StrCat("listen: 127.0.0.1:", agent_metrics_port_));
    std::ofstream(dir_ / "agent.yaml") << agent;
  }

  void TearDown() override {
    for (pid_t* pid : {&agent_pid_, &coordinator_pid_}) {
      if (*pid > 0) {
        ::kill(*pid, SIGKILL);
        ::waitpid(*pid, nullptr, 0);
      }
    }
    fs::remove_all(dir_);
  }

  pid_t Spawn(const char* binary, const fs::path& config, const fs::path& log) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(binary, binary, "serve", "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& identity) {
    proto::TlsFiles files{(dir_ / "pki/ca.crt").string(),
                          (dir_ / "pki" / (identity + ".crt")).string(),
                          (dir_ / "pki" / (identity + ".key")).string()};
    auto credentials = proto::MakeChannelCredentials(files);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    grpc::ChannelArguments arguments;
    proto::ApplyMessageSizeLimits(arguments);
    return grpc::CreateCustomChannel(absl::StrCat("localhost:", grpc_port_),
                                     credentials->credentials, arguments);
  }

  std::string Scrape(int port) {
    std::optional<HttpResponse> response = HttpGet(port, "/metrics");
    EXPECT_TRUE(response.has_value());
    if (!response.has_value()) return "";
    EXPECT_EQ(response->status, 200);
    return response->body;
  }

  int Status(int port, const std::string& path) {
    std::optional<HttpResponse> response = HttpGet(port, path);
    return response.has_value() ? response->status : 0;
  }

  std::string Logs() {
    return absl::StrCat("--- coordinator.log\n", ReadTextFile(dir_ / "coordinator.log"),
                        "--- agent.log\n", ReadTextFile(dir_ / "agent.log"));
  }

  v1::Job SubmitJob() {
    v1::SubmitJobRequest submit;
    v1::JobSpec* spec = submit.mutable_spec();
    spec->set_title("Metrics check");
    spec->set_purpose("Test");
    spec->set_irb_reference("IRB-7");
    spec->set_data_sharing_agreement("DSA-7");
    spec->mutable_expires_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
    for (const char* agency : {"edu", "highered"}) spec->add_parties()->set_agency(agency);
    spec->mutable_parties(0)->add_columns("grade_level");
    spec->set_method(v1::LINKAGE_METHOD_TOKENS);
    *spec->mutable_linkage_schema() = proto::MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
    spec->set_output_mode(v1::OUTPUT_MODE_LINKED_MICRODATA);
    spec->mutable_analyst_key()->set_x25519_public_key(std::string(32, '\x05'));
    spec->mutable_analyst_key()->set_aead(v1::HPKE_AEAD_CHACHA20_POLY1305);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::Job job;
    grpc::Status s = v1::Coordinator::NewStub(Channel("analyst/alice"))->SubmitJob(&context, submit, &job);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return job;
  }

  fs::path dir_;
  int grpc_port_ = 0;
  int coordinator_metrics_port_ = 0;
  int agent_metrics_port_ = 0;
  pid_t coordinator_pid_ = -1;
  pid_t agent_pid_ = -1;
};

TEST_F(DaemonMetricsTest, ExampleConfigsServeMetricsHealthAndJsonLogs) {
  for (const auto& [binary, config] :
       {std::pair{FEDLINK_COORDINATOR_BINARY, "coordinator.yaml"},
        std::pair{FEDLINK_AGENT_BINARY, "agent.yaml"}}) {
    CommandOutput check = RunCommand(
        absl::StrCat(binary, " check-config --config '", (dir_ / config).string(), "'"));
    EXPECT_EQ(check.exit_code, 0) << check.text;
  }

  coordinator_pid_ = Spawn(FEDLINK_COORDINATOR_BINARY, dir_ / "coordinator.yaml",
                           dir_ / "coordinator.log");
  ASSERT_TRUE(WaitFor([&] { return Status(coordinator_metrics_port_, "/readyz") == 200; }))
      << Logs();
  agent_pid_ = Spawn(FEDLINK_AGENT_BINARY, dir_ / "agent.yaml", dir_ / "agent.log");
  // Ready = connected to the coordinator (a WatchWork stream it welcomed).
  ASSERT_TRUE(WaitFor([&] { return Status(agent_metrics_port_, "/readyz") == 200; })) << Logs();
  EXPECT_EQ(Status(agent_metrics_port_, "/healthz"), 200);
  EXPECT_EQ(Status(coordinator_metrics_port_, "/healthz"), 200);
  EXPECT_EQ(Status(agent_metrics_port_, "/nothing-here"), 404);

  // The standard health service, on the mTLS port (any deployment identity).
  const std::shared_ptr<grpc::Channel> operator_channel = Channel("operator/ops");
  for (const char* service : {"", "fedlink.v1.Coordinator"}) {
    auto [status, serving] = HealthCheck(operator_channel, service);
    EXPECT_TRUE(status.ok()) << service << ": " << status.error_message();
    EXPECT_EQ(serving, 1) << service;  // SERVING
  }
  EXPECT_EQ(HealthCheck(operator_channel, "fedlink.v1.Nothing").first.error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A job reaches the agent as a DecideJob and waits for its steward.
  const v1::Job job = SubmitJob();
  ASSERT_FALSE(job.job_id().empty());
  ASSERT_TRUE(WaitFor([&] {
    return Sample(Scrape(agent_metrics_port_), "fedlink_agent_jobs{state=\"pending_decision\"}") ==
           1.0;
  })) << Logs();

  const std::string coordinator = Scrape(coordinator_metrics_port_);
  EXPECT_EQ(Sample(coordinator, "fedlink_coordinator_agent_streams{agent=\"edu\"}"), 1.0);
  EXPECT_EQ(Sample(coordinator, "fedlink_coordinator_jobs{state=\"pending_approval\"}"), 1.0);
  EXPECT_EQ(Sample(coordinator, "fedlink_coordinator_jobs{state=\"complete\"}"), 0.0);
  EXPECT_EQ(Sample(coordinator, "fedlink_coordinator_job_transitions_total{state=\"pending_approval\"}"),
            1.0);
  EXPECT_EQ(Sample(coordinator, "fedlink_coordinator_rpcs_total{code=\"OK\",rpc=\"fedlink.v1.Coordinator/SubmitJob\"}"),
            1.0);
  EXPECT_EQ(Sample(coordinator, "fedlink_coordinator_rpcs_total{code=\"OK\",rpc=\"grpc.health.v1.Health/Check\"}"),
            2.0);
  EXPECT_EQ(Sample(coordinator, "fedlink_coordinator_rpcs_total{code=\"NOT_FOUND\",rpc=\"grpc.health.v1.Health/Check\"}"),
            1.0);
  EXPECT_GT(Sample(coordinator, "fedlink_coordinator_audit_entries").value_or(0), 0);
  EXPECT_GT(Sample(coordinator, "fedlink_coordinator_store_bytes{kind=\"memtables\"}").value_or(0), 0);
  EXPECT_GT(Sample(coordinator, "fedlink_coordinator_start_time_seconds").value_or(0), 1.7e9);
  // Families with a fixed label set are served from the start, at 0 (those
  // labelled by agent or phase appear with their first sample).
  for (const char* family :
       {"fedlink_coordinator_rpcs_total", "fedlink_coordinator_jobs",
        "fedlink_coordinator_job_transitions_total", "fedlink_coordinator_decisions_total",
        "fedlink_coordinator_received_records_total", "fedlink_coordinator_received_bytes_total",
        "fedlink_coordinator_sent_messages_total", "fedlink_coordinator_store_bytes"}) {
    EXPECT_THAT(coordinator, HasSubstr(absl::StrCat("# TYPE ", family, " "))) << family;
  }

  const std::string agent = Scrape(agent_metrics_port_);
  EXPECT_EQ(Sample(agent, "fedlink_agent_connected"), 1.0);
  EXPECT_EQ(Sample(agent, "fedlink_agent_coordinator_connections_total"), 1.0);
  EXPECT_EQ(Sample(agent, "fedlink_agent_work_items_total{code=\"OK\",item=\"decide\"}"), 1.0);
  EXPECT_EQ(Sample(agent, "fedlink_agent_step_seconds_count{item=\"decide\"}"), 1.0);
  EXPECT_EQ(Sample(agent, "fedlink_agent_jobs{state=\"approved\"}"), 0.0);
  EXPECT_GT(Sample(agent, "fedlink_agent_store_bytes{kind=\"memtables\"}").value_or(0), 0);
  EXPECT_THAT(agent, HasSubstr("# TYPE fedlink_agent_sent_bytes_total counter"));

  // Metrics name states, never jobs.
  EXPECT_THAT(coordinator, Not(HasSubstr(job.job_id())));
  EXPECT_THAT(agent, Not(HasSubstr(job.job_id())));

  // JSON log lines (log_format: json / log.format: json in the examples):
  // every line parses, and the job's lines carry its id as a member.
  bool coordinator_named_job = false;
  for (const std::string& line : Lines(ReadTextFile(dir_ / "coordinator.log"))) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << line;
    coordinator_named_job = coordinator_named_job || parsed.value("job", "") == job.job_id();
  }
  EXPECT_TRUE(coordinator_named_job) << Logs();
  bool agent_named_job = false;
  for (const std::string& line : Lines(ReadTextFile(dir_ / "agent.log"))) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << line;
    agent_named_job = agent_named_job || (parsed.value("event", "") == "job.received" &&
                                          parsed.value("job", "") == job.job_id());
  }
  EXPECT_TRUE(agent_named_job) << Logs();

  // The coordinator stops: the agent is no longer ready, and says why.
  ::kill(coordinator_pid_, SIGTERM);
  int status = 0;
  ::waitpid(coordinator_pid_, &status, 0);
  coordinator_pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << Logs();
  ASSERT_TRUE(WaitFor([&] { return Status(agent_metrics_port_, "/readyz") == 503; })) << Logs();
  std::optional<HttpResponse> ready = HttpGet(agent_metrics_port_, "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->body, absl::StrCat("not ready: not connected to localhost:", grpc_port_, "\n"));
  EXPECT_EQ(Sample(Scrape(agent_metrics_port_), "fedlink_agent_connected"), 0.0);
  EXPECT_GE(Sample(Scrape(agent_metrics_port_), "fedlink_agent_coordinator_disconnects_total").value_or(0), 1);
}

}  // namespace
}  // namespace fedlink::coordinator
