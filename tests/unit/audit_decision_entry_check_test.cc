#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "proto/audit/audit_log.h"
#include "proto/audit/audit_verifier.h"
#include "proto/audit/decision_entry_check.h"
#include "proto/runtime/signing_input.h"
#include "tests/unit/audit_test_util.h"

namespace fedlink::audit {
namespace {

using testing::kLogId;
using testing::MakeEntry;
using testing::OpenLog;
using testing::TempAuditDb;
using testing::TestClock;
using testing::TestKey;

crypto::Ed25519PrivateKey NewKey() {
  absl::StatusOr<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::Generate();
  EXPECT_TRUE(key.ok());
  return *std::move(key);
}

std::string SpecHash(const std::string& job) {
  const crypto::Sha256Digest digest = crypto::Sha256(std::string_view("spec of " + job));
  return std::string(digest.begin(), digest.end());
}

v1::SignedDecision Decide(const crypto::Ed25519PrivateKey& key, const std::string& job,
                          const std::string& agency, v1::Verdict verdict) {
  v1::SignedDecision d;
  d.set_job_id(job);
  d.set_agency(agency);
  d.set_job_spec_sha256(SpecHash(job));
  d.set_verdict(verdict);
  d.set_steward(agency + "/alice");
  d.set_decided_at_unix_ms(1796104800000);
  d.set_key_id(proto::DecisionKeyId(key.public_key()));
  absl::StatusOr<crypto::Ed25519Signature> signature = key.Sign(proto::DecisionSigningInput(d));
  EXPECT_TRUE(signature.ok());
  d.set_signature(std::string(signature->begin(), signature->end()));
  return d;
}

v1::AuditEntry Submitted(const std::string& job) {
  v1::AuditEntry entry = MakeEntry(0);
  entry.set_action(v1::AUDIT_ACTION_JOB_SUBMITTED);
  entry.set_job_id(job);
  entry.clear_agency();
  entry.set_job_spec_sha256(SpecHash(job));
  return entry;
}

v1::AuditEntry Received(const std::string& job, const v1::SignedDecision& decision) {
  v1::AuditEntry entry = MakeEntry(1);
  entry.set_action(v1::AUDIT_ACTION_DECISION_RECEIVED);
  entry.set_job_id(job);
  entry.set_agency(decision.agency());
  *entry.mutable_decision() = decision;
  return entry;
}

// A coordinator log: job-a submitted, both agencies decide, then `extra`.
class DecisionEntryCheckTest : public ::testing::Test {
 protected:
  AuditVerdict VerifyWith(const std::vector<v1::AuditEntry>& extra, proto::DecisionKeys keys) {
    TempAuditDb db;
    TestClock clock;
    std::unique_ptr<AuditLog> log = OpenLog(db, &clock);
    std::vector<v1::AuditEntry> entries = {
        Submitted("job-a"),
        Received("job-a", Decide(health_, "job-a", "health", v1::VERDICT_APPROVE)),
        Received("job-a", Decide(police_, "job-a", "police", v1::VERDICT_DENY))};
    entries.insert(entries.end(), extra.begin(), extra.end());
    for (const v1::AuditEntry& entry : entries) {
      EXPECT_TRUE(log->AppendBatchAndSign({entry}).ok());
    }
    absl::StatusOr<AuditLogExport> exported = log->Export();
    EXPECT_TRUE(exported.ok());
    AuditVerifyOptions options{TestKey().public_key(), kLogId, std::nullopt,
                               DecisionEntryCheck(std::move(keys))};
    absl::StatusOr<AuditVerdict> verdict = VerifyAuditLog(*exported, std::move(options));
    EXPECT_TRUE(verdict.ok()) << verdict.status();
    return verdict.ok() ? *verdict : AuditVerdict{};
  }

  proto::DecisionKeys Keys() {
    return {{"health", health_.public_key()}, {"police", police_.public_key()}};
  }

