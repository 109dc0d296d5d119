#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/match/union_find.h"

namespace fedlink::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

RecordRef A(RecordIndex i) { return RecordRef{0, i}; }
RecordRef B(RecordIndex i) { return RecordRef{1, i}; }
RecordRef C(RecordIndex i) { return RecordRef{2, i}; }

ScoredPair Link(RecordRef a, RecordRef b) { return ScoredPair{a, b, 1.0}; }

TEST(UnionFindTest, StartsWithSingletons) {
  UnionFind sets(4);
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(sets.Find(i), i);
    EXPECT_EQ(sets.SetSize(i), 1u);
  }
}

TEST(UnionFindTest, UnionMergesOnceAndCountsSizes) {
  UnionFind sets(5);
  EXPECT_TRUE(sets.Union(0, 1));
  EXPECT_TRUE(sets.Union(1, 2));
  EXPECT_FALSE(sets.Union(0, 2));
  EXPECT_EQ(sets.Find(0), sets.Find(2));
  EXPECT_NE(sets.Find(0), sets.Find(3));
  EXPECT_EQ(sets.SetSize(2), 3u);
  EXPECT_EQ(sets.SetSize(4), 1u);
}

TEST(UnionFindTest, LargerSetKeepsItsRootWhateverTheArgumentOrder) {
  UnionFind sets(4);
  sets.Union(2, 3);
  sets.Union(0, 2);  // {0} joins {2, 3}: root stays the root of {2, 3}
  EXPECT_EQ(sets.Find(0), 2u);
  UnionFind same(4);
  same.Union(3, 2);
  same.Union(2, 0);
  EXPECT_EQ(same.Find(0), 2u);
}

TEST(UnionFindTest, LongChainCompressesToTheRoot) {
  constexpr uint32_t kN = 100000;
  UnionFind sets(kN);
  for (uint32_t i = 1; i < kN; ++i) sets.Union(i - 1, i);
  uint32_t root = sets.Find(kN - 1);
  for (uint32_t i = 0; i < kN; ++i) ASSERT_EQ(sets.Find(i), root);
  EXPECT_EQ(sets.SetSize(0), kN);
}

TEST(ClusterLinksTest, ChainAcrossThreePartiesIsOneCluster) {
  std::vector<ScoredPair> links = {Link(A(1), B(1)), Link(B(1), C(1))};
  EXPECT_THAT(ClusterLinks(links), ElementsAre(ElementsAre(A(1), B(1), C(1))));
}

TEST(ClusterLinksTest, ConflictingLinksStayConnected) {
  // A1–B1 and A2–B1: connected components keep all three together; the
  // quality report flags the cluster, GreedyCluster would split it.
  std::vector<ScoredPair> links = {Link(A(1), B(1)), Link(A(2), B(1))};
  EXPECT_THAT(ClusterLinks(links), ElementsAre(ElementsAre(A(1), A(2), B(1))));
}

TEST(ClusterLinksTest, SeparateComponentsAreOrderedByFirstRecord) {
  std::vector<ScoredPair> links = {Link(B(7), C(0)), Link(A(5), B(2)), Link(A(0), C(9)),
                                   Link(C(9), B(4))};
  EXPECT_THAT(ClusterLinks(links),
              ElementsAre(ElementsAre(A(0), B(4), C(9)), ElementsAre(A(5), B(2)),
                          ElementsAre(B(7), C(0))));
}

TEST(ClusterLinksTest, SelfLinkAloneMakesNoCluster) {
  std::vector<ScoredPair> links = {Link(A(1), A(1))};
  EXPECT_THAT(ClusterLinks(links), IsEmpty());
  EXPECT_THAT(ClusterLinks({}), IsEmpty());
}

TEST(ClusterLinksTest, OutputDoesNotDependOnLinkOrderOrOrientation) {
  std::mt19937 rng(11);
  std::vector<ScoredPair> links;
  for (int i = 0; i < 2000; ++i) {
    auto random_ref = [&rng] {
      return RecordRef{static_cast<PartyId>(rng() % 4), static_cast<RecordIndex>(rng() % 500)};
    };
    links.push_back(Link(random_ref(), random_ref()));
  }
  std::vector<Cluster> expected = ClusterLinks(links);
  ASSERT_GT(expected.size(), 1u);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(links.begin(), links.end(), rng);
    for (ScoredPair& link : links) {
      if (rng() % 2) std::swap(link.a, link.b);
    }
    EXPECT_EQ(ClusterLinks(links), expected);
  }
  for (const Cluster& cluster : expected) {
    EXPECT_TRUE(std::is_sorted(cluster.begin(), cluster.end()));
  }
  EXPECT_TRUE(std::is_sorted(expected.begin(), expected.end(),
                             [](const Cluster& x, const Cluster& y) { return x[0] < y[0]; }));
}

}  // namespace
}  // namespace fedlink::match
