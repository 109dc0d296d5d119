#include "linkage/crypto/merkle.h"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>

#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::crypto {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;
// Leaf hashes read per call to the source: bounds memory at 128 KiB.
constexpr size_t kLeafReadBatch = 4096;

// The largest power of two strictly below n (n >= 2): the size of the left
// subtree of a tree of n leaves (RFC 9162 §2.1.1).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k < n - k) k <<= 1;  // k < n/2 rounded up, without overflow
  return k;
}

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

bool Equal(const MerkleHash& a, const MerkleHash& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status CheckTreeSize(const MerkleLeafHashSource& source,
                           uint64_t tree_size) {
  if (tree_size > source.leaf_count()) {
    return absl::OutOfRangeError(
        absl::StrCat("Merkle tree size ", tree_size, " exceeds the ",
                     source.leaf_count(), " leaves available"));
  }
  return absl::OkStatus();
}

// MTH(D[begin:end]) for 0 <= begin < end <= leaf_count. Leaves are folded in
// order onto a stack of perfect subtrees (at most 64 entries); closing the
// stack from the right yields RFC 6962's left-heavy shape.
absl::StatusOr<MerkleHash> SubtreeRoot(const MerkleLeafHashSource& source,
                                       uint64_t begin, uint64_t end) {
  struct Subtree {
    MerkleHash hash;
    uint64_t size;
  };
  std::vector<Subtree> stack;
  std::vector<MerkleHash> batch(
      static_cast<size_t>(std::min<uint64_t>(kLeafReadBatch, end - begin)));
  for (uint64_t next = begin; next < end;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(batch.size(), end - next));
    FEDLINK_RETURN_IF_ERROR(
        source.ReadLeafHashes(next, absl::MakeSpan(batch.data(), n)));
    for (size_t i = 0; i < n; ++i) {
      Subtree top{batch[i], 1};
      while (!stack.empty() && stack.back().size == top.size) {
        top = {MerkleNodeHash(stack.back().hash, top.hash), 2 * top.size};
        stack.pop_back();
      }
      stack.push_back(top);
    }
    next += n;
  }
  if (stack.empty()) {  // only if begin >= end, which callers never pass
    return absl::InternalError("Merkle subtree of no leaves requested");
  }
  MerkleHash root = stack.back().hash;
  for (size_t i = stack.size() - 1; i-- > 0;) {
    root = MerkleNodeHash(stack[i].hash, root);
  }
  return root;
}

absl::Status ProofFailed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("Merkle ", what));
}

}  // namespace

MerkleHash MerkleLeafHash(absl::Span<const uint8_t> entry) {
  std::vector<uint8_t> input;
  input.reserve(1 + entry.size());
  input.push_back(kLeafPrefix);
  input.insert(input.end(), entry.begin(), entry.end());
  return Sha256(input);
}

MerkleHash MerkleNodeHash(const MerkleHash& left, const MerkleHash& right) {
  std::array<uint8_t, 1 + 2 * kSha256Bytes> input;
  input[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), input.begin() + 1);
  std::copy(right.begin(), right.end(), input.begin() + 1 + kSha256Bytes);
  return Sha256(input);
}

MerkleHash MerkleEmptyRoot() { return Sha256(absl::Span<const uint8_t>()); }

absl::Status InMemoryMerkleLeafHashes::ReadLeafHashes(
    uint64_t begin, absl::Span<MerkleHash> out) const {
  if (begin > leaf_hashes_.size() || out.size() > leaf_hashes_.size() - begin) {
    return absl::OutOfRangeError(
        absl::StrCat("leaf hashes ", begin, "..", begin + out.size(),
                     " requested, ", leaf_hashes_.size(), " held"));
  }
  std::copy_n(leaf_hashes_.begin() + static_cast<ptrdiff_t>(begin), out.size(),
              out.begin());
  return absl::OkStatus();
}

absl::StatusOr<MerkleHash> MerkleRoot(const MerkleLeafHashSource& source,
                                      uint64_t tree_size) {
  FEDLINK_RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  if (tree_size == 0) return MerkleEmptyRoot();
  return SubtreeRoot(source, 0, tree_size);
}

