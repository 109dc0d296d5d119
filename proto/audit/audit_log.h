// The append-only, tamper-evident audit log the coordinator and the agents
// keep (same format, DESIGN.md §7): entries are the leaves of an RFC
// 6962/9162 Merkle tree, tree heads are signed with the keeper's Ed25519
// key, and the log serves entries, signed heads, inclusion proofs and
// consistency proofs.
//
// Storage: one RocksDB column family owned by the caller, holding nothing
// else (layout in audit_log_keys.h). Each append writes the entry bytes, its
// leaf hash and every perfect subtree it completes (on average two hashes
// per entry) in one WriteBatch, so an append, a root and a proof cost
// O(log n). The right edge of the tree is kept in memory.
//
// Signing policy is the caller's: the coordinator signs at every batch
// (AppendBatchAndSign, which writes the head in the same WriteBatch) and at
// least every minute (SignHeadIfDue from a timer). Head timestamps never go
// backwards, even if the clock does.
//
// Thread safety: every method is thread-safe. Appends and signing are
// serialised by an internal mutex; reads (entries, heads, proofs) run
// concurrently with them and see only complete appends.
#ifndef FEDLINK_PROTO_AUDIT_AUDIT_LOG_H_
#define FEDLINK_PROTO_AUDIT_AUDIT_LOG_H_

#include <rocksdb/db.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fedlink/v1/audit.pb.h"
#include "linkage/crypto/ed25519.h"
#include "proto/audit/audit_export.h"
#include "proto/audit/merkle_nodes.h"

namespace fedlink::audit {

struct AuditLogOptions {
  // Names the log in every tree head (TreeHead.log_id: "name" or
  // "name/name", 1..64 bytes, e.g. "coordinator" or "agent/health-dept").
  std::string log_id;
  // The clock for head timestamps (injected so tests are deterministic).
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Sync the write-ahead log on every append and head. Keep on in
  // production: a signed head handed out as a receipt must survive a crash.
  bool sync_writes = true;
};

class AuditLog {
 public:
  // Most entries GetEntries returns at once (ScanEntries has no limit).
  static constexpr uint64_t kMaxEntriesPerGet = 65536;

  // Opens the log in `family` of `db` (both must outlive the log), creating
  // an empty one in an empty family. InvalidArgument for a bad log_id or a
  // missing clock; FailedPrecondition when the family holds something other
  // than an audit log, or the log's heads were signed by another key or
  // under another log_id (a replaced key must be a new log); DataLoss when
  // the stored tree is incomplete or does not match its latest signed head;
  // RocksDB errors as Unavailable/DataLoss/Internal.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(rocksdb::DB* db,
                                                        rocksdb::ColumnFamilyHandle* family,
                                                        crypto::Ed25519PrivateKey signing_key,
                                                        AuditLogOptions options);

  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one entry; returns its leaf index. InvalidArgument naming the
  // field when the entry breaks the contract's limits (proto/runtime/limits.h)
  // or serialises to more than 64 KiB; nothing is written then. RocksDB
  // errors otherwise, also with nothing written.
  absl::StatusOr<uint64_t> Append(const v1::AuditEntry& entry);

  // Appends all entries atomically (all or none); returns the index of the
  // first (the tree size if `entries` is empty). Errors as Append, naming
  // the entry's position in `entries`.
  absl::StatusOr<uint64_t> AppendBatch(absl::Span<const v1::AuditEntry> entries);

  // AppendBatch, then signs the new tree head, in the same WriteBatch.
  // Returns the head, which covers these entries. Concurrent calls are
  // committed as a group: one caller writes everything queued meanwhile
  // (each call's entries stay contiguous and all-or-none) with one head and
  // one sync, so many threads logging one event each share the cost of the
  // signature and the fsync; each gets that group's head.
  absl::StatusOr<v1::SignedTreeHead> AppendBatchAndSign(absl::Span<const v1::AuditEntry> entries);

  // Signs and stores a head for the current size (also when nothing changed:
  // a fresh timestamp shows the log is live). Internal if signing fails;
  // RocksDB errors.
  absl::StatusOr<v1::SignedTreeHead> SignHead();

  // Signs a head if entries were appended since the latest signed head (or
  // none was ever signed for a non-empty log) and that head is at least
  // `max_age` old. Returns the new head, or nullopt when none was due.
  // Errors as SignHead.
  absl::StatusOr<std::optional<v1::SignedTreeHead>> SignHeadIfDue(absl::Duration max_age);

  uint64_t tree_size() const;
  // The root of the current tree.
  crypto::MerkleHash root() const;
  // The latest signed head, if any was signed.
  std::optional<v1::SignedTreeHead> latest_signed_head() const;
  const crypto::Ed25519PublicKey& public_key() const { return signing_key_.public_key(); }
  const std::string& log_id() const { return options_.log_id; }

