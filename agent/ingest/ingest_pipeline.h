// The ingest pipeline: an agency's CSV export → validated records → the
// encrypted record store, in atomic batches. The `fedlink-agent ingest`
// command drives it with a file; the agent daemon's AgentAdmin.Ingest drives
// it with the bytes of a client stream (ingest_pipeline_input.h).
//
// Flow and threads:
//   caller's thread   CSV reader → RowValidator → QualityReport; accepted
//                     rows into batches of `batch_size` records, each batch
//                     also holding its rows' raw bytes for the quarantine
//                     (held_rows.h)
//   seal workers      each batch → RecordStore::WriteBatch (serialise,
//                     HMAC of the local id, AES-256-GCM per record), then
//                     sorted and encoded for RocksDB (WriteBatch::Prepare)
//   commit thread     per batch, in file order: duplicate local ids against
//                     the store (RecordStore::RemoveRepeatedRunWrites), the
//                     batch's rejected rows to the QuarantineSink, then
//                     RecordStore::Commit with the ingest checkpoint
// At most `max_batches_in_flight` batches exist at once, so memory is
// bounded by the batch size, not by the file.
//
// Duplicate local ids: every record carries the ingest's run (a random
// non-zero number per RunIngest; StoredRecord::ingest_run). Batches commit
// in file order, so when batch k is checked the store holds every earlier
// batch of the run: a record whose key the store already holds *from this
// run*, or that an earlier record of batch k has, repeats a local id of the
// file — it is removed from the batch and quarantined (duplicate_local_id;
// the first row with an id wins). A key held from another run is an update
// of a record an earlier ingest wrote (upsert). Only rows the validator
// accepted are checked: a row rejected for another reason never reaches the
// store, so a later row with its id is not a duplicate.
//
// Guarantees:
//   * a batch commits whole or not at all (one RocksDB write batch), and
//     batches commit in file order, so after a crash or a fatal error the
//     store holds exactly the first k batches of the file (less the
//     duplicate rows in them), with a checkpoint (meta
//     kIngestCheckpointMeta) saying k, the rows and the last line;
//   * upsert: a local id already in the store from an earlier ingest is
//     replaced;
//   * rejected rows go to the quarantine sink with line and reason codes,
//     in line order; the sink is flushed before the batch they were
//     rejected from commits;
//   * the end of the input is checked (IngestInput::end_status) before the
//     last batch commits, so a stream that broke off mid-record never
//     commits the truncated record;
//   * nothing logged or returned holds a value of the file: errors and
//     progress carry counts, lines, columns and reason codes only.
#ifndef FEDLINK_AGENT_INGEST_INGEST_PIPELINE_H_
#define FEDLINK_AGENT_INGEST_INGEST_PIPELINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "agent/ingest/csv_reader.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/ingest/quality_report.h"
#include "agent/ingest/quarantine.h"
#include "agent/ingest/row_validator.h"
#include "agent/store/record_store.h"
#include "nlohmann/json.hpp"

