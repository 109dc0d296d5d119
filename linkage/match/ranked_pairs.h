// The order in which the greedy solvers decide: best score first, ties
// broken by the records, so the result never depends on input order.
#ifndef FEDLINK_LINKAGE_MATCH_RANKED_PAIRS_H_
#define FEDLINK_LINKAGE_MATCH_RANKED_PAIRS_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/match/types.h"

namespace fedlink::match {

// The pairs with score ≥ threshold, each oriented so that a < b, sorted by
// score descending, then a, then b ascending. The sort runs on up to
// `threads` threads (0: one per hardware thread); the order is a total one,
// so the result does not depend on the thread count. Errors:
// InvalidArgument when the threshold or a score is NaN, or a pair names one
// record twice (the message gives the pair's position). Thread-safe.
absl::StatusOr<std::vector<ScoredPair>> RankPairs(std::span<const ScoredPair> pairs,
                                                  double threshold, int threads = 1);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_RANKED_PAIRS_H_
