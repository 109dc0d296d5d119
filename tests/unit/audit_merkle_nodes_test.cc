#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "linkage/crypto/merkle.h"
#include "linkage/crypto/sha256.h"
#include "proto/audit/merkle_nodes.h"

namespace fedlink::audit {
namespace {

using crypto::MerkleLeafHash;

MerkleHash LeafOf(const std::string& bytes) {
  return MerkleLeafHash(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// Perfect-subtree hashes in a map, filled from the frontier's completed
// nodes as a log would store them; counts reads.
class MapNodeReader final : public MerkleNodeReader {
 public:
  void Put(const MerkleNode& node) { nodes_[{node.id.level, node.id.index}] = node.hash; }

  absl::Status ReadNodes(absl::Span<const MerkleNodeId> ids,
                         absl::Span<MerkleHash> out) const override {
    ++calls_;
    nodes_read_ += ids.size();
    for (size_t k = 0; k < ids.size(); ++k) {
      auto it = nodes_.find({ids[k].level, ids[k].index});
      if (it == nodes_.end()) {
        return absl::NotFoundError(absl::StrCat("node ", ids[k].level, "/", ids[k].index));
      }
      out[k] = it->second;
    }
    return absl::OkStatus();
  }

  mutable int calls_ = 0;
  mutable size_t nodes_read_ = 0;

 private:
  std::map<std::pair<int, uint64_t>, MerkleHash> nodes_;
};

// A log of `n` synthetic leaves: the leaf hashes (for the reference
// implementation) and the stored nodes (for the one under test).
struct TestTree {
  crypto::InMemoryMerkleLeafHashes leaves;
  MapNodeReader nodes;
  MerkleFrontier frontier;

  void Append(const MerkleHash& leaf) {
    leaves.Append(leaf);
    std::vector<MerkleNode> completed;
    frontier.Append(leaf, &completed);
    for (const MerkleNode& node : completed) nodes.Put(node);
  }
};

void Fill(TestTree& tree, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) tree.Append(LeafOf(absl::StrCat("entry ", i)));
}

std::vector<std::string> Hex(const std::vector<MerkleHash>& hashes) {
  std::vector<std::string> out;
  for (const MerkleHash& h : hashes) out.push_back(crypto::ToHex(h));
  return out;
}

TEST(MerkleNodesTest, RootsMatchTheCertificateTransparencyReferenceLog) {
  // google/certificate-transparency merkle_tree_test: the 8-entry log and
  // the roots of its prefixes.
  const char* const kEntries[] = {"",
                                  "00",
                                  "10",
                                  "2021",
                                  "3031",
                                  "40414243",
                                  "5051525354555657",
                                  "606162636465666768696a6b6c6d6e6f"};
  const char* const kRoots[] = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                                "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                                "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                                "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                                "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                                "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  TestTree tree;
  EXPECT_EQ(crypto::ToHex(tree.frontier.Root()), kRoots[0]);
  for (size_t i = 0; i < 8; ++i) {
    tree.Append(LeafOf(absl::HexStringToBytes(kEntries[i])));
    EXPECT_EQ(crypto::ToHex(tree.frontier.Root()), kRoots[i + 1]) << "size " << i + 1;
  }
  for (uint64_t size = 0; size <= 8; ++size) {
    absl::StatusOr<MerkleHash> root = RootFromNodes(tree.nodes, size);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(crypto::ToHex(*root), kRoots[size]) << "size " << size;
  }
  // Reference proofs (transparency-dev/merkle verify_test.go).
  absl::StatusOr<std::vector<MerkleHash>> inclusion = InclusionProofFromNodes(tree.nodes, 5, 8);
  ASSERT_TRUE(inclusion.ok());
  EXPECT_EQ(Hex(*inclusion),
            (std::vector<std::string>{
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
  absl::StatusOr<std::vector<MerkleHash>> consistency = ConsistencyProofFromNodes(tree.nodes, 6, 8);
  ASSERT_TRUE(consistency.ok());
  EXPECT_EQ(Hex(*consistency),
            (std::vector<std::string>{
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
}

// Every root and proof of every tree up to 70 leaves equals what the
// reference implementation (linkage/crypto/merkle.h) computes from the
// leaves, and verifies.
TEST(MerkleNodesTest, AgreesWithReferenceForAllTreesUpTo70Leaves) {
  constexpr uint64_t kMaxSize = 70;
  TestTree tree;
  Fill(tree, kMaxSize);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    absl::StatusOr<MerkleHash> expected_root = crypto::MerkleRoot(tree.leaves, n);
    absl::StatusOr<MerkleHash> root = RootFromNodes(tree.nodes, n);
    ASSERT_TRUE(expected_root.ok() && root.ok());
    ASSERT_EQ(crypto::ToHex(*root), crypto::ToHex(*expected_root)) << "root of " << n;
    for (uint64_t i = 0; i < n; ++i) {
      absl::StatusOr<std::vector<MerkleHash>> proof = InclusionProofFromNodes(tree.nodes, i, n);
      absl::StatusOr<std::vector<MerkleHash>> expected =
          crypto::MerkleInclusionProof(tree.leaves, i, n);
      ASSERT_TRUE(proof.ok() && expected.ok());
      ASSERT_EQ(Hex(*proof), Hex(*expected)) << i << " in " << n;
      std::vector<MerkleHash> leaf(1);
      ASSERT_TRUE(tree.leaves.ReadLeafHashes(i, absl::MakeSpan(leaf)).ok());
      ASSERT_TRUE(crypto::VerifyMerkleInclusion(leaf[0], i, n, *proof, *root).ok());
    }
    for (uint64_t m = 0; m <= n; ++m) {
      absl::StatusOr<std::vector<MerkleHash>> proof = ConsistencyProofFromNodes(tree.nodes, m, n);
      absl::StatusOr<std::vector<MerkleHash>> expected =
          crypto::MerkleConsistencyProof(tree.leaves, m, n);
      ASSERT_TRUE(proof.ok() && expected.ok());
      ASSERT_EQ(Hex(*proof), Hex(*expected)) << m << " -> " << n;
      absl::StatusOr<MerkleHash> old_root = crypto::MerkleRoot(tree.leaves, m);
      ASSERT_TRUE(old_root.ok());
      ASSERT_TRUE(crypto::VerifyMerkleConsistency(m, n, *old_root, *root, *proof).ok())
          << m << " -> " << n;
    }
  }
}

// Each completed node is the root of exactly the leaves it names, and a
// log stores on average under two hashes per leaf.
TEST(MerkleNodesTest, FrontierEmitsEachPerfectSubtreeOnce) {
  constexpr uint64_t kSize = 300;
  crypto::InMemoryMerkleLeafHashes leaves;
  MerkleFrontier frontier;
  size_t emitted = 0;
  for (uint64_t i = 0; i < kSize; ++i) {
    const MerkleHash leaf = LeafOf(absl::StrCat("entry ", i));
    leaves.Append(leaf);
    std::vector<MerkleNode> completed;
    frontier.Append(leaf, &completed);
    ASSERT_FALSE(completed.empty());
    EXPECT_EQ(completed.front().id, (MerkleNodeId{0, i}));
    for (const MerkleNode& node : completed) {
      const uint64_t begin = node.id.index << node.id.level;
      const uint64_t end = begin + (uint64_t{1} << node.id.level);
      EXPECT_EQ(end, i + 1) << "a node completes with its last leaf";
      // The root of [begin, end) by the reference: root of end leaves
      // restricted to the range, via a source holding only those leaves.
      std::vector<MerkleHash> range(end - begin);
      ASSERT_TRUE(leaves.ReadLeafHashes(begin, absl::MakeSpan(range)).ok());
      const crypto::InMemoryMerkleLeafHashes sub(range);
      absl::StatusOr<MerkleHash> expected = crypto::MerkleRoot(sub, range.size());
      ASSERT_TRUE(expected.ok());
      EXPECT_EQ(crypto::ToHex(node.hash), crypto::ToHex(*expected))
          << "level " << node.id.level << " index " << node.id.index;
    }
    emitted += completed.size();
  }
  EXPECT_LT(emitted, 2 * kSize);
  EXPECT_EQ(frontier.size(), kSize);
}

TEST(MerkleNodesTest, FrontierRebuiltFromStoredNodesContinuesTheSameTree) {
  TestTree tree;
  Fill(tree, 45);
  const std::vector<MerkleNodeId> ids = RootNodeIds(45);  // 32 + 8 + 4 + 1
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[0], (MerkleNodeId{5, 0}));
  EXPECT_EQ(ids[1], (MerkleNodeId{3, 4}));
  EXPECT_EQ(ids[2], (MerkleNodeId{2, 10}));
  EXPECT_EQ(ids[3], (MerkleNodeId{0, 44}));
  std::vector<MerkleHash> hashes(ids.size());
  ASSERT_TRUE(tree.nodes.ReadNodes(ids, absl::MakeSpan(hashes)).ok());
  absl::StatusOr<MerkleFrontier> rebuilt = MerkleFrontier::FromNodes(45, hashes);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(crypto::ToHex(rebuilt->Root()), crypto::ToHex(tree.frontier.Root()));
  const MerkleHash next = LeafOf("entry 45");
  rebuilt->Append(next, nullptr);
  tree.Append(next);
  EXPECT_EQ(crypto::ToHex(rebuilt->Root()), crypto::ToHex(tree.frontier.Root()));

  hashes.pop_back();
  EXPECT_EQ(MerkleFrontier::FromNodes(45, hashes).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// O(log n): one read call per root or proof, and few nodes even for a huge
// tree (node hashes here are made up: only the ids matter).
class CountingReader final : public MerkleNodeReader {
 public:
  absl::Status ReadNodes(absl::Span<const MerkleNodeId> ids,
                         absl::Span<MerkleHash> out) const override {
    ++calls;
    nodes += ids.size();
    for (size_t k = 0; k < ids.size(); ++k) {
      out[k] = crypto::Sha256(absl::StrCat(ids[k].level, "/", ids[k].index));
    }
    return absl::OkStatus();
  }
  mutable int calls = 0;
  mutable size_t nodes = 0;
};

TEST(MerkleNodesTest, ProofsReadLogarithmicallyManyNodesInOneCall) {
  const uint64_t kSize = (uint64_t{1} << 40) + 123456789;  // 41 levels
  for (uint64_t index : {uint64_t{0}, uint64_t{1} << 39, kSize - 1, kSize / 3}) {
    CountingReader reader;
    absl::StatusOr<std::vector<MerkleHash>> proof = InclusionProofFromNodes(reader, index, kSize);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(reader.calls, 1);
    EXPECT_LE(reader.nodes, 2u * 41) << index;
    EXPECT_LE(proof->size(), 41u);
  }
  for (uint64_t old_size : {uint64_t{1}, uint64_t{1} << 39, kSize - 1, kSize / 3}) {
    CountingReader reader;
    absl::StatusOr<std::vector<MerkleHash>> proof =
        ConsistencyProofFromNodes(reader, old_size, kSize);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(reader.calls, 1);
    EXPECT_LE(reader.nodes, 3u * 41) << old_size;
  }
  CountingReader reader;
  ASSERT_TRUE(RootFromNodes(reader, kSize).ok());
  EXPECT_EQ(reader.nodes, RootNodeIds(kSize).size());
}

TEST(MerkleNodesTest, RejectsBadRangesAndPassesReaderErrorsThrough) {
  TestTree tree;
  Fill(tree, 10);
  EXPECT_EQ(InclusionProofFromNodes(tree.nodes, 10, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProofFromNodes(tree.nodes, 6, 5).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Size 12 needs node (2, 2), which a 10-leaf log has not completed.
  EXPECT_EQ(RootFromNodes(tree.nodes, 12).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(InclusionProofFromNodes(tree.nodes, 3, 12).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<MerkleHash> empty = RootFromNodes(tree.nodes, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(crypto::ToHex(*empty), crypto::ToHex(crypto::MerkleEmptyRoot()));
}

}  // namespace
}  // namespace fedlink::audit