namespace fedlink::agent::ingest {

// Meta entries the pipeline writes (sealed like everything in the store).
// The checkpoint is rewritten with every batch; the last-ingest entry (the
// quality report and summary of the last completed ingest) with the final
// batch.
inline constexpr std::string_view kIngestCheckpointMeta = "ingest/checkpoint";
inline constexpr std::string_view kLastIngestMeta = "ingest/last";

inline constexpr size_t kDefaultIngestBatchSize = 25'000;
inline constexpr size_t kMaxIngestBatchSize = 1'000'000;
inline constexpr size_t kMaxHeldRowBytes = 16 << 20;

// The bytes to ingest.
struct IngestInput {
  // Read to its end by the caller's thread; must outlive Run.
  std::istream* stream = nullptr;
  // Names the input in messages and the checkpoint (a file name; 1..256
  // bytes, no control characters).
  std::string name;
  // Size of the input if known (progress, ETA); 0 = unknown.
  uint64_t total_bytes = 0;
  // Called once when the stream reports its end, before the last batch
  // commits: non-OK means the input broke off (a client went away, a
  // stream was cancelled) and the ingest fails with that status instead of
  // taking what came as the whole file. Null: a stream end is the end.
  std::function<absl::Status()> end_status;
};

struct IngestProgress {
  uint64_t bytes_read = 0;
  uint64_t total_bytes = 0;  // 0 = unknown
  uint64_t rows_read = 0;    // data records, malformed ones included
  uint64_t rows_committed = 0;
  uint64_t rows_quarantined = 0;
  uint64_t batches_committed = 0;
};

struct IngestOptions {
  // Records per committed batch, 1..kMaxIngestBatchSize.
  size_t batch_size = kDefaultIngestBatchSize;
  // Threads that seal batches (1..16), and batches that may exist at once
  // (validated, sealing, sealed or committing; >= 2). Memory grows with
  // batch_size * max_batches_in_flight. A batch is also cut before
  // batch_size records when it holds batch_size rejected rows or
  // kMaxHeldRowBytes of raw rows for the quarantine.
  int seal_threads = 1;
  int max_batches_in_flight = 3;
  // The quality report's clock (as-of date) and the timestamps written to
  // the store; production passes std::chrono::system_clock::now.
  Clock clock;
  // Called on the caller's thread at most every progress_interval and once
  // at the end, never while the quarantine sink is being called. Must not
  // throw.
  std::function<void(const IngestProgress&)> on_progress;
  absl::Duration progress_interval = absl::Milliseconds(200);
  // Test hook, called on the commit thread right after batch number
  // `batches_committed` (1-based) has committed: crash tests stop the
  // process there. Null in production.
  std::function<void(uint64_t batches_committed)> after_commit;
};

struct IngestSummary {
  std::string source;
  uint64_t bytes_read = 0;
  uint64_t rows_read = 0;
  uint64_t rows_committed = 0;    // accepted rows written to the store
  uint64_t rows_inserted = 0;     // of which local ids new to the store
  uint64_t rows_updated = 0;      // of which replaced an earlier ingest's
  uint64_t rows_quarantined = 0;  // rejected rows, duplicates included
  uint64_t batches_committed = 0;
  uint64_t records_in_store = 0;  // after the ingest
  // Rejected rows per reason code (a row with two reasons counts in both).
  std::map<std::string, uint64_t> rejections;
  // QualityReport::ToJson() of the file (README: data-quality report).
  nlohmann::json quality_report;
};

// Ingests `input` into `store` according to `schema`. `quarantine` may be
// null (rejected rows are then only counted). Errors (the message names the
// input and, where it applies, the line; never a value):
//   InvalidArgument     bad options; the schema is invalid; the input is
//                       empty (no header); the header does not fit the
//                       schema (RowValidator::Create) — nothing is written;
//   DataLoss            the stream failed (badbit);
//   the status of end_status, of the quarantine sink, or of the store
//   (RecordStore::Commit) otherwise.
// After an error the batches committed before it stay (each whole, in file
// order, with the checkpoint saying how far the ingest got) and the batch
// being built is dropped; re-running the whole file is safe (upsert: the
// rows the interrupted run committed count as updates).
// Thread-safe for distinct stores; one ingest per store at a time, and
// nothing else may write records meanwhile (duplicate detection reads the
// store between checking a batch and committing it).
absl::StatusOr<IngestSummary> RunIngest(const IngestSchema& schema,
                                        const IngestInput& input,
                                        RecordStore* store,
                                        QuarantineSink* quarantine,
                                        const IngestOptions& options);

// The summary as JSON ("fedlink-ingest-summary" version 1, with the
// quality report under "quality_report"); what kLastIngestMeta holds.
nlohmann::json IngestSummaryToJson(const IngestSummary& summary,
                                   std::string_view finished_at);

// What the pipeline left in `store`: the summary JSON of the last completed
// ingest (kLastIngestMeta, IngestSummaryToJson) and the checkpoint of the
// last ingest that committed a batch (kIngestCheckpointMeta: "state" is
// "running" while it runs or after it was interrupted, "complete" after its
// last batch), or nullopt if there is none. DataLoss if the entry fails
// authentication or is not a JSON object; RocksDB errors. Thread-safe.
absl::StatusOr<std::optional<nlohmann::json>> LoadLastIngest(
    const RecordStore& store);
absl::StatusOr<std::optional<nlohmann::json>> LoadIngestCheckpoint(
    const RecordStore& store);

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_INGEST_PIPELINE_H_
