// The checks every verifier of a steward's signed decision runs: agents
// before they encode or release anything (against the keys pinned in their
// policy, never keys the coordinator sends), the coordinator when a
// decision arrives (against the agency registry), auditors offline.
// Signing is the agent's (agent/policy/decision_signer.h).
//
// A decision binds the verdict, the agency, the job id and the SHA-256 of
// the JobSpec bytes exactly as the coordinator stored them (job.proto), so
// it cannot be moved to another job, survive a change of the spec, or be
// turned from a denial into an approval.
#ifndef FEDLINK_PROTO_RUNTIME_DECISION_VERIFY_H_
#define FEDLINK_PROTO_RUNTIME_DECISION_VERIFY_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "fedlink/v1/decision.pb.h"
#include "fedlink/v1/job.pb.h"
#include "google/protobuf/repeated_field.h"
#include "linkage/crypto/ed25519.h"

namespace fedlink::proto {

// SHA-256 of the JobSpec bytes as stored (32 raw bytes). Thread-safe.
std::string JobSpecSha256(std::string_view job_spec_bytes);

// SHA-256 of a raw Ed25519 public key: SignedDecision.key_id. Thread-safe.
std::string DecisionKeyId(const crypto::Ed25519PublicKey& key);

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

// Decision keys by agency id.
using DecisionKeys = std::map<std::string, crypto::Ed25519PublicKey>;

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
    std::string_view job_id, std::string_view job_spec_sha256,
    const v1::JobSpec& spec, const DecisionKeys& keys);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_DECISION_VERIFY_H_
