// Merkle tree hashing of an append-only log, RFC 6962 / RFC 9162 §2.1 with
// SHA-256: leaf hash SHA-256(0x00 ‖ entry), interior node SHA-256(0x01 ‖
// left ‖ right), the empty tree SHA-256(""). Roots, inclusion proofs and
// consistency proofs are computed from the leaf hashes of a
// MerkleLeafHashSource, so the log's storage (RocksDB in the coordinator,
// a vector in tests) stays outside linkage/. Verification needs only the
// proof, the sizes and the roots.
//
// Cost: a root or a proof over a tree of n leaves reads each of the n leaf
// hashes once and computes about n node hashes, in O(log n) memory.
#ifndef FEDLINK_LINKAGE_CRYPTO_MERKLE_H_
#define FEDLINK_LINKAGE_CRYPTO_MERKLE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::crypto {

using MerkleHash = Sha256Digest;

// SHA-256(0x00 ‖ entry): the hash of one log entry.
MerkleHash MerkleLeafHash(absl::Span<const uint8_t> entry);
// SHA-256(0x01 ‖ left ‖ right).
MerkleHash MerkleNodeHash(const MerkleHash& left, const MerkleHash& right);
// SHA-256(""): the root of a tree with no leaves.
MerkleHash MerkleEmptyRoot();

// The leaf hashes of a log, leaf 0 first. Implementations decide their own
// thread safety; the functions below only call const methods.
class MerkleLeafHashSource {
 public:
  virtual ~MerkleLeafHashSource() = default;

  // Leaves available now; trees of any size up to this can be served.
  virtual uint64_t leaf_count() const = 0;

  // Writes the hashes of leaves begin, begin+1, … into `out` (all of it).
  // Callers never ask beyond leaf_count(). Any error is passed through to
  // the caller of the Merkle function.
  virtual absl::Status ReadLeafHashes(uint64_t begin,
                                      absl::Span<MerkleHash> out) const = 0;
};

// Leaf hashes held in memory. Not thread-safe while appending.
class InMemoryMerkleLeafHashes final : public MerkleLeafHashSource {
 public:
  InMemoryMerkleLeafHashes() = default;
  explicit InMemoryMerkleLeafHashes(std::vector<MerkleHash> leaf_hashes)
      : leaf_hashes_(std::move(leaf_hashes)) {}

  void Append(const MerkleHash& leaf_hash) { leaf_hashes_.push_back(leaf_hash); }
  uint64_t leaf_count() const override { return leaf_hashes_.size(); }
  absl::Status ReadLeafHashes(uint64_t begin,
                              absl::Span<MerkleHash> out) const override;

 private:
  std::vector<MerkleHash> leaf_hashes_;
};

// MTH(D[tree_size]): the root of the first `tree_size` leaves.
// OutOfRange if tree_size exceeds source.leaf_count(); source errors pass
// through.
absl::StatusOr<MerkleHash> MerkleRoot(const MerkleLeafHashSource& source,
                                      uint64_t tree_size);

// PATH(leaf_index, D[tree_size]) (RFC 9162 §2.1.3.1), the sibling hashes
// from the leaf up. InvalidArgument unless leaf_index < tree_size;
// OutOfRange if tree_size exceeds source.leaf_count().
absl::StatusOr<std::vector<MerkleHash>> MerkleInclusionProof(
    const MerkleLeafHashSource& source, uint64_t leaf_index,
    uint64_t tree_size);

// OK if `proof` shows that `leaf_hash` is leaf `leaf_index` of the tree of
// `tree_size` leaves with root `root` (RFC 9162 §2.1.3.2). InvalidArgument
// (naming only sizes and indices) otherwise: index out of range, a proof of
// the wrong length, or one that does not lead to `root`. Thread-safe.
absl::Status VerifyMerkleInclusion(const MerkleHash& leaf_hash,
                                   uint64_t leaf_index, uint64_t tree_size,
                                   absl::Span<const MerkleHash> proof,
                                   const MerkleHash& root);

// PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1): shows the tree of
// old_size leaves is a prefix of the tree of new_size leaves. Empty when
// old_size is 0 or equals new_size. InvalidArgument if old_size > new_size;
// OutOfRange if new_size exceeds source.leaf_count().
absl::StatusOr<std::vector<MerkleHash>> MerkleConsistencyProof(
    const MerkleLeafHashSource& source, uint64_t old_size, uint64_t new_size);

// OK if `proof` shows the tree with `old_root` of old_size leaves is a
// prefix of the tree with `new_root` of new_size leaves (RFC 9162
// §2.1.4.2). Equal sizes need an empty proof and equal roots; old_size 0
// needs an empty proof and old_root == MerkleEmptyRoot(). InvalidArgument
// otherwise. Thread-safe.
absl::Status VerifyMerkleConsistency(uint64_t old_size, uint64_t new_size,
                                     const MerkleHash& old_root,
                                     const MerkleHash& new_root,
                                     absl::Span<const MerkleHash> proof);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_MERKLE_H_
