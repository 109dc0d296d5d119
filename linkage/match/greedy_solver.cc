#include "linkage/match/greedy_solver.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "linkage/match/ranked_pairs.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

// Each record's partner so far. Flat arrays indexed by (party, index) when
// the records named are dense enough (as the linker's are: every index is
// below its party's upload size), else a hash map — per decided pair a
// random hash lookup costs several times an array access.
class Partners {
 public:
  explicit Partners(std::span<const ScoredPair> ranked) {
    PartyId max_party = 0;
    RecordIndex max_index = 0;
    for (const ScoredPair& pair : ranked) {
      max_party = std::max({max_party, pair.a.party, pair.b.party});
      max_index = std::max({max_index, pair.a.index, pair.b.index});
    }
    const uint64_t slots = (uint64_t{max_party} + 1) * (uint64_t{max_index} + 1);
    dense_ = !ranked.empty() && slots <= 4 * uint64_t{ranked.size()} + (uint64_t{1} << 20);
    if (dense_) {
      stride_ = uint64_t{max_index} + 1;
      partner_.assign(slots, kNone);
    } else {
      sparse_.reserve(ranked.size());
    }
  }

  // Sets *partner to r's partner and returns true; false if r has none.
  bool Find(const RecordRef& r, RecordRef* partner) const {
    if (dense_) {
      const uint64_t packed = partner_[Slot(r)];
      if (packed == kNone) return false;
      *partner = RecordRef{static_cast<PartyId>(packed >> 32), static_cast<RecordIndex>(packed)};
      return true;
    }
    const auto it = sparse_.find(r);
    if (it == sparse_.end()) return false;
    *partner = it->second;
    return true;
  }

  void Match(const RecordRef& x, const RecordRef& y) {
    if (dense_) {
      partner_[Slot(x)] = Pack(y);
      partner_[Slot(y)] = Pack(x);
    } else {
      sparse_.emplace(x, y);
      sparse_.emplace(y, x);
    }
  }

 private:
  static constexpr uint64_t kNone = UINT64_MAX;
  static uint64_t Pack(const RecordRef& r) { return (uint64_t{r.party} << 32) | r.index; }
  uint64_t Slot(const RecordRef& r) const { return uint64_t{r.party} * stride_ + r.index; }

  bool dense_ = false;
  uint64_t stride_ = 0;
  std::vector<uint64_t> partner_;
  absl::flat_hash_map<RecordRef, RecordRef> sparse_;
};

}  // namespace

absl::StatusOr<OneToOneResult> GreedyOneToOne(std::span<const ScoredPair> pairs, double threshold,
                                              int threads) {
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i].a.party == pairs[i].b.party) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pair ", i, ": both records belong to party ", pairs[i].a.party));
    }
  }
  FEDLINK_ASSIGN_OR_RETURN(std::vector<ScoredPair> ranked,
                           RankPairs(pairs, threshold, threads));
  OneToOneResult result;
  Partners partners(ranked);
  for (const ScoredPair& pair : ranked) {
    RecordRef partner;
    if (partners.Find(pair.a, &partner)) {
      if (partner != pair.b) ++result.conflicts;  // else a repeat of a match
      continue;
    }
    if (partners.Find(pair.b, &partner)) {
      ++result.conflicts;
      continue;
    }
    partners.Match(pair.a, pair.b);
    result.matches.push_back(pair);
  }
  return result;
}

}  // namespace fedlink::match
