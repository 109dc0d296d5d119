// The agent's record store: the agency's records, job state, per-job
// pseudonym maps, the local release log and small metadata, in one RocksDB
// database, encrypted at rest so that a copied store directory reveals no
// identifier, attribute value or local record id.
//
// At-rest format (store format version 1). From the 32-byte at-rest key the
// store derives two subkeys with HKDF-SHA256 (empty salt):
//   record key-MAC key = HKDF(at_rest_key, info = kRecordKeyInfo)
//   value key          = HKDF(at_rest_key, info = kValueKeyInfo)
// Keys, per column family (column_families.h):
//   records      HMAC-SHA256(record key-MAC key, local id), 32 bytes: the key
//                reveals nothing, and a re-ingested local id lands on the
//                same key (upsert)
//   job_state    the job id
//   pseudonyms   u8 job id length ‖ job id ‖ u64 pseudonym (big-endian)
//   local_audit  u64 sequence number (big-endian), from 1
//   meta         the name
//   default      "store-header"; "record-count" (kRecordCountKey)
// Values: nonce (12) ‖ AES-256-GCM(value key, plaintext, aad) ‖ tag (16),
// with aad = column family name ‖ 0x00 ‖ key, so that a value moved to
// another key or family fails to authenticate. Plaintexts: a StoredRecord
// in format v1 (stored_record.h) in records; the local id in pseudonyms;
// the caller's bytes elsewhere; the record count as 8 bytes little-endian.
// The header value is the store format version
// byte followed by the sealed kHeaderCheck (aad additionally ends with the
// version byte): opening it proves the at-rest key is the right one before
// anything else is read.
//
// The local_audit family is a sealed, free-form record (AppendLocalAudit);
// the agent's tamper-evident log, in the coordinator's format, is the
// audit_log family, which agent/audit writes through proto/audit's AuditLog
// (audit_log_db / audit_log_family below) and which is not sealed: its
// entries hold names and counts only, for auditors to read.
#ifndef FEDLINK_AGENT_STORE_RECORD_STORE_H_
#define FEDLINK_AGENT_STORE_RECORD_STORE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "agent/store/column_families.h"
#include "agent/store/idle_pool.h"
#include "agent/store/stored_record.h"
#include "linkage/crypto/aead.h"
#include "linkage/crypto/hmac.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/sensitive.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace fedlink::agent {

inline constexpr uint8_t kStoreFormatVersion = 1;
inline constexpr size_t kAtRestKeyBytes = 32;
inline constexpr std::string_view kRecordKeyInfo =
    "fedlink/v1/agent-store/record-key-mac";
inline constexpr std::string_view kValueKeyInfo =
    "fedlink/v1/agent-store/value-key";
inline constexpr std::string_view kHeaderKey = "store-header";
inline constexpr std::string_view kHeaderCheck = "fedlink agent store";
// The number of records, kept by every commit that writes records (a store
// written before it existed has it counted once, when first opened).
inline constexpr std::string_view kRecordCountKey = "record-count";

// Job ids and meta names: 1..kMaxNameBytes of [A-Za-z0-9._:-] (meta names
// may also contain '/'). Opaque values (job state, meta, audit entries): at
// most kMaxOpaqueValueBytes.
inline constexpr size_t kMaxNameBytes = 128;
inline constexpr size_t kMaxOpaqueValueBytes = 16 << 20;

struct RecordStoreOptions {
  // fsync the write-ahead log when a batch commits, so that a committed
  // batch survives power loss, not only a process crash. The WAL itself is
  // always on.
  bool sync_commits = true;
  // Create an empty store if `path` holds none. If false, Open returns
  // NotFound instead (commands other than init and ingest use this).
  bool create_if_missing = true;
  size_t block_cache_bytes = 32 << 20;
  int max_background_jobs = 2;
};

// Thread-safe: any number of threads may read and commit at once. Reads see
// committed batches whole or not at all; ForEach* iterate over a consistent
// snapshot taken when they start.
class RecordStore {
 public:
  class WriteBatch;

