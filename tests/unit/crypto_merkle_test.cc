#include "linkage/crypto/merkle.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace fedlink::crypto {
namespace {

MerkleHash H(absl::string_view hex) {
  const std::string bytes = absl::HexStringToBytes(hex);
  MerkleHash out{};
  EXPECT_EQ(bytes.size(), out.size()) << hex;
  std::copy_n(bytes.begin(), std::min(bytes.size(), out.size()), out.begin());
  return out;
}

std::vector<MerkleHash> Hs(std::initializer_list<const char*> hexes) {
  std::vector<MerkleHash> out;
  for (const char* hex : hexes) out.push_back(H(hex));
  return out;
}

std::vector<std::string> HexAll(const std::vector<MerkleHash>& hashes) {
  std::vector<std::string> out;
  for (const MerkleHash& h : hashes) out.push_back(ToHex(h));
  return out;
}

// The 8-entry log of google/certificate-transparency merkle_tree_test and
// transparency-dev/merkle (proof/verify_test.go), with its published leaf
// hashes, roots, inclusion proofs and consistency proofs.
const char* const kEntries[] = {"",
                                "00",
                                "10",
                                "2021",
                                "3031",
                                "40414243",
                                "5051525354555657",
                                "606162636465666768696a6b6c6d6e6f"};
const char* const kLeafHashes[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"};
// kRoots[n] is the root of the first n entries.
const char* const kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

struct InclusionVector {
  uint64_t leaf_index;  // 0-based
  uint64_t tree_size;
  std::vector<MerkleHash> proof;
};

const std::vector<InclusionVector>& InclusionVectors() {
  static const auto* const kVectors = new std::vector<InclusionVector>{
      {0, 1, {}},
      {0, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3,
       Hs({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  return *kVectors;
}

struct ConsistencyVector {
  uint64_t old_size;
  uint64_t new_size;
  std::vector<MerkleHash> proof;
};

const std::vector<ConsistencyVector>& ConsistencyVectors() {
  static const auto* const kVectors = new std::vector<ConsistencyVector>{
      {1, 1, {}},
      {1, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 7,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  return *kVectors;
}

InMemoryMerkleLeafHashes ReferenceLog() {
  InMemoryMerkleLeafHashes log;
  for (const char* entry : kEntries) {
    const std::string bytes = absl::HexStringToBytes(entry);
    log.Append(MerkleLeafHash(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
  }
  return log;
}

// The RFC 9162 §2.1 definitions, written as literally as possible, to check
// the iterative implementation against on many tree sizes.
uint64_t Split(uint64_t n) {
  uint64_t k = 1;
  while (2 * k < n) k *= 2;
  return k;
}
MerkleHash Mth(const std::vector<MerkleHash>& d, uint64_t begin, uint64_t end) {
  if (end - begin == 1) return d[begin];
  const uint64_t k = Split(end - begin);
  return MerkleNodeHash(Mth(d, begin, begin + k), Mth(d, begin + k, end));
}
std::vector<MerkleHash> Path(const std::vector<MerkleHash>& d, uint64_t m,
                             uint64_t begin, uint64_t end) {
  if (end - begin == 1) return {};
  const uint64_t k = Split(end - begin);
  std::vector<MerkleHash> out;
  if (m < k) {
    out = Path(d, m, begin, begin + k);
    out.push_back(Mth(d, begin + k, end));
  } else {
    out = Path(d, m - k, begin + k, end);
    out.push_back(Mth(d, begin, begin + k));
  }
  return out;
}
std::vector<MerkleHash> Subproof(const std::vector<MerkleHash>& d, uint64_t m,
                                 uint64_t begin, uint64_t end, bool b) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (b) return {};
    return {Mth(d, begin, end)};
  }
  const uint64_t k = Split(n);
  std::vector<MerkleHash> out;
  if (m <= k) {
    out = Subproof(d, m, begin, begin + k, b);
    out.push_back(Mth(d, begin + k, end));
  } else {
    out = Subproof(d, m - k, begin + k, end, false);
    out.push_back(Mth(d, begin, begin + k));
  }
  return out;
}

std::vector<MerkleHash> SyntheticLeaves(uint64_t n) {
  std::vector<MerkleHash> out;
  for (uint64_t i = 0; i < n; ++i) {
    const std::string entry = absl::StrCat("entry ", i);
    out.push_back(MerkleLeafHash(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(entry.data()), entry.size())));
  }
  return out;
}

std::vector<MerkleHash> Concat(std::vector<MerkleHash> a,
                               const std::vector<MerkleHash>& b) {
  for (const MerkleHash& h : b) a.push_back(h);
  return a;
}

MerkleHash Flip(MerkleHash h, size_t bit) {
  h[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
  return h;
}

// Every corruption of a valid inclusion proof must be rejected: other index,
// other tree height, other leaf or root, any bit of any node, a node
// removed, added at either end, or inserted.
void ExpectInclusionMutationsRejected(const MerkleHash& leaf_hash,
                                      uint64_t index, uint64_t size,
                                      const std::vector<MerkleHash>& proof,
                                      const MerkleHash& root) {
  ASSERT_TRUE(VerifyMerkleInclusion(leaf_hash, index, size, proof, root).ok());
  SCOPED_TRACE(absl::StrCat("inclusion of ", index, " in ", size));
  auto rejects = [&](uint64_t i, uint64_t n, const MerkleHash& leaf,
                     const std::vector<MerkleHash>& p, const MerkleHash& r,
                     const std::string& what) {
    EXPECT_EQ(VerifyMerkleInclusion(leaf, i, n, p, r).code(),
              absl::StatusCode::kInvalidArgument)
        << what;
  };
  rejects(index - 1, size, leaf_hash, proof, root, "index - 1");
  rejects(index + 1, size, leaf_hash, proof, root, "index + 1");
  rejects(index ^ 2, size, leaf_hash, proof, root, "index ^ 2");
  rejects(index, size * 2, leaf_hash, proof, root, "size * 2");
  rejects(index, size / 2, leaf_hash, proof, root, "size / 2");
  rejects(index, size, Flip(leaf_hash, 0), proof, root, "other leaf");
  rejects(index, size, leaf_hash, proof, Flip(root, 255), "other root");
  rejects(index, size, leaf_hash, proof, MerkleEmptyRoot(), "empty root");
  for (size_t i = 0; i < proof.size(); ++i) {
    for (size_t bit = 0; bit < 256; ++bit) {
      std::vector<MerkleHash> p = proof;
      p[i] = Flip(p[i], bit);
      rejects(index, size, leaf_hash, p, root,
              absl::StrCat("proof[", i, "] bit ", bit));
    }
  }
  for (const MerkleHash& extra : {root, leaf_hash, MerkleHash{}}) {
    std::vector<MerkleHash> appended = proof;
    appended.push_back(extra);
    rejects(index, size, leaf_hash, appended, root, "appended node");
    const std::vector<MerkleHash> prepended = Concat({extra}, proof);
    rejects(index, size, leaf_hash, prepended, root, "prepended node");
  }
  if (!proof.empty()) {
    rejects(index, size, leaf_hash,
            std::vector<MerkleHash>(proof.begin(), proof.end() - 1), root,
            "last node removed");
    rejects(index, size, leaf_hash,
            std::vector<MerkleHash>(proof.begin() + 1, proof.end()), root,
            "first node removed");
  }
  if (proof.size() > 1) {
    const std::vector<MerkleHash> inserted =
        Concat({proof[0], H(kRoots[3])},
               std::vector<MerkleHash>(proof.begin() + 1, proof.end()));
    rejects(index, size, leaf_hash, inserted, root, "node inserted");
  }
}

void ExpectConsistencyMutationsRejected(uint64_t old_size, uint64_t new_size,
                                        const MerkleHash& old_root,
                                        const MerkleHash& new_root,
                                        const std::vector<MerkleHash>& proof) {
  ASSERT_TRUE(
      VerifyMerkleConsistency(old_size, new_size, old_root, new_root, proof).ok());
  SCOPED_TRACE(absl::StrCat("consistency ", old_size, " -> ", new_size));
  auto rejects = [&](uint64_t m, uint64_t n, const MerkleHash& r1,
                     const MerkleHash& r2, const std::vector<MerkleHash>& p,
                     const std::string& what) {
    EXPECT_EQ(VerifyMerkleConsistency(m, n, r1, r2, p).code(),
              absl::StatusCode::kInvalidArgument)
        << what;
  };
  rejects(old_size - 1, new_size, old_root, new_root, proof, "old size - 1");
  rejects(old_size + 1, new_size, old_root, new_root, proof, "old size + 1");
  rejects(old_size ^ 2, new_size, old_root, new_root, proof, "old size ^ 2");
  rejects(old_size, new_size * 2, old_root, new_root, proof, "new size * 2");
  rejects(old_size, new_size / 2, old_root, new_root, proof, "new size / 2");
  rejects(old_size, new_size, Flip(old_root, 7), new_root, proof, "other old root");
  rejects(old_size, new_size, old_root, Flip(new_root, 7), proof, "other new root");
  rejects(old_size, new_size, new_root, old_root, proof, "swapped roots");
  rejects(old_size, new_size, old_root, new_root, {}, "empty proof");
  for (size_t i = 0; i < proof.size(); ++i) {
    for (size_t bit = 0; bit < 256; ++bit) {
      std::vector<MerkleHash> p = proof;
      p[i] = Flip(p[i], bit);
      rejects(old_size, new_size, old_root, new_root, p,
              absl::StrCat("proof[", i, "] bit ", bit));
    }
  }
  for (const MerkleHash& extra : {old_root, new_root, proof[0], MerkleHash{}}) {
    std::vector<MerkleHash> appended = proof;
    appended.push_back(extra);
    rejects(old_size, new_size, old_root, new_root, appended, "appended node");
    const std::vector<MerkleHash> prepended = Concat({extra}, proof);
    rejects(old_size, new_size, old_root, new_root, prepended, "prepended node");
  }
  rejects(old_size, new_size, old_root, new_root,
          std::vector<MerkleHash>(proof.begin(), proof.end() - 1),
          "last node removed");
  rejects(old_size, new_size, old_root, new_root,
          std::vector<MerkleHash>(proof.begin() + 1, proof.end()),
          "first node removed");
}

// --- Known answers --------------------------------------------------------

TEST(MerkleTest, HashesMatchReferenceLog) {
  EXPECT_EQ(ToHex(MerkleEmptyRoot()), kRoots[0]);
  const InMemoryMerkleLeafHashes log = ReferenceLog();
  std::vector<MerkleHash> leaves(8);
  ASSERT_TRUE(log.ReadLeafHashes(0, absl::MakeSpan(leaves)).ok());
  for (size_t i = 0; i < leaves.size(); ++i) {
    EXPECT_EQ(ToHex(leaves[i]), kLeafHashes[i]) << "leaf " << i;
  }
  EXPECT_EQ(ToHex(MerkleNodeHash(leaves[0], leaves[1])), kRoots[2]);
}

TEST(MerkleTest, RootsMatchReferenceLogForSizes0To8) {
  const InMemoryMerkleLeafHashes log = ReferenceLog();
  for (uint64_t size = 0; size <= 8; ++size) {
    absl::StatusOr<MerkleHash> root = MerkleRoot(log, size);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(ToHex(*root), kRoots[size]) << "size " << size;
  }
}

TEST(MerkleTest, InclusionProofsMatchReferenceVectors) {
  const InMemoryMerkleLeafHashes log = ReferenceLog();
  for (const InclusionVector& v : InclusionVectors()) {
    SCOPED_TRACE(absl::StrCat("leaf ", v.leaf_index, " of ", v.tree_size));
    absl::StatusOr<std::vector<MerkleHash>> proof =
        MerkleInclusionProof(log, v.leaf_index, v.tree_size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(HexAll(*proof), HexAll(v.proof));
    EXPECT_TRUE(VerifyMerkleInclusion(H(kLeafHashes[v.leaf_index]), v.leaf_index,
                                      v.tree_size, v.proof, H(kRoots[v.tree_size]))
                    .ok());
  }
}

TEST(MerkleTest, ConsistencyProofsMatchReferenceVectors) {
  const InMemoryMerkleLeafHashes log = ReferenceLog();
  for (const ConsistencyVector& v : ConsistencyVectors()) {
    SCOPED_TRACE(absl::StrCat(v.old_size, " -> ", v.new_size));
    absl::StatusOr<std::vector<MerkleHash>> proof =
        MerkleConsistencyProof(log, v.old_size, v.new_size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(HexAll(*proof), HexAll(v.proof));
    EXPECT_TRUE(VerifyMerkleConsistency(v.old_size, v.new_size, H(kRoots[v.old_size]),
                                        H(kRoots[v.new_size]), v.proof)
                    .ok());
  }
}

TEST(MerkleTest, ReferenceInclusionProofsRejectEveryMutation) {
  for (const InclusionVector& v : InclusionVectors()) {
    ExpectInclusionMutationsRejected(H(kLeafHashes[v.leaf_index]), v.leaf_index,
                                     v.tree_size, v.proof, H(kRoots[v.tree_size]));
  }
}

TEST(MerkleTest, ReferenceConsistencyProofsRejectEveryMutation) {
  for (const ConsistencyVector& v : ConsistencyVectors()) {
    if (v.proof.empty()) continue;  // equal sizes: covered below
    ExpectConsistencyMutationsRejected(v.old_size, v.new_size, H(kRoots[v.old_size]),
                                       H(kRoots[v.new_size]), v.proof);
  }
}

// --- Against the literal RFC definitions -----------------------------------

TEST(MerkleTest, AgreesWithRfcDefinitionsForAllSmallTrees) {
  constexpr uint64_t kMaxSize = 33;
  const std::vector<MerkleHash> leaves = SyntheticLeaves(kMaxSize);
  const InMemoryMerkleLeafHashes log(leaves);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const MerkleHash root = Mth(leaves, 0, n);
    absl::StatusOr<MerkleHash> got = MerkleRoot(log, n);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(ToHex(*got), ToHex(root)) << "root of " << n;
    for (uint64_t i = 0; i < n; ++i) {
      absl::StatusOr<std::vector<MerkleHash>> proof = MerkleInclusionProof(log, i, n);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(HexAll(*proof), HexAll(Path(leaves, i, 0, n))) << i << " in " << n;
      ASSERT_TRUE(VerifyMerkleInclusion(leaves[i], i, n, *proof, root).ok())
          << i << " in " << n;
    }
    for (uint64_t m = 1; m <= n; ++m) {
      absl::StatusOr<std::vector<MerkleHash>> proof = MerkleConsistencyProof(log, m, n);
      ASSERT_TRUE(proof.ok());
      const std::vector<MerkleHash> expected =
          m == n ? std::vector<MerkleHash>{} : Subproof(leaves, m, 0, n, true);
      ASSERT_EQ(HexAll(*proof), HexAll(expected)) << m << " -> " << n;
      ASSERT_TRUE(
          VerifyMerkleConsistency(m, n, Mth(leaves, 0, m), root, *proof).ok())
          << m << " -> " << n;
    }
  }
}

TEST(MerkleTest, EveryProofOfSmallTreesRejectsEveryMutation) {
  constexpr uint64_t kMaxSize = 10;
  const std::vector<MerkleHash> leaves = SyntheticLeaves(kMaxSize);
  const InMemoryMerkleLeafHashes log(leaves);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const MerkleHash root = Mth(leaves, 0, n);
    for (uint64_t i = 0; i < n; ++i) {
      absl::StatusOr<std::vector<MerkleHash>> proof = MerkleInclusionProof(log, i, n);
      ASSERT_TRUE(proof.ok());
      ExpectInclusionMutationsRejected(leaves[i], i, n, *proof, root);
    }
    for (uint64_t m = 1; m < n; ++m) {
      absl::StatusOr<std::vector<MerkleHash>> proof = MerkleConsistencyProof(log, m, n);
      ASSERT_TRUE(proof.ok());
      ExpectConsistencyMutationsRejected(m, n, Mth(leaves, 0, m), root, *proof);
    }
  }
}

// A log larger than one read batch of the source.
TEST(MerkleTest, LargeTreeSpanningSeveralReadBatches) {
  constexpr uint64_t kSize = 10007;
  const std::vector<MerkleHash> leaves = SyntheticLeaves(kSize);
  const InMemoryMerkleLeafHashes log(leaves);
  const MerkleHash root = Mth(leaves, 0, kSize);
  absl::StatusOr<MerkleHash> got = MerkleRoot(log, kSize);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(ToHex(*got), ToHex(root));
  for (uint64_t i : {uint64_t{0}, uint64_t{4095}, uint64_t{4096}, kSize - 1}) {
    absl::StatusOr<std::vector<MerkleHash>> proof = MerkleInclusionProof(log, i, kSize);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(HexAll(*proof), HexAll(Path(leaves, i, 0, kSize))) << i;
    EXPECT_TRUE(VerifyMerkleInclusion(leaves[i], i, kSize, *proof, root).ok()) << i;
  }
  absl::StatusOr<std::vector<MerkleHash>> consistency =
      MerkleConsistencyProof(log, 5000, kSize);
  ASSERT_TRUE(consistency.ok());
  EXPECT_TRUE(VerifyMerkleConsistency(5000, kSize, Mth(leaves, 0, 5000), root,
                                      *consistency)
                  .ok());
}

// --- Edge cases and errors ---------------------------------------------------

TEST(MerkleTest, TrivialConsistencyNeedsEmptyProofAndMatchingRoots) {
  const MerkleHash a = H(kRoots[3]);
  const MerkleHash b = H(kRoots[4]);
  EXPECT_TRUE(VerifyMerkleConsistency(3, 3, a, a, {}).ok());
  EXPECT_FALSE(VerifyMerkleConsistency(3, 3, a, b, {}).ok());
  EXPECT_FALSE(VerifyMerkleConsistency(3, 3, a, a, std::vector<MerkleHash>{a}).ok());
  EXPECT_TRUE(VerifyMerkleConsistency(0, 4, MerkleEmptyRoot(), b, {}).ok());
  EXPECT_FALSE(VerifyMerkleConsistency(0, 4, a, b, {}).ok());
  EXPECT_FALSE(
      VerifyMerkleConsistency(0, 4, MerkleEmptyRoot(), b, std::vector<MerkleHash>{b})
          .ok());
  EXPECT_FALSE(VerifyMerkleConsistency(4, 3, b, a, {}).ok());
  EXPECT_FALSE(VerifyMerkleConsistency(1, 2, a, b, {}).ok());

  const InMemoryMerkleLeafHashes log = ReferenceLog();
  absl::StatusOr<std::vector<MerkleHash>> from_empty = MerkleConsistencyProof(log, 0, 5);
  ASSERT_TRUE(from_empty.ok());
  EXPECT_TRUE(from_empty->empty());
}

TEST(MerkleTest, InclusionRejectsIndexOutsideTree) {
  const MerkleHash leaf = H(kLeafHashes[0]);
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, 0, 0, {}, MerkleEmptyRoot()).ok());
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, 1, 1, {}, leaf).ok());
  EXPECT_TRUE(VerifyMerkleInclusion(leaf, 0, 1, {}, leaf).ok());
}

TEST(MerkleTest, GenerationRejectsBadRanges) {
  const InMemoryMerkleLeafHashes log = ReferenceLog();
  EXPECT_EQ(MerkleRoot(log, 9).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(MerkleInclusionProof(log, 8, 8).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MerkleInclusionProof(log, 0, 9).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(MerkleConsistencyProof(log, 5, 4).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MerkleConsistencyProof(log, 4, 9).status().code(),
            absl::StatusCode::kOutOfRange);
}

// Storage errors reach the caller unchanged.
class FailingSource final : public MerkleLeafHashSource {
 public:
  uint64_t leaf_count() const override { return 100; }
  absl::Status ReadLeafHashes(uint64_t, absl::Span<MerkleHash>) const override {
    return absl::UnavailableError("disk on fire");
  }
};

TEST(MerkleTest, PassesSourceErrorsThrough) {
  const FailingSource source;
  EXPECT_EQ(MerkleRoot(source, 10).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(MerkleInclusionProof(source, 3, 10).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(MerkleConsistencyProof(source, 3, 10).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fedlink::crypto
