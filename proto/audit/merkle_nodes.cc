#include "proto/audit/merkle_nodes.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::audit {
namespace {

// The largest power of two strictly below n (n >= 2): the size of the left
// subtree of a tree of n leaves (RFC 9162 §2.1.1).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k < n - k) k <<= 1;
  return k;
}

// A subtree range [begin, begin + size) whose begin is aligned to a power of
// two at least `size` (true of every range the RFC recursion visits).
struct Range {
  uint64_t begin;
  uint64_t size;
};

// Collects the node ids of each range, then reads them all at once and folds
// each range right to left.
absl::StatusOr<std::vector<MerkleHash>> HashRanges(const MerkleNodeReader& reader,
                                                   const std::vector<Range>& ranges) {
  std::vector<MerkleNodeId> ids;
  std::vector<size_t> first_id;  // per range, its first entry in ids
  for (const Range& range : ranges) {
    first_id.push_back(ids.size());
    uint64_t begin = range.begin;
    for (int level = 63; level >= 0; --level) {
      const uint64_t width = uint64_t{1} << level;
      if ((range.size & width) == 0) continue;
      ids.push_back({level, begin >> level});
      begin += width;
    }
  }
  first_id.push_back(ids.size());
  std::vector<MerkleHash> hashes(ids.size());
  FEDLINK_RETURN_IF_ERROR(reader.ReadNodes(ids, absl::MakeSpan(hashes)));
  std::vector<MerkleHash> out;
  out.reserve(ranges.size());
  for (size_t r = 0; r < ranges.size(); ++r) {
    const size_t first = first_id[r], last = first_id[r + 1];
    if (first == last) return absl::InternalError("Merkle range of no leaves");
    MerkleHash hash = hashes[last - 1];
    for (size_t k = last - 1; k-- > first;) hash = crypto::MerkleNodeHash(hashes[k], hash);
    out.push_back(hash);
  }
  return out;
}

}  // namespace

std::vector<MerkleNodeId> RootNodeIds(uint64_t size) {
  std::vector<MerkleNodeId> ids;
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    ids.push_back({level, begin >> level});
    begin += width;
  }
  return ids;
}

absl::StatusOr<MerkleFrontier> MerkleFrontier::FromNodes(uint64_t size,
                                                         std::vector<MerkleHash> hashes) {
  const size_t expected = RootNodeIds(size).size();
  if (hashes.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("a Merkle frontier of size ", size, " needs ",
                                                   expected, " node hashes, got ", hashes.size()));
  }
  return MerkleFrontier(size, std::move(hashes));
}

void MerkleFrontier::Append(const MerkleHash& leaf_hash, std::vector<MerkleNode>* completed) {
  MerkleHash hash = leaf_hash;
  if (completed != nullptr) completed->push_back({{0, size_}, hash});
  // Each trailing set bit of size_ is a perfect subtree of that level on the
  // stack's top that the new leaf's subtree now completes.
  int level = 0;
  while (((size_ >> level) & 1) != 0) {
    hash = crypto::MerkleNodeHash(hashes_.back(), hash);
    hashes_.pop_back();
    ++level;
    if (completed != nullptr) completed->push_back({{level, size_ >> level}, hash});
  }
  hashes_.push_back(hash);
  ++size_;
}

MerkleHash MerkleFrontier::Root() const {
  if (hashes_.empty()) return crypto::MerkleEmptyRoot();
  MerkleHash root = hashes_.back();
  for (size_t k = hashes_.size() - 1; k-- > 0;) root = crypto::MerkleNodeHash(hashes_[k], root);
  return root;
}

absl::StatusOr<MerkleHash> RootFromNodes(const MerkleNodeReader& reader, uint64_t tree_size) {
  if (tree_size == 0) return crypto::MerkleEmptyRoot();
  FEDLINK_ASSIGN_OR_RETURN(std::vector<MerkleHash> hashes,
                           HashRanges(reader, {Range{0, tree_size}}));
  return hashes.front();
}

absl::StatusOr<std::vector<MerkleHash>> InclusionProofFromNodes(const MerkleNodeReader& reader,
                                                                uint64_t leaf_index,
                                                                uint64_t tree_size) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("Merkle leaf index ", leaf_index, " is not below the tree size ", tree_size));
  }
  // The sibling subtree at each level from the root down; the proof lists
  // them leaf first.
  std::vector<Range> ranges;
  uint64_t begin = 0, size = tree_size, m = leaf_index;
  while (size > 1) {
    const uint64_t k = SplitPoint(size);
    if (m < k) {
      ranges.push_back({begin + k, size - k});
      size = k;
    } else {
      ranges.push_back({begin, k});
      begin += k;
      m -= k;
      size -= k;
    }
  }
  std::reverse(ranges.begin(), ranges.end());
  return HashRanges(reader, ranges);
}

absl::StatusOr<std::vector<MerkleHash>> ConsistencyProofFromNodes(const MerkleNodeReader& reader,
                                                                  uint64_t old_size,
                                                                  uint64_t new_size) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("Merkle consistency from size ", old_size, " to the smaller size ", new_size));
  }
  if (old_size == 0 || old_size == new_size) return std::vector<MerkleHash>{};
  // SUBPROOF(m, D[n], b) unrolled, as in linkage/crypto/merkle.cc.
  std::vector<Range> ranges;
  uint64_t begin = 0, n = new_size, m = old_size;
  bool whole_old_tree = true;
  while (m != n) {
    const uint64_t k = SplitPoint(n);
    if (m <= k) {
      ranges.push_back({begin + k, n - k});
      n = k;
    } else {
      ranges.push_back({begin, k});
      begin += k;
      m -= k;
      n -= k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) ranges.push_back({begin, n});
  std::reverse(ranges.begin(), ranges.end());
  return HashRanges(reader, ranges);
}

}  // namespace fedlink::audit