  // Opens (or, per options, creates) the store in directory `path`.
  // Errors name `path`:
  //   InvalidArgument     `at_rest_key` is not kAtRestKeyBytes;
  //   NotFound            no store at `path` and !create_if_missing;
  //   PermissionDenied    the at-rest key does not open the store header
  //                       (a different key file, or the header was altered);
  //   FailedPrecondition  the store has a format version or a column family
  //                       this build does not know (a newer agent wrote it);
  //   DataLoss            the store holds data but no header;
  //   Unavailable         e.g. another process has the store open (lock);
  //   others              from RocksDB (FromRocksDbStatus) or OpenSSL.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RecordStore>> Open(
      const std::string& path, crypto::SecretBytes at_rest_key,
      const RecordStoreOptions& options = {});

  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;
  // Closes the database; every WriteBatch of this store must be gone.
  ~RecordStore();

  const std::string& path() const { return path_; }

  // A batch of writes that Commit applies atomically: all of it or none.
  // A batch that is dropped without Commit leaves no trace.
  WriteBatch NewBatch() const;

  // Applies `batch` atomically (synced if options.sync_commits). Writes go
  // to RocksDB sorted by key (stable, so the last write of a key still
  // wins): record keys are MACs, random, and a memtable takes sorted
  // inserts much faster.
  // FailedPrecondition, applying nothing, if any write added to the batch
  // failed (so a caller that missed an error still cannot commit half a
  // batch); InvalidArgument if the batch belongs to another store; RocksDB
  // errors (FromRocksDbStatus) otherwise, in which case nothing was applied.
  [[nodiscard]] absl::Status Commit(WriteBatch batch);

  // --- records ---------------------------------------------------------
  // Inserts `record`, or replaces the record with the same local id.
  // Errors of WriteBatch::PutRecord and Commit.
  [[nodiscard]] absl::Status UpsertRecord(const StoredRecord& record);

  // The record with local id `local_id`, or nullopt. DataLoss if its value
  // fails authentication (tampered or corrupted); FailedPrecondition if it
  // was written in an unknown record format; RocksDB errors otherwise.
  [[nodiscard]] absl::StatusOr<std::optional<StoredRecord>> GetRecord(
      std::string_view local_id) const;
  // The records with these local ids (same order; nullopt where there is
  // none), read in one batched lookup: a job's encoder reads its records in
  // shuffled pseudonym order, and one MultiGet of a unit's keys costs less
  // than as many point lookups. Errors as GetRecord, the first one met.
  [[nodiscard]] absl::StatusOr<std::vector<std::optional<StoredRecord>>>
  GetRecords(absl::Span<const std::string_view> local_ids) const;

  // Calls `fn` with every record, in an order that reveals nothing (MAC
  // order), from a snapshot. Stops at and returns the first non-OK status of
  // `fn`; errors as GetRecord otherwise.
  [[nodiscard]] absl::Status ForEachRecord(
      absl::FunctionRef<absl::Status(StoredRecord)> fn) const;

  // The number of records. Constant time: every commit that writes records
  // updates a stored count in the same atomic write (looking up whether the
  // keys it writes were there). Never fails today; StatusOr so that a store
  // that must count again can say why it could not.
  [[nodiscard]] absl::StatusOr<uint64_t> CountRecords() const;

  // --- ingest runs -------------------------------------------------------
  // An ingest tags every record it writes with its run
  // (StoredRecord::ingest_run), so that the store itself tells a local id
  // repeated within one input (a second write in the same run) from an
  // update of a record that an earlier run wrote: the ingest need not keep
  // every id it has seen.
  struct RunWriteCheck {
    // PutRecord calls of the batch (0-based, in call order) that were
    // removed: their local id had already been written in the same run, by
    // a batch committed before or by an earlier PutRecord of this batch.
    std::vector<size_t> removed;
    // PutRecord calls left in the batch that replace a stored record written
    // outside their run (updates; the others insert).
    uint64_t replacing = 0;
  };
  // Removes from `batch` every PutRecord of a record with a non-zero
  // ingest_run whose local id was already written in that run, so that the
  // first write of a local id in a run wins. Looks the batch's record keys
  // up in one MultiGet (bloom filters make new keys cheap) and decrypts
  // only the records found. The answer holds until the next write of
  // records: the caller commits `batch` before anything else writes them.
  // FailedPrecondition if a write in `batch` failed; InvalidArgument if
  // `batch` belongs to another store or its tagged records carry different
  // runs; DataLoss if a stored record fails
  // authentication or is malformed; FailedPrecondition for an unknown record
  // format; RocksDB errors otherwise. Thread-safe.
  [[nodiscard]] absl::StatusOr<RunWriteCheck> RemoveRepeatedRunWrites(
      WriteBatch* batch) const;

  // --- job state ---------------------------------------------------------
  // The state stored for `job_id` (opaque bytes), or nullopt.
  // InvalidArgument for a malformed job id; DataLoss if tampered.
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> GetJobState(
      std::string_view job_id) const;
  // One-write batches; errors of the WriteBatch method and Commit.
  [[nodiscard]] absl::Status PutJobState(std::string_view job_id,
                                         std::string_view state);
  [[nodiscard]] absl::Status DeleteJobState(std::string_view job_id);
  // Every (job id, state), in job id order; errors as ForEachRecord.
  [[nodiscard]] absl::Status ForEachJobState(
      absl::FunctionRef<absl::Status(std::string_view job_id,
                                     std::string state)>
          fn) const;

  // --- pseudonyms ----------------------------------------------------------
  // Calls fn(pseudonym, local id) for every pseudonym stored for `job_id`,
  // in pseudonym order, over one snapshot (one sequential scan: reading a
  // map of a million pseudonyms by point lookups took most of a job's
  // encoding time). InvalidArgument for a malformed job id; DataLoss if an
  // entry is tampered; RocksDB errors; fn's first error.
  [[nodiscard]] absl::Status ForEachPseudonym(
      std::string_view job_id,
      absl::FunctionRef<absl::Status(uint64_t pseudonym,
                                     SensitiveString local_id)>
          fn) const;
  // The number of pseudonyms stored for `job_id`. InvalidArgument for a
  // malformed job id; RocksDB errors.
  [[nodiscard]] absl::StatusOr<uint64_t> CountPseudonyms(
      std::string_view job_id) const;
  // Deletes job `job_id`'s whole pseudonym map (a range deletion, synced),
  // then compacts that key range so the deleted entries leave the files
  // too. InvalidArgument for a malformed job id; RocksDB errors.
  [[nodiscard]] absl::Status DropPseudonyms(std::string_view job_id);

  // --- meta ------------------------------------------------------------
  // The value stored under `name`, or nullopt. InvalidArgument for a
  // malformed name; DataLoss if tampered.
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> GetMeta(
      std::string_view name) const;
  // A one-write batch; errors of WriteBatch::PutMeta and Commit.
  [[nodiscard]] absl::Status PutMeta(std::string_view name,
                                     std::string_view value);

  // --- local audit -------------------------------------------------------
  // Every (sequence number, entry) appended so far, in sequence order;
  // errors as ForEachRecord.
  [[nodiscard]] absl::Status ForEachLocalAudit(
      absl::FunctionRef<absl::Status(uint64_t sequence, std::string entry)> fn)
      const;

  // Writes every column family's memtable to table files (e.g. before a
  // backup, or in tests that inspect the files). RocksDB errors.
  [[nodiscard]] absl::Status Flush();

  // --- audit log -----------------------------------------------------------
  // The database and the audit_log family, for proto/audit's AuditLog
  // (agent/audit), which owns that family's format and writes it with its
  // own batches; nothing in this class reads or writes it. Valid while the
  // store is open. Thread-safe.
  rocksdb::DB* audit_log_db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* audit_log_family() const {
    return Handle(ColumnFamily::kAuditLog);
  }

 private:
  friend class WriteBatch;

  RecordStore(std::string path, RecordStoreOptions options, crypto::Aead aead,
              crypto::HmacSha256 record_key_mac);

  absl::Status OpenDatabase();
  absl::Status CheckOrWriteHeader();
  absl::Status LoadNextAuditSequence();
  // Reads the stored record count, or counts the records and stores the
  // count if there is none.
  absl::Status LoadRecordCount();
  // What applying `batch` does to the records, under commit_mu_: whether
  // it writes any, and the change in their number. Whether each record key
  // it writes exists now comes from RemoveRepeatedRunWrites if no record
  // commit came between, or else from one lookup.
  struct RecordCountChange {
    bool writes_records = false;
    int64_t change = 0;
  };
  absl::StatusOr<RecordCountChange> CountChangeOf(
      const WriteBatch& batch) const;

  rocksdb::ColumnFamilyHandle* Handle(ColumnFamily cf) const {
    return handles_[ColumnFamilyIndex(cf)];
  }
  absl::StatusOr<std::string> RecordKey(std::string_view local_id) const;
  absl::StatusOr<crypto::HmacSha256Tag> RecordKeyTag(
      std::string_view local_id) const;
  // Appends the sealed `plaintext` for `key` of `cf` to *out.
  absl::Status SealInto(ColumnFamily cf, std::string_view key,
                        std::string_view plaintext, std::string* out) const;
  // DataLoss naming the family (never the key) if authentication fails.
  absl::StatusOr<std::string> Unseal(ColumnFamily cf, std::string_view key,
                                     std::string_view sealed) const;
  // The record sealed in `sealed` under records-family key `key`: DataLoss
  // if it fails authentication; errors of ParseStoredRecord.
  absl::StatusOr<StoredRecord> OpenRecord(std::string_view key,
                                          std::string_view sealed) const;
  // The sealed values of records-family `keys`, read in one MultiGet:
  // statuses[i] is NotFound, OK (values[i] holds the value) or an error.
  // `sorted`: the keys ascend. `fill_cache`: false for lookups made once
  // per key (the ingest's checks), whose data blocks would only evict the
  // filter and index blocks that make lookups of new keys cheap
  // (re-ingesting a file re-read filters from disk: 7% of its CPU).
  struct RecordLookup {
    std::vector<rocksdb::PinnableSlice> values;
    std::vector<rocksdb::Status> statuses;
  };
  RecordLookup LookUpRecords(absl::Span<const rocksdb::Slice> keys,
                             bool sorted, bool fill_cache) const;
  // The number of entries of `cf` whose key starts with `prefix` (one scan,
  // nothing decrypted).
  absl::StatusOr<uint64_t> CountEntries(ColumnFamily cf,
                                        std::string_view prefix,
                                        std::string_view operation) const;
  // The unsealed value at `key`, or nullopt; `operation` for errors.
  absl::StatusOr<std::optional<std::string>> GetSealed(
      ColumnFamily cf, std::string_view key, std::string_view operation) const;
  // Calls fn(key, sealed value) for every entry of `cf` whose key starts
  // with `prefix`, over one snapshot.
  absl::Status ScanFamily(ColumnFamily cf, std::string_view prefix,
                          std::string_view operation,
                          absl::FunctionRef<absl::Status(
                              std::string_view key, std::string_view value)>
                              fn) const;

  const std::string path_;
  const RecordStoreOptions options_;
  const crypto::Aead aead_;
  // HMAC states and AEAD contexts are keyed once and are not thread-safe:
  // threads that compute record keys or seal and open values at once
  // (batches built in parallel, concurrent readers) each take an idle one.
  // Keying per value cost more than the cryptography itself.
  const crypto::HmacSha256 record_key_mac_prototype_;
  mutable IdlePool<crypto::HmacSha256> record_key_macs_;
  mutable IdlePool<crypto::AeadContext> aead_contexts_;

  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kColumnFamilies.size()> handles_{};

  // Commits are serialised so that local-audit sequence numbers are handed
  // out in commit order, without gaps from batches that were dropped, and so
  // that the record count stays exact.
  mutable std::mutex commit_mu_;
  uint64_t next_audit_sequence_ = 1;  // guarded by commit_mu_
  uint64_t record_count_ = 0;         // guarded by commit_mu_
  // Commits that wrote records so far: tells whether lookups made before a
  // commit still describe the store. Guarded by commit_mu_.
  uint64_t record_commits_ = 0;
};

