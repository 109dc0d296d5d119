// A fixed-bin histogram of similarity scores: for evaluation plots, the
// quality report and the threshold suggestion.
#ifndef FEDLINK_LINKAGE_MATCH_SCORE_HISTOGRAM_H_
#define FEDLINK_LINKAGE_MATCH_SCORE_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "linkage/match/types.h"

namespace fedlink::match {

inline constexpr size_t kDefaultScoreBins = 20;  // 0.05 wide over [0, 1]

// Bin i covers [lower(i), lower(i + 1)), the last bin also its upper edge.
// Scores outside [lo, hi] count in the first or last bin; NaN is not
// counted. A plain value type (the coordinator serialises lo, hi, counts).
struct ScoreHistogram {
  double lo = 0.0;
  double hi = 1.0;
  std::vector<uint64_t> counts;

  // Empty histogram of `bins` equal bins over [lo, hi]. Precondition:
  // bins ≥ 1 and lo < hi.
  static ScoreHistogram Uniform(size_t bins = kDefaultScoreBins, double lo = 0.0,
                                double hi = 1.0);

  void Add(double score);
  size_t BinOf(double score) const;  // precondition: score is not NaN
  double BinLower(size_t bin) const;
  double BinUpper(size_t bin) const { return BinLower(bin + 1); }
  uint64_t Total() const;
  friend bool operator==(const ScoreHistogram&, const ScoreHistogram&) = default;
};

// The scores of `pairs`, binned. Thread-safe.
ScoreHistogram HistogramOfScores(std::span<const ScoredPair> pairs,
                                 size_t bins = kDefaultScoreBins);

// One line per bin from the first to the last non-empty one:
// "  [0.80, 0.85)      123  ####", bars scaled to the largest bin; "(none)"
// when empty. Each line starts with `indent`.
std::string RenderHistogram(const ScoreHistogram& histogram, const std::string& indent = "  ");

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_SCORE_HISTOGRAM_H_
