// How a job's encodings are cut into EncodingBatch messages: a fixed number
// of records per batch, chosen once per job from the encodings' shape so
// that even a batch of worst-case records keeps every column within its
// wire limit (proto/runtime/limits.h) and the whole message near a target
// size. Fixed batches make batch s cover pseudonyms [s·R, (s+1)·R), so a
// resumed upload re-creates exactly the batches it has not sent yet.
#ifndef FEDLINK_AGENT_ENCODING_BATCH_PLAN_H_
#define FEDLINK_AGENT_ENCODING_BATCH_PLAN_H_

#include <cstddef>
#include <cstdint>

namespace fedlink::agent::encoding {

// What each record contributes to a batch.
struct BatchShape {
  // Tokens a record can have at most (the recipes sent); 0: no tokens.
  size_t max_tokens_per_record = 0;
  // Bits of the record-level filter; 0: no filters.
  uint32_t filter_bits = 0;
  // Field-level filters per record and their bits; 0: none.
  uint32_t field_filters_per_record = 0;
  uint32_t field_filter_bits = 0;
};

// Per-batch fields (ids, fingerprint, counters, tags) stay below this.
inline constexpr size_t kBatchHeaderBytes = 1024;

// Serialised bytes one record can add to a batch, at most: per token 16
// bytes plus a recipe id of up to 3 varint bytes, a token count of up to 2,
// and the filters' bytes.
size_t WorstCaseRecordBytes(const BatchShape& shape);

// Records per batch: the largest count that is at most `max_records` and
// kMaxRecordsPerEncodingBatch, keeps tokens within kMaxTokensPerEncodingBatch
// and each of tokens, filters and field filters within
// kMaxEncodingColumnBytes, and keeps kBatchHeaderBytes + count ×
// WorstCaseRecordBytes within `target_batch_bytes` (itself capped below
// kMaxGrpcMessageBytes) — but at least 1, which every limit allows for any
// valid schema.
uint32_t RecordsPerBatch(const BatchShape& shape, uint32_t max_records,
                         size_t target_batch_bytes);

// Batches for a cohort of `records`: ceil(records / per_batch), and 1 for an
// empty cohort (a final batch without records).
uint64_t BatchCount(uint64_t records, uint32_t per_batch);

}  // namespace fedlink::agent::encoding

#endif  // FEDLINK_AGENT_ENCODING_BATCH_PLAN_H_