// Writes collected for one atomic Commit. Thread-compatible: one thread
// builds a batch. It must not outlive its store. Each method checks its
// input and seals the value at once; the first failure is kept and makes
// Commit refuse the whole batch.
class RecordStore::WriteBatch {
 public:
  WriteBatch(WriteBatch&&) noexcept = default;
  WriteBatch& operator=(WriteBatch&&) noexcept = default;

  // Inserts or replaces the record with record.local_id. InvalidArgument
  // (from SerializeStoredRecord) if the record breaks a format limit.
  [[nodiscard]] absl::Status PutRecord(const StoredRecord& record);
  // Removes the record with `local_id` (no error if there is none).
  [[nodiscard]] absl::Status DeleteRecord(std::string_view local_id);

  // InvalidArgument for a malformed job id or state over the size limit.
  [[nodiscard]] absl::Status PutJobState(std::string_view job_id,
                                         std::string_view state);
  [[nodiscard]] absl::Status DeleteJobState(std::string_view job_id);

  // Maps `pseudonym` of job `job_id` to `local_id`. InvalidArgument for a
  // malformed job id or a local id outside 1..kMaxLocalIdBytes.
  [[nodiscard]] absl::Status PutPseudonym(std::string_view job_id,
                                          uint64_t pseudonym,
                                          std::string_view local_id);

