// Tampering with a real coordinator's audit log, caught by `fedlink audit
// verify` as an auditor runs it. A real fedlink-coordinator logs real calls
// (a job submitted and notified, refused calls, a steward's decision, a
// reload); an auditor verifies it and saves the head; the coordinator
// stops. Each case then damages a copy of that data directory through the
// RocksDB API — the way someone with access to the disk would: an entry's
// byte changed, an entry removed, two swapped, the tail cut, a forged entry
// appended, the signing key replaced, history rewritten with the log's own
// key — restarts the coordinator on it, and runs `fedlink audit verify`
// against it. Each tampering still lets the coordinator start (its own
// start-up check reads only the stored tree's right edge and the latest
// head, which these attacks keep consistent); the auditor's verdict is
// what must catch it: exit code 1, the problem, and the first bad entry.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <rocksdb/db.h>

#include "absl/strings/str_cat.h"
#include "coordinator/rpc/coordinator_server.h"
#include "coordinator/state/coordinator_store.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/ed25519.h"
#include "linkage/schema/linkage_schema.h"
#include "proto/audit/audit_log.h"
#include "proto/audit/audit_log_keys.h"
#include "proto/runtime/decision_verify.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "proto/runtime/signing_input.h"
#include "tests/integration/coordinator_daemon_runner.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;
using ::fedlink::testing::CommandOutput;
using ::fedlink::testing::CoordinatorProcess;
using ::fedlink::testing::DeadlineIn;
using ::testing::HasSubstr;

