// Precision / recall / F1 as the match threshold moves: the table an
// analyst reads and the CSV a plotting tool reads.
#ifndef FEDLINK_LINKAGE_MATCH_THRESHOLD_SWEEP_H_
#define FEDLINK_LINKAGE_MATCH_THRESHOLD_SWEEP_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/match/evaluation.h"
#include "linkage/match/multiparty_clusterer.h"

namespace fedlink::match {

// What is predicted at a threshold t.
enum class SweepDecision {
  kPairsAtThreshold,  // every pair with score ≥ t
  kGreedyOneToOne,    // GreedyOneToOne(pairs, t)
  kGreedyClusters,    // GreedyCluster, scored as the cross-party pairs in its clusters
};

struct SweepOptions {
  std::vector<double> thresholds;  // any order; rows come out ascending, repeats once
  SweepDecision decision = SweepDecision::kPairsAtThreshold;
  // For kGreedyClusters; its threshold is replaced by each row's.
  ClusteringOptions clustering;
};

struct SweepRow {
  double threshold = 0;
  PairMetrics metrics;
};

// One row per threshold. Errors: InvalidArgument for a NaN threshold, a pair
// the chosen solver rejects, or a record outside the ground truth.
// Thread-safe.
absl::StatusOr<std::vector<SweepRow>> SweepThresholds(std::span<const ScoredPair> pairs,
                                                      const GroundTruth& truth,
                                                      const SweepOptions& options);

// from, from + step, … up to and including `to` (each value computed as
// from + i·step and rounded to 1e-9, so 0.7 stays 0.7). Empty when step ≤ 0
// or to < from.
std::vector<double> ThresholdSteps(double from, double to, double step);

// Aligned table: threshold, predicted, TP, FP, FN, precision, recall, F1.
std::string SweepTable(std::span<const SweepRow> rows);

// CSV with header "threshold,predicted,tp,fp,fn,precision,recall,f1".
std::string SweepCsv(std::span<const SweepRow> rows);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_THRESHOLD_SWEEP_H_
