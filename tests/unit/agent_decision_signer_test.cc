// Signed decisions: a signed approval or denial verifies under the agency's
// key and nothing else does — no edited field, no flipped verdict, no other
// job or spec, no signature by another key. Approving a job that breaks the
// policy is refused.
#include "agent/policy/decision_signer.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fedlink/v1/coordinator.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "proto/runtime/signing_input.h"
#include "tests/unit/agent_policy_test_util.h"

namespace fedlink::agent::policy {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestAnalyst;
using testing::TestColumns;
using testing::TestKey;
using testing::TestNow;
using testing::TestPolicy;
using testing::TestSpec;

std::unique_ptr<DecisionSigner> Signer(const std::string& agency, uint8_t seed) {
  return DecisionSigner::Create(agency, TestKey(seed)).value();
}

ReviewedJob Job(const std::string& job_id = "job-1", const v1::JobSpec& spec = TestSpec()) {
  return ReviewedJob{job_id, spec.SerializeAsString(), TestAnalyst()};
}

DecisionSubject Subject(const ReviewedJob& job, const std::string& agency = "edu") {
  return DecisionSubject{job.job_id, JobSpecSha256(job.job_spec_bytes), agency};
}

// wages' side of the same job.
AgentPolicy WagesPolicy() {
  AgentPolicy policy = TestPolicy();
  policy.agency = "wages";
  policy.partners = {Partner{"edu", TestKey(1).public_key()}};
  policy.columns = {"industry"};
  return policy;
}
ColumnClasses WagesColumns() { return {{"industry", ingest::Sensitivity::kPublic}}; }

v1::SignedDecision Approval(const ReviewedJob& job = Job()) {
  return Signer("edu", 1)
      ->Approve(job, "bob", "IRB and DSA checked", TestPolicy(), TestColumns(), TestNow())
      .value();
}

v1::SignedDecision Denial(const ReviewedJob& job = Job()) {
  return Signer("edu", 1)->Deny(job, "bob", "purpose too broad", TestNow()).value();
}

void ExpectRefused(const absl::Status& status, const std::string& text) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(text));
}

TEST(DecisionSignerTest, ApprovalRoundTrip) {
  const ReviewedJob job = Job();
  const v1::SignedDecision d = Approval(job);
  EXPECT_EQ(d.job_id(), "job-1");
  EXPECT_EQ(d.agency(), "edu");
  EXPECT_EQ(d.job_spec_sha256(), JobSpecSha256(job.job_spec_bytes));
  EXPECT_EQ(d.job_spec_sha256().size(), 32u);
  EXPECT_EQ(d.verdict(), v1::VERDICT_APPROVE);
  EXPECT_EQ(d.reason(), "IRB and DSA checked");
  EXPECT_EQ(d.steward(), "edu/bob");
  EXPECT_EQ(d.decided_at_unix_ms(), static_cast<uint64_t>(absl::ToUnixMillis(TestNow())));
  EXPECT_EQ(d.key_id(), DecisionKeyId(TestKey(1).public_key()));
  EXPECT_EQ(d.signature().size(), 64u);
  const crypto::Ed25519PublicKey key = TestKey(1).public_key();
  EXPECT_TRUE(VerifyDecision(d, Subject(job), key).ok()) << VerifyDecision(d, Subject(job), key);
  EXPECT_TRUE(VerifyApproval(d, Subject(job), key).ok());
  // The signature is over the documented layout, checkable without this code.
  const std::string& sig = d.signature();
  EXPECT_TRUE(key.Verify(proto::DecisionSigningInput(d),
                         absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(sig.data()),
                                             sig.size()))
                  .ok());
}

TEST(DecisionSignerTest, DenialVerifiesButIsNoApproval) {
  const v1::SignedDecision d = Denial();
  EXPECT_EQ(d.verdict(), v1::VERDICT_DENY);
  EXPECT_TRUE(VerifyDecision(d, Subject(Job()), TestKey(1).public_key()).ok());
  const absl::Status approval = VerifyApproval(d, Subject(Job()), TestKey(1).public_key());
  EXPECT_EQ(approval.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(approval.message()), HasSubstr("agency 'edu' denied job 'job-1'"));
}

