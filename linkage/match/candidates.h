// Candidate pairs between two parties' uploads, as produced by blocking and
// consumed by candidate scoring, and the measures of a blocking's quality.
#ifndef FEDLINK_LINKAGE_MATCH_CANDIDATES_H_
#define FEDLINK_LINKAGE_MATCH_CANDIDATES_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "linkage/match/types.h"

namespace fedlink::match {

// Record a of the first party and record b of the second, packed into one
// 64-bit key (a in the high half) so that sorting keys sorts by (a, b) and
// sorting and deduplicating millions of pairs is a radix sort of integers.
struct CandidatePair {
  uint64_t key = 0;

  static constexpr CandidatePair Of(RecordIndex a, RecordIndex b) {
    return CandidatePair{(uint64_t{a} << 32) | b};
  }
  constexpr RecordIndex a() const { return static_cast<RecordIndex>(key >> 32); }
  constexpr RecordIndex b() const { return static_cast<RecordIndex>(key); }
  friend constexpr auto operator<=>(const CandidatePair&, const CandidatePair&) = default;
};

// Sorts *pairs by (a, b) and removes duplicates. Uses a radix sort and a
// scratch buffer as large as the input. Not thread-safe for one vector.
void SortUniqueCandidates(std::vector<CandidatePair>* pairs);

// The union of two sorted, duplicate-free lists, sorted and duplicate-free.
std::vector<CandidatePair> UnionCandidates(absl::Span<const CandidatePair> x,
                                           absl::Span<const CandidatePair> y);

// How well a candidate list covers the true matches and how much it saves
// over comparing all pairs.
struct BlockingQuality {
  uint64_t candidate_pairs = 0;
  uint64_t all_pairs = 0;  // n_a * n_b
  // 1 - candidate_pairs / all_pairs: the share of comparisons avoided
  // (0 when all_pairs == 0).
  double reduction_ratio = 0;
  // With ground truth: how many true pairs there are, how many are
  // candidates, and their ratio (pairs completeness, the recall of blocking;
  // 1 when there are no true pairs).
  std::optional<uint64_t> true_pairs;
  std::optional<uint64_t> true_pairs_kept;
  std::optional<double> pairs_completeness;
};

// Measures `candidates` (sorted, duplicate-free: as returned by blocking)
// for inputs of n_a and n_b records. `truth`, when given, lists the true
// matching pairs (any order; duplicates are counted once).
// Thread-safe.
BlockingQuality EvaluateBlocking(absl::Span<const CandidatePair> candidates, uint64_t n_a,
                                 uint64_t n_b,
                                 std::optional<absl::Span<const CandidatePair>> truth);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_CANDIDATES_H_
