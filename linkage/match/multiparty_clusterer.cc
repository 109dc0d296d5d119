#include "linkage/match/multiparty_clusterer.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "linkage/match/dense_refs.h"
#include "linkage/match/ranked_pairs.h"
#include "linkage/match/union_find.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

using RefPair = std::pair<RecordRef, RecordRef>;  // first < second

RefPair Oriented(const RecordRef& x, const RecordRef& y) {
  return x < y ? RefPair{x, y} : RefPair{y, x};
}

// The best score given for each pair of records.
absl::flat_hash_map<RefPair, double> KnownScores(std::span<const ScoredPair> pairs) {
  absl::flat_hash_map<RefPair, double> known;
  known.reserve(pairs.size());
  for (const ScoredPair& pair : pairs) {
    auto [it, inserted] = known.emplace(Oriented(pair.a, pair.b), pair.score);
    if (!inserted) it->second = std::max(it->second, pair.score);
  }
  return known;
}

// Whether two clusters (member ids ascending, so parties ascending) hold a
// record of the same party.
bool SharesParty(const std::vector<uint32_t>& x, const std::vector<uint32_t>& y,
                 std::span<const RecordRef> refs) {
  auto i = x.begin();
  auto j = y.begin();
  while (i != x.end() && j != y.end()) {
    PartyId px = refs[*i].party;
    PartyId py = refs[*j].party;
    if (px == py) return true;
    if (px < py) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

bool LinkageHolds(ClusterLinkage linkage, double threshold, const std::vector<uint32_t>& x,
                  const std::vector<uint32_t>& y, std::span<const RecordRef> refs,
                  const absl::flat_hash_map<RefPair, double>& known) {
  double sum = 0;
  double lowest = std::numeric_limits<double>::infinity();
  size_t count = 0;
  for (uint32_t u : x) {
    for (uint32_t v : y) {
      auto it = known.find(Oriented(refs[u], refs[v]));
      if (it == known.end()) continue;
      sum += it->second;
      lowest = std::min(lowest, it->second);
      ++count;
    }
  }
  // count ≥ 1: the pair at hand is known.
  if (linkage == ClusterLinkage::kAverage) return sum / static_cast<double>(count) >= threshold;
  return lowest >= threshold;
}

}  // namespace

absl::StatusOr<ClusteringResult> GreedyCluster(std::span<const ScoredPair> pairs,
                                               const ClusteringOptions& options) {
  FEDLINK_ASSIGN_OR_RETURN(std::vector<ScoredPair> ranked,
                           RankPairs(pairs, options.threshold));
  DenseRefIndex index(ranked);
  std::span<const RecordRef> refs = index.refs();
  UnionFind sets(index.size());

  const bool check_parties = !options.allow_within_party_duplicates;
  const bool check_linkage = options.linkage != ClusterLinkage::kSingle;
  // Members per root, ascending, kept only when a test needs them.
  std::vector<std::vector<uint32_t>> members;
  if (check_parties || check_linkage) {
    members.resize(index.size());
    for (uint32_t id = 0; id < index.size(); ++id) members[id].push_back(id);
  }
  absl::flat_hash_map<RefPair, double> known;
  if (check_linkage) known = KnownScores(pairs);

  ClusteringResult result;
  for (const ScoredPair& pair : ranked) {
    uint32_t rx = sets.Find(index.IdOf(pair.a));
    uint32_t ry = sets.Find(index.IdOf(pair.b));
    if (rx == ry) continue;
    if (check_parties && SharesParty(members[rx], members[ry], refs)) {
      ++result.rejected_party_conflict;
      continue;
    }
    if (check_linkage && !LinkageHolds(options.linkage, options.threshold, members[rx],
                                       members[ry], refs, known)) {
      ++result.rejected_linkage;
      continue;
    }
    sets.Union(rx, ry);
    if (!members.empty()) {
      uint32_t root = sets.Find(rx);
      std::vector<uint32_t>& kept = members[root];
      std::vector<uint32_t>& gone = members[root == rx ? ry : rx];
      std::vector<uint32_t> merged;
      merged.reserve(kept.size() + gone.size());
      std::merge(kept.begin(), kept.end(), gone.begin(), gone.end(),
                 std::back_inserter(merged));
      kept = std::move(merged);
      gone = std::vector<uint32_t>();
    }
    result.accepted.push_back(pair);
  }
  result.clusters = ClustersOf(sets, refs);
  return result;
}

}  // namespace fedlink::match
