#include "linkage/match/greedy_solver.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "linkage/match/ranked_pairs.h"
#include "linkage/status_macros.h"

namespace fedlink::match {

absl::StatusOr<OneToOneResult> GreedyOneToOne(std::span<const ScoredPair> pairs,
                                              double threshold) {
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i].a.party == pairs[i].b.party) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pair ", i, ": both records belong to party ", pairs[i].a.party));
    }
  }
  FEDLINK_ASSIGN_OR_RETURN(std::vector<ScoredPair> ranked, RankPairs(pairs, threshold));
  OneToOneResult result;
  absl::flat_hash_map<RecordRef, RecordRef> partner;
  partner.reserve(ranked.size());
  for (const ScoredPair& pair : ranked) {
    auto a = partner.find(pair.a);
    if (a != partner.end() && a->second == pair.b) continue;  // a repeat of a match
    if (a != partner.end() || partner.contains(pair.b)) {
      ++result.conflicts;
      continue;
    }
    partner.emplace(pair.a, pair.b);
    partner.emplace(pair.b, pair.a);
    result.matches.push_back(pair);
  }
  return result;
}

}  // namespace fedlink::match
