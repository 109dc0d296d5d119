// Builds an agency's release for a linked-microdata job (DESIGN.md §6
// "Release") and encrypts it to the analyst.
//
// Input: the coordinator's AssignmentBatch stream (this agency's pseudonyms,
// each with its cluster's research id), the job's local pseudonym map
// (pseudonym → local id, agent/encoding) and the record store. For every
// assigned pseudonym the releaser fetches the record and emits one row:
// research id + the values of the resolved release columns
// (release_columns.h), read only from the record's attribute list — never
// its identifiers or local id. A missing attribute value is "" (blank). A
// record deleted since encoding yields no row and is counted.
//
// Output: ReleasedRows plaintexts (payload.proto) cut greedily into chunks of
// at most options.max_chunk_plaintext_bytes serialised bytes and
// options.max_rows_per_chunk rows, each sealed with SealPayloadChunk
// (proto/runtime/payload_crypto.h: HPKE base mode to the job's AnalystKey,
// aad binding job id, agency, kind, chunk index and the final flag) and
// handed to the sink in index order 0, 1, …; the last chunk is marked final
// (an empty release is one final chunk with no rows).
//
// Resuming: the chunking depends only on the assignment stream and the
// records, so a restarted agent replays the assignments from sequence 0 and
// sets options.first_chunk_to_send to ReleaseJob.next_chunk_index; chunks
// below it are rebuilt but neither sealed nor sent.
//
// Memory: one chunk of rows (≤ 4 MiB by default) plus one bit per pseudonym.
// Plaintext buffers are wiped after sealing.
#ifndef FEDLINK_AGENT_RELEASE_ROW_RELEASER_H_
#define FEDLINK_AGENT_RELEASE_ROW_RELEASER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/encoding/pseudonyms.h"
#include "agent/encoding/record_source.h"
#include "fedlink/v1/assignment.pb.h"
#include "fedlink/v1/job.pb.h"
#include "fedlink/v1/payload.pb.h"
#include "proto/runtime/limits.h"

namespace fedlink::agent::release {

struct ReleaseOptions {
  // Chunk limits; both at most the contract's (payload.proto).
  size_t max_chunk_plaintext_bytes = proto::kMaxPayloadPlaintextBytes;
  size_t max_rows_per_chunk = proto::kMaxRowsPerPayloadChunk;
  // ReleaseJob.next_chunk_index: chunks below this are already stored at the
  // coordinator and are not sent again.
  uint32_t first_chunk_to_send = 0;
};

// What a release did: counts only (for the local audit log and status).
struct ReleaseSummary {
  uint64_t assignment_batches = 0;
  uint64_t assignments = 0;       // pseudonyms with a research id
  uint64_t rows = 0;              // rows released (assignments - missing)
  uint64_t records_missing = 0;   // records deleted since encoding
  uint32_t columns = 0;           // attribute columns per row
  uint32_t chunks = 0;            // chunks in the release (final index + 1)
  uint32_t chunks_sent = 0;       // chunks handed to the sink this run
  uint64_t plaintext_bytes = 0;   // serialised ReleasedRows, all chunks
  uint64_t ciphertext_bytes = 0;  // ciphertext of the chunks sent
};

// Receives each sealed chunk, in index order. A non-OK status stops the
// release and is returned by the call that produced the chunk.
using PayloadChunkSink = std::function<absl::Status(v1::PayloadChunk)>;

// One job's release. Not thread-safe; the pseudonym map and record source
// must outlive it. After any error the releaser refuses further calls
// (FailedPrecondition), so that a partial release is never finished.
class RowReleaser {
 public:
  // `spec` is the job's validated spec; `columns` comes from
  // ResolveReleaseColumns for (spec, agency). Errors:
  //   FailedPrecondition  not a linked-microdata job, or no analyst key;
  //   InvalidArgument     an unsupported AEAD, an analyst key that is not
  //                       32 bytes, options above the contract's limits or
  //                       zero, more columns than a row may carry.
  static absl::StatusOr<std::unique_ptr<RowReleaser>> Create(
      std::string job_id, std::string agency, const v1::JobSpec& spec,
      std::vector<std::string> columns,
      const encoding::PseudonymMap& pseudonyms,
      const encoding::RecordSource& records, PayloadChunkSink sink,
      ReleaseOptions options = {});

  RowReleaser(const RowReleaser&) = delete;
  RowReleaser& operator=(const RowReleaser&) = delete;
  ~RowReleaser();

  // Adds the rows of one assignment batch; seals and sends every chunk that
  // fills up. Errors (naming the job, batch sequence and entry index, never
  // a pseudonym's local id or a value):
  //   InvalidArgument     the batch breaks assignment.proto's limits, names
  //                       another job, is out of sequence (batches must come
  //                       0, 1, 2, …), or assigns a pseudonym outside the
  //                       job's map or one already assigned;
  //   FailedPrecondition  the final batch was already added, or an earlier
  //                       call failed;
  //   ResourceExhausted   one row alone exceeds the chunk size limit;
  //   others              from the record source, sealing or the sink.
  absl::Status AddBatch(const v1::AssignmentBatch& batch);

  // Seals and sends the final chunk and returns the counts.
  // FailedPrecondition if the final assignment batch has not been added, if
  // Finish was already called or an earlier call failed; sealing and sink
  // errors.
  absl::StatusOr<ReleaseSummary> Finish();

 private:
  RowReleaser(std::string job_id, std::string agency,
              v1::AnalystKey analyst_key, std::vector<std::string> columns,
              const encoding::PseudonymMap& pseudonyms,
              const encoding::RecordSource& records, PayloadChunkSink sink,
              ReleaseOptions options);

  absl::Status AddBatchUnchecked(const v1::AssignmentBatch& batch);
  // Appends one row, first flushing the pending chunk if the row does not
  // fit in it.
  absl::Status AppendRow(v1::ReleasedRow row, uint64_t sequence, int entry);
  // Seals the pending rows as the next chunk (sending it unless it is below
  // first_chunk_to_send), then starts an empty chunk.
  absl::Status FlushChunk(bool final_chunk);
  void ResetPending();

  const std::string job_id_;
  const std::string agency_;
  const v1::AnalystKey analyst_key_;
  const std::vector<std::string> columns_;
  const encoding::PseudonymMap& pseudonyms_;
  const encoding::RecordSource& records_;
  const PayloadChunkSink sink_;
  const ReleaseOptions options_;

  std::vector<bool> assigned_;  // per pseudonym
  uint64_t next_sequence_ = 0;
  bool final_batch_seen_ = false;
  bool finished_ = false;
  absl::Status failure_;

  v1::ReleasedRows pending_;  // columns set; rows of the open chunk
  size_t pending_bytes_ = 0;  // pending_.ByteSizeLong(), kept incrementally
  size_t empty_chunk_bytes_ = 0;
  uint32_t next_chunk_index_ = 0;
  ReleaseSummary summary_;
};

}  // namespace fedlink::agent::release

#endif  // FEDLINK_AGENT_RELEASE_ROW_RELEASER_H_