  // E.g. an ingest checkpoint committed with the records it covers.
  // InvalidArgument for a malformed name or a value over the size limit.
  [[nodiscard]] absl::Status PutMeta(std::string_view name,
                                     std::string_view value);

  // Appends `entry` to the local audit log; its sequence number is assigned
  // when the batch commits. InvalidArgument if over the size limit.
  [[nodiscard]] absl::Status AppendLocalAudit(std::string_view entry);

  // Sorts the writes into the order Commit applies them in and encodes them
  // for RocksDB now, on the calling thread, so that Commit — on which
  // committers wait for each other — has only to apply them. Optional;
  // writes added afterwards are encoded as they come. Idempotent.
  void Prepare();

  // Writes added so far (including failed ones).
  size_t operation_count() const { return operation_count_; }
  // The first failure of a write method, OK if none.
  const absl::Status& failure() const { return failure_; }

 private:
  friend class RecordStore;
  explicit WriteBatch(const RecordStore* store) : store_(store) {}

  // A sealed write, applied at Commit. Its key and sealed value are ranges
  // of bytes_: a batch of records allocates one buffer, not two strings per
  // record.
  struct Operation {
    ColumnFamily cf;
    bool is_delete = false;
    size_t key_offset = 0;
    size_t key_size = 0;
    // The key's first 8 bytes as a big-endian number (zero-padded): sorting
    // compares these first, and random MAC keys nearly always differ there.
    uint64_t key_prefix = 0;
    size_t value_offset = 0;  // the sealed value; empty for a delete
    size_t value_size = 0;
    // PutRecord only: the call's 0-based number and the record's run.
    size_t record_put = 0;
    uint64_t ingest_run = 0;
    // Records family: whether the key was in the store when
    // RemoveRepeatedRunWrites looked (kUnknown if it did not).
    enum class Existed : uint8_t { kUnknown, kNo, kYes } existed =
        Existed::kUnknown;
  };

