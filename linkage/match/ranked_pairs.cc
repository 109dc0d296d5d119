#include "linkage/match/ranked_pairs.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/match/parallel.h"

namespace fedlink::match {
namespace {

bool RankedBefore(const ScoredPair& x, const ScoredPair& y) {
  if (x.score != y.score) return x.score > y.score;
  return std::tie(x.a, x.b) < std::tie(y.a, y.b);
}

// Below this many pairs one thread sorts (starting threads costs more).
constexpr size_t kMinParallelSort = size_t{1} << 16;

// Sorts by RankedBefore: equal runs of the input sorted on separate threads,
// then merged pairwise (also in parallel) until one run is left.
void SortRanked(std::vector<ScoredPair>& pairs, int threads) {
  const size_t workers = static_cast<size_t>(ResolveThreadCount(threads));
  if (workers <= 1 || pairs.size() < kMinParallelSort) {
    std::sort(pairs.begin(), pairs.end(), RankedBefore);
    return;
  }
  const size_t runs = std::min(workers, pairs.size() / (kMinParallelSort / 2));
  std::vector<size_t> bounds(runs + 1);
  for (size_t r = 0; r <= runs; ++r) bounds[r] = pairs.size() * r / runs;
  ParallelFor(static_cast<int>(workers), runs, [&](size_t r) {
    std::sort(pairs.begin() + static_cast<ptrdiff_t>(bounds[r]),
              pairs.begin() + static_cast<ptrdiff_t>(bounds[r + 1]), RankedBefore);
  });
  std::vector<ScoredPair> buffer(pairs.size());
  std::vector<ScoredPair>* from = &pairs;
  std::vector<ScoredPair>* to = &buffer;
  while (bounds.size() > 2) {
    const size_t merges = (bounds.size() - 1) / 2;
    ParallelFor(static_cast<int>(workers), merges, [&](size_t m) {
      const auto at = [](std::vector<ScoredPair>* v, size_t i) {
        return v->begin() + static_cast<ptrdiff_t>(i);
      };
      std::merge(at(from, bounds[2 * m]), at(from, bounds[2 * m + 1]), at(from, bounds[2 * m + 1]),
                 at(from, bounds[2 * m + 2]), at(to, bounds[2 * m]), RankedBefore);
    });
    std::vector<size_t> next;
    for (size_t i = 0; i < bounds.size(); i += 2) next.push_back(bounds[i]);
    if ((bounds.size() - 1) % 2 == 1) {
      // An odd run out: copy it across unmerged.
      std::copy(from->begin() + static_cast<ptrdiff_t>(bounds[bounds.size() - 2]), from->end(),
                to->begin() + static_cast<ptrdiff_t>(bounds[bounds.size() - 2]));
      next.push_back(bounds.back());
    }
    bounds.swap(next);
    std::swap(from, to);
  }
  if (from != &pairs) pairs.swap(*from);
}

}  // namespace

absl::StatusOr<std::vector<ScoredPair>> RankPairs(std::span<const ScoredPair> pairs,
                                                  double threshold, int threads) {
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
  SortRanked(ranked, threads);
  return ranked;
}

}  // namespace fedlink::match
