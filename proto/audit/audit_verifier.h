// The offline check behind `fedlink audit verify`: given a log's exported
// entries and signed tree heads, the log's public key and the last head the
// auditor saved, it recomputes the Merkle tree, checks every head's
// signature and root, checks consistency with the saved head, and reports
// the first bad entry with a reason. It trusts nothing the log's keeper
// sends except what the key signed.
//
// The walk goes through the entries in index order. At each entry it checks
// the entry itself (its index, that it parses as a valid AuditEntry, and
// the caller's own check, e.g. agency signatures on decisions); whenever
// the walk reaches the size of a signed head it checks that head (well
// formed, this log, this key, valid signature, timestamp not before the
// previous head's, root equal to the recomputed one). A head that fails is
// reported at the first entry it newly covers: the index just after the
// last head that verified (with a head per append this is the changed
// entry itself; with a head per batch it is the batch's first entry, and
// the reason names the range; a root mismatch over a range also sets
// last_possible_bad_index, which NarrowFirstBadEntry can narrow with more
// heads from the live log). After the last entry, heads beyond it and a
// saved head beyond it mean a truncated log; entries beyond the last signed
// head are unsigned and reported as forged.
//
// Memory: O(log n) for the tree plus the heads; entries are streamed.
#ifndef FEDLINK_PROTO_AUDIT_AUDIT_VERIFIER_H_
#define FEDLINK_PROTO_AUDIT_AUDIT_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fedlink/v1/audit.pb.h"
#include "linkage/crypto/ed25519.h"
#include "proto/audit/audit_export.h"
#include "proto/audit/merkle_nodes.h"

namespace fedlink::audit {

// What was wrong, for callers that branch on it (the reason says it in words).
enum class AuditProblem {
  kNone,
  kMalformedEntry,      // not a valid AuditEntry within the contract's limits
  kOutOfSequence,       // the entry at this position carries another index
                        // (one removed, moved or duplicated)
  kEntryRejected,       // the caller's entry check failed
  kMalformedHead,       // a head breaks the contract's limits
  kWrongLog,            // a head names another log
  kWrongKey,            // a head is signed by another key
  kBadSignature,        // a head's signature does not verify
  kHeadTimeRegression,  // a larger head is timestamped before a smaller one
  kRootMismatch,        // the entries do not hash to a head's signed root
  kSavedHeadMismatch,   // … to the root of the head the auditor saved
  kTruncated,           // heads or the saved head cover entries that are missing
  kUnsignedEntries,     // entries after the last signed head
};

std::string_view AuditProblemName(AuditProblem problem);

struct AuditVerdict {
  AuditProblem problem = AuditProblem::kNone;
  // The first entry that could not be verified (set whenever problem is not
  // kNone).
  std::optional<uint64_t> first_bad_index;
  // Set when the entries do not hash to a signed root that newly covers
  // several entries and no signed head in between is at hand: the first bad
  // entry is somewhere in [first_bad_index, last_possible_bad_index]
  // (NarrowFirstBadEntry in first_bad_entry_search.h narrows it with heads
  // fetched from the log). Unset when first_bad_index is exact.
  std::optional<uint64_t> last_possible_bad_index;
  // Why, naming indices, sizes and key ids; never entry contents.
  std::string reason;
  // Entries read and signed heads verified before the first problem.
  uint64_t entries_checked = 0;
  uint64_t heads_verified = 0;
  // The largest head that verified: what the auditor saves for next time
  // (only when ok()).
  std::optional<v1::SignedTreeHead> latest_verified_head;

  bool ok() const { return problem == AuditProblem::kNone; }
};

struct AuditVerifyOptions {
  // The log's pinned public key and log_id (from the auditor's own
  // configuration, never from the log).
  crypto::Ed25519PublicKey log_key;
  std::string log_id;
  // The head the auditor saved after the previous verification, if any. It
  // must be signed by log_key for log_id (else Create fails).
  std::optional<v1::SignedTreeHead> saved_head;
  // Extra per-entry check (e.g. the agencies' signatures on decisions,
  // proto/runtime/decision_verify.h). A non-OK status rejects the entry with
  // the status's message as the reason. May be empty.
  std::function<absl::Status(uint64_t index, const v1::AuditEntry& entry)> check_entry;
};

// Streaming verifier: Create with the heads, AddEntry for entries 0, 1, …
// in the order received, then Finish. Not thread-safe (one walk).
class AuditVerifier {
 public:
  // InvalidArgument if options.log_id is empty or the saved head does not
  // verify under the given key (the auditor's own inputs are wrong: not a
  // verdict on the log).
  static absl::StatusOr<std::unique_ptr<AuditVerifier>> Create(
      AuditVerifyOptions options, std::vector<v1::SignedTreeHead> heads);

  // Checks the next entry (and every head the walk reaches). Returns false
  // once a problem was found; later entries are then ignored.
  bool AddEntry(const v1::LoggedEntry& entry);

  // Ends the walk: the verdict.
  AuditVerdict Finish();

 private:
  AuditVerifier(AuditVerifyOptions options, std::vector<v1::SignedTreeHead> heads);

  // Checks heads of size frontier_.size() (the walk's position).
  void CheckHeadsAtCurrentSize();
  void CheckHead(const v1::SignedTreeHead& head);
  void Fail(AuditProblem problem, uint64_t index, std::string reason,
            std::optional<uint64_t> last_possible_index = std::nullopt);

  AuditVerifyOptions options_;
  std::vector<v1::SignedTreeHead> heads_;  // by size, then time
  size_t next_head_ = 0;
  MerkleFrontier frontier_;
  uint64_t verified_size_ = 0;  // size of the largest head verified so far
  uint64_t range_start_ = 0;    // the verified size before verified_size_
  uint64_t last_head_time_ = 0;
  bool finished_ = false;
  AuditVerdict verdict_;
};

// The whole check on an in-memory export. Errors as AuditVerifier::Create.
absl::StatusOr<AuditVerdict> VerifyAuditLog(const AuditLogExport& log, AuditVerifyOptions options);

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_AUDIT_VERIFIER_H_
