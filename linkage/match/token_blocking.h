// Token blocking: records of the two parties that share a salted-hash token
// (of any recipe, linking or blocking-only) become candidate pairs for Bloom
// filter scoring. This catches true pairs whose filters are too damaged for
// LSH yet agree exactly on some combination of fields.
#ifndef FEDLINK_LINKAGE_MATCH_TOKEN_BLOCKING_H_
#define FEDLINK_LINKAGE_MATCH_TOKEN_BLOCKING_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/candidates.h"

namespace fedlink::match {

struct TokenBlockingOptions {
  // A token held by s_a records of A and s_b of B adds s_a · s_b pairs; above
  // this many it adds none (a common blocking key such as a frequent surname
  // code with a birth year), and the pairs are counted as dropped. >= 1.
  uint64_t max_block_pairs = 10'000;
};

struct TokenBlockingStats {
  uint64_t block_pairs = 0;       // pairs over all tokens, before deduplication
  uint64_t oversized_blocks = 0;  // tokens over max_block_pairs
  uint64_t dropped_pairs = 0;     // pairs those tokens would have added
};

struct TokenBlockingResult {
  std::vector<CandidatePair> pairs;  // sorted by (a, b), no duplicates
  TokenBlockingStats stats;
};

// tokens_a[i] are the tokens of record i of party A (likewise B). Two tokens
// are the same when recipe id and all 16 bytes are equal. Memory: 16 bytes
// per token on each side plus the pairs. The two sides' tokens are sorted
// on up to `threads` threads (0: one per hardware thread). Deterministic.
// Errors: InvalidArgument if a side has 2^32 or more records or
// max_block_pairs is 0. Thread-safe (inputs are only read).
absl::StatusOr<TokenBlockingResult> TokenCandidates(
    absl::Span<const std::vector<encode::Token>> tokens_a,
    absl::Span<const std::vector<encode::Token>> tokens_b,
    const TokenBlockingOptions& options = {}, int threads = 1);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_TOKEN_BLOCKING_H_