  // The latest head signed at exactly `tree_size`. NotFound if there is
  // none (the coordinator answers proof requests only for signed sizes).
  absl::StatusOr<v1::SignedTreeHead> GetSignedHead(uint64_t tree_size) const;

  // Every stored signed head with min_size <= tree_size <= max_size, by size.
  absl::StatusOr<std::vector<v1::SignedTreeHead>> GetSignedHeads(uint64_t min_size,
                                                                 uint64_t max_size) const;

  // Calls `visit` for entries [begin, end) in order; stops at and returns
  // the first error `visit` returns. InvalidArgument unless
  // begin <= end <= tree_size(); DataLoss if a stored entry is missing.
  absl::Status ScanEntries(uint64_t begin, uint64_t end,
                           absl::FunctionRef<absl::Status(const v1::LoggedEntry&)> visit) const;

  // Entries [begin, end). Errors as ScanEntries; InvalidArgument for more
  // than kMaxEntriesPerGet entries.
  absl::StatusOr<std::vector<v1::LoggedEntry>> GetEntries(uint64_t begin, uint64_t end) const;

  // The inclusion proof of leaf `leaf_index` in the tree of `tree_size`
  // leaves. InvalidArgument unless leaf_index < tree_size <= tree_size();
  // DataLoss if a stored node is missing.
  absl::StatusOr<v1::InclusionProof> InclusionProof(uint64_t leaf_index, uint64_t tree_size) const;

  // The consistency proof from `old_size` to `new_size`. InvalidArgument
  // unless old_size <= new_size <= tree_size(); DataLoss as above.
  absl::StatusOr<v1::ConsistencyProof> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

  // The receipt for a reply to an agent: the latest signed head (signing
  // one first if none exists) and, when known_tree_size is not 0 (the size
  // of the last head the agent recorded, WatchWorkRequest.known_tree_size),
  // a consistency proof from it. InvalidArgument if known_tree_size exceeds
  // the head's size (the agent has seen more than this log holds: the caller
  // should log and refuse); errors as SignHead and ConsistencyProof.
  absl::StatusOr<v1::Receipt> MakeReceipt(uint64_t known_tree_size);

  // The root of the tree of `tree_size` leaves (<= tree_size()).
  absl::StatusOr<crypto::MerkleHash> RootAt(uint64_t tree_size) const;

  // Everything an auditor needs, as of the latest signed head: entries
  // [0, head size) and every signed head up to it. Entries appended but not
  // yet signed are left out (the verifier treats unsigned entries as
  // forged). Empty if no head was signed.
  absl::StatusOr<AuditLogExport> Export() const;

 private:
  class NodeReader;

  AuditLog(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
           crypto::Ed25519PrivateKey signing_key, AuditLogOptions options);

  using SerializedEntries = std::vector<std::string>;
  // One AppendBatchAndSign call waiting for its group commit.
  struct CommitRequest {
    SerializedEntries entries;
    bool done = false;
    uint64_t first_index = 0;
    absl::StatusOr<v1::SignedTreeHead> head = absl::UnknownError("not committed");
  };
  struct WriteResult {
    uint64_t first_index;
    std::optional<v1::SignedTreeHead> head;
  };

  absl::Status Load();
  // Validated, serialised entries. InvalidArgument naming the position.
  static absl::StatusOr<SerializedEntries> Serialize(absl::Span<const v1::AuditEntry> entries);
  // Writes the calls' entries in order (and a signed head when `sign`) in
  // one WriteBatch; the state changes only if the write succeeds.
  absl::StatusOr<WriteResult> WriteEntries(absl::Span<const SerializedEntries* const> calls,
                                           bool sign);
  // Commits the queued requests of a group (the leader's job).
  void CommitGroup(absl::Span<CommitRequest* const> group);
  // A signed head for `size` / `root` timestamped no earlier than the latest.
  absl::StatusOr<v1::SignedTreeHead> MakeHead(uint64_t size, const crypto::MerkleHash& root)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::SignedTreeHead> SignHeadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckSize(uint64_t size, const char* what) const;

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const family_;
  const crypto::Ed25519PrivateKey signing_key_;
  const AuditLogOptions options_;
  std::unique_ptr<NodeReader> node_reader_;

  // Group commit: callers queue; one at a time leads and writes the queue.
  // Never held while taking mu_ (the leader releases it first).
  absl::Mutex queue_mu_;
  absl::CondVar queue_cv_;
  std::vector<CommitRequest*> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool leader_active_ ABSL_GUARDED_BY(queue_mu_) = false;

  mutable absl::Mutex mu_;
  MerkleFrontier frontier_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::SignedTreeHead> latest_head_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_AUDIT_LOG_H_
