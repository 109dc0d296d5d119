// Blocking for two parties: the union of Hamming-LSH candidates over their
// Bloom filters and token-block candidates over their salted-hash tokens,
// deduplicated, with counts for the job's quality report.
#ifndef FEDLINK_LINKAGE_MATCH_BLOCKING_H_
#define FEDLINK_LINKAGE_MATCH_BLOCKING_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/candidates.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/lsh_blocking.h"
#include "linkage/match/token_blocking.h"

namespace fedlink::match {

struct BlockingOptions {
  // LSH over the filters; nullopt turns it off.
  std::optional<LshParams> lsh = LshParams{};
  // Token blocks; used when token lists are given.
  TokenBlockingOptions tokens;
  int threads = 1;  // 0: one per hardware thread
};

struct BlockingReport {
  uint64_t lsh_pairs = 0;        // distinct LSH candidates
  uint64_t token_pairs = 0;      // distinct token candidates
  uint64_t candidate_pairs = 0;  // distinct candidates of the union
  LshStats lsh;
  TokenBlockingStats tokens;
};

struct BlockingResult {
  std::vector<CandidatePair> candidates;  // sorted by (a, b), no duplicates
  BlockingReport report;
};

// Candidates between party A and party B. `filters_a`/`filters_b` may be
// null (no Bloom encodings: LSH is skipped); `tokens_a`/`tokens_b` may be
// empty (no tokens: token blocking is skipped). When both a store and a
// token list are given for a side they must describe the same records.
// Errors: InvalidArgument when only one side has filters, the sizes of a
// side's store and token list differ, or LSH/token parameters are invalid.
// Thread-safe (inputs are only read); deterministic for any thread count.
absl::StatusOr<BlockingResult> BlockCandidates(
    const FilterStore* filters_a, const FilterStore* filters_b,
    absl::Span<const std::vector<encode::Token>> tokens_a,
    absl::Span<const std::vector<encode::Token>> tokens_b, const BlockingOptions& options);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_BLOCKING_H_
