#include "linkage/match/evaluation.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

using GroupedParty = std::pair<uint64_t, PartyId>;  // (group, party)

absl::StatusOr<uint64_t> LabelOf(const RecordRef& ref, const GroundTruth& truth) {
  if (ref.party >= truth.labels.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "party ", ref.party, " is not in the ground truth (", truth.labels.size(),
        " parties)"));
  }
  const std::vector<uint64_t>& labels = truth.labels[ref.party];
  if (ref.index >= labels.size()) {
    return absl::InvalidArgumentError(absl::StrCat("record ", ref.index, " of party ",
                                                   ref.party, " is not in the ground truth (",
                                                   labels.size(), " records)"));
  }
  return labels[ref.index];
}

double Ratio(uint64_t numerator, uint64_t denominator) {
  return denominator == 0 ? 0.0
                          : static_cast<double>(numerator) / static_cast<double>(denominator);
}

PairMetrics MetricsOf(uint64_t predicted, uint64_t true_positives, uint64_t true_matches) {
  PairMetrics metrics;
  metrics.predicted = predicted;
  metrics.true_positives = true_positives;
  metrics.false_positives = predicted - true_positives;
  metrics.false_negatives = true_matches - true_positives;
  metrics.precision = Ratio(true_positives, predicted);
  metrics.recall = Ratio(true_positives, true_matches);
  double sum = metrics.precision + metrics.recall;
  metrics.f1 = sum == 0 ? 0.0 : 2 * metrics.precision * metrics.recall / sum;
  return metrics;
}

// Pairs of items in the same group but of different parties: per group,
// ((Σ_p c_p)² − Σ_p c_p²) / 2 where c_p counts the group's items of party p.
uint64_t CrossPartyPairs(std::vector<GroupedParty>& items) {
  std::sort(items.begin(), items.end());
  uint64_t pairs = 0;
  for (size_t start = 0; start < items.size();) {
    uint64_t sum = 0;
    uint64_t sum_of_squares = 0;
    size_t end = start;
    while (end < items.size() && items[end].first == items[start].first) {
      size_t party_end = end;
      while (party_end < items.size() && items[party_end] == items[end]) ++party_end;
      uint64_t count = party_end - end;
      sum += count;
      sum_of_squares += count * count;
      end = party_end;
    }
    pairs += (sum * sum - sum_of_squares) / 2;
    start = end;
  }
  return pairs;
}

// The distinct cross-party pairs among `pairs`, oriented a < b, and how
// many of them are true matches.
struct DistinctPairs {
  uint64_t pairs = 0;
  uint64_t true_matches = 0;
};

absl::StatusOr<DistinctPairs> CountDistinctPairs(std::span<const ScoredPair> pairs,
                                                 const GroundTruth& truth) {
  absl::flat_hash_set<std::pair<RecordRef, RecordRef>> seen;
  seen.reserve(pairs.size());
  DistinctPairs counts;
  for (const ScoredPair& pair : pairs) {
    FEDLINK_ASSIGN_OR_RETURN(bool match, IsTrueMatch(pair, truth));
    if (pair.a.party == pair.b.party) continue;
    auto key = pair.a < pair.b ? std::pair(pair.a, pair.b) : std::pair(pair.b, pair.a);
    if (!seen.insert(key).second) continue;
    ++counts.pairs;
    if (match) ++counts.true_matches;
  }
  return counts;
}

}  // namespace

absl::StatusOr<bool> IsTrueMatch(const ScoredPair& pair, const GroundTruth& truth) {
  FEDLINK_ASSIGN_OR_RETURN(uint64_t label_a, LabelOf(pair.a, truth));
  FEDLINK_ASSIGN_OR_RETURN(uint64_t label_b, LabelOf(pair.b, truth));
  return label_a == label_b;
}

uint64_t CountTrueMatches(const GroundTruth& truth) {
  std::vector<GroupedParty> items;
  for (size_t party = 0; party < truth.labels.size(); ++party) {
    for (uint64_t label : truth.labels[party]) {
      items.emplace_back(label, static_cast<PartyId>(party));
    }
  }
  return CrossPartyPairs(items);
}

absl::StatusOr<PairMetrics> EvaluatePairs(std::span<const ScoredPair> predicted,
                                          const GroundTruth& truth) {
  FEDLINK_ASSIGN_OR_RETURN(DistinctPairs counts, CountDistinctPairs(predicted, truth));
  return MetricsOf(counts.pairs, counts.true_matches, CountTrueMatches(truth));
}

absl::StatusOr<PairMetrics> EvaluateClusters(std::span<const Cluster> clusters,
                                             const GroundTruth& truth) {
  absl::flat_hash_set<RecordRef> seen;
  uint64_t predicted = 0;
  uint64_t true_positives = 0;
  std::vector<GroupedParty> by_label;
  std::vector<GroupedParty> by_cluster;
  for (size_t c = 0; c < clusters.size(); ++c) {
    by_label.clear();
    by_cluster.clear();
    for (const RecordRef& ref : clusters[c]) {
      FEDLINK_ASSIGN_OR_RETURN(uint64_t label, LabelOf(ref, truth));
      if (!seen.insert(ref).second) {
        return absl::InvalidArgumentError(absl::StrCat("cluster ", c, ": record ", ref.index,
                                                       " of party ", ref.party,
                                                       " is in an earlier cluster too"));
      }
      by_label.emplace_back(label, ref.party);
      by_cluster.emplace_back(0, ref.party);
    }
    predicted += CrossPartyPairs(by_cluster);
    true_positives += CrossPartyPairs(by_label);
  }
  return MetricsOf(predicted, true_positives, CountTrueMatches(truth));
}

absl::StatusOr<CandidateMetrics> EvaluateCandidates(std::span<const ScoredPair> candidates,
                                                    const GroundTruth& truth) {
  FEDLINK_ASSIGN_OR_RETURN(DistinctPairs counts, CountDistinctPairs(candidates, truth));
  CandidateMetrics metrics;
  metrics.candidates = counts.pairs;
  metrics.true_candidates = counts.true_matches;
  metrics.true_matches = CountTrueMatches(truth);
  uint64_t records = 0;
  uint64_t sum_of_squares = 0;
  for (const std::vector<uint64_t>& labels : truth.labels) {
    records += labels.size();
    sum_of_squares += static_cast<uint64_t>(labels.size()) * labels.size();
  }
  metrics.comparison_space = (records * records - sum_of_squares) / 2;
  metrics.pairs_completeness = Ratio(metrics.true_candidates, metrics.true_matches);
  metrics.pairs_quality = Ratio(metrics.true_candidates, metrics.candidates);
  metrics.reduction_ratio =
      metrics.comparison_space == 0
          ? 0.0
          : 1.0 - Ratio(metrics.candidates, metrics.comparison_space);
  return metrics;
}

}  // namespace fedlink::match
