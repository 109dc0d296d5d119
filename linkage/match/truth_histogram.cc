#include "linkage/match/truth_histogram.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "linkage/status_macros.h"

namespace fedlink::match {

absl::StatusOr<TruthHistograms> HistogramsByTruth(std::span<const ScoredPair> pairs,
                                                  const GroundTruth& truth, size_t bins) {
  TruthHistograms histograms{ScoreHistogram::Uniform(bins), ScoreHistogram::Uniform(bins)};
  for (const ScoredPair& pair : pairs) {
    FEDLINK_ASSIGN_OR_RETURN(bool match, IsTrueMatch(pair, truth));
    (match ? histograms.matches : histograms.non_matches).Add(pair.score);
  }
  return histograms;
}

std::string TruthHistogramTable(const TruthHistograms& histograms) {
  std::string out = absl::StrFormat("%-6s %-6s %12s %12s\n", "lower", "upper", "matches",
                                    "non-matches");
  const ScoreHistogram& m = histograms.matches;
  for (size_t bin = 0; bin < m.counts.size(); ++bin) {
    absl::StrAppend(&out, absl::StrFormat("%-6.3f %-6.3f %12d %12d\n", m.BinLower(bin),
                                          m.BinUpper(bin), m.counts[bin],
                                          histograms.non_matches.counts[bin]));
  }
  return out;
}

std::string TruthHistogramCsv(const TruthHistograms& histograms) {
  std::string out = "bin_lower,bin_upper,matches,non_matches\n";
  const ScoreHistogram& m = histograms.matches;
  for (size_t bin = 0; bin < m.counts.size(); ++bin) {
    absl::StrAppend(&out, absl::StrFormat("%.6g,%.6g,%d,%d\n", m.BinLower(bin),
                                          m.BinUpper(bin), m.counts[bin],
                                          histograms.non_matches.counts[bin]));
  }
  return out;
}

}  // namespace fedlink::match
