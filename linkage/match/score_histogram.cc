#include "linkage/match/score_histogram.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fedlink::match {
namespace {

constexpr size_t kBarWidth = 40;

}  // namespace

ScoreHistogram ScoreHistogram::Uniform(size_t bins, double lo, double hi) {
  ScoreHistogram histogram;
  histogram.lo = lo;
  histogram.hi = hi;
  histogram.counts.assign(bins, 0);
  return histogram;
}

double ScoreHistogram::BinLower(size_t bin) const {
  if (bin >= counts.size()) return hi;
  return lo + (hi - lo) * static_cast<double>(bin) / static_cast<double>(counts.size());
}

size_t ScoreHistogram::BinOf(double score) const {
  const size_t last = counts.size() - 1;
  if (score <= lo) return 0;
  if (score >= hi) return last;
  double position = (score - lo) / (hi - lo) * static_cast<double>(counts.size());
  size_t bin = std::min(last, static_cast<size_t>(position));
  // Rounding in `position` can land a score that sits on an edge in the
  // neighbouring bin; the edges BinLower reports are the ones that count.
  if (bin > 0 && score < BinLower(bin)) --bin;
  if (bin < last && score >= BinLower(bin + 1)) ++bin;
  return bin;
}

void ScoreHistogram::Add(double score) {
  if (std::isnan(score)) return;
  ++counts[BinOf(score)];
}

uint64_t ScoreHistogram::Total() const {
  return std::accumulate(counts.begin(), counts.end(), uint64_t{0});
}

ScoreHistogram HistogramOfScores(std::span<const ScoredPair> pairs, size_t bins) {
  ScoreHistogram histogram = ScoreHistogram::Uniform(bins);
  for (const ScoredPair& pair : pairs) histogram.Add(pair.score);
  return histogram;
}

std::string RenderHistogram(const ScoreHistogram& histogram, const std::string& indent) {
  const auto& counts = histogram.counts;
  auto first = std::find_if(counts.begin(), counts.end(), [](uint64_t c) { return c > 0; });
  if (first == counts.end()) return absl::StrCat(indent, "(none)\n");
  size_t begin = static_cast<size_t>(first - counts.begin());
  size_t end = counts.size();
  while (counts[end - 1] == 0) --end;
  uint64_t largest = *std::max_element(counts.begin(), counts.end());
  std::string out;
  for (size_t bin = begin; bin < end; ++bin) {
    size_t bar = static_cast<size_t>(
        std::ceil(static_cast<double>(counts[bin]) * kBarWidth / static_cast<double>(largest)));
    absl::StrAppend(&out, indent,
                    absl::StrFormat("[%.2f, %.2f%c %10d", histogram.BinLower(bin),
                                    histogram.BinUpper(bin),
                                    bin + 1 == counts.size() ? ']' : ')', counts[bin]),
                    bar > 0 ? "  " : "", std::string(bar, '#'), "\n");
  }
  return out;
}

}  // namespace fedlink::match
