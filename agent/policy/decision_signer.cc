#include "agent/policy/decision_signer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/policy/policy_internal.h"
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

}  // namespace

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

DecisionKeys DecisionKeysFor(const AgentPolicy& policy,
                             const crypto::Ed25519PublicKey& own_key) {
  DecisionKeys keys;
  for (const Partner& partner : policy.partners) {
    keys.emplace(partner.agency, partner.public_key);
  }
  keys.insert_or_assign(policy.agency, own_key);
  return keys;
}

}  // namespace fedlink::agent::policy
