// Certificate revocation on a running fedlink-coordinator: `deploy/pki.sh
// --revoke` writes a new CRL into tls.crl_dir, and once the coordinator
// re-reads it — the operator's ReloadConfig, or SIGHUP — the revoked agent
// and analysts are refused at the handshake (and on calls over connections
// they opened before; an agent's open watch stream ends), while everyone
// else still connects; no restart. A
// CRL that is not the deployment CA's makes the reload fail and leaves the
// previous list in force. The reloads and the refusals are in the audit
// log. (Expired certificates and those of another CA:
// tests/integration/proto_mtls_test.cc.)
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/ed25519.h"
#include "proto/runtime/peer_identity.h"
#include "tests/integration/coordinator_daemon_runner.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;
using ::fedlink::testing::CoordinatorProcess;
using ::fedlink::testing::DeadlineIn;
using ::grpc::StatusCode;
using ::testing::HasSubstr;

class CoordinatorRevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-revocation-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    // --crl: an empty CRL, so tls.crl_dir exists from the start.
    Pki("--coordinator coord --agent edu --agent health --analyst alice --analyst bob"
        " --analyst carol --auditor audrey --operator ops --crl");
    for (const char* agency : {"edu", "health"}) {
      absl::StatusOr<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::Generate();
      ASSERT_TRUE(key.ok());
      std::ofstream(dir_ / absl::StrCat(agency, ".pub")) << key->public_key().ToPem().value();
    }
    port_ = testing::FreeLoopbackPort();
    std::ofstream(dir_ / "coordinator.yaml") << absl::StrCat(
        "version: 1\nlisten: 127.0.0.1:", port_, "\ndata_dir: data\n",
        "tls:\n  ca: pki/ca.crt\n  cert: pki/coordinator/coord.crt\n"
        "  key: pki/coordinator/coord.key\n  crl_dir: pki/crl\n",
        "agencies:\n  - id: edu\n    decision_key: edu.pub\n",
        "  - id: health\n    decision_key: health.pub\n",
        "analysts:\n  - name: alice\n    training_expires: 2099-12-31\n");
    daemon_ = std::make_unique<CoordinatorProcess>(dir_ / "coordinator.yaml", dir_ / "daemon.log");
    std::string why;
    ASSERT_TRUE(daemon_->Start(Files("operator/ops"), port_, &why)) << why;
  }

  void TearDown() override {
    daemon_.reset();
    fs::remove_all(dir_);
  }

  // Runs deploy/pki.sh on the deployment's PKI (or `out`).
  void Pki(const std::string& arguments, const std::string& out = "pki") {
    testing::CommandOutput pki = testing::RunCommand(absl::StrCat(
        "'", FEDLINK_SOURCE_DIR, "/deploy/pki.sh' --out '", (dir_ / out).string(), "' ", arguments));
    ASSERT_EQ(pki.exit_code, 0) << pki.text;
  }

  proto::TlsFiles Files(const std::string& who) const {
    return testing::PkiFiles(dir_ / "pki", who);
  }

  // One call on a new connection: OK for the operator, PERMISSION_DENIED
  // for anyone else who got in; UNAVAILABLE when the handshake is refused.
  StatusCode Probe(const std::string& who) const {
    std::unique_ptr<v1::Coordinator::Stub> stub = testing::CoordinatorStub(Files(who), port_);
    if (stub == nullptr) return StatusCode::INTERNAL;
    return CallGetStatus(*stub);
  }

  static StatusCode CallGetStatus(v1::Coordinator::Stub& stub) {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
    v1::CoordinatorStatus status;
    return stub.GetStatus(&context, v1::GetStatusRequest(), &status).error_code();
  }

  grpc::Status ReloadConfig() const {
    std::unique_ptr<v1::Coordinator::Stub> stub = testing::CoordinatorStub(Files("operator/ops"), port_);
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
    v1::ReloadConfigResponse response;
    return stub->ReloadConfig(&context, v1::ReloadConfigRequest(), &response);
  }

  std::vector<v1::AuditEntry> AuditEntries() const {
    std::unique_ptr<v1::Coordinator::Stub> stub =
        testing::CoordinatorStub(Files("auditor/audrey"), port_);
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
    auto reader = stub->ListAuditEntries(&context, v1::ListAuditEntriesRequest());
    std::vector<v1::AuditEntry> entries;
    v1::LoggedEntry logged;
    while (reader->Read(&logged)) {
      v1::AuditEntry entry;
      EXPECT_TRUE(entry.ParseFromString(logged.entry()));
      entries.push_back(entry);
    }
    EXPECT_TRUE(reader->Finish().ok());
    return entries;
  }

  static std::string Actor(const v1::AuditEntry& entry) {
    absl::StatusOr<proto::PeerIdentity> actor = proto::FromProto(entry.actor());
    return actor.ok() ? proto::IdentityUri(*actor) : "?";
  }

  fs::path dir_;
  int port_ = 0;
  std::unique_ptr<CoordinatorProcess> daemon_;
};

