// The coordinator's RocksDB state. One registry of column families:
//
//   default      store header (format version)
//   jobs         job id → StoredJob (state, progress, decisions, nonce, results)
//   request_ids  analyst ‖ 0x00 ‖ request id → job id (idempotent SubmitJob)
//   encodings    job ‖ 0x00 ‖ party (2 B) ‖ sequence (8 B) → EncodingBatch bytes
//   assignments  job ‖ 0x00 ‖ party (2 B) ‖ sequence (8 B) → AssignmentBatch bytes
//   payloads     job ‖ 0x00 ‖ party (2 B) ‖ kind (1 B) ‖ index (4 B) → PayloadChunk bytes
//   job_keys     job id → the job's data key, sealed under the store key
//   audit_log    proto/audit's Merkle log (its own layout)
//
// Encodings, assignments and payloads are sealed (AES-256-GCM, aad = family
// ‖ 0x00 ‖ key) under a random per-job data key; deleting that key with the
// job's data (purge, cancellation) crypto-shreds whatever a file might
// still hold. Data keys are sealed under the store key, a 32-byte key file
// outside the database.
//
// Integers in keys are big-endian so that a prefix scan returns batches in
// order. Keys hold job ids and party positions only, never an identifier;
// values hold keyed encodings, random research ids and HPKE ciphertext.
// Every multi-key change goes through one WriteBatch (Batch below), written
// with sync so that a state the coordinator acts on survives a crash.
#ifndef FEDLINK_COORDINATOR_STATE_COORDINATOR_STORE_H_
#define FEDLINK_COORDINATOR_STATE_COORDINATOR_STORE_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "linkage/crypto/aead.h"
#include "linkage/crypto/secret_bytes.h"
#include "state/stored_job.pb.h"

namespace fedlink::coordinator {

enum class StoreFamily {
  kDefault, kJobs, kRequestIds, kEncodings, kAssignments, kPayloads, kJobKeys, kAuditLog
};

inline constexpr std::array<std::string_view, 8> kStoreFamilyNames = {
    "default", "jobs", "request_ids", "encodings", "assignments", "payloads", "job_keys",
    "audit_log"};

// "coordinator store: <what>: <RocksDB's text>" (proto::FromRocksDbStatus).
absl::Status FromRocksDb(const rocksdb::Status& status, std::string_view what);

class CoordinatorStore {
 public:
  // Collects changes to write atomically with CoordinatorStore::Write.
  class Batch {
   public:
    void PutJob(const internal::StoredJob& job);
    void PutRequestId(std::string_view analyst, std::string_view request_id,
                      std::string_view job_id);
    void PutEncodingBatch(std::string_view job_id, uint16_t party, uint64_t sequence,
                          std::string_view bytes);
    void PutAssignmentBatch(std::string_view job_id, uint16_t party, uint64_t sequence,
                            std::string_view bytes);
    void PutPayloadChunk(std::string_view job_id, uint16_t party, uint8_t kind, uint32_t index,
                         std::string_view bytes);
    // A fresh random data key for the job (before any of its data is put).
    void CreateJobKey(std::string_view job_id);
    // Every encoding batch of the job.
    void DeleteEncodings(std::string_view job_id);
    // Encodings, assignments, payload chunks and the data key of the job.
    void DeleteJobData(std::string_view job_id);
    size_t count() const { return static_cast<size_t>(batch_.Count()); }

   private:
    friend class CoordinatorStore;
    explicit Batch(CoordinatorStore* store) : store_(store) {}
    void PutSealed(StoreFamily family, std::string_view job_id, const std::string& key,
                   std::string_view bytes);
    CoordinatorStore* store_;
    rocksdb::WriteBatch batch_;
    // Keys created in this batch (usable by its own Puts).
    std::map<std::string, std::shared_ptr<crypto::Aead>> new_keys_;
    std::vector<std::string> shredded_;
    // A failed Put or seal poisons the batch.
    rocksdb::Status first_error_;
    absl::Status seal_error_;
  };

  // Opens (creating if needed) the store in `directory`. Unavailable /
  // DataLoss / Internal for RocksDB errors (the message names the
  // directory); FailedPrecondition if the directory holds another format.
  // `sync_writes` off only for tests that do not simulate crashes.
  // `store_key` (32 bytes) seals the per-job data keys.
  static absl::StatusOr<std::unique_ptr<CoordinatorStore>> Open(const std::string& directory,
                                                                const crypto::SecretBytes& store_key,
                                                                bool sync_writes = true);
  ~CoordinatorStore();
  CoordinatorStore(const CoordinatorStore&) = delete;
  CoordinatorStore& operator=(const CoordinatorStore&) = delete;

  Batch NewBatch() { return Batch(this); }
  // Writes the batch atomically. RocksDB errors as FromRocksDb. Thread-safe.
  [[nodiscard]] absl::Status Write(Batch& batch);

  // Reads. nullopt when absent; DataLoss for a value that does not parse;
  // RocksDB errors otherwise. All thread-safe.
  absl::StatusOr<std::optional<internal::StoredJob>> GetJob(std::string_view job_id) const;
  absl::StatusOr<std::optional<std::string>> GetRequestId(std::string_view analyst,
                                                          std::string_view request_id) const;
  absl::StatusOr<std::optional<std::string>> GetEncodingBatch(std::string_view job_id,
                                                              uint16_t party,
                                                              uint64_t sequence) const;
  absl::StatusOr<std::optional<std::string>> GetAssignmentBatch(std::string_view job_id,
                                                                uint16_t party,
                                                                uint64_t sequence) const;
  absl::StatusOr<std::optional<std::string>> GetPayloadChunk(std::string_view job_id,
                                                             uint16_t party, uint8_t kind,
                                                             uint32_t index) const;
  // Every job, in job id order; stops at the first error of `visit`.
  absl::Status ForEachJob(absl::FunctionRef<absl::Status(const internal::StoredJob&)> visit) const;
  // The party's encoding batches in sequence order (value bytes).
  absl::Status ForEachEncodingBatch(std::string_view job_id, uint16_t party,
                                    absl::FunctionRef<absl::Status(std::string_view)> visit) const;

  // Makes deleted job data leave the files: flushes every family (so no
  // write-ahead log still holds it) and compacts the job's key range in the
  // data families, dropping the deleted entries. Blocking. RocksDB errors.
  absl::Status CompactJobData(std::string_view job_id);

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* family(StoreFamily f) const {
    return handles_[static_cast<size_t>(f)];
  }
  const std::string& directory() const { return directory_; }

 private:
  CoordinatorStore() = default;
  absl::StatusOr<std::optional<std::string>> Get(StoreFamily f, const std::string& key) const;
  // The job's data key (nullptr: none, e.g. purged). Cached.
  absl::StatusOr<std::shared_ptr<crypto::Aead>> JobAead(std::string_view job_id) const;
  absl::StatusOr<std::optional<std::string>> GetSealed(StoreFamily f, std::string_view job_id,
                                                       const std::string& key) const;

  std::unique_ptr<crypto::Aead> store_aead_;
  mutable absl::Mutex keys_mu_;
  mutable std::map<std::string, std::shared_ptr<crypto::Aead>, std::less<>> keys_
      ABSL_GUARDED_BY(keys_mu_);

  std::string directory_;
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_STATE_COORDINATOR_STORE_H_
