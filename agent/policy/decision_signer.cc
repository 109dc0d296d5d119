#include "agent/policy/decision_signer.h"

#include <cstdint>
#include <set>
#include <utility>

#include <openssl/crypto.h>

#include "absl/strings/str_cat.h"
#include "agent/policy/policy_internal.h"
#include "linkage/crypto/sha256.h"
#include "linkage/status_macros.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/peer_identity.h"
#include "proto/runtime/signing_input.h"

namespace fedlink::agent::policy {
namespace {

using internal::Quote;
using internal::Sv;

// SignedDecision.reason holds at most this many bytes (decision.proto).
constexpr size_t kMaxReasonBytes = 2000;

std::string DigestString(const crypto::Sha256Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()),
                     digest.size());
}

// Constant-time: the inputs are public, but comparing digests one way
// everywhere costs nothing.
bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view VerdictName(v1::Verdict verdict) {
  switch (verdict) {
    case v1::VERDICT_APPROVE:
      return "approval";
    case v1::VERDICT_DENY:
      return "denial";
    default:
      return "decision";
  }
}

}  // namespace

std::string JobSpecSha256(std::string_view job_spec_bytes) {
  return DigestString(crypto::Sha256(job_spec_bytes));
}

std::string DecisionKeyId(const crypto::Ed25519PublicKey& key) {
  return DigestString(crypto::Sha256(absl::MakeConstSpan(key.bytes())));
}

absl::StatusOr<std::unique_ptr<DecisionSigner>> DecisionSigner::Create(
    std::string agency, crypto::Ed25519PrivateKey key) {
  if (!proto::IsValidName(agency)) {
    return absl::InvalidArgumentError(
        absl::StrCat("decision signer: ", Quote(agency),
                     " is not an agency id ([a-z0-9][a-z0-9._-]*, 1 to 64 "
                     "bytes)"));
  }
  return std::unique_ptr<DecisionSigner>(
      new DecisionSigner(std::move(agency), std::move(key)));
}

absl::StatusOr<v1::SignedDecision> DecisionSigner::Approve(
    const ReviewedJob& job, std::string_view person, std::string_view reason,
    const AgentPolicy& policy, const ColumnClasses& columns,
    absl::Time now) const {
  if (policy.agency != agency_) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", Quote(job.job_id), ": the policy is for agency ",
                     Quote(policy.agency), ", this agent signs for agency ",
                     Quote(agency_)));
  }
  // Evaluate the very bytes whose hash is signed, never a re-serialisation.
  FEDLINK_ASSIGN_OR_RETURN(
      const v1::JobSpec spec,
      proto::ParseJobSpec(job.job_spec_bytes, JobSpecSha256(job.job_spec_bytes),
                          absl::StrCat("job ", job.job_id, " spec")));
  const PolicyVerdict verdict =
      EvaluateJob(spec, job.analyst, policy, columns, now);
  if (!verdict.allowed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "job ", Quote(job.job_id), " cannot be approved under the policy of "
        "agency ", Quote(agency_), ": ",
        FormatViolations(verdict.violations, kMaxReasonBytes)));
  }
  return Sign(job, v1::VERDICT_APPROVE, person, reason, now);
}

absl::StatusOr<v1::SignedDecision> DecisionSigner::Deny(
    const ReviewedJob& job, std::string_view person, std::string_view reason,
    absl::Time now) const {
  return Sign(job, v1::VERDICT_DENY, person, reason, now);
}

absl::StatusOr<v1::SignedDecision> DecisionSigner::Sign(
    const ReviewedJob& job, v1::Verdict verdict, std::string_view person,
    std::string_view reason, absl::Time now) const {
  if (!proto::IsValidName(person)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job ", Quote(job.job_id), ": steward ", Quote(person),
        " is not a person name ([a-z0-9][a-z0-9._-]*, 1 to 64 bytes)"));
  }
  const int64_t decided_at_ms = absl::ToUnixMillis(now);
  if (decided_at_ms <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("job ", Quote(job.job_id),
                     ": the decision time is not after 1970-01-01"));
  }
  v1::SignedDecision decision;
  decision.set_job_id(job.job_id);
  decision.set_agency(agency_);
  decision.set_job_spec_sha256(JobSpecSha256(job.job_spec_bytes));
  decision.set_verdict(verdict);
  decision.set_reason(std::string(reason));
  decision.set_steward(absl::StrCat(agency_, "/", Sv(person)));
  decision.set_decided_at_unix_ms(static_cast<uint64_t>(decided_at_ms));
  decision.set_key_id(DecisionKeyId(key_.public_key()));
  // The signature is checked by Validate as well: a placeholder of the right
  // size lets every other field be checked before anything is signed.
  decision.set_signature(std::string(crypto::kEd25519SignatureSize, '\0'));
  FEDLINK_RETURN_IF_ERROR(proto::Validate(
      decision, absl::StrCat("SignedDecision for job ", Quote(job.job_id))));
  FEDLINK_ASSIGN_OR_RETURN(crypto::Ed25519Signature signature,
                           key_.Sign(proto::DecisionSigningInput(decision)));
  decision.set_signature(
      std::string(reinterpret_cast<const char*>(signature.data()),
                  signature.size()));
  return decision;
}

