// The agent's local audit log over a real record store (RocksDB in a
// temporary directory): entries in the coordinator's format that the
// auditor's verifier accepts, persistence across restarts, and the receipt
// rules (first, same, consistent, unproven, forked, rolled back, forged).
#include "agent/audit/agent_audit_log.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/audit/audit_entries.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/merkle.h"
#include "linkage/crypto/sha256.h"
#include "proto/audit/audit_verifier.h"
#include "proto/audit/tree_head.h"

namespace fedlink::agent::audit {
namespace {

using ::testing::HasSubstr;

crypto::Ed25519PrivateKey Key(uint8_t b) {
  return crypto::Ed25519PrivateKey::FromBytes(
             crypto::SecretBytes(
                 std::vector<uint8_t>(crypto::kEd25519PrivateKeySize, b)))
      .value();
}

// A coordinator log simulated in memory: leaf hashes, signed heads and
// consistency proofs as the real coordinator would serve them.
class FakeCoordinator {
 public:
  explicit FakeCoordinator(uint8_t key_byte = 9) : key_(Key(key_byte)) {}

  void Grow(int entries, const std::string& salt = "") {
    for (int i = 0; i < entries; ++i) {
      leaves_.Append(crypto::MerkleLeafHash(crypto::Sha256(
          absl::StrCat("coordinator entry ", leaves_.leaf_count(), salt))));
    }
  }

  v1::SignedTreeHead Head(uint64_t size) {
    v1::TreeHead head;
    head.set_tree_size(size);
    const crypto::MerkleHash root = crypto::MerkleRoot(leaves_, size).value();
    head.set_root_hash(std::string(root.begin(), root.end()));
    head.set_timestamp_unix_ms(1893456000000 + (++ticks_));
    head.set_log_id("coordinator");
    return fedlink::audit::SignTreeHead(head, key_).value();
  }

  // A receipt of the current size, with a proof from `known_size` if given.
  v1::Receipt Receipt(std::optional<uint64_t> known_size = std::nullopt) {
    v1::Receipt receipt;
    *receipt.mutable_tree_head() = Head(leaves_.leaf_count());
    if (known_size.has_value()) {
      v1::ConsistencyProof* proof = receipt.mutable_consistency();
      proof->set_first_size(*known_size);
      proof->set_second_size(leaves_.leaf_count());
      const std::vector<crypto::MerkleHash> path =
          crypto::MerkleConsistencyProof(leaves_, *known_size,
                                         leaves_.leaf_count())
              .value();
      for (const crypto::MerkleHash& hash : path) {
        proof->add_path(std::string(hash.begin(), hash.end()));
      }
    }
    return receipt;
  }

  const crypto::Ed25519PublicKey& public_key() const {
    return key_.public_key();
  }

 private:
  crypto::Ed25519PrivateKey key_;
  crypto::InMemoryMerkleLeafHashes leaves_;
  uint64_t ticks_ = 0;
};

class AgentAuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/fedlink_agent_audit_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    coordinator_.Grow(5);
    Reopen();
  }

