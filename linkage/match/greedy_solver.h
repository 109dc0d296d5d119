// Threshold + greedy one-to-one assignment, the two-party solver: every
// record is matched to at most one record.
#ifndef FEDLINK_LINKAGE_MATCH_GREEDY_SOLVER_H_
#define FEDLINK_LINKAGE_MATCH_GREEDY_SOLVER_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/match/types.h"

namespace fedlink::match {

struct OneToOneResult {
  // Accepted pairs in decision order (RankPairs order), each with a < b.
  std::vector<ScoredPair> matches;
  // Pairs ≥ threshold turned down because one of their records was matched
  // to another record (a repeat of an accepted pair is not a conflict).
  uint64_t conflicts = 0;
};

// Goes through the pairs with score ≥ threshold best first (ties broken by
// the records, see ranked_pairs.h) and accepts a pair when neither record is
// matched yet. The result depends only on the set of pairs, not their order
// or `threads` (used to rank the pairs; 0: one per hardware thread).
// Errors: InvalidArgument for what RankPairs rejects and for a pair of two
// records of one party. Thread-safe.
absl::StatusOr<OneToOneResult> GreedyOneToOne(std::span<const ScoredPair> pairs,
                                              double threshold, int threads = 1);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_GREEDY_SOLVER_H_
