#include "proto/runtime/signing_input.h"

#include <cstdint>
#include <string_view>

namespace fedlink::proto {
namespace {

void PutContext(std::string_view context, std::string* out) {
  out->append(context);
  out->push_back('\0');
}

void PutBigEndian(uint64_t value, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Fields are bounded far below 4 GiB by the contract's limits.
void PutLengthPrefixed(std::string_view value, std::string* out) {
  PutBigEndian(value.size(), 4, out);
  out->append(value);
}

}  // namespace

std::string DecisionSigningInput(const v1::SignedDecision& d) {
  std::string out;
  PutContext("fedlink/v1/decision", &out);
  PutBigEndian(static_cast<uint64_t>(d.verdict()) & 0xff, 1, &out);
  PutBigEndian(d.decided_at_unix_ms(), 8, &out);
  PutLengthPrefixed(d.job_spec_sha256(), &out);
  PutLengthPrefixed(d.job_id(), &out);
  PutLengthPrefixed(d.agency(), &out);
  PutLengthPrefixed(d.steward(), &out);
  PutLengthPrefixed(d.reason(), &out);
  return out;
}

std::string TreeHeadSigningInput(const v1::TreeHead& head) {
  std::string out;
  PutContext("fedlink/v1/tree-head", &out);
  PutBigEndian(head.tree_size(), 8, &out);
  PutBigEndian(head.timestamp_unix_ms(), 8, &out);
  PutLengthPrefixed(head.root_hash(), &out);
  PutLengthPrefixed(head.log_id(), &out);
  return out;
}

std::string PayloadAssociatedData(const v1::PayloadChunk& chunk) {
  std::string out;
  PutContext("fedlink/v1/payload", &out);
  PutBigEndian(static_cast<uint64_t>(chunk.kind()) & 0xff, 1, &out);
  PutBigEndian(chunk.chunk_index(), 4, &out);
  PutBigEndian(chunk.final_chunk() ? 1 : 0, 1, &out);
  PutLengthPrefixed(chunk.job_id(), &out);
  PutLengthPrefixed(chunk.agency(), &out);
  return out;
}

}  // namespace fedlink::proto