  void TearDown() override {
    log_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  AgentAuditLogOptions Options() {
    AgentAuditLogOptions options;
    options.agency = "edu";
    options.coordinator_key = coordinator_.public_key();
    options.clock = [this] {
      return absl::FromUnixMillis(1893456000000 + (++clock_ticks_));
    };
    options.sync_writes = false;
    return options;
  }

  void Reopen() {
    log_.reset();
    store_.reset();
    RecordStoreOptions store_options;
    store_options.sync_commits = false;
    absl::StatusOr<std::unique_ptr<RecordStore>> store = RecordStore::Open(
        dir_, crypto::SecretBytes(crypto::Sha256(std::string_view("at-rest"))),
        store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<AgentAuditLog>> log =
        AgentAuditLog::Open(*store_, Key(1), Options());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  fedlink::audit::AuditVerdict Verify() {
    fedlink::audit::AuditVerifyOptions options{.log_key = Key(1).public_key(),
                                               .log_id = "agent/edu",
                                               .saved_head = std::nullopt,
                                               .check_entry = nullptr};
    return fedlink::audit::VerifyAuditLog(log_->log().Export().value(),
                                          std::move(options))
        .value();
  }

  std::vector<v1::AuditEntry> Entries() {
    std::vector<v1::AuditEntry> out;
    const std::vector<v1::LoggedEntry> logged_entries =
        log_->log().GetEntries(0, log_->log().tree_size()).value();
    for (const v1::LoggedEntry& logged : logged_entries) {
      v1::AuditEntry entry;
      EXPECT_TRUE(entry.ParseFromString(logged.entry()));
      out.push_back(std::move(entry));
    }
    return out;
  }

  std::string dir_;
  uint64_t clock_ticks_ = 0;
  FakeCoordinator coordinator_;
  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<AgentAuditLog> log_;
};

v1::SignedDecision Approval() {
  v1::SignedDecision decision;
  decision.set_verdict(v1::VERDICT_APPROVE);
  decision.set_job_id("job-7");
  decision.set_agency("edu");
  decision.set_steward("edu/sam");
  decision.set_job_spec_sha256(std::string(32, 's'));
  decision.set_decided_at_unix_ms(1893456000000);
  decision.set_key_id(std::string(32, 'k'));
  decision.set_signature(std::string(64, 'x'));
  return decision;
}

TEST_F(AgentAuditLogTest, RecordsSignedEntriesTheAuditorsVerifierAccepts) {
  ASSERT_TRUE(
      log_->Record(JobReceivedEntry("job-7", std::string(32, 's'))).ok());
  ASSERT_TRUE(log_->Record(DecisionSignedEntry(Approval())).ok());
  absl::StatusOr<v1::SignedTreeHead> head =
      log_->Record(RowsReleasedEntry("job-7", "edu",
                                     {.assignments = 30,
                                      .rows = 29,
                                      .records_missing = 1,
                                      .columns = 2,
                                      .chunks = 3,
                                      .ciphertext_bytes = 900}));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->head().tree_size(), 3u);
  EXPECT_EQ(head->head().log_id(), "agent/edu");
  EXPECT_TRUE(fedlink::audit::VerifySignedTreeHead(*head, Key(1).public_key(),
                                                   "agent/edu")
                  .ok());

  const fedlink::audit::AuditVerdict verdict = Verify();
  EXPECT_TRUE(verdict.ok()) << verdict.reason;
  EXPECT_EQ(verdict.entries_checked, 3u);

  const std::vector<v1::AuditEntry> entries = Entries();
  EXPECT_EQ(entries[0].actor().role(), v1::ROLE_AGENT);
  EXPECT_EQ(entries[0].actor().name(), "edu");
  EXPECT_GT(entries[0].time_unix_ms(), 0u);
  EXPECT_EQ(entries[1].actor().role(), v1::ROLE_STEWARD);
  EXPECT_EQ(entries[1].actor().name(), "edu/sam");
  EXPECT_EQ(entries[1].decision().verdict(), v1::VERDICT_APPROVE);
  EXPECT_EQ(entries[2].action(), v1::AUDIT_ACTION_ROWS_RELEASED);
  ASSERT_EQ(entries[2].counts_size(), 6);
  EXPECT_EQ(entries[2].counts(1).name(), "rows");
  EXPECT_EQ(entries[2].counts(1).value(), 29u);
}

TEST_F(AgentAuditLogTest, DenialsAndRefusalsAreRecorded) {
  v1::SignedDecision denial = Approval();
  denial.set_verdict(v1::VERDICT_DENY);
  denial.set_reason("not in the public interest");
  ASSERT_TRUE(log_->Record(DecisionSignedEntry(denial)).ok());
  ASSERT_TRUE(log_->Record(ApprovalRefusedEntry("job-8", "edu/sam", "edu",
                                                std::string(3000, 'r')))
                  .ok())
      << "over-long reasons are cut to the contract's 2000 bytes";
  ASSERT_TRUE(log_->Record(ReleaseStoppedEntry(
                               "job-9", "edu", v1::AUDIT_OUTCOME_REFUSED,
                               "release refused for job columns: ..."))
                  .ok());
  const std::vector<v1::AuditEntry> entries = Entries();
  EXPECT_EQ(entries[0].outcome(), v1::AUDIT_OUTCOME_REFUSED);
  EXPECT_EQ(entries[1].reason().size(), 2000u);
  EXPECT_EQ(entries[2].outcome(), v1::AUDIT_OUTCOME_REFUSED);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(AgentAuditLogTest, RefusesEntriesOutsideTheContract) {
  v1::AuditEntry entry = PseudonymsDroppedEntry("job-7", 12);
  entry.set_job_id("Not A Name!");
  EXPECT_EQ(log_->Record(entry).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->log().tree_size(), 0u);
}

TEST_F(AgentAuditLogTest, LogAndCoordinatorHeadSurviveRestart) {
  ASSERT_TRUE(
      log_->Record(JobReceivedEntry("job-7", std::string(32, 's'))).ok());
  ASSERT_EQ(
      log_->RecordReceipt(coordinator_.Receipt(), "WatchWork", "").value(),
      ReceiptResult::kFirst);
  Reopen();
  EXPECT_EQ(log_->log().tree_size(), 2u);
  ASSERT_TRUE(log_->coordinator_head().has_value());
  EXPECT_EQ(log_->coordinator_head()->head().tree_size(), 5u);
  // Checks continue from the saved head: a fork is still caught.
  FakeCoordinator forked;
  forked.Grow(5, "forked");
  EXPECT_EQ(
      log_->RecordReceipt(forked.Receipt(), "WatchWork", "").status().code(),
      absl::StatusCode::kDataLoss);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(AgentAuditLogTest, ReceiptsThatAgreeAreRecordedOnce) {
  EXPECT_EQ(
      log_->RecordReceipt(coordinator_.Receipt(), "WatchWork", "").value(),
      ReceiptResult::kFirst);
  EXPECT_EQ(
      log_->RecordReceipt(coordinator_.Receipt(), "SubmitDecision", "job-7")
          .value(),
      ReceiptResult::kSameHead)
      << "a re-signed head of the same tree adds nothing";
  EXPECT_EQ(log_->log().tree_size(), 1u);

  coordinator_.Grow(3);
  EXPECT_EQ(
      log_->RecordReceipt(coordinator_.Receipt(), "UploadPayload", "job-7")
          .value(),
      ReceiptResult::kUnproven);
  EXPECT_EQ(
      log_->RecordReceipt(coordinator_.Receipt(), "UploadPayload", "job-7")
          .value(),
      ReceiptResult::kUnproven);
  EXPECT_EQ(log_->log().tree_size(), 2u) << "an unproven head is recorded once";
  EXPECT_EQ(log_->coordinator_head()->head().tree_size(), 5u)
      << "an unproven head does not become the verified one";

  EXPECT_EQ(
      log_->RecordReceipt(coordinator_.Receipt(5), "WatchWork", "").value(),
      ReceiptResult::kConsistent);
  EXPECT_EQ(log_->coordinator_head()->head().tree_size(), 8u);
  EXPECT_EQ(log_->log().tree_size(), 3u);

  const std::vector<v1::AuditEntry> entries = Entries();
  for (const v1::AuditEntry& entry : entries) {
    EXPECT_EQ(entry.action(), v1::AUDIT_ACTION_RECEIPT_RECORDED);
    EXPECT_EQ(entry.outcome(), v1::AUDIT_OUTCOME_OK);
    EXPECT_TRUE(entry.has_coordinator_tree_head());
  }
  EXPECT_EQ(entries[1].rpc(), "UploadPayload");
  EXPECT_EQ(entries[1].job_id(), "job-7");
  EXPECT_EQ(entries[2].coordinator_tree_head().head().tree_size(), 8u);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(AgentAuditLogTest,
       ForkRollbackForgeryAndBadProofsAreRefusedWithEvidence) {
  ASSERT_EQ(
      log_->RecordReceipt(coordinator_.Receipt(), "WatchWork", "").value(),
      ReceiptResult::kFirst);

  FakeCoordinator forked;  // same key, other history
  forked.Grow(5, "rewritten");
  absl::StatusOr<ReceiptResult> fork =
      log_->RecordReceipt(forked.Receipt(), "WatchWork", "");
  EXPECT_EQ(fork.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(fork.status().message(), HasSubstr("different roots"));

  FakeCoordinator shorter;
  shorter.Grow(3);
  EXPECT_THAT(log_->RecordReceipt(shorter.Receipt(), "WatchWork", "")
                  .status()
                  .message(),
              HasSubstr("rolled back"));

  FakeCoordinator impostor(/*key_byte=*/8);
  impostor.Grow(6);
  EXPECT_EQ(
      log_->RecordReceipt(impostor.Receipt(), "WatchWork", "").status().code(),
      absl::StatusCode::kDataLoss);

  forked.Grow(2, "rewritten");
  EXPECT_EQ(
      log_->RecordReceipt(forked.Receipt(5), "WatchWork", "").status().code(),
      absl::StatusCode::kDataLoss)
      << "a proof from the verified size that does not lead to the verified "
         "root";

  EXPECT_EQ(log_->coordinator_head()->head().tree_size(), 5u)
      << "nothing bad was adopted";
  const std::vector<v1::AuditEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 5u);
  for (size_t i = 1; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].action(), v1::AUDIT_ACTION_RECEIPT_RECORDED);
    EXPECT_EQ(entries[i].outcome(), v1::AUDIT_OUTCOME_FAILED) << i;
    EXPECT_FALSE(entries[i].reason().empty());
    EXPECT_TRUE(entries[i].has_coordinator_tree_head())
        << "the offending head is kept";
  }
  EXPECT_TRUE(Verify().ok());
}

TEST_F(AgentAuditLogTest,
       EntryWithReceiptCarriesTheHeadOrIsReplacedByEvidence) {
  absl::StatusOr<v1::SignedTreeHead> head =
      log_->Record(JobReceivedEntry("job-7", std::string(32, 's')), nullptr);
  ASSERT_TRUE(head.ok());
  const v1::Receipt receipt = coordinator_.Receipt();
  ASSERT_TRUE(log_->Record(DecisionSignedEntry(Approval()), &receipt).ok());
  EXPECT_EQ(log_->coordinator_head()->head().tree_size(), 5u);

  FakeCoordinator forked;
  forked.Grow(5, "rewritten");
  const v1::Receipt bad = forked.Receipt();
  EXPECT_EQ(
      log_->Record(RowsReleasedEntry("job-7", "edu", {}), &bad).status().code(),
      absl::StatusCode::kDataLoss);
  const std::vector<v1::AuditEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].coordinator_tree_head().head().tree_size(), 5u);
  EXPECT_EQ(entries[2].action(), v1::AUDIT_ACTION_RECEIPT_RECORDED)
      << "the release entry was not written; the evidence was";
}

TEST_F(AgentAuditLogTest, OpenRefusesMissingCoordinatorKeyOrAnotherSigningKey) {
  AgentAuditLogOptions options = Options();
  options.coordinator_key.reset();
  EXPECT_EQ(AgentAuditLog::Open(*store_, Key(1), options).status().code(),
            absl::StatusCode::kFailedPrecondition);
  options = Options();
  options.agency = "Bad Agency";
  EXPECT_EQ(AgentAuditLog::Open(*store_, Key(1), options).status().code(),
            absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(
      log_->Record(JobReceivedEntry("job-7", std::string(32, 's'))).ok());
  log_.reset();
  EXPECT_EQ(AgentAuditLog::Open(*store_, Key(2), Options()).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "a replaced agency key must start a new log";
}

}  // namespace
}  // namespace fedlink::agent::audit