absl::StatusOr<std::vector<MerkleHash>> MerkleInclusionProof(
    const MerkleLeafHashSource& source, uint64_t leaf_index,
    uint64_t tree_size) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("Merkle leaf index ", leaf_index,
                     " is not below the tree size ", tree_size));
  }
  FEDLINK_RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  // Walk from the root down to the leaf, keeping the sibling subtree at
  // each level; the proof lists them leaf first.
  std::vector<MerkleHash> proof;
  uint64_t begin = 0, size = tree_size, m = leaf_index;
  while (size > 1) {
    const uint64_t k = SplitPoint(size);
    if (m < k) {
      FEDLINK_ASSIGN_OR_RETURN(MerkleHash right,
                               SubtreeRoot(source, begin + k, begin + size));
      proof.push_back(right);
      size = k;
    } else {
      FEDLINK_ASSIGN_OR_RETURN(MerkleHash left,
                               SubtreeRoot(source, begin, begin + k));
      proof.push_back(left);
      begin += k;
      m -= k;
      size -= k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::Status VerifyMerkleInclusion(const MerkleHash& leaf_hash,
                                   uint64_t leaf_index, uint64_t tree_size,
                                   absl::Span<const MerkleHash> proof,
                                   const MerkleHash& root) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("Merkle leaf index ", leaf_index,
                     " is not below the tree size ", tree_size));
  }
  // RFC 9162 §2.1.3.2.
  uint64_t fn = leaf_index, sn = tree_size - 1;
  MerkleHash r = leaf_hash;
  for (const MerkleHash& p : proof) {
    if (sn == 0) return ProofFailed("inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = MerkleNodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofFailed("inclusion proof is too short");
  if (!Equal(r, root)) return ProofFailed("inclusion proof does not match the root");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<MerkleHash>> MerkleConsistencyProof(
    const MerkleLeafHashSource& source, uint64_t old_size, uint64_t new_size) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("Merkle consistency from size ", old_size,
                     " to the smaller size ", new_size));
  }
  FEDLINK_RETURN_IF_ERROR(CheckTreeSize(source, new_size));
  std::vector<MerkleHash> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  // SUBPROOF(m, D[n], b) unrolled: walk down while m < n, keeping the
  // sibling subtree at each level, then the node where m == n unless it is
  // the old root itself (b still true).
  uint64_t begin = 0, n = new_size, m = old_size;
  bool whole_old_tree = true;
  while (m != n) {
    const uint64_t k = SplitPoint(n);
    if (m <= k) {
      FEDLINK_ASSIGN_OR_RETURN(MerkleHash right,
                               SubtreeRoot(source, begin + k, begin + n));
      proof.push_back(right);
      n = k;
    } else {
      FEDLINK_ASSIGN_OR_RETURN(MerkleHash left,
                               SubtreeRoot(source, begin, begin + k));
      proof.push_back(left);
      begin += k;
      m -= k;
      n -= k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) {
    FEDLINK_ASSIGN_OR_RETURN(MerkleHash node, SubtreeRoot(source, begin, begin + n));
    proof.push_back(node);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::Status VerifyMerkleConsistency(uint64_t old_size, uint64_t new_size,
                                     const MerkleHash& old_root,
                                     const MerkleHash& new_root,
                                     absl::Span<const MerkleHash> proof) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("Merkle consistency from size ", old_size,
                     " to the smaller size ", new_size));
  }
  if (old_size == new_size || old_size == 0) {
    if (!proof.empty()) return ProofFailed("consistency proof must be empty");
    const MerkleHash& expected = old_size == 0 ? MerkleEmptyRoot() : new_root;
    if (!Equal(old_root, expected)) {
      return ProofFailed("consistency proof roots differ");
    }
    return absl::OkStatus();
  }
  if (proof.empty()) return ProofFailed("consistency proof is empty");

  // RFC 9162 §2.1.4.2. When old_size is a power of two the old root is
  // itself the first node of the path; the proof leaves it out.
  size_t next = 0;
  MerkleHash fr, sr;
  if (IsPowerOfTwo(old_size)) {
    fr = sr = old_root;
  } else {
    fr = sr = proof[next++];
  }
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.size(); ++next) {
    const MerkleHash& c = proof[next];
    if (sn == 0) return ProofFailed("consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = MerkleNodeHash(c, fr);
      sr = MerkleNodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = MerkleNodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofFailed("consistency proof is too short");
  if (!Equal(fr, old_root)) {
    return ProofFailed("consistency proof does not match the old root");
  }
  if (!Equal(sr, new_root)) {
    return ProofFailed("consistency proof does not match the new root");
  }
  return absl::OkStatus();
}

}  // namespace fedlink::crypto
