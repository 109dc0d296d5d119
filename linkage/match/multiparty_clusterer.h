// Greedy clustering for three or more parties: scored pairs, best first,
// grow clusters that hold at most one record per party.
#ifndef FEDLINK_LINKAGE_MATCH_MULTIPARTY_CLUSTERER_H_
#define FEDLINK_LINKAGE_MATCH_MULTIPARTY_CLUSTERER_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/match/types.h"

namespace fedlink::match {

// What must hold, beyond the pair at hand, before two clusters merge. Only
// *known* pairs count: those given to GreedyCluster, whatever their score
// (a pair below the threshold is evidence against a merge). Pairs that
// blocking never proposed are unknown, not dissimilar, and are left out.
enum class ClusterLinkage {
  kSingle,   // the pair at hand (≥ threshold) is enough
  kAverage,  // the mean of the known pairs between the two clusters ≥ threshold
  kMinimum,  // every known pair between the two clusters ≥ threshold
};

struct ClusteringOptions {
  double threshold = 0.0;  // pairs scoring below it never cause a merge
  // Lets one cluster hold several records of one party (a party whose
  // upload is known to contain duplicates). Off: a merge that would put two
  // records of one party together is refused.
  bool allow_within_party_duplicates = false;
  ClusterLinkage linkage = ClusterLinkage::kSingle;
};

struct ClusteringResult {
  std::vector<Cluster> clusters;  // ≥ 2 records each, ordered by first record
  // The pairs that caused a merge, in decision order (a < b).
  std::vector<ScoredPair> accepted;
  // Pairs ≥ threshold between two clusters that were not merged because the
  // merge would hold two records of one party / failed the linkage test.
  uint64_t rejected_party_conflict = 0;
  uint64_t rejected_linkage = 0;
};

// Processes the pairs with score ≥ options.threshold in RankPairs order
// (score descending, ties by records): a pair whose records are in different
// clusters merges them when the merged cluster keeps one record per party
// (unless duplicates are allowed) and options.linkage holds. Uses no
// randomness: the result depends only on the set of pairs. For two parties
// with kSingle this equals GreedyOneToOne. Errors: InvalidArgument for what
// RankPairs rejects. Thread-safe.
absl::StatusOr<ClusteringResult> GreedyCluster(std::span<const ScoredPair> pairs,
                                               const ClusteringOptions& options);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_MULTIPARTY_CLUSTERER_H_