absl::Status VerifyDecision(const v1::SignedDecision& decision,
                            const DecisionSubject& expected,
                            const crypto::Ed25519PublicKey& registered_key) {
  const std::string what =
      absl::StrCat(Sv(VerdictName(decision.verdict())), " by agency ",
                   Quote(decision.agency()), " for job ",
                   Quote(decision.job_id()));
  FEDLINK_RETURN_IF_ERROR(proto::Validate(decision));
  if (decision.agency() != expected.agency) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": expected a decision by agency ",
                     Quote(expected.agency)));
  }
  if (decision.job_id() != expected.job_id) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": expected a decision on job ", Quote(expected.job_id),
        " (a decision cannot be reused for another job)"));
  }
  if (!SameBytes(decision.job_spec_sha256(), expected.job_spec_sha256)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": it covers another job spec than the one "
                           "stored (the spec changed after it was signed)"));
  }
  if (!SameBytes(decision.key_id(), DecisionKeyId(registered_key))) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": signed with another key than the registered "
                           "key of agency ", Quote(expected.agency)));
  }
  const std::string steward_prefix = absl::StrCat(expected.agency, "/");
  if (decision.steward().compare(0, steward_prefix.size(), steward_prefix) !=
      0) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": the steward is not one of agency ", Quote(expected.agency)));
  }
  const absl::Status signature = registered_key.Verify(
      proto::DecisionSigningInput(decision),
      absl::MakeConstSpan(
          reinterpret_cast<const uint8_t*>(decision.signature().data()),
          decision.signature().size()));
  if (!signature.ok()) {
    if (absl::IsInvalidArgument(signature)) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": the signature does not verify under the registered key of "
          "agency ", Quote(expected.agency),
          " (the decision was altered or forged)"));
    }
    return signature;
  }
  return absl::OkStatus();
}

absl::Status VerifyApproval(const v1::SignedDecision& decision,
                            const DecisionSubject& expected,
                            const crypto::Ed25519PublicKey& registered_key) {
  FEDLINK_RETURN_IF_ERROR(VerifyDecision(decision, expected, registered_key));
  if (decision.verdict() != v1::VERDICT_APPROVE) {
    return absl::FailedPreconditionError(
        absl::StrCat("agency ", Quote(decision.agency()), " denied job ",
                     Quote(decision.job_id())));
  }
  return absl::OkStatus();
}

DecisionKeys DecisionKeysFor(const AgentPolicy& policy,
                             const crypto::Ed25519PublicKey& own_key) {
  DecisionKeys keys;
  for (const Partner& partner : policy.partners) {
    keys.emplace(partner.agency, partner.public_key);
  }
  keys.insert_or_assign(policy.agency, own_key);
  return keys;
}

absl::Status VerifyAllApprovals(
    const google::protobuf::RepeatedPtrField<v1::SignedDecision>& approvals,
    std::string_view job_id, std::string_view job_spec_sha256,
    const v1::JobSpec& spec, const DecisionKeys& keys) {
  std::set<std::string> parties;
  for (const v1::Party& party : spec.parties()) parties.insert(party.agency());
  std::set<std::string> approved;
  for (int i = 0; i < approvals.size(); ++i) {
    const v1::SignedDecision& decision = approvals[i];
    const std::string at = absl::StrCat("job ", Quote(job_id), " approval[", i,
                                        "]: ");
    if (parties.count(decision.agency()) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(at, "agency ", Quote(decision.agency()),
                       " is not a party of the job"));
    }
    auto key = keys.find(decision.agency());
    if (key == keys.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat(at, "no decision key is held for agency ",
                       Quote(decision.agency()),
                       " (add it to the policy's partners)"));
    }
    const DecisionSubject subject{std::string(job_id),
                                  std::string(job_spec_sha256),
                                  decision.agency()};
    const absl::Status status = VerifyApproval(decision, subject, key->second);
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat(at, status.message()));
    }
    if (!approved.insert(decision.agency()).second) {
      return absl::FailedPreconditionError(
          absl::StrCat(at, "agency ", Quote(decision.agency()),
                       " approved twice"));
    }
  }
  for (const std::string& party : parties) {
    if (approved.count(party) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("job ", Quote(job_id), ": no approval from agency ",
                       Quote(party)));
    }
  }
  return absl::OkStatus();
}

}  // namespace fedlink::agent::policy