// The coordinator's audit family in a (copied, stopped) data directory,
// opened the way the coordinator opens it.
class AuditFamily {
 public:
  explicit AuditFamily(const fs::path& data_dir) {
    absl::StatusOr<crypto::SecretBytes> key = LoadOrCreateStoreKey((data_dir / "store-key").string());
    EXPECT_TRUE(key.ok()) << key.status();
    absl::StatusOr<std::unique_ptr<CoordinatorStore>> store =
        CoordinatorStore::Open((data_dir / "db").string(), *key);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  rocksdb::DB* db() const { return store_->db(); }
  rocksdb::ColumnFamilyHandle* family() const { return store_->family(StoreFamily::kAuditLog); }

  uint64_t Size() const {
    std::string value;
    EXPECT_TRUE(db()->Get(rocksdb::ReadOptions(), family(), audit::kTreeSizeKey, &value).ok());
    return audit::DecodeUint64(value).value_or(0);
  }

  std::string Entry(uint64_t index) const {
    std::string value;
    EXPECT_TRUE(db()->Get(rocksdb::ReadOptions(), family(), audit::EntryKey(index), &value).ok());
    return value;
  }

  std::vector<v1::AuditEntry> Entries() const {
    std::vector<v1::AuditEntry> entries;
    for (uint64_t i = 0; i < Size(); ++i) {
      entries.emplace_back();
      EXPECT_TRUE(entries.back().ParseFromString(Entry(i)));
    }
    return entries;
  }

  void Put(const std::string& key, const std::string& value) {
    ASSERT_TRUE(db()->Put(WriteOptions(), family(), key, value).ok());
  }
  void Delete(const std::string& key) { ASSERT_TRUE(db()->Delete(WriteOptions(), family(), key).ok()); }

  // Cuts the log to `size` entries as the coordinator's start-up check
  // wants it: the size record, no entry beyond it, no head beyond it.
  void CutTo(uint64_t size) {
    for (uint64_t i = size; i < Size(); ++i) Delete(audit::EntryKey(i));
    std::unique_ptr<rocksdb::Iterator> it(db()->NewIterator(rocksdb::ReadOptions(), family()));
    std::vector<std::string> heads;
    for (it->Seek(audit::HeadKey(size + 1)); it->Valid(); it->Next()) {
      if (audit::HeadKeySize(it->key().ToString()).has_value()) heads.push_back(it->key().ToString());
    }
    for (const std::string& key : heads) Delete(key);
    Put(std::string(audit::kTreeSizeKey), audit::EncodeUint64(size));
  }

  // Replaces the whole log with `entries`, each appended and signed with
  // `key` as the coordinator does (a signed head per entry).
  void Rewrite(const std::vector<v1::AuditEntry>& entries, crypto::Ed25519PrivateKey key) {
    std::unique_ptr<rocksdb::Iterator> it(db()->NewIterator(rocksdb::ReadOptions(), family()));
    std::vector<std::string> keys;
    for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    for (const std::string& k : keys) Delete(k);
    AppendSigned(entries, std::move(key));
  }

  // Appends `entries` to the log, signing a head after each with `key`.
  void AppendSigned(const std::vector<v1::AuditEntry>& entries, crypto::Ed25519PrivateKey key) {
    absl::StatusOr<std::unique_ptr<audit::AuditLog>> log =
        audit::AuditLog::Open(db(), family(), std::move(key), {.log_id = "coordinator"});
    ASSERT_TRUE(log.ok()) << log.status();
    for (const v1::AuditEntry& entry : entries) {
      ASSERT_TRUE((*log)->AppendBatchAndSign({entry}).ok());
    }
  }

 private:
  static rocksdb::WriteOptions WriteOptions() {
    rocksdb::WriteOptions options;
    options.sync = true;
    return options;
  }
  std::unique_ptr<CoordinatorStore> store_;
};

// What `fedlink audit verify` said.
struct Verdict {
  int exit_code = -1;
  std::string text;
};

class CoordinatorAuditTamperTest : public ::testing::Test {
 protected:
  // The untouched data directory (coordinator stopped) and the auditor's
  // saved head, made once for the suite.
  static void SetUpTestSuite() {
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-audit-tamper-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = new fs::path(pattern);
    CommandOutput pki = testing::RunCommand(absl::StrCat(
        "'", FEDLINK_SOURCE_DIR, "/deploy/pki.sh' --out '", (*root_ / "pki").string(),
        "' --coordinator coord --agent edu --agent health --analyst alice --analyst bob",
        " --auditor audrey --operator ops"));
    ASSERT_EQ(pki.exit_code, 0) << pki.text;
    for (const char* agency : {"edu", "health"}) {
      absl::StatusOr<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::Generate();
      ASSERT_TRUE(key.ok());
      std::ofstream(*root_ / absl::StrCat(agency, ".pub")) << key->public_key().ToPem().value();
      if (std::string(agency) == "edu") edu_key_ = new crypto::Ed25519PrivateKey(*std::move(key));
    }

    const int port = testing::FreeLoopbackPort();
    WriteConfig("pristine", port);
    CoordinatorProcess daemon(*root_ / "pristine.yaml", *root_ / "pristine.log");
    std::string why;
    ASSERT_TRUE(daemon.Start(Files("operator/ops"), port, &why)) << why;
    LogRealEvents(port);

    // The auditor pins the coordinator's tree-head key and the agencies'
    // decision keys, verifies, and keeps the head it verified.
    absl::StatusOr<crypto::Ed25519PrivateKey> log_key = LoadOrCreateAuditKey(
        (*root_ / "pristine/audit-signing-key.pem").string());
    ASSERT_TRUE(log_key.ok()) << log_key.status();
    std::ofstream(*root_ / "coordinator-log.pub") << log_key->public_key().ToPem().value();
    Verdict first = Verify("pristine", port, "saved-head.pb");
    ASSERT_EQ(first.exit_code, 0) << first.text;
    ASSERT_THAT(first.text, HasSubstr("saved head to"));
    ASSERT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Log();
    entries_ = AuditFamily(*root_ / "pristine").Size();
    ASSERT_GE(entries_, 8u);
  }

  static void TearDownTestSuite() {
    if (root_ != nullptr) fs::remove_all(*root_);
    delete root_;
    delete edu_key_;
  }

