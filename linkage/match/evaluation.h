// Linkage quality against ground truth: precision, recall and F1 of
// predicted pairs or clusters, and pairs completeness / reduction ratio of
// a candidate set. Ground truth is at pseudonym level (an entity label per
// record index), never identifiers.
//
// Everything counts *cross-party* record pairs: two records of different
// parties with equal labels are a true match. Pairs inside one party are
// deduplication, not linkage, and are not counted.
#ifndef FEDLINK_LINKAGE_MATCH_EVALUATION_H_
#define FEDLINK_LINKAGE_MATCH_EVALUATION_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/match/types.h"

namespace fedlink::match {

// labels[party][record index] is the entity of that record; records with
// equal labels are one person. The caller maps its record ids to labels.
struct GroundTruth {
  std::vector<std::vector<uint64_t>> labels;
};

struct PairMetrics {
  uint64_t predicted = 0;        // distinct cross-party pairs predicted
  uint64_t true_positives = 0;
  uint64_t false_positives = 0;
  uint64_t false_negatives = 0;  // true matches not predicted
  // A ratio whose denominator is 0 is reported as 0.
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  friend bool operator==(const PairMetrics&, const PairMetrics&) = default;
};

struct CandidateMetrics {
  uint64_t candidates = 0;         // distinct cross-party candidate pairs
  uint64_t true_candidates = 0;    // of which true matches
  uint64_t true_matches = 0;       // in the whole ground truth
  uint64_t comparison_space = 0;   // all cross-party pairs: Σ_{p<q} n_p·n_q
  double pairs_completeness = 0;   // true_candidates / true_matches
  double pairs_quality = 0;        // true_candidates / candidates
  double reduction_ratio = 0;      // 1 − candidates / comparison_space
};

// The number of cross-party record pairs with equal labels. Thread-safe.
uint64_t CountTrueMatches(const GroundTruth& truth);

// Metrics of a set of predicted pairs (orientation and repeats do not
// matter; same-party pairs are ignored). Errors: InvalidArgument when a
// pair names a record outside the ground truth. Thread-safe.
absl::StatusOr<PairMetrics> EvaluatePairs(std::span<const ScoredPair> predicted,
                                          const GroundTruth& truth);

// Metrics of clusters, counting every cross-party pair inside a cluster as
// predicted (without listing them: a cluster of n records costs O(n)).
// Errors: InvalidArgument for a record outside the ground truth or a record
// in two clusters. Thread-safe.
absl::StatusOr<PairMetrics> EvaluateClusters(std::span<const Cluster> clusters,
                                             const GroundTruth& truth);

// Pairs completeness, pairs quality and reduction ratio of candidate pairs
// (blocking output); scores are ignored. Errors: as EvaluatePairs.
// Thread-safe.
absl::StatusOr<CandidateMetrics> EvaluateCandidates(std::span<const ScoredPair> candidates,
                                                    const GroundTruth& truth);

// Whether both records of `pair` carry the same label. Errors:
// InvalidArgument when a record is outside the ground truth. Thread-safe.
absl::StatusOr<bool> IsTrueMatch(const ScoredPair& pair, const GroundTruth& truth);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_EVALUATION_H_
