// A steward's decision on a job, signed with the agency's Ed25519 key over
// the fixed layout of proto/runtime/signing_input.h (DecisionSigningInput),
// and the checks every verifier runs: agents before they encode or release
// anything (against the keys pinned in their policy, never keys the
// coordinator sends), the coordinator when a decision arrives, auditors.
//
// A decision binds the verdict, the agency, the job id and the SHA-256 of
// the JobSpec bytes exactly as the coordinator stored them (job.proto), so
// it cannot be moved to another job, survive a change of the spec, or be
// turned from a denial into an approval.
#ifndef FEDLINK_AGENT_POLICY_DECISION_SIGNER_H_
#define FEDLINK_AGENT_POLICY_DECISION_SIGNER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/policy/agent_policy.h"
#include "agent/policy/policy_check.h"
#include "fedlink/v1/common.pb.h"
#include "fedlink/v1/decision.pb.h"
#include "fedlink/v1/job.pb.h"
#include "google/protobuf/repeated_field.h"
#include "linkage/crypto/ed25519.h"
#include "proto/runtime/decision_verify.h"

namespace fedlink::agent::policy {

// Verification lives with the contract (the coordinator and auditors run it
// too); these names keep the agent's callers short.
using proto::DecisionKeyId;
using proto::DecisionKeys;
using proto::DecisionSubject;
using proto::JobSpecSha256;
using proto::VerifyAllApprovals;
using proto::VerifyApproval;
using proto::VerifyDecision;

// The job the steward reviewed, as the coordinator sent it (DecideJob).
struct ReviewedJob {
  std::string job_id;
  // The serialised JobSpec exactly as stored; the decision signs its hash.
  std::string job_spec_bytes;
  // Who submitted the job.
  v1::Identity analyst;
};

// Signs this agency's decisions. Thread-safe (const methods only).
class DecisionSigner {
 public:
  // InvalidArgument unless `agency` is an agency id (a NAME,
  // [a-z0-9][a-z0-9._-]*, 1..64 bytes).
  static absl::StatusOr<std::unique_ptr<DecisionSigner>> Create(
      std::string agency, crypto::Ed25519PrivateKey key);

  // An approval by steward `person` (the decision names "<agency>/<person>")
  // at `now`. The spec bytes are parsed and validated (proto/runtime
  // limits), then evaluated against `policy`: approving is refused with
  // FailedPrecondition listing every violation (FormatViolations) when
  // EvaluateJob finds any. Also FailedPrecondition if `policy` is another
  // agency's; InvalidArgument for spec bytes that are not a valid JobSpec, a
  // job id that is not a NAME, a person that is not a NAME, a reason over
  // 2000 bytes or with control characters, or `now` before 1970; Internal
  // if signing fails.
  absl::StatusOr<v1::SignedDecision> Approve(const ReviewedJob& job,
                                             std::string_view person,
                                             std::string_view reason,
                                             const AgentPolicy& policy,
                                             const ColumnClasses& columns,
                                             absl::Time now) const;

  // A denial: always possible (even for a spec that does not parse), so a
  // steward can refuse anything. Errors as Approve, without the policy ones.
  absl::StatusOr<v1::SignedDecision> Deny(const ReviewedJob& job,
                                          std::string_view person,
                                          std::string_view reason,
                                          absl::Time now) const;

  const std::string& agency() const { return agency_; }
  const crypto::Ed25519PublicKey& public_key() const {
    return key_.public_key();
  }

 private:
  DecisionSigner(std::string agency, crypto::Ed25519PrivateKey key)
      : agency_(std::move(agency)), key_(std::move(key)) {}

  absl::StatusOr<v1::SignedDecision> Sign(const ReviewedJob& job,
                                          v1::Verdict verdict,
                                          std::string_view person,
                                          std::string_view reason,
                                          absl::Time now) const;

  std::string agency_;
  crypto::Ed25519PrivateKey key_;
};

// The keys an agent verifies approvals with. Thread-safe.
DecisionKeys DecisionKeysFor(const AgentPolicy& policy,
                             const crypto::Ed25519PublicKey& own_key);

}  // namespace fedlink::agent::policy

#endif  // FEDLINK_AGENT_POLICY_DECISION_SIGNER_H_
