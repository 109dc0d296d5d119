// The fedlink-coordinator binary itself: check-config accepts a good file
// and names the line of a bad one; serve listens with mTLS, answers an
// operator, keeps a submitted job across a SIGTERM restart, and a kill -9
// loses nothing that was acknowledged.
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/ed25519.h"
#include "linkage/schema/linkage_schema.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "proto/runtime/tls_credentials.h"
#include "tests/integration/coordinator_daemon_runner.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using testing::CommandOutput;
using testing::CoordinatorProcess;
using testing::RunCommand;

class CoordinatorDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-coord-daemon-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    CommandOutput pki = RunCommand(absl::StrCat(
        "'", FEDLINK_SOURCE_DIR, "/deploy/pki.sh' --out '", dir_.string(),
        "/pki' --coordinator coord --operator ops", " --analyst alice"));
    ASSERT_EQ(pki.exit_code, 0) << pki.text;
    for (const char* agency : {"edu", "health"}) {
      auto key = crypto::Ed25519PrivateKey::Generate();
      ASSERT_TRUE(key.ok());
      std::ofstream(dir_ / (std::string(agency) + ".pub")) << key->public_key().ToPem().value();
    }
    port_ = testing::FreeLoopbackPort();
    config_ = dir_ / "coordinator.yaml";
    std::ofstream(config_) << absl::StrCat(
        "version: 1\nlisten: 127.0.0.1:", port_, "\ndata_dir: data\n",
        "tls:\n  ca: pki/ca.crt\n  cert: pki/coordinator/coord.crt\n  key: pki/coordinator/coord.key\n",
        "agencies:\n  - id: edu\n    decision_key: edu.pub\n  - id: health\n    decision_key: health.pub\n",
        "analysts:\n  - name: alice\n    training_expires: 2099-12-31\n");
    daemon_.emplace(config_, dir_ / "daemon.log");
  }

  void TearDown() override {
    daemon_.reset();  // kills a daemon still running
    fs::remove_all(dir_);
  }

  void StartDaemon() {
    std::string why;
    ASSERT_TRUE(daemon_->Start(Files("operator/ops"), port_, &why))
        << "the coordinator did not come up: " << why;
  }

  int StopDaemon(int signal) { return daemon_->Stop(signal); }
  std::string ReadLog() const { return daemon_->Log(); }

  proto::TlsFiles Files(const std::string& identity) const {
    return testing::PkiFiles(dir_ / "pki", identity);
  }
  std::unique_ptr<v1::Coordinator::Stub> Stub(const std::string& identity) const {
    return testing::CoordinatorStub(Files(identity), port_);
  }

  absl::StatusOr<v1::Job> GetJob(const std::string& job_id) {
    grpc::ClientContext context;
    context.set_deadline(testing::DeadlineIn(std::chrono::seconds(10)));
    v1::GetJobRequest request;
    request.set_job_id(job_id);
    v1::Job job;
    grpc::Status s = Stub("analyst/alice")->GetJob(&context, request, &job);
    if (!s.ok()) return absl::UnknownError(s.error_message());
    return job;
  }

  fs::path dir_, config_;
  int port_ = 0;
  std::optional<CoordinatorProcess> daemon_;
};

TEST_F(CoordinatorDaemonTest, CheckConfigAcceptsGoodAndNamesTheLineOfBad) {
  CommandOutput good = RunCommand(absl::StrCat(FEDLINK_COORDINATOR_BINARY, " check-config --config '",
                                        config_.string(), "'"));
  EXPECT_EQ(good.exit_code, 0) << good.text;
  EXPECT_THAT(good.text, HasSubstr("OK (2 agencies, 1 analysts"));
  std::ofstream(config_, std::ios::app) << "log_format: xml\n";
  CommandOutput bad = RunCommand(absl::StrCat(FEDLINK_COORDINATOR_BINARY, " check-config --config '",
                                       config_.string(), "'"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.text, HasSubstr(absl::StrCat(config_.string(), ":16:13: log_format: must be one of: text, json")));
}

TEST_F(CoordinatorDaemonTest, ServesOverMtlsAndKeepsJobsAcrossRestarts) {
  StartDaemon();
  v1::SubmitJobRequest submit;
  v1::JobSpec* spec = submit.mutable_spec();
  spec->set_title("Restart check");
  spec->set_purpose("Test");
  spec->set_irb_reference("IRB-9");
  spec->set_data_sharing_agreement("DSA-9");
  spec->mutable_expires_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
  for (const char* agency : {"edu", "health"}) spec->add_parties()->set_agency(agency);
  spec->mutable_parties(0)->add_columns("outcome");
  spec->set_method(v1::LINKAGE_METHOD_TOKENS);
  *spec->mutable_linkage_schema() = proto::MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
  spec->set_output_mode(v1::OUTPUT_MODE_LINKED_MICRODATA);
  spec->mutable_analyst_key()->set_x25519_public_key(std::string(32, '\x05'));
  spec->mutable_analyst_key()->set_aead(v1::HPKE_AEAD_CHACHA20_POLY1305);
  v1::Job job;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = Stub("analyst/alice")->SubmitJob(&context, submit, &job);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // The operator may not read it; the analyst may.
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetJobRequest request;
    request.set_job_id(job.job_id());
    v1::Job ignored;
    EXPECT_EQ(Stub("operator/ops")->GetJob(&context, request, &ignored).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(StopDaemon(SIGTERM), 0) << ReadLog();
  StartDaemon();
  absl::StatusOr<v1::Job> after = GetJob(job.job_id());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->state(), v1::JOB_STATE_PENDING_APPROVAL);
  EXPECT_EQ(after->job_spec_sha256(), job.job_spec_sha256());
  EXPECT_EQ(StopDaemon(SIGKILL), -SIGKILL);
  StartDaemon();
  after = GetJob(job.job_id());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->state(), v1::JOB_STATE_PENDING_APPROVAL);
  // Keys were created private, and the log names the job.
  EXPECT_EQ(fs::status(dir_ / "data/store-key").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(dir_ / "data/audit-signing-key.pem").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_THAT(ReadLog(), HasSubstr(job.job_id()));
}

}  // namespace
}  // namespace fedlink::coordinator
