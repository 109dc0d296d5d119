// Dice scoring between two parties' filter stores: every pair (for small
// inputs, tests and benchmarks) or the candidate pairs found by blocking.
// Both return the pairs with dice >= threshold, sorted by (a.index,
// b.index), identical for every thread count and popcount path.
#ifndef FEDLINK_LINKAGE_MATCH_SCORING_H_
#define FEDLINK_LINKAGE_MATCH_SCORING_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/match/candidates.h"
#include "linkage/match/dice.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/popcount.h"
#include "linkage/match/types.h"

namespace fedlink::match {

struct ScoringOptions {
  // Party ids written into the returned pairs (store a is party_a).
  PartyId party_a = 0;
  PartyId party_b = 1;
  // Worker threads; 0 means one per hardware thread.
  int threads = 1;
  // Forces a popcount path (tests, benchmarks); unset means the fastest the
  // CPU supports.
  std::optional<PopcountPath> path;
};

struct ScoringStats {
  uint64_t pairs_considered = 0;  // n_a * n_b, or the number of candidates
  uint64_t pairs_pruned = 0;      // skipped by the popcount bound, bits never read
  uint64_t pairs_compared = 0;    // whose |a ∧ b| was computed
  uint64_t pairs_matched = 0;     // returned: dice >= threshold
};

struct ScoringResult {
  std::vector<ScoredPair> pairs;  // sorted by (a.index, b.index)
  ScoringStats stats;
};

// Compares every filter of `a` with every filter of `b`. B's filters are
// ordered by popcount and copied into tiles — word-interleaved tiles of
// about 16 KiB that stay in L1 (portable and POPCNT paths), or bit-sliced
// tiles of 256 filters (AVX2 and AVX-512 paths; see kSlicedLanes) — and rows
// of `a` stream past each tile; for each row only the popcount window that
// can reach the threshold is compared.
// Cost is O(n_a · n_b) in the worst case: meant for inputs of up to some
// 10^4 records a side, tests and benchmarks; use blocking + ScoreCandidates
// beyond that. Extra memory: one copy of b's filters.
// Errors: InvalidArgument if the stores' filter lengths differ;
// FailedPrecondition if options.path is not supported here.
// Thread-safe (the stores are only read).
absl::StatusOr<ScoringResult> ScoreAllPairs(const FilterStore& a, const FilterStore& b,
                                            const DiceThreshold& threshold,
                                            const ScoringOptions& options = {});

// Scores each candidate (a(), b()) once, skipping those that fail the
// popcount bound. Candidates sorted by (a, b) (as blocking returns them) are
// read in a cache-friendly order; other orders work and give the same,
// sorted, result. A duplicated candidate is returned once per occurrence.
// Errors: InvalidArgument if the filter lengths differ or a candidate names
// a record beyond either store (the message gives its position in the
// list); FailedPrecondition if options.path is not supported here.
// Thread-safe (inputs are only read).
absl::StatusOr<ScoringResult> ScoreCandidates(const FilterStore& a, const FilterStore& b,
                                              absl::Span<const CandidatePair> candidates,
                                              const DiceThreshold& threshold,
                                              const ScoringOptions& options = {});

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_SCORING_H_
