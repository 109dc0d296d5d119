// A match threshold suggested from the score histogram of all compared
// pairs. Non-matches pile up at low scores and true matches near 1; when the
// histogram shows those two modes, the bottom of the valley between them is
// where the two kinds of pair are least mixed.
//
// Method (deterministic, documented for the analyst):
//  1. Smooth the counts with a 3-bin moving average (a neighbour beyond
//     either end counts as empty), so one noisy bin is not taken for a
//     valley.
//  2. For each interior bin k, let L and R be the highest smoothed bins left
//     and right of k. Bin k is a valley when min(L, R) ≥ min_mode_count and
//     smoothed[k] ≤ max_valley_ratio · min(L, R).
//  3. Take the deepest valley, smallest smoothed[k] / min(L, R); a run of
//     adjacent bins tied at that depth counts as one valley, the first such
//     run if several. The suggestion is the middle of that run.
// When no bin is a valley the histogram is not bimodal and the suggestion
// falls back to the threshold the job configured; so does an empty
// histogram (e.g. a tokens-only job has no scores).
#ifndef FEDLINK_LINKAGE_MATCH_THRESHOLD_SUGGESTION_H_
#define FEDLINK_LINKAGE_MATCH_THRESHOLD_SUGGESTION_H_

#include <string>

#include "linkage/match/score_histogram.h"

namespace fedlink::match {

struct ValleyOptions {
  double max_valley_ratio = 0.5;  // how deep a valley must be, relative to the lower mode
  double min_mode_count = 5;      // smoothed height a mode needs to count
};

enum class SuggestionMethod {
  kValley,       // the valley between the two modes
  kNotBimodal,   // fallback: no valley found
  kNoScores,     // fallback: empty histogram
};

struct ThresholdSuggestion {
  double threshold = 0;
  SuggestionMethod method = SuggestionMethod::kNoScores;
  // For kValley: the centres of the highest bins left and right of the valley.
  double lower_mode = 0;
  double upper_mode = 0;
  friend bool operator==(const ThresholdSuggestion&, const ThresholdSuggestion&) = default;
};

// See the method above; `fallback` is the job's configured threshold.
// Thread-safe.
ThresholdSuggestion SuggestThreshold(const ScoreHistogram& scores, double fallback,
                                     const ValleyOptions& options = {});

// One sentence for the analyst, e.g. "0.625: the valley of the score
// histogram between modes near 0.325 and 0.925".
std::string DescribeSuggestion(const ThresholdSuggestion& suggestion);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_THRESHOLD_SUGGESTION_H_
