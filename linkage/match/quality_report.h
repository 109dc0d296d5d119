// The linkage-quality report the coordinator can show an analyst: counts and
// distributions only, never a record, pseudonym or token. Built from the
// solver's output; a structured form to serialise plus a plain-text
// rendering.
#ifndef FEDLINK_LINKAGE_MATCH_QUALITY_REPORT_H_
#define FEDLINK_LINKAGE_MATCH_QUALITY_REPORT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/match/score_histogram.h"
#include "linkage/match/threshold_suggestion.h"
#include "linkage/match/token_table.h"
#include "linkage/match/types.h"

namespace fedlink::match {

// What the report is built from. The spans need only outlive the call.
struct QualityReportInput {
  std::vector<uint64_t> records_per_party;  // upload sizes, indexed by PartyId
  std::span<const Cluster> clusters;        // the final clusters
  std::span<const ScoredPair> accepted_links;  // pairs the solver accepted (token links score 1)
  std::span<const AmbiguityCount> ambiguity;   // TokenJoinResult::ambiguity
  uint64_t ambiguous_token_matches = 0;        // TokenJoinResult::ambiguous_token_matches
  // Scores of every compared pair, for the threshold suggestion; null when
  // nothing was scored (a tokens-only job).
  const ScoreHistogram* candidate_scores = nullptr;
  double configured_threshold = 0;  // the job's threshold, also the fallback suggestion
  size_t score_bins = kDefaultScoreBins;  // bins of accepted_scores
};

// Clusters whose records come from exactly these parties (ascending).
struct PartySetCount {
  std::vector<PartyId> parties;
  uint64_t clusters = 0;
  friend bool operator==(const PartySetCount&, const PartySetCount&) = default;
};

struct ClusterSizeCount {
  uint64_t size = 0;  // records in the cluster
  uint64_t clusters = 0;
  friend bool operator==(const ClusterSizeCount&, const ClusterSizeCount&) = default;
};

struct QualityReport {
  std::vector<uint64_t> records_per_party;
  std::vector<uint64_t> linked_records_per_party;  // records in some cluster
  uint64_t clusters = 0;
  std::vector<PartySetCount> party_sets;        // by number of parties, then parties
  std::vector<ClusterSizeCount> cluster_sizes;  // ascending by size
  uint64_t clusters_with_party_duplicates = 0;  // holding ≥ 2 records of one party
  std::vector<AmbiguityCount> ambiguity;        // as given, ascending (party, recipe)
  uint64_t ambiguous_token_matches = 0;
  ScoreHistogram accepted_scores;
  double configured_threshold = 0;
  ThresholdSuggestion suggestion;
};

// Aggregates the input. Errors: InvalidArgument when a cluster names a party
// or record index outside records_per_party, a record appears in two
// clusters, or score_bins is 0. Thread-safe.
absl::StatusOr<QualityReport> BuildQualityReport(const QualityReportInput& input);

// Plain text for the analyst. party_names[p] names party p where given;
// otherwise "party p". Thread-safe.
std::string RenderQualityReport(const QualityReport& report,
                                std::span<const std::string> party_names = {});

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_QUALITY_REPORT_H_
