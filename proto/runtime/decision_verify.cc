#include "proto/runtime/decision_verify.h"

#include <cstdint>
#include <set>

#include <openssl/crypto.h>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "linkage/crypto/sha256.h"
#include "linkage/document/quote_name.h"
#include "linkage/status_macros.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/signing_input.h"

namespace fedlink::proto {
namespace {

// Names in messages; never data values.
std::string Quote(std::string_view name) { return document::QuoteName(name); }

// absl::StrCat takes absl::string_view.
absl::string_view Sv(std::string_view s) { return {s.data(), s.size()}; }

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

absl::Status VerifyDecision(const v1::SignedDecision& decision,
                            const DecisionSubject& expected,
                            const crypto::Ed25519PublicKey& registered_key) {
  const std::string what =
      absl::StrCat(Sv(VerdictName(decision.verdict())), " by agency ",
                   Quote(decision.agency()), " for job ",
                   Quote(decision.job_id()));
  FEDLINK_RETURN_IF_ERROR(Validate(decision));
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
      DecisionSigningInput(decision),
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

}  // namespace fedlink::proto
