// Score histograms of true matches and non-matches side by side: the plot
// that shows how well a similarity separates the two (evaluation only; it
// needs ground truth).
#ifndef FEDLINK_LINKAGE_MATCH_TRUTH_HISTOGRAM_H_
#define FEDLINK_LINKAGE_MATCH_TRUTH_HISTOGRAM_H_

#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "linkage/match/evaluation.h"
#include "linkage/match/score_histogram.h"

namespace fedlink::match {

struct TruthHistograms {
  ScoreHistogram matches;      // pairs whose records carry equal labels
  ScoreHistogram non_matches;  // the other pairs
};

// Bins every pair's score by whether it is a true match. Errors:
// InvalidArgument when a pair names a record outside the ground truth.
// Thread-safe.
absl::StatusOr<TruthHistograms> HistogramsByTruth(std::span<const ScoredPair> pairs,
                                                  const GroundTruth& truth,
                                                  size_t bins = kDefaultScoreBins);

// Both renderings expect the two histograms to share their bins, as
// HistogramsByTruth makes them.
// Aligned text table, one row per bin: lower, upper, matches, non-matches.
std::string TruthHistogramTable(const TruthHistograms& histograms);

// CSV with header "bin_lower,bin_upper,matches,non_matches", one row per bin.
std::string TruthHistogramCsv(const TruthHistograms& histograms);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_TRUTH_HISTOGRAM_H_