TEST(DecisionSignerTest, ApprovingAPolicyViolationIsRefusedWithEveryViolation) {
  v1::JobSpec spec = TestSpec();
  spec.mutable_parties(0)->add_columns("iep_status");
  spec.set_method(v1::LINKAGE_METHOD_BLOOM);
  const absl::StatusOr<v1::SignedDecision> d = Signer("edu", 1)->Approve(
      Job("job-1", spec), "bob", "", TestPolicy(), TestColumns(), TestNow());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(d.status().message()),
              AllOf(HasSubstr("job 'job-1' cannot be approved under the policy of agency 'edu'"),
                    HasSubstr("column_not_allowed at parties[0].columns[2]"),
                    HasSubstr("column_above_max_class at parties[0].columns[2]"),
                    HasSubstr("method_not_allowed at method")));
  // The steward can still deny it.
  EXPECT_TRUE(Signer("edu", 1)->Deny(Job("job-1", spec), "bob", "policy", TestNow()).ok());
}

TEST(DecisionSignerTest, ApprovalChecksTheAnalystOfTheReviewedJob) {
  ReviewedJob job = Job();
  job.analyst.set_name("mallory");
  const absl::StatusOr<v1::SignedDecision> d =
      Signer("edu", 1)->Approve(job, "bob", "", TestPolicy(), TestColumns(), TestNow());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("analyst_not_allowed"));
}

TEST(DecisionSignerTest, ApprovalUnderAnotherAgencysPolicyIsRefused) {
  const absl::StatusOr<v1::SignedDecision> d =
      Signer("edu", 1)->Approve(Job(), "bob", "", WagesPolicy(), WagesColumns(), TestNow());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("the policy is for agency 'wages', this agent signs for agency 'edu'"));
}

TEST(DecisionSignerTest, ApprovalNeedsAValidSpecButDenialDoesNot) {
  ReviewedJob job = Job();
  job.job_spec_bytes = "\xff\xff not a job spec";
  const absl::StatusOr<v1::SignedDecision> approval =
      Signer("edu", 1)->Approve(job, "bob", "", TestPolicy(), TestColumns(), TestNow());
  EXPECT_EQ(approval.status().code(), absl::StatusCode::kInvalidArgument);
  const absl::StatusOr<v1::SignedDecision> denial =
      Signer("edu", 1)->Deny(job, "bob", "unreadable spec", TestNow());
  ASSERT_TRUE(denial.ok()) << denial.status();
  EXPECT_TRUE(VerifyDecision(*denial, Subject(job), TestKey(1).public_key()).ok());
}

