// Disjoint sets over 0..n-1 (union by size, path compression), and the
// clusters that a set of links forms.
#ifndef FEDLINK_LINKAGE_MATCH_UNION_FIND_H_
#define FEDLINK_LINKAGE_MATCH_UNION_FIND_H_

#include <cstdint>
#include <span>
#include <vector>

#include "linkage/match/types.h"

namespace fedlink::match {

// Not thread-safe: Find compresses paths, so even lookups write.
class UnionFind {
 public:
  explicit UnionFind(size_t n);

  size_t size() const { return parent_.size(); }

  // The representative of x's set. Precondition: x < size().
  uint32_t Find(uint32_t x);

  // Merges the sets of x and y; false when they were already one set. The
  // larger set's root stays the root (the smaller id on a tie), so the
  // result does not depend on argument order.
  bool Union(uint32_t x, uint32_t y);

  // The number of elements in x's set.
  uint32_t SetSize(uint32_t x) { return size_[Find(x)]; }

 private:
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> size_;  // meaningful at roots only
};

// The sets of `sets` with two or more elements, as clusters of
// refs_by_id[element]. `refs_by_id` must be ascending (DenseRefIndex::refs());
// then each cluster is ascending and the clusters are ordered by their first
// record.
std::vector<Cluster> ClustersOf(UnionFind& sets, std::span<const RecordRef> refs_by_id);

// The connected components of the graph whose edges are `links` (scores are
// ignored): every cluster has two or more records. Deterministic: the output
// depends only on the set of links, not their order or orientation.
// Thread-safe.
std::vector<Cluster> ClusterLinks(std::span<const ScoredPair> links);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_UNION_FIND_H_
