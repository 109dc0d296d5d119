#include "agent/encoding/batch_plan.h"

#include <algorithm>

#include "proto/runtime/limits.h"

namespace fedlink::agent::encoding {
namespace {

// Varint sizes of the largest recipe id (65535) and token count (1024).
constexpr size_t kRecipeIdVarintBytes = 3;
constexpr size_t kTokenCountVarintBytes = 2;

}  // namespace

size_t WorstCaseRecordBytes(const BatchShape& shape) {
  size_t bytes = 0;
  if (shape.max_tokens_per_record > 0) {
    bytes += kTokenCountVarintBytes +
             shape.max_tokens_per_record *
                 (proto::kTokenBytes + kRecipeIdVarintBytes);
  }
  bytes += shape.filter_bits / 8;
  bytes +=
      size_t{shape.field_filters_per_record} * (shape.field_filter_bits / 8);
  return bytes;
}

uint32_t RecordsPerBatch(const BatchShape& shape, uint32_t max_records,
                         size_t target_batch_bytes) {
  size_t count =
      std::min<size_t>(max_records, proto::kMaxRecordsPerEncodingBatch);
  if (shape.max_tokens_per_record > 0) {
    count = std::min(
        count, proto::kMaxTokensPerEncodingBatch / shape.max_tokens_per_record);
    count =
        std::min(count, proto::kMaxEncodingColumnBytes /
                            (proto::kTokenBytes * shape.max_tokens_per_record));
  }
  if (shape.filter_bits > 0) {
    count = std::min(count,
                     proto::kMaxEncodingColumnBytes / (shape.filter_bits / 8));
  }
  const size_t field_bytes =
      size_t{shape.field_filters_per_record} * (shape.field_filter_bits / 8);
  if (field_bytes > 0) {
    count = std::min(count, proto::kMaxEncodingColumnBytes / field_bytes);
  }
  const size_t target = std::min(
      target_batch_bytes, proto::kMaxGrpcMessageBytes - kBatchHeaderBytes);
  const size_t per_record = WorstCaseRecordBytes(shape);
  if (per_record > 0) {
    count = std::min(count, target > kBatchHeaderBytes
                                ? (target - kBatchHeaderBytes) / per_record
                                : 0);
  }
  return static_cast<uint32_t>(std::max<size_t>(count, 1));
}

uint64_t BatchCount(uint64_t records, uint32_t per_batch) {
  if (records == 0) return 1;
  per_batch = std::max<uint32_t>(per_batch, 1);
  return (records + per_batch - 1) / per_batch;
}

}  // namespace fedlink::agent::encoding
