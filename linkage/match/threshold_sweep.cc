#include "linkage/match/threshold_sweep.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "linkage/match/greedy_solver.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

absl::StatusOr<PairMetrics> MetricsAt(std::span<const ScoredPair> pairs,
                                      const GroundTruth& truth, const SweepOptions& options,
                                      double threshold) {
  switch (options.decision) {
    case SweepDecision::kPairsAtThreshold: {
      std::vector<ScoredPair> kept;
      std::copy_if(pairs.begin(), pairs.end(), std::back_inserter(kept),
                   [threshold](const ScoredPair& pair) { return pair.score >= threshold; });
      return EvaluatePairs(kept, truth);
    }
    case SweepDecision::kGreedyOneToOne: {
      FEDLINK_ASSIGN_OR_RETURN(OneToOneResult result, GreedyOneToOne(pairs, threshold));
      return EvaluatePairs(result.matches, truth);
    }
    case SweepDecision::kGreedyClusters: {
      ClusteringOptions clustering = options.clustering;
      clustering.threshold = threshold;
      FEDLINK_ASSIGN_OR_RETURN(ClusteringResult result, GreedyCluster(pairs, clustering));
      return EvaluateClusters(result.clusters, truth);
    }
  }
  return absl::InvalidArgumentError("unknown sweep decision");
}

}  // namespace

absl::StatusOr<std::vector<SweepRow>> SweepThresholds(std::span<const ScoredPair> pairs,
                                                      const GroundTruth& truth,
                                                      const SweepOptions& options) {
  std::vector<double> thresholds = options.thresholds;
  for (double threshold : thresholds) {
    if (std::isnan(threshold)) return absl::InvalidArgumentError("sweep threshold is NaN");
  }
  std::sort(thresholds.begin(), thresholds.end());
  thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
  std::vector<SweepRow> rows;
  rows.reserve(thresholds.size());
  for (double threshold : thresholds) {
    FEDLINK_ASSIGN_OR_RETURN(PairMetrics metrics, MetricsAt(pairs, truth, options, threshold));
    rows.push_back(SweepRow{threshold, metrics});
  }
  return rows;
}

std::vector<double> ThresholdSteps(double from, double to, double step) {
  std::vector<double> steps;
  if (!(step > 0) || !(to >= from)) return steps;
  for (size_t i = 0;; ++i) {
    double value = std::round((from + static_cast<double>(i) * step) * 1e9) / 1e9;
    if (value > to + step * 1e-6) break;
    steps.push_back(value);
  }
  return steps;
}

std::string SweepTable(std::span<const SweepRow> rows) {
  std::string out =
      absl::StrFormat("%9s %10s %10s %10s %10s %9s %9s %9s\n", "threshold", "predicted",
                      "TP", "FP", "FN", "precision", "recall", "F1");
  for (const SweepRow& row : rows) {
    const PairMetrics& m = row.metrics;
    absl::StrAppend(&out, absl::StrFormat("%9.3f %10d %10d %10d %10d %9.4f %9.4f %9.4f\n",
                                          row.threshold, m.predicted, m.true_positives,
                                          m.false_positives, m.false_negatives, m.precision,
                                          m.recall, m.f1));
  }
  return out;
}

std::string SweepCsv(std::span<const SweepRow> rows) {
  std::string out = "threshold,predicted,tp,fp,fn,precision,recall,f1\n";
  for (const SweepRow& row : rows) {
    const PairMetrics& m = row.metrics;
    absl::StrAppend(&out, absl::StrFormat("%.6g,%d,%d,%d,%d,%.6f,%.6f,%.6f\n", row.threshold,
                                          m.predicted, m.true_positives, m.false_positives,
                                          m.false_negatives, m.precision, m.recall, m.f1));
  }
  return out;
}

}  // namespace fedlink::match
