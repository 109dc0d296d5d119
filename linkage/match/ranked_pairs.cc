#include "linkage/match/ranked_pairs.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"

namespace fedlink::match {
namespace {

bool RankedBefore(const ScoredPair& x, const ScoredPair& y) {
  if (x.score != y.score) return x.score > y.score;
  return std::tie(x.a, x.b) < std::tie(y.a, y.b);
}

}  // namespace

absl::StatusOr<std::vector<ScoredPair>> RankPairs(std::span<const ScoredPair> pairs,
                                                  double threshold) {
  if (std::isnan(threshold)) return absl::InvalidArgumentError("threshold is NaN");
  std::vector<ScoredPair> ranked;
  for (size_t i = 0; i < pairs.size(); ++i) {
    ScoredPair pair = pairs[i];
    if (std::isnan(pair.score)) {
      return absl::InvalidArgumentError(absl::StrCat("pair ", i, ": score is NaN"));
    }
    if (pair.a == pair.b) {
      return absl::InvalidArgumentError(
          absl::StrCat("pair ", i, ": links record ", pair.a.index, " of party ",
                       pair.a.party, " with itself"));
    }
    if (pair.score < threshold) continue;
    if (pair.b < pair.a) std::swap(pair.a, pair.b);
    ranked.push_back(pair);
  }
  std::sort(ranked.begin(), ranked.end(), RankedBefore);
  return ranked;
}

}  // namespace fedlink::match