TEST(DecisionSignerTest, BadDecisionInputsAreRefused) {
  const auto signer = Signer("edu", 1);
  ExpectRefused(signer->Deny(Job(), "Bob Smith", "", TestNow()).status(),
                "steward 'Bob Smith' is not a person name");
  ExpectRefused(signer->Deny(Job(), "", "", TestNow()).status(), "is not a person name");
  ExpectRefused(signer->Deny(Job(), "bob", std::string(2001, 'r'), TestNow()).status(),
                "reason");
  ExpectRefused(signer->Deny(Job(), "bob", "bell\a", TestNow()).status(), "reason");
  ExpectRefused(signer->Deny(Job("job 1"), "bob", "", TestNow()).status(), "job_id");
  ExpectRefused(signer->Deny(Job(), "bob", "", absl::UnixEpoch()).status(),
                "the decision time is not after 1970-01-01");
  EXPECT_EQ(DecisionSigner::Create("Edu Agency", TestKey(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DecisionSignerTest, EveryEditedFieldBreaksTheDecision) {
  const ReviewedJob job = Job();
  const crypto::Ed25519PublicKey key = TestKey(1).public_key();
  const std::vector<std::pair<std::string, std::function<void(v1::SignedDecision&)>>> edits = {
      {"reason", [](v1::SignedDecision& d) { d.set_reason("IRB and DSA checked!"); }},
      {"steward", [](v1::SignedDecision& d) { d.set_steward("edu/eve"); }},
      {"decided_at", [](v1::SignedDecision& d) { d.set_decided_at_unix_ms(1); }},
      {"signature",
       [](v1::SignedDecision& d) { (*d.mutable_signature())[10] ^= 0x01; }},
  };
  for (const auto& [name, edit] : edits) {
    SCOPED_TRACE(name);
    v1::SignedDecision d = Approval(job);
    edit(d);
    ExpectRefused(VerifyDecision(d, Subject(job), key), "the signature does not verify");
  }
}

TEST(DecisionSignerTest, DenialPresentedAsApprovalIsRefused) {
  const ReviewedJob job = Job();
  v1::SignedDecision d = Denial(job);
  d.set_verdict(v1::VERDICT_APPROVE);  // the one bit that differs
  const absl::Status status = VerifyApproval(d, Subject(job), TestKey(1).public_key());
  ExpectRefused(status, "approval by agency 'edu' for job 'job-1': the signature does not verify");
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("purpose too broad")));
}

TEST(DecisionSignerTest, SpecChangedAfterSigningIsRefused) {
  const ReviewedJob job = Job();
  const v1::SignedDecision d = Approval(job);
  v1::JobSpec changed = TestSpec();
  changed.mutable_parties(0)->add_columns("gpa");
  const ReviewedJob changed_job = Job("job-1", changed);
  ExpectRefused(VerifyDecision(d, Subject(changed_job), TestKey(1).public_key()),
                "it covers another job spec than the one stored");
  // Editing the hash in the decision to match does not help.
  v1::SignedDecision edited = d;
  edited.set_job_spec_sha256(JobSpecSha256(changed_job.job_spec_bytes));
  ExpectRefused(VerifyDecision(edited, Subject(changed_job), TestKey(1).public_key()),
                "the signature does not verify");
}

TEST(DecisionSignerTest, ReplayForAnotherJobIsRefused) {
  const ReviewedJob job = Job("job-1");
  const ReviewedJob other = Job("job-2");  // same spec bytes, another job
  const v1::SignedDecision d = Approval(job);
  ExpectRefused(VerifyApproval(d, Subject(other), TestKey(1).public_key()),
                "expected a decision on job 'job-2' (a decision cannot be reused for another "
                "job)");
  v1::SignedDecision relabelled = d;
  relabelled.set_job_id("job-2");
  ExpectRefused(VerifyApproval(relabelled, Subject(other), TestKey(1).public_key()),
                "the signature does not verify");
}

TEST(DecisionSignerTest, DecisionOfAnotherAgencyIsRefused) {
  const ReviewedJob job = Job();
  const v1::SignedDecision d = Approval(job);
  ExpectRefused(VerifyDecision(d, Subject(job, "wages"), TestKey(1).public_key()),
                "expected a decision by agency 'wages'");
  v1::SignedDecision relabelled = d;
  relabelled.set_agency("wages");
  relabelled.set_steward("wages/bob");
  ExpectRefused(VerifyDecision(relabelled, Subject(job, "wages"), TestKey(1).public_key()),
                "the signature does not verify");
  v1::SignedDecision foreign_steward = d;
  foreign_steward.set_steward("wages/bob");
  ExpectRefused(VerifyDecision(foreign_steward, Subject(job), TestKey(1).public_key()),
                "the steward is not one of agency 'edu'");
}

TEST(DecisionSignerTest, WrongOrForgedKeysAreRefused) {
  const ReviewedJob job = Job();
  const v1::SignedDecision d = Approval(job);
  // Verified against another agency's registered key.
  ExpectRefused(VerifyDecision(d, Subject(job), TestKey(2).public_key()),
                "signed with another key than the registered key of agency 'edu'");
  // Signed by an attacker's key that claims to be edu's: its key id betrays it…
  const v1::SignedDecision forged = Signer("edu", 9)
                                        ->Approve(job, "bob", "IRB and DSA checked",
                                                  TestPolicy(), TestColumns(), TestNow())
                                        .value();
  ExpectRefused(VerifyDecision(forged, Subject(job), TestKey(1).public_key()),
                "signed with another key");
  // …and with edu's key id copied in, the signature does not verify.
  v1::SignedDecision disguised = forged;
  disguised.set_key_id(DecisionKeyId(TestKey(1).public_key()));
  ExpectRefused(VerifyDecision(disguised, Subject(job), TestKey(1).public_key()),
                "the signature does not verify");
}

TEST(DecisionSignerTest, MalformedDecisionsAreRefused) {
  const ReviewedJob job = Job();
  v1::SignedDecision d = Approval(job);
  d.set_signature(d.signature().substr(0, 63));
  ExpectRefused(VerifyDecision(d, Subject(job), TestKey(1).public_key()), "signature");
  d = Approval(job);
  d.clear_key_id();
  ExpectRefused(VerifyDecision(d, Subject(job), TestKey(1).public_key()), "key_id");
  ExpectRefused(VerifyDecision(v1::SignedDecision(), Subject(job), TestKey(1).public_key()),
                "SignedDecision");
}

TEST(DecisionSignerTest, SigningIsDeterministicAndTimeStamped) {
  const ReviewedJob job = Job();
  const auto signer = Signer("edu", 1);
  const v1::SignedDecision a = signer->Deny(job, "bob", "", TestNow()).value();
  const v1::SignedDecision b = signer->Deny(job, "bob", "", TestNow()).value();
  const v1::SignedDecision later =
      signer->Deny(job, "bob", "", TestNow() + absl::Milliseconds(1)).value();
  EXPECT_EQ(a.signature(), b.signature());
  EXPECT_NE(a.signature(), later.signature());
  EXPECT_EQ(later.decided_at_unix_ms(), a.decided_at_unix_ms() + 1);
}

// ---------------------------------------------------------- all parties

class AllApprovalsTest : public ::testing::Test {
 protected:
  AllApprovalsTest()
      : job_(Job()),
        hash_(JobSpecSha256(job_.job_spec_bytes)),
        keys_(DecisionKeysFor(TestPolicy(), TestKey(1).public_key())) {
    *encode_.add_approvals() = Approval(job_);
    *encode_.add_approvals() =
        Signer("wages", 2)
            ->Approve(job_, "carl", "", WagesPolicy(), WagesColumns(), TestNow())
            .value();
  }

  absl::Status Verify() {
    return VerifyAllApprovals(encode_.approvals(), job_.job_id, hash_, TestSpec(), keys_);
  }

  ReviewedJob job_;
  std::string hash_;
  DecisionKeys keys_;
  v1::EncodeJob encode_;
};

TEST_F(AllApprovalsTest, EveryPartyApproved) {
  EXPECT_EQ(keys_.size(), 3u);  // wages, health and edu itself
  EXPECT_TRUE(Verify().ok()) << Verify();
}

TEST_F(AllApprovalsTest, MissingApprovalIsRefused) {
  encode_.mutable_approvals()->RemoveLast();
  EXPECT_EQ(Verify().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(Verify().message()), HasSubstr("no approval from agency 'wages'"));
}

TEST_F(AllApprovalsTest, DenialAmongApprovalsIsRefused) {
  *encode_.mutable_approvals(0) = Denial(job_);
  EXPECT_EQ(Verify().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(Verify().message()), HasSubstr("approval[0]: agency 'edu' denied"));
}

TEST_F(AllApprovalsTest, DuplicateApprovalIsRefused) {
  *encode_.add_approvals() = encode_.approvals(1);
  EXPECT_EQ(Verify().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(Verify().message()), HasSubstr("approval[2]: agency 'wages' approved twice"));
}

TEST_F(AllApprovalsTest, DecisionFromANonPartyIsRefused) {
  // health is a partner with a held key, but not a party of this job.
  *encode_.add_approvals() = Signer("health", 3)->Deny(job_, "h", "", TestNow()).value();
  EXPECT_EQ(Verify().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(Verify().message()),
              HasSubstr("approval[2]: agency 'health' is not a party of the job"));
}

TEST_F(AllApprovalsTest, PartyWithoutALocallyHeldKeyIsRefused) {
  keys_.erase("wages");
  EXPECT_EQ(Verify().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(Verify().message()),
              HasSubstr("no decision key is held for agency 'wages'"));
}

TEST_F(AllApprovalsTest, TamperedApprovalIsRefusedWithItsIndex) {
  encode_.mutable_approvals(1)->set_reason("edited");
  EXPECT_EQ(Verify().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(Verify().message()),
              HasSubstr("job 'job-1' approval[1]: approval by agency 'wages'"));
}

TEST_F(AllApprovalsTest, ApprovalsOfAnotherJobAreRefused) {
  EXPECT_EQ(VerifyAllApprovals(encode_.approvals(), "job-2", hash_, TestSpec(), keys_).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyAllApprovals(encode_.approvals(), job_.job_id, std::string(32, '\0'),
                               TestSpec(), keys_)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::agent::policy
