// Numbers the records that appear in a set of pairs 0..n-1 in ascending
// RecordRef order, so solvers can keep per-record state in flat arrays.
#ifndef FEDLINK_LINKAGE_MATCH_DENSE_REFS_H_
#define FEDLINK_LINKAGE_MATCH_DENSE_REFS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "linkage/match/types.h"

namespace fedlink::match {

// Thread-compatible; immutable after construction.
class DenseRefIndex {
 public:
  // Every record named by a or b of some pair.
  explicit DenseRefIndex(std::span<const ScoredPair> pairs);

  // The number of `ref`. Precondition: `ref` occurs in the pairs given to the
  // constructor (callers only ask about those).
  uint32_t IdOf(const RecordRef& ref) const { return ids_.find(ref)->second; }

  // refs()[id] is the record numbered id; ascending.
  std::span<const RecordRef> refs() const { return refs_; }
  size_t size() const { return refs_.size(); }

 private:
  std::vector<RecordRef> refs_;
  absl::flat_hash_map<RecordRef, uint32_t> ids_;
};

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_DENSE_REFS_H_