TEST_F(CoordinatorRevocationTest, RevokedCertificatesAreRefusedOnceReloadedWithoutARestart) {
  const std::vector<std::string> everyone = {"agent/edu",     "agent/health",   "analyst/alice",
                                             "analyst/bob",   "analyst/carol",  "auditor/audrey"};
  for (const std::string& who : everyone) EXPECT_EQ(Probe(who), StatusCode::PERMISSION_DENIED) << who;
  EXPECT_EQ(Probe("operator/ops"), StatusCode::OK);

  // agent/edu connects now and keeps its connection, and its watch stream.
  std::unique_ptr<v1::Coordinator::Stub> edu_connected =
      testing::CoordinatorStub(Files("agent/edu"), port_);
  ASSERT_EQ(CallGetStatus(*edu_connected), StatusCode::PERMISSION_DENIED);
  grpc::ClientContext watch_context;
  watch_context.set_deadline(DeadlineIn(std::chrono::seconds(60)));
  std::unique_ptr<grpc::ClientReader<v1::WorkItem>> watch =
      edu_connected->WatchWork(&watch_context, v1::WatchWorkRequest());
  v1::WorkItem welcome;
  ASSERT_TRUE(watch->Read(&welcome)) << watch->Finish().error_message();
  ASSERT_TRUE(welcome.has_welcome());

  Pki("--revoke agent/edu --revoke analyst/bob --reason keyCompromise");
  // Written, but not read yet: the list in force is the one loaded at start.
  EXPECT_EQ(Probe("agent/edu"), StatusCode::PERMISSION_DENIED);

  {
    SCOPED_TRACE("the operator's ReloadConfig");
    grpc::Status reloaded = ReloadConfig();
    ASSERT_TRUE(reloaded.ok()) << reloaded.error_message() << "\n" << daemon_->Log();
    EXPECT_EQ(Probe("agent/edu"), StatusCode::UNAVAILABLE);
    EXPECT_EQ(Probe("analyst/bob"), StatusCode::UNAVAILABLE);
    for (const char* who : {"agent/health", "analyst/alice", "analyst/carol", "auditor/audrey"}) {
      EXPECT_EQ(Probe(who), StatusCode::PERMISSION_DENIED) << who;
    }
    EXPECT_EQ(Probe("operator/ops"), StatusCode::OK);
    // The connection opened before the revocation carries no new call, and
    // the watch stream it carried ends (within the stream's 1 s poll).
    EXPECT_EQ(CallGetStatus(*edu_connected), StatusCode::UNAUTHENTICATED);
    v1::WorkItem item;
    while (watch->Read(&item)) {
    }
    const grpc::Status ended = watch->Finish();
    EXPECT_EQ(ended.error_code(), StatusCode::UNAUTHENTICATED) << ended.error_message();
    EXPECT_THAT(ended.error_message(), HasSubstr("revoked"));
  }

  {
    SCOPED_TRACE("SIGHUP");
    Pki("--revoke analyst/carol");
    daemon_->Signal(SIGHUP);
    StatusCode carol = StatusCode::PERMISSION_DENIED;
    for (int attempt = 0; attempt < 100 && carol != StatusCode::UNAVAILABLE; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      carol = Probe("analyst/carol");
    }
    EXPECT_EQ(carol, StatusCode::UNAVAILABLE) << daemon_->Log();
    EXPECT_EQ(Probe("analyst/alice"), StatusCode::PERMISSION_DENIED);
  }

  {
    SCOPED_TRACE("a CRL of another CA");
    Pki("--crl", "other-pki");
    fs::copy_file(dir_ / "other-pki/crl/ca.crl.pem", dir_ / "pki/crl/foreign.crl.pem");
    grpc::Status refused = ReloadConfig();
    EXPECT_EQ(refused.error_code(), StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(refused.error_message(), HasSubstr("foreign.crl.pem"));
    EXPECT_THAT(refused.error_message(), HasSubstr("not issued and signed by the deployment CA"));
    // The previous list is still in force.
    EXPECT_EQ(Probe("agent/edu"), StatusCode::UNAVAILABLE);
    EXPECT_EQ(Probe("analyst/carol"), StatusCode::UNAVAILABLE);
    EXPECT_EQ(Probe("agent/health"), StatusCode::PERMISSION_DENIED);
    fs::remove(dir_ / "pki/crl/foreign.crl.pem");
    EXPECT_TRUE(ReloadConfig().ok());
  }

  {
    SCOPED_TRACE("a new certificate for the revoked agent");
    Pki("--agent edu");
    EXPECT_EQ(Probe("agent/edu"), StatusCode::PERMISSION_DENIED);
  }

  // The audit log: every reload (who asked, how it ended) and each revoked
  // certificate's refusals.
  std::vector<std::string> reloads;
  std::map<std::string, uint64_t> refusals;
  for (const v1::AuditEntry& entry : AuditEntries()) {
    if (entry.action() == v1::AUDIT_ACTION_CONFIG_RELOADED) {
      reloads.push_back(absl::StrCat(Actor(entry), " ", v1::AuditOutcome_Name(entry.outcome()),
                                     " ", entry.reason()));
    }
    if (entry.action() == v1::AUDIT_ACTION_CERTIFICATE_REJECTED) {
      EXPECT_EQ(entry.outcome(), v1::AUDIT_OUTCOME_REFUSED);
      EXPECT_THAT(entry.reason(), HasSubstr("was revoked"));
      ASSERT_EQ(entry.counts_size(), 1);
      EXPECT_EQ(entry.counts(0).name(), "refusals");
      refusals[Actor(entry)] += entry.counts(0).value();
    }
  }
  ASSERT_EQ(reloads.size(), 4u);
  EXPECT_EQ(reloads[0], "fedlink://operator/ops AUDIT_OUTCOME_OK ");
  EXPECT_EQ(reloads[1], "fedlink://coordinator/coordinator AUDIT_OUTCOME_OK SIGHUP");
  EXPECT_THAT(reloads[2], HasSubstr("fedlink://operator/ops AUDIT_OUTCOME_FAILED tls.crl_dir: "));
  EXPECT_THAT(reloads[2], HasSubstr("foreign.crl.pem"));
  EXPECT_EQ(reloads[3], "fedlink://operator/ops AUDIT_OUTCOME_OK ");
  EXPECT_GE(refusals["fedlink://agent/edu"], 1u);
  EXPECT_GE(refusals["fedlink://analyst/bob"], 1u);
  EXPECT_GE(refusals["fedlink://analyst/carol"], 1u);
  EXPECT_EQ(refusals.size(), 3u);
}

}  // namespace
}  // namespace fedlink::coordinator