  crypto::Ed25519PrivateKey health_ = NewKey();
  crypto::Ed25519PrivateKey police_ = NewKey();
};

TEST_F(DecisionEntryCheckTest, GenuineDecisionsVerify) {
  const AuditVerdict verdict = VerifyWith({}, Keys());
  EXPECT_TRUE(verdict.ok()) << verdict.reason;
  EXPECT_EQ(verdict.entries_checked, 3u);
}

// The log's keeper signs valid heads over an approval no steward gave.
TEST_F(DecisionEntryCheckTest, ForgedApprovalInAValidlySignedLogIsRejected) {
  v1::SignedDecision flipped = Decide(police_, "job-a", "police", v1::VERDICT_DENY);
  flipped.set_verdict(v1::VERDICT_APPROVE);  // turned into an approval
  AuditVerdict verdict = VerifyWith({Received("job-a", flipped)}, Keys());
  EXPECT_EQ(verdict.problem, AuditProblem::kEntryRejected) << verdict.reason;
  EXPECT_EQ(verdict.first_bad_index, 3u);

  const crypto::Ed25519PrivateKey forger = NewKey();
  verdict = VerifyWith({Received("job-a", Decide(forger, "job-a", "police", v1::VERDICT_APPROVE))},
                       Keys());
  EXPECT_EQ(verdict.problem, AuditProblem::kEntryRejected) << verdict.reason;
  EXPECT_EQ(verdict.first_bad_index, 3u);
}

TEST_F(DecisionEntryCheckTest, DecisionReplayedOntoAnotherJobIsRejected) {
  const v1::SignedDecision approval = Decide(health_, "job-a", "health", v1::VERDICT_APPROVE);
  const AuditVerdict verdict =
      VerifyWith({Submitted("job-b"), Received("job-b", approval)}, Keys());
  EXPECT_EQ(verdict.problem, AuditProblem::kEntryRejected) << verdict.reason;
  EXPECT_EQ(verdict.first_bad_index, 4u);
}

TEST_F(DecisionEntryCheckTest, DecisionWithoutSubmissionOrKeyIsRejected) {
  AuditVerdict verdict = VerifyWith(
      {Received("job-c", Decide(health_, "job-c", "health", v1::VERDICT_APPROVE))}, Keys());
  EXPECT_EQ(verdict.problem, AuditProblem::kEntryRejected) << verdict.reason;
  EXPECT_EQ(verdict.first_bad_index, 3u);
  EXPECT_NE(verdict.reason.find("submission"), std::string::npos) << verdict.reason;

  proto::DecisionKeys only_health = {{"health", health_.public_key()}};
  verdict = VerifyWith({}, only_health);
  EXPECT_EQ(verdict.problem, AuditProblem::kEntryRejected) << verdict.reason;
  EXPECT_EQ(verdict.first_bad_index, 2u);
  EXPECT_NE(verdict.reason.find("'police'"), std::string::npos) << verdict.reason;
}

TEST_F(DecisionEntryCheckTest, EntryAndDecisionMustAgree) {
  v1::AuditEntry other_agency =
      Received("job-a", Decide(health_, "job-a", "health", v1::VERDICT_APPROVE));
  other_agency.set_agency("police");
  AuditVerdict verdict = VerifyWith({other_agency}, Keys());
  EXPECT_EQ(verdict.problem, AuditProblem::kEntryRejected) << verdict.reason;
  v1::AuditEntry other_spec =
      Received("job-a", Decide(health_, "job-a", "health", v1::VERDICT_APPROVE));
  other_spec.set_job_spec_sha256(SpecHash("job-z"));
  verdict = VerifyWith({other_spec}, Keys());
  EXPECT_EQ(verdict.problem, AuditProblem::kEntryRejected) << verdict.reason;
  EXPECT_EQ(verdict.first_bad_index, 3u);
}

}  // namespace
}  // namespace fedlink::audit