  std::string_view KeyOf(const Operation& op) const {
    return std::string_view(bytes_).substr(op.key_offset, op.key_size);
  }
  std::string_view ValueOf(const Operation& op) const {
    return std::string_view(bytes_).substr(op.value_offset, op.value_size);
  }
  // The order Commit writes in: by family, then key; stable, so that the
  // last write of a key still wins.
  bool InWriteOrder(const Operation& a, const Operation& b) const {
    if (a.cf != b.cf) return a.cf < b.cf;
    if (a.key_prefix != b.key_prefix) return a.key_prefix < b.key_prefix;
    return KeyOf(a) < KeyOf(b);
  }
  // Sorts operations_ into write order (once: later appends that keep the
  // order keep it sorted). Drops the encoding if the order changed.
  void SortForWrite();
  // Appends `op`, noting whether operations_ stays in write order, and
  // encodes it if the batch is encoded already.
  void Append(Operation op);
  // Adds `op` to encoded_.
  void Encode(const Operation& op);

  // Records the first failure and returns `status`.
  absl::Status Note(absl::Status status);
  absl::Status Put(ColumnFamily cf, std::string_view key,
                   std::string_view plaintext);
  void Delete(ColumnFamily cf, std::string_view key);

  const RecordStore* store_;
  std::vector<Operation> operations_;
  std::string bytes_;       // keys and sealed values of operations_
  bool sorted_ = true;      // operations_ is in write order
  // operations_ in their order as a RocksDB batch, once Prepare ran.
  std::unique_ptr<rocksdb::WriteBatch> encoded_;
  size_t record_puts_ = 0;  // PutRecord calls so far
  // RecordStore::record_commits_ when RemoveRepeatedRunWrites looked the
  // record keys up (Operation::existed); nullopt if it did not.
  std::optional<uint64_t> looked_up_at_;
  size_t operation_bytes_ = 0;
  std::vector<std::string> audit_entries_;  // sealed at commit
  size_t operation_count_ = 0;
  absl::Status failure_;
};

}  // namespace fedlink::agent

#endif  // FEDLINK_AGENT_STORE_RECORD_STORE_H_
