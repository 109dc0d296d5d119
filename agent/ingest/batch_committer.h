// The back half of the ingest pipeline (ingest_pipeline.h): seals batches on
// worker threads and commits them in file order on one commit thread, which
// first removes the rows that repeat a local id of the file (asking the
// store, RecordStore::RemoveRepeatedRunWrites), writes the batch's rejected
// and repeated rows to the quarantine sink, and adds the checkpoint.
#ifndef FEDLINK_AGENT_INGEST_BATCH_COMMITTER_H_
#define FEDLINK_AGENT_INGEST_BATCH_COMMITTER_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "agent/ingest/held_rows.h"
#include "agent/ingest/quarantine.h"
#include "agent/ingest/row_validator.h"
#include "agent/store/record_store.h"

namespace fedlink::agent::ingest {

// One batch on its way to the store.
struct PendingBatch {
  uint64_t sequence = 0;  // 1-based, file order
  std::vector<StoredRecord> records;  // wiped once sealed
  size_t record_count = 0;            // records.size() when sealed
  // The batch's rows for the quarantine: one accepted row per record, and
  // the rejected rows read since the previous batch. Empty without a sink.
  HeldRows rows;
  // Where the input stood when the batch was cut, for its checkpoint.
  bool last = false;                 // the input ended after it
  uint64_t rows_read = 0;            // in the whole input so far
  uint64_t rows_rejected = 0;        // by the validator, so far
  uint64_t last_line = 0;
  uint64_t bytes_read = 0;
  std::optional<RecordStore::WriteBatch> sealed;
};

// What the commit thread needs to know about the ingest.
struct CommitContext {
  RecordStore* store = nullptr;
  QuarantineSink* quarantine = nullptr;  // null: rejected rows are counted
  // Held by the commit thread while it calls the sink, and by the caller
  // around its progress callback.
  std::mutex* report_mu = nullptr;
  std::string source;      // the input's name, for the checkpoint
  std::string started_at;  // ISO 8601
  std::string local_id_column;  // header name, for duplicate_local_id
  int seal_threads = 1;
  int max_batches_in_flight = 3;
  // Called after each commit with the number of batches committed (the
  // IngestOptions test hook); may be null.
  std::function<void(uint64_t)> after_commit;
};

// Submit blocks while max_batches_in_flight batches are not yet committed.
// The first failure stops everything: later batches are dropped unsealed or
// uncommitted. Counters may be read from any thread.
class BatchCommitter {
 public:
  explicit BatchCommitter(CommitContext context);
  BatchCommitter(const BatchCommitter&) = delete;
  BatchCommitter& operator=(const BatchCommitter&) = delete;
  ~BatchCommitter();

  // Queues `batch`; its sequence must follow the previous one. The first
  // failure of any batch so far, if any (then `batch` is dropped).
  absl::Status Submit(std::unique_ptr<PendingBatch> batch);

  // Waits until every submitted batch has committed (or the first failure),
  // stops the threads and returns the first failure. Idempotent.
  absl::Status Finish();

  uint64_t batches_committed() const { return batches_committed_.load(); }
  // Records committed, of them replacing a record of an earlier ingest, and
  // rows removed as duplicate local ids, in the committed batches.
  uint64_t rows_committed() const { return rows_committed_.load(); }
  uint64_t rows_updated() const { return rows_updated_.load(); }
  uint64_t rows_duplicate() const { return rows_duplicate_.load(); }

 private:
  void Fail(absl::Status status);
  void SealLoop();
  absl::Status Seal(PendingBatch* batch);
  void CommitLoop();
  absl::Status CommitBatch(PendingBatch* batch);

  const CommitContext context_;
  const std::vector<Problem> duplicate_problem_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<PendingBatch>> to_seal_;         // guarded
  std::map<uint64_t, std::unique_ptr<PendingBatch>> sealed_;  // guarded
  size_t in_flight_ = 0;                                      // guarded
  bool closing_ = false;                                      // guarded
  absl::Status failure_;                                      // guarded
  std::atomic<uint64_t> batches_committed_{0};
  std::atomic<uint64_t> rows_committed_{0};
  std::atomic<uint64_t> rows_updated_{0};
  std::atomic<uint64_t> rows_duplicate_{0};
  std::vector<std::thread> sealers_;
  std::thread committer_;
};

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_BATCH_COMMITTER_H_
