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

namespace fedlink::agent::policy {

// SHA-256 of the JobSpec bytes as stored (32 raw bytes). Thread-safe.
std::string JobSpecSha256(std::string_view job_spec_bytes);

// SHA-256 of a raw Ed25519 public key: SignedDecision.key_id. Thread-safe.
std::string DecisionKeyId(const crypto::Ed25519PublicKey& key);

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

// What a decision must be about.
struct DecisionSubject {
  std::string job_id;
  // SHA-256 of the stored JobSpec bytes (JobSpecSha256), 32 raw bytes.
  std::string job_spec_sha256;
  // The agency whose decision it must be (whose key is given).
  std::string agency;
};

// OK when `decision` is well formed (proto limits), is `expected.agency`'s
// decision (steward "<agency>/…") on job `expected.job_id` over exactly
// `expected.job_spec_sha256`, names `registered_key` as its key and carries
// a valid signature by it over DecisionSigningInput. The verdict may be
// either. InvalidArgument naming the first mismatch (another agency,
// another job — a replay —, a changed spec, another key, a signature that
// does not verify, e.g. after a flipped verdict); never quotes the reason.
// Thread-safe.
absl::Status VerifyDecision(const v1::SignedDecision& decision,
                            const DecisionSubject& expected,
                            const crypto::Ed25519PublicKey& registered_key);

// VerifyDecision, and the verdict is an approval: FailedPrecondition
// "agency … denied job …" for a genuine denial. Thread-safe.
absl::Status VerifyApproval(const v1::SignedDecision& decision,
                            const DecisionSubject& expected,
                            const crypto::Ed25519PublicKey& registered_key);

// Decision keys by agency id: the policy's partners plus this agency.
using DecisionKeys = std::map<std::string, crypto::Ed25519PublicKey>;

// The keys an agent verifies approvals with. Thread-safe.
DecisionKeys DecisionKeysFor(const AgentPolicy& policy,
                             const crypto::Ed25519PublicKey& own_key);

// The gate before encoding or release: `approvals` holds exactly one valid
// approval (VerifyApproval against keys[agency]) from every party of `spec`
// and nothing else. `job_spec_sha256` is the hash of the stored bytes `spec`
// was parsed from. FailedPrecondition naming the agency when a party's
// approval is missing or a denial, when no key is held for a party, when an
// approval comes from a non-party or a party approves twice; the errors of
// VerifyDecision (InvalidArgument) prefixed with the approval's index.
// Thread-safe.
absl::Status VerifyAllApprovals(
    const google::protobuf::RepeatedPtrField<v1::SignedDecision>& approvals,
                                std::string_view job_id,
                                std::string_view job_spec_sha256,
                                const v1::JobSpec& spec,
                                const DecisionKeys& keys);

}  // namespace fedlink::agent::policy

#endif  // FEDLINK_AGENT_POLICY_DECISION_SIGNER_H_
