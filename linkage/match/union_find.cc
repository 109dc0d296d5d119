#include "linkage/match/union_find.h"

#include <numeric>
#include <utility>

#include "linkage/match/dense_refs.h"

namespace fedlink::match {

UnionFind::UnionFind(size_t n) : parent_(n), size_(n, 1) {
  std::iota(parent_.begin(), parent_.end(), 0u);
}

uint32_t UnionFind::Find(uint32_t x) {
  uint32_t root = x;
  while (parent_[root] != root) root = parent_[root];
  while (parent_[x] != root) x = std::exchange(parent_[x], root);
  return root;
}

bool UnionFind::Union(uint32_t x, uint32_t y) {
  uint32_t rx = Find(x);
  uint32_t ry = Find(y);
  if (rx == ry) return false;
  if (size_[rx] < size_[ry] || (size_[rx] == size_[ry] && ry < rx)) std::swap(rx, ry);
  parent_[ry] = rx;
  size_[rx] += size_[ry];
  return true;
}

std::vector<Cluster> ClustersOf(UnionFind& sets, std::span<const RecordRef> refs_by_id) {
  // Walking ids in ascending order numbers each cluster by its first member,
  // which fixes both the cluster order and the order inside each cluster.
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> cluster_of_root(sets.size(), kNone);
  std::vector<Cluster> clusters;
  for (uint32_t id = 0; id < sets.size(); ++id) {
    if (sets.SetSize(id) < 2) continue;
    uint32_t& slot = cluster_of_root[sets.Find(id)];
    if (slot == kNone) {
      slot = static_cast<uint32_t>(clusters.size());
      clusters.emplace_back().reserve(sets.SetSize(id));
    }
    clusters[slot].push_back(refs_by_id[id]);
  }
  return clusters;
}

std::vector<Cluster> ClusterLinks(std::span<const ScoredPair> links) {
  DenseRefIndex index(links);
  UnionFind sets(index.size());
  for (const ScoredPair& link : links) sets.Union(index.IdOf(link.a), index.IdOf(link.b));
  return ClustersOf(sets, index.refs());
}

}  // namespace fedlink::match
