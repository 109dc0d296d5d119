// RFC 6962/9162 Merkle trees computed from stored perfect-subtree hashes, so
// that an append, a root and a proof cost O(log n) hashes and reads instead
// of rehashing every leaf (what linkage/crypto/merkle.h does, which stays
// the reference these functions are tested against).
//
// A perfect subtree (level L, index i) covers leaves [i·2^L, (i+1)·2^L);
// level 0 is the leaf hashes. Every subtree range the RFC's recursion visits
// starts at a multiple of a power of two at least its size, so its hash is
// the right fold of the perfect subtrees of its size's binary decomposition
// (largest first): MTH = H(p1, H(p2, … pk)). Logs store each perfect subtree
// once it is complete and never change it again.
#ifndef FEDLINK_PROTO_AUDIT_MERKLE_NODES_H_
#define FEDLINK_PROTO_AUDIT_MERKLE_NODES_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/crypto/merkle.h"

namespace fedlink::audit {

using crypto::MerkleHash;

// A perfect subtree: leaves [index << level, (index + 1) << level).
struct MerkleNodeId {
  int level = 0;  // 0..63
  uint64_t index = 0;

  friend bool operator==(const MerkleNodeId& a, const MerkleNodeId& b) {
    return a.level == b.level && a.index == b.index;
  }
};

struct MerkleNode {
  MerkleNodeId id;
  MerkleHash hash;
};

// The perfect subtrees whose right fold is the root of a tree of `size`
// leaves, largest (leftmost) first: one per set bit of `size`.
std::vector<MerkleNodeId> RootNodeIds(uint64_t size);

// The right edge of a growing tree: the hashes of RootNodeIds(size()).
// Enough to append and to compute the current root. A plain value; not
// thread-safe while appending.
class MerkleFrontier {
 public:
  MerkleFrontier() = default;

  // The frontier of a tree of `size` leaves from the hashes of
  // RootNodeIds(size), in that order. InvalidArgument if the count differs.
  static absl::StatusOr<MerkleFrontier> FromNodes(uint64_t size, std::vector<MerkleHash> hashes);

  // Adds the next leaf. Appends to `completed` (if not null) every perfect
  // subtree the leaf completes, the leaf itself (level 0) first.
  void Append(const MerkleHash& leaf_hash, std::vector<MerkleNode>* completed);

  uint64_t size() const { return size_; }

  // MTH of the leaves so far; MerkleEmptyRoot() for none.
  MerkleHash Root() const;

 private:
  MerkleFrontier(uint64_t size, std::vector<MerkleHash> hashes)
      : size_(size), hashes_(std::move(hashes)) {}

  uint64_t size_ = 0;
  std::vector<MerkleHash> hashes_;  // RootNodeIds(size_) order
};

// Reads stored perfect-subtree hashes. Implementations decide their own
// thread safety; the functions below call only this const method.
class MerkleNodeReader {
 public:
  virtual ~MerkleNodeReader() = default;

  // Writes the hash of ids[k] to out[k] (same length). Callers only ask for
  // complete subtrees of a size the implementation has stored; a missing
  // node is the implementation's error (e.g. DataLoss), passed through.
  virtual absl::Status ReadNodes(absl::Span<const MerkleNodeId> ids,
                                 absl::Span<MerkleHash> out) const = 0;
};

// MTH(D[tree_size]) from at most 64 node reads (one ReadNodes call).
absl::StatusOr<MerkleHash> RootFromNodes(const MerkleNodeReader& reader, uint64_t tree_size);

// PATH(leaf_index, D[tree_size]) (RFC 9162 §2.1.3.1), leaf first, from one
// ReadNodes call. InvalidArgument unless leaf_index < tree_size.
absl::StatusOr<std::vector<MerkleHash>> InclusionProofFromNodes(const MerkleNodeReader& reader,
                                                                uint64_t leaf_index,
                                                                uint64_t tree_size);

// PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1), from one ReadNodes call.
// Empty when old_size is 0 or equals new_size. InvalidArgument if
// old_size > new_size.
absl::StatusOr<std::vector<MerkleHash>> ConsistencyProofFromNodes(const MerkleNodeReader& reader,
                                                                  uint64_t old_size,
                                                                  uint64_t new_size);

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_MERKLE_NODES_H_
