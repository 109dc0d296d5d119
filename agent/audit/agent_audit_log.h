// The agent's local audit log (DESIGN.md §7, issue 6): what this agency's
// steward approved or denied, what the agent released (counts, never
// values), and the coordinator's signed tree head from every interaction,
// as receipts — so a coordinator that forks or rewrites its log is caught
// by comparing agents' receipts with what it serves.
//
// Same format as the coordinator's log: this is a thin layer over
// proto/audit's AuditLog (RFC 6962 Merkle leaves = serialised AuditEntry
// bytes, Ed25519-signed tree heads, proofs, export for `fedlink audit
// verify`), stored in the record store's audit_log column family and
// signed with the agency's Ed25519 key under log id "agent/<agency>". Every
// entry is appended together with a freshly signed head (one write).
//
// Receipts. The last coordinator head the agent verified is kept in the
// store's meta family (kCoordinatorHeadMeta), so checks continue across
// restarts; the daemon reports its size as WatchWorkRequest.known_tree_size.
// A receipt is checked with proto/audit VerifyReceipt against the pinned
// coordinator key:
//  * same size as the verified head: must have the same root;
//  * larger, with a consistency proof: the proof must hold; the head becomes
//    the verified one;
//  * larger, without a proof (an RPC response may carry none): only the
//    signature is checked; the head is recorded but does not replace the
//    verified one, so the next proof is asked from the verified size;
//  * smaller than the verified head, a bad signature, another log id, a
//    fork or a failed proof: refused (DataLoss), and recorded as a FAILED
//    RECEIPT_RECORDED entry carrying the offending head as evidence.
//
// Thread safety: all methods are thread-safe (appends are serialised).
#ifndef FEDLINK_AGENT_AUDIT_AGENT_AUDIT_LOG_H_
#define FEDLINK_AGENT_AUDIT_AGENT_AUDIT_LOG_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agent/store/record_store.h"
#include "fedlink/v1/audit.pb.h"
#include "linkage/crypto/ed25519.h"
#include "proto/audit/audit_log.h"

namespace fedlink::agent::audit {

// Meta name of the last verified coordinator head (a SignedTreeHead).
inline constexpr std::string_view kCoordinatorHeadMeta =
    "audit/coordinator-head";

// "agent/<agency>": the log id of an agency's local log.
std::string AgentLogId(std::string_view agency);

struct AgentAuditLogOptions {
  // This agency's id (a NAME); names the log and the agent as actor.
  std::string agency;
  // The coordinator's Ed25519 tree-head key, pinned in the agent's config
  // (never taken from the coordinator).
  std::optional<crypto::Ed25519PublicKey> coordinator_key;
  // The coordinator's log id (TreeHead.log_id).
  std::string coordinator_log_id = "coordinator";
  // Entry times and head timestamps (injected so tests are deterministic).
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Sync every append (keep on: a signed head must survive a crash).
  bool sync_writes = true;
};

// How a receipt was taken.
enum class ReceiptResult {
  kFirst,       // no earlier head: signature checked, now the verified head
  kSameHead,    // same size and root as the verified head: nothing recorded
  kConsistent,  // grew with a valid consistency proof: recorded, verified
  kUnproven,    // grew without a proof: recorded once, signature only
};

class AgentAuditLog {
 public:
  // Opens (or starts) the log in `store`'s audit_log family; `store` must
  // outlive the log. InvalidArgument for a bad agency or missing clock;
  // FailedPrecondition if no coordinator key is given, or the log was
  // signed by another key or under another id (proto/audit AuditLog::Open);
  // DataLoss if the stored log or the saved coordinator head is damaged.
  static absl::StatusOr<std::unique_ptr<AgentAuditLog>> Open(
      RecordStore& store, crypto::Ed25519PrivateKey agency_key,
      AgentAuditLogOptions options);

  AgentAuditLog(const AgentAuditLog&) = delete;
  AgentAuditLog& operator=(const AgentAuditLog&) = delete;

  // Appends `entry` and a newly signed head in one write; returns the head.
  // Fills in time_unix_ms from the clock when 0 and the actor (this agent)
  // when unset. When `receipt` is given it is checked first (as
  // RecordReceipt) and its head attached as coordinator_tree_head; a
  // receipt that fails is recorded as evidence instead, `entry` is not
  // appended, and DataLoss is returned. InvalidArgument if the entry breaks
  // audit.proto's limits; store errors.
  absl::StatusOr<v1::SignedTreeHead> Record(
      v1::AuditEntry entry, const v1::Receipt* receipt = nullptr);

  // Takes the receipt of an interaction that has no entry of its own (see
  // the file comment). `rpc` and `job_id` (may be empty) describe the
  // interaction. DataLoss "coordinator receipt refused: …" when the check
  // fails (after recording the evidence); InvalidArgument for a receipt
  // without a head; store errors.
  absl::StatusOr<ReceiptResult> RecordReceipt(const v1::Receipt& receipt,
                                              std::string_view rpc,
                                              std::string_view job_id);

  // The last verified coordinator head, if any.
  std::optional<v1::SignedTreeHead> coordinator_head() const;

  // The underlying log: entries, signed heads, proofs, Export.
  const fedlink::audit::AuditLog& log() const { return *log_; }
  const v1::Identity& self() const { return self_; }

 private:
  AgentAuditLog(RecordStore& store,
                std::unique_ptr<fedlink::audit::AuditLog> log,
                AgentAuditLogOptions options,
                std::optional<v1::SignedTreeHead> coordinator_head);

  // Checks `receipt` against the verified head; on failure records the
  // evidence and returns DataLoss.
  absl::StatusOr<ReceiptResult> CheckReceipt(const v1::Receipt& receipt,
                                             std::string_view rpc,
                                             std::string_view job_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends `entry` (time and actor filled in) with a signed head.
  absl::StatusOr<v1::SignedTreeHead> Append(v1::AuditEntry entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes `head` the verified coordinator head, in memory and in meta.
  absl::Status Advance(const v1::SignedTreeHead& head)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  RecordStore& store_;
  const std::unique_ptr<fedlink::audit::AuditLog> log_;
  const AgentAuditLogOptions options_;
  v1::Identity self_;

  mutable absl::Mutex mu_;
  std::optional<v1::SignedTreeHead> coordinator_head_ ABSL_GUARDED_BY(mu_);
  // The last unproven head recorded (size, root), so that repeats of it are
  // not recorded again.
  std::optional<std::pair<uint64_t, std::string>> last_unproven_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace fedlink::agent::audit

#endif  // FEDLINK_AGENT_AUDIT_AGENT_AUDIT_LOG_H_
