#include "linkage/match/candidates.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include "linkage/match/radix_sort.h"

namespace fedlink::match {

void SortUniqueCandidates(std::vector<CandidatePair>* pairs) {
  std::vector<CandidatePair> scratch;
  RadixSort(pairs, &scratch, [](const CandidatePair& p) { return p.key; });
  pairs->erase(std::unique(pairs->begin(), pairs->end()), pairs->end());
}

std::vector<CandidatePair> UnionCandidates(absl::Span<const CandidatePair> x,
                                           absl::Span<const CandidatePair> y) {
  std::vector<CandidatePair> out;
  out.reserve(x.size() + y.size());
  std::set_union(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out));
  return out;
}

BlockingQuality EvaluateBlocking(absl::Span<const CandidatePair> candidates, uint64_t n_a,
                                 uint64_t n_b,
                                 std::optional<absl::Span<const CandidatePair>> truth) {
  BlockingQuality q;
  q.candidate_pairs = candidates.size();
  q.all_pairs = n_a * n_b;
  q.reduction_ratio =
      q.all_pairs == 0 ? 0.0
                       : 1.0 - static_cast<double>(q.candidate_pairs) / static_cast<double>(q.all_pairs);
  if (truth.has_value()) {
    std::vector<CandidatePair> true_pairs(truth->begin(), truth->end());
    SortUniqueCandidates(&true_pairs);
    uint64_t kept = 0;
    for (const CandidatePair& p : true_pairs) {
      if (std::binary_search(candidates.begin(), candidates.end(), p)) ++kept;
    }
    q.true_pairs = true_pairs.size();
    q.true_pairs_kept = kept;
    q.pairs_completeness =
        true_pairs.empty() ? 1.0 : static_cast<double>(kept) / static_cast<double>(true_pairs.size());
  }
  return q;
}

}  // namespace fedlink::match