  static proto::TlsFiles Files(const std::string& who) {
    return testing::PkiFiles(*root_ / "pki", who);
  }

  // <root>/<name>.yaml: a coordinator on `port` with data dir <root>/<name>.
  static void WriteConfig(const std::string& name, int port) {
    std::ofstream(*root_ / (name + ".yaml")) << absl::StrCat(
        "version: 1\nlisten: 127.0.0.1:", port, "\ndata_dir: ", name, "\n",
        "tls:\n  ca: pki/ca.crt\n  cert: pki/coordinator/coord.crt\n"
        "  key: pki/coordinator/coord.key\n",
        "agencies:\n  - id: edu\n    decision_key: edu.pub\n",
        "  - id: health\n    decision_key: health.pub\n",
        "analysts:\n  - name: alice\n    training_expires: 2099-12-31\n");
  }

  static std::unique_ptr<v1::Coordinator::Stub> Stub(const std::string& who, int port) {
    return testing::CoordinatorStub(Files(who), port);
  }

  // Real calls, each leaving entries: a job submitted and notified to both
  // parties, an unregistered analyst's submission refused, a cross-analyst
  // read refused, edu's signed approval, an agent's forbidden listing, a
  // configuration reload.
  static void LogRealEvents(int port) {
    v1::SubmitJobRequest submit;
    v1::JobSpec* spec = submit.mutable_spec();
    spec->set_title("Tamper test");
    spec->set_purpose("Audit");
    spec->set_irb_reference("IRB-7");
    spec->set_data_sharing_agreement("DSA-7");
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
      context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
      ASSERT_TRUE(Stub("analyst/alice", port)->SubmitJob(&context, submit, &job).ok());
    }
    job_id_ = new std::string(job.job_id());
    {
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
      v1::Job ignored;
      ASSERT_EQ(Stub("analyst/bob", port)->SubmitJob(&context, submit, &ignored).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    {
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
      v1::GetJobRequest request;
      request.set_job_id(job.job_id());
      v1::Job ignored;
      ASSERT_EQ(Stub("analyst/bob", port)->GetJob(&context, request, &ignored).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    {
      v1::SubmitDecisionRequest request;
      *request.mutable_decision() = EduApproval(job);
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
      v1::SubmitDecisionResponse response;
      grpc::Status status = Stub("agent/edu", port)->SubmitDecision(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
    {
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
      v1::ListJobsResponse ignored;
      ASSERT_EQ(Stub("agent/health", port)->ListJobs(&context, {}, &ignored).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    {
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
      v1::ReloadConfigResponse ignored;
      ASSERT_TRUE(Stub("operator/ops", port)->ReloadConfig(&context, {}, &ignored).ok());
    }
  }

  static v1::SignedDecision EduApproval(const v1::Job& job) {
    v1::SignedDecision decision;
    decision.set_job_id(job.job_id());
    decision.set_agency("edu");
    decision.set_job_spec_sha256(job.job_spec_sha256());
    decision.set_verdict(v1::VERDICT_APPROVE);
    decision.set_steward("edu/sam");
    decision.set_decided_at_unix_ms(static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())));
    decision.set_key_id(proto::DecisionKeyId(edu_key_->public_key()));
    const crypto::Ed25519Signature signature =
        edu_key_->Sign(proto::DecisionSigningInput(decision)).value();
    decision.set_signature(std::string(signature.begin(), signature.end()));
    return decision;
  }

  // `fedlink audit verify` as auditor audrey against the coordinator on
  // `port`; `state`: the saved-head file (empty: none).
  static Verdict Verify(const std::string& name, int port, const std::string& state) {
    const fs::path config = *root_ / (name + "-client.yaml");
    std::ofstream(config) << absl::StrCat(
        "coordinator: localhost:", port, "\nca: pki/ca.crt\ncert: pki/auditor/audrey.crt\n",
        "key: pki/auditor/audrey.key\naudit:\n  log_key: coordinator-log.pub\n",
        "  agency_keys:\n    edu: edu.pub\n    health: health.pub\n");
    std::string command = absl::StrCat("'", FEDLINK_CLI_BINARY, "' --config '", config.string(),
                                       "' audit verify");
    if (!state.empty()) absl::StrAppend(&command, " --state '", (*root_ / state).string(), "'");
    CommandOutput out = testing::RunCommand(command);
    return {out.exit_code, out.text};
  }

  // A copy of the untouched data directory, named `name`, with its config.
  fs::path CopyPristine(const std::string& name) {
    const fs::path copy = *root_ / name;
    fs::copy(*root_ / "pristine", copy, fs::copy_options::recursive);
    port_ = testing::FreeLoopbackPort();
    WriteConfig(name, port_);
    return copy;
  }

  // A copy of the auditor's saved head, which a successful verification
  // would overwrite.
  std::string SavedHeadCopy(const std::string& name) {
    const std::string file = name + "-saved-head.pb";
    fs::copy_file(*root_ / "saved-head.pb", *root_ / file);
    return file;
  }

  // Starts the coordinator on the tampered copy `name`.
  std::unique_ptr<CoordinatorProcess> Serve(const std::string& name) {
    auto daemon =
        std::make_unique<CoordinatorProcess>(*root_ / (name + ".yaml"), *root_ / (name + ".log"));
    std::string why;
    EXPECT_TRUE(daemon->Start(Files("operator/ops"), port_, &why))
        << "the coordinator did not start on the tampered log: " << why;
    return daemon;
  }

  // Expects a failed verification: exit code 1, the problem, the first bad
  // entry.
  static void ExpectFailure(const Verdict& verdict, const std::string& problem,
                            uint64_t first_bad_entry) {
    EXPECT_EQ(verdict.exit_code, 1) << verdict.text;
    EXPECT_THAT(verdict.text, HasSubstr(absl::StrCat("audit log verification FAILED: ", problem)));
    EXPECT_THAT(verdict.text, HasSubstr(absl::StrCat("first bad entry: ", first_bad_entry, "\n")));
  }

  static crypto::Ed25519PrivateKey CoordinatorKey(const fs::path& data_dir) {
    return LoadOrCreateAuditKey((data_dir / "audit-signing-key.pem").string()).value();
  }

  // The index of the first entry with `action`.
  static uint64_t IndexOf(const std::vector<v1::AuditEntry>& entries, v1::AuditAction action) {
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].action() == action) return i;
    }
    ADD_FAILURE() << "no " << v1::AuditAction_Name(action) << " entry";
    return 0;
  }

  static fs::path* root_;
  static uint64_t entries_;
  static std::string* job_id_;
  static crypto::Ed25519PrivateKey* edu_key_;
  int port_ = 0;
};

fs::path* CoordinatorAuditTamperTest::root_ = nullptr;
uint64_t CoordinatorAuditTamperTest::entries_ = 0;
std::string* CoordinatorAuditTamperTest::job_id_ = nullptr;
crypto::Ed25519PrivateKey* CoordinatorAuditTamperTest::edu_key_ = nullptr;

// Entries changed in place, removed or reordered no longer hash to the
// signed root. The live log hands the auditor its latest head, whose root
// only says that some entry is bad; `fedlink audit verify` then bisects
// over the heads the coordinator signed at smaller sizes (one per append)
// and names the first bad entry exactly.
TEST_F(CoordinatorAuditTamperTest, UntouchedLogVerifiesAndChangedRemovedOrSwappedEntriesDoNot) {
  {
    SCOPED_TRACE("untouched");
    CopyPristine("untouched");
    auto daemon = Serve("untouched");
    Verdict verdict = Verify("untouched", port_, SavedHeadCopy("untouched"));
    EXPECT_EQ(verdict.exit_code, 0) << verdict.text;
    EXPECT_THAT(verdict.text, HasSubstr(absl::StrCat("audit log OK: ", entries_, " entries")));
  }
  // The reason: entry i is the first whose head's root differs.
  const auto located = [](uint64_t index) {
    return absl::StrCat("entry ", index, " was changed, removed, inserted or reordered");
  };
  {
    SCOPED_TRACE("one byte of an entry changed");
    const fs::path dir = CopyPristine("changed-byte");
    uint64_t index = 0;
    {
      AuditFamily log(dir);
      // The refused cross-analyst read: one letter of its RPC name.
      const std::vector<v1::AuditEntry> entries = log.Entries();
      for (; index < entries.size(); ++index) {
        if (entries[index].rpc() == "fedlink.v1.Coordinator/GetJob") break;
      }
      ASSERT_LT(index, entries.size());
      std::string bytes = log.Entry(index);
      const size_t at = bytes.find("GetJob");
      ASSERT_NE(at, std::string::npos);
      bytes[at] = 'S';  // "SetJob"
      log.Put(audit::EntryKey(index), bytes);
    }
    auto daemon = Serve("changed-byte");
    Verdict verdict = Verify("changed-byte", port_, "");
    ASSERT_GT(index, 0u) << "the refused read is not the first entry";
    ExpectFailure(verdict, "entries do not match a signed root", index);
    EXPECT_THAT(verdict.text, HasSubstr(located(index)));
  }
  {
    SCOPED_TRACE("an entry removed");
    const fs::path dir = CopyPristine("removed-entry");
    uint64_t gone = 0;
    {
      AuditFamily log(dir);
      // The refused cross-analyst read disappears: the later entries move
      // down and the log ends one entry earlier, its heads cut to match.
      const uint64_t size = log.Size();
      gone = IndexOf(log.Entries(), v1::AUDIT_ACTION_CALL_REFUSED);
      for (uint64_t i = gone; i + 1 < size; ++i) log.Put(audit::EntryKey(i), log.Entry(i + 1));
      log.CutTo(size - 1);
    }
    auto daemon = Serve("removed-entry");
    Verdict verdict = Verify("removed-entry", port_, "");
    ExpectFailure(verdict, "entries do not match a signed root", gone);
    EXPECT_THAT(verdict.text, HasSubstr(located(gone)));
  }
  {
    SCOPED_TRACE("two entries swapped");
    const fs::path dir = CopyPristine("swapped-entries");
    uint64_t earlier = 0;
    {
      AuditFamily log(dir);
      // The decision now seems to come before the job was notified.
      const std::vector<v1::AuditEntry> entries = log.Entries();
      const uint64_t a = IndexOf(entries, v1::AUDIT_ACTION_JOB_NOTIFIED);
      const uint64_t b = IndexOf(entries, v1::AUDIT_ACTION_DECISION_RECEIVED);
      ASSERT_LT(a, b);
      earlier = a;
      const std::string first = log.Entry(a);
      log.Put(audit::EntryKey(a), log.Entry(b));
      log.Put(audit::EntryKey(b), first);
    }
    auto daemon = Serve("swapped-entries");
    Verdict verdict = Verify("swapped-entries", port_, "");
    ExpectFailure(verdict, "entries do not match a signed root", earlier);
    EXPECT_THAT(verdict.text, HasSubstr(located(earlier)));
  }
}

// GetSignedTreeHead at a size: the head signed then (auditors only), NOT_FOUND
// where the log signed none, INVALID_ARGUMENT beyond the log. With heads
// missing around a changed entry, verify can only name the range between
// the nearest signed sizes.
TEST_F(CoordinatorAuditTamperTest, HeadsAtEarlierSizesAndARangeWhereTheyAreMissing) {
  const fs::path dir = CopyPristine("missing-heads");
  const uint64_t changed = 4;
  {
    AuditFamily log(dir);
    v1::AuditEntry entry = log.Entries()[changed];
    entry.set_time_unix_ms(entry.time_unix_ms() + 1);  // still a valid entry
    log.Put(audit::EntryKey(changed), entry.SerializeAsString());
    log.Delete(audit::HeadKey(changed));
    log.Delete(audit::HeadKey(changed + 1));
  }
  auto daemon = Serve("missing-heads");
  const auto head_at = [&](const std::string& who, uint64_t size, v1::SignedTreeHead* head) {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
    v1::GetSignedTreeHeadRequest request;
    request.set_tree_size(size);
    return Stub(who, port_)->GetSignedTreeHead(&context, request, head).error_code();
  };
  v1::SignedTreeHead head;
  ASSERT_EQ(head_at("auditor/audrey", 3, &head), grpc::StatusCode::OK);
  EXPECT_EQ(head.head().tree_size(), 3u);
  EXPECT_EQ(head_at("auditor/audrey", changed, &head), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(head_at("auditor/audrey", entries_ + 1000, &head), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(head_at("analyst/alice", 3, &head), grpc::StatusCode::PERMISSION_DENIED);

  Verdict verdict = Verify("missing-heads", port_, "");
  EXPECT_EQ(verdict.exit_code, 1) << verdict.text;
  // Signed sizes 3 (matching) and 6 (differing): entries 3..5.
  EXPECT_THAT(verdict.text, HasSubstr(absl::StrCat("first bad entry: somewhere in ", changed - 1,
                                                   "..", changed + 1, "\n")));
}

// The tail: a log cut short is consistent with its own remaining heads, so
// only the auditor's saved head (or an agent's receipt) shows it; a forged
// entry appended — even under the coordinator's own signature, by someone
// who took its key from the data directory — is caught by the agencies'
// signatures it cannot make.
TEST_F(CoordinatorAuditTamperTest, TruncatedTailAndAppendedForgedEntryAreReported) {
  {
    SCOPED_TRACE("the tail truncated");
    const fs::path dir = CopyPristine("truncated");
    {
      AuditFamily log(dir);
      log.CutTo(entries_ - 2);
    }
    auto daemon = Serve("truncated");
    Verdict without_history = Verify("truncated", port_, "");
    EXPECT_EQ(without_history.exit_code, 0)
        << "what is left is genuine; only a head saved earlier can show the cut: "
        << without_history.text;
    Verdict verdict = Verify("truncated", port_, SavedHeadCopy("truncated"));
    ExpectFailure(verdict, "log truncated", entries_ - 2);
    EXPECT_THAT(verdict.text, HasSubstr(absl::StrCat("the auditor's saved tree head has size ",
                                                     entries_, " but the log ends after ",
                                                     entries_ - 2, " entries")));
  }
  {
    SCOPED_TRACE("a forged entry appended");
    const fs::path dir = CopyPristine("forged-entry");
    {
      AuditFamily log(dir);
      // "health approved the job", signed with a key that is not health's,
      // appended and signed like any entry with the coordinator's own key.
      v1::AuditEntry forged;
      forged.set_time_unix_ms(static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())));
      forged.mutable_actor()->set_role(v1::ROLE_AGENT);
      forged.mutable_actor()->set_name("health");
      forged.mutable_actor()->set_agency("health");
      forged.set_action(v1::AUDIT_ACTION_DECISION_RECEIVED);
      forged.set_outcome(v1::AUDIT_OUTCOME_OK);
      forged.set_job_id(*job_id_);
      forged.set_agency("health");
      forged.set_rpc("fedlink.v1.Coordinator/SubmitDecision");
      const std::vector<v1::AuditEntry> entries = log.Entries();
      v1::SignedDecision decision = entries[IndexOf(entries, v1::AUDIT_ACTION_DECISION_RECEIVED)].decision();
      decision.set_agency("health");
      decision.set_steward("health/hana");
      const crypto::Ed25519PrivateKey impostor = crypto::Ed25519PrivateKey::Generate().value();
      decision.set_key_id(proto::DecisionKeyId(impostor.public_key()));
      const crypto::Ed25519Signature signature =
          impostor.Sign(proto::DecisionSigningInput(decision)).value();
      decision.set_signature(std::string(signature.begin(), signature.end()));
      *forged.mutable_decision() = decision;
      log.AppendSigned({forged}, CoordinatorKey(dir));
    }
    auto daemon = Serve("forged-entry");
    Verdict verdict = Verify("forged-entry", port_, SavedHeadCopy("forged-entry"));
    ExpectFailure(verdict, "entry rejected", entries_);
    EXPECT_THAT(verdict.text, HasSubstr("health"));
  }
}

// Keys and rewritten history: a log re-signed under another key is refused
// against the auditor's pinned key; a history rewritten and re-signed with
// the log's own key is consistent in itself, and only the head the auditor
// saved before shows it.
TEST_F(CoordinatorAuditTamperTest, ReplacedSigningKeyAndRewrittenHistoryAreReported) {
  {
    SCOPED_TRACE("the signing key replaced");
    const fs::path dir = CopyPristine("replaced-key");
    const crypto::Ed25519PrivateKey replacement = crypto::Ed25519PrivateKey::Generate().value();
    fs::remove(dir / "audit-signing-key.pem");
    {
      const crypto::SecretBytes pem = replacement.ToPem().value();
      std::ofstream out(dir / "audit-signing-key.pem");
      out.write(reinterpret_cast<const char*>(pem.data()), static_cast<std::streamsize>(pem.size()));
    }
    fs::permissions(dir / "audit-signing-key.pem", fs::perms::owner_read | fs::perms::owner_write);
    {
      // The key file alone: the coordinator itself refuses to start.
      CoordinatorProcess daemon(*root_ / "replaced-key.yaml", *root_ / "replaced-key.log");
      std::string why;
      EXPECT_FALSE(daemon.Start(Files("operator/ops"), port_, &why));
      EXPECT_THAT(why, HasSubstr("stored heads are signed by key"));
    }
    {
      // So every head is re-signed with it.
      AuditFamily log(dir);
      log.Rewrite(log.Entries(), CoordinatorKey(dir));  // the replacement, read back
    }
    auto daemon = Serve("replaced-key");
    Verdict verdict = Verify("replaced-key", port_, "");
    ExpectFailure(verdict, "tree head signed by another key", 0);
  }
  {
    SCOPED_TRACE("history rewritten with the log's own key");
    const fs::path dir = CopyPristine("rewritten");
    {
      AuditFamily log(dir);
      // The refused cross-analyst read becomes a harmless reload.
      std::vector<v1::AuditEntry> entries = log.Entries();
      v1::AuditEntry& refusal = entries[IndexOf(entries, v1::AUDIT_ACTION_CALL_REFUSED)];
      refusal.set_action(v1::AUDIT_ACTION_CONFIG_RELOADED);
      refusal.set_outcome(v1::AUDIT_OUTCOME_OK);
      refusal.clear_reason();
      log.Rewrite(entries, CoordinatorKey(dir));
    }
    auto daemon = Serve("rewritten");
    // The log grows on after the rewrite (a refused call).
    {
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(std::chrono::seconds(10)));
      v1::CoordinatorStatus ignored;
      EXPECT_EQ(Stub("analyst/alice", port_)->GetStatus(&context, {}, &ignored).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    Verdict without_history = Verify("rewritten", port_, "");
    EXPECT_EQ(without_history.exit_code, 0)
        << "a rewrite under the log's own key is consistent in itself: " << without_history.text;
    Verdict verdict = Verify("rewritten", port_, SavedHeadCopy("rewritten"));
    ExpectFailure(verdict, "entries do not match the saved tree head", 0);
    EXPECT_THAT(verdict.text, HasSubstr(absl::StrCat("saved by the auditor: the log was rewritten")));
  }
}

}  // namespace
}  // namespace fedlink::coordinator
