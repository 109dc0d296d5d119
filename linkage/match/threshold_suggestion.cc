#include "linkage/match/threshold_suggestion.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"

namespace fedlink::match {
namespace {

// Scores lie inside the histogram's range, so a neighbour beyond either
// end counts as an empty bin.
std::vector<double> Smoothed(const std::vector<uint64_t>& counts) {
  std::vector<double> smoothed(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    double sum = static_cast<double>(counts[i]);
    if (i > 0) sum += static_cast<double>(counts[i - 1]);
    if (i + 1 < counts.size()) sum += static_cast<double>(counts[i + 1]);
    smoothed[i] = sum / 3;
  }
  return smoothed;
}

double BinCentre(const ScoreHistogram& histogram, size_t bin) {
  return (histogram.BinLower(bin) + histogram.BinUpper(bin)) / 2;
}

}  // namespace

ThresholdSuggestion SuggestThreshold(const ScoreHistogram& scores, double fallback,
                                     const ValleyOptions& options) {
  ThresholdSuggestion suggestion;
  suggestion.threshold = fallback;
  if (scores.Total() == 0) {
    suggestion.method = SuggestionMethod::kNoScores;
    return suggestion;
  }
  suggestion.method = SuggestionMethod::kNotBimodal;
  const size_t n = scores.counts.size();
  if (n < 3) return suggestion;
  std::vector<double> smoothed = Smoothed(scores.counts);

  // prefix_peak[i]: index of the highest smoothed bin in [0, i]; suffix_peak
  // likewise for [i, n). Ties go to the bin nearer the valley.
  std::vector<size_t> prefix_peak(n);
  std::vector<size_t> suffix_peak(n);
  for (size_t i = 0; i < n; ++i) {
    prefix_peak[i] =
        i > 0 && smoothed[prefix_peak[i - 1]] > smoothed[i] ? prefix_peak[i - 1] : i;
  }
  for (size_t i = n; i-- > 0;) {
    suffix_peak[i] =
        i + 1 < n && smoothed[suffix_peak[i + 1]] > smoothed[i] ? suffix_peak[i + 1] : i;
  }

  bool found = false;
  double best_ratio = 0;
  size_t run_begin = 0;
  size_t run_end = 0;  // the best valley run is [run_begin, run_end]
  for (size_t k = 1; k + 1 < n; ++k) {
    size_t left = prefix_peak[k - 1];
    size_t right = suffix_peak[k + 1];
    double mode = std::min(smoothed[left], smoothed[right]);
    if (mode < options.min_mode_count || smoothed[k] > options.max_valley_ratio * mode) {
      continue;
    }
    double ratio = smoothed[k] / mode;
    if (!found || ratio < best_ratio) {
      found = true;
      best_ratio = ratio;
      run_begin = run_end = k;
      suggestion.lower_mode = BinCentre(scores, left);
      suggestion.upper_mode = BinCentre(scores, right);
    } else if (ratio == best_ratio && run_end + 1 == k) {
      run_end = k;
      suggestion.upper_mode = BinCentre(scores, right);
    }
  }
  if (!found) return suggestion;
  suggestion.method = SuggestionMethod::kValley;
  suggestion.threshold = (scores.BinLower(run_begin) + scores.BinUpper(run_end)) / 2;
  return suggestion;
}

std::string DescribeSuggestion(const ThresholdSuggestion& suggestion) {
  switch (suggestion.method) {
    case SuggestionMethod::kValley:
      return absl::StrFormat(
          "%.3g: the valley of the score histogram between modes near %.3g and %.3g",
          suggestion.threshold, suggestion.lower_mode, suggestion.upper_mode);
    case SuggestionMethod::kNotBimodal:
      return absl::StrFormat(
          "%.3g: the configured threshold (the score histogram shows no clear valley "
          "between a non-match and a match mode)",
          suggestion.threshold);
    case SuggestionMethod::kNoScores:
      return absl::StrFormat("%.3g: the configured threshold (no scored pairs)",
                             suggestion.threshold);
  }
  return "";
}

}  // namespace fedlink::match
