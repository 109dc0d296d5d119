#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "tests/datagen/permutation.h"
#include "tests/datagen/rng.h"

namespace fedlink::datagen {
namespace {

TEST(RngTest, MatchesSplitMix64ReferenceSequence) {
  // Reference outputs of SplitMix64 (Steele, Lea, Flood 2014) from state 0.
  Rng rng(0);
  EXPECT_EQ(rng.Next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(rng.Next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(rng.Next(), 0x06c45d188009454fULL);
}

TEST(RngTest, BelowStaysInRangeAndReachesEveryValue) {
  Rng rng(7);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t v = rng.Below(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  for (int count : seen) EXPECT_GT(count, 850);
}

TEST(RngTest, BetweenIsInclusive) {
  Rng rng(3);
  bool low = false, high = false;
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = rng.Between(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    low |= v == -2;
    high |= v == 2;
  }
  EXPECT_TRUE(low && high);
}

TEST(RngTest, ChanceHonoursCertainties) {
  Rng rng(5);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(rng.Chance(0.0));
    EXPECT_TRUE(rng.Chance(1.0));
  }
}

TEST(RngTest, HashWordsDependsOnOrder) {
  EXPECT_NE(HashWords({1, 2}), HashWords({2, 1}));
  EXPECT_EQ(HashWords({1, 2}), HashWords({1, 2}));
}

TEST(WeightedTableTest, FrequenciesFollowWeights) {
  const uint32_t weights[] = {1, 0, 3, 6};
  WeightedTable table(weights);
  EXPECT_EQ(table.total(), 10u);
  Rng rng(11);
  std::vector<int> counts(4, 0);
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) ++counts[table.Pick(rng)];
  EXPECT_EQ(counts[1], 0);  // zero weight is never picked
  // Expected 10k/30k/60k; 5 standard deviations is about 1.2k.
  EXPECT_NEAR(counts[0], 10000, 1500);
  EXPECT_NEAR(counts[2], 30000, 1500);
  EXPECT_NEAR(counts[3], 60000, 1500);
}

TEST(WeightedTableTest, SingleEntryAlwaysPicked) {
  const uint32_t weights[] = {4};
  WeightedTable table(weights);
  Rng rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(table.Pick(rng), 0u);
}

TEST(PermutationTest, IsABijectionOnAssortedDomains) {
  for (uint64_t n : {1ULL, 2ULL, 3ULL, 10ULL, 1000ULL, 4097ULL, 65536ULL}) {
    const Permutation permutation(n, 99);
    std::vector<bool> hit(n, false);
    for (uint64_t x = 0; x < n; ++x) {
      const uint64_t y = permutation(x);
      ASSERT_LT(y, n);
      ASSERT_FALSE(hit[y]) << "n=" << n << " collides at " << y;
      hit[y] = true;
    }
  }
}

TEST(PermutationTest, KeysGiveDifferentOrders) {
  const Permutation a(1000, 1), b(1000, 2);
  int same = 0;
  for (uint64_t x = 0; x < 1000; ++x) same += a(x) == b(x);
  EXPECT_LT(same, 20);
}

TEST(PermutationTest, LargeDomainStaysInRangeWithoutCollisions) {
  const uint64_t n = 10'000'000'000ULL;
  const Permutation permutation(n, 5);
  std::set<uint64_t> images;
  for (uint64_t x = 0; x < 20000; ++x) {
    const uint64_t y = permutation(x);
    ASSERT_LT(y, n);
    images.insert(y);
  }
  EXPECT_EQ(images.size(), 20000u);
}

TEST(PermutationTest, ShufflesRatherThanPreservingOrder) {
  const Permutation permutation(100000, 8);
  int ascending = 0;
  for (uint64_t x = 0; x + 1 < 100000; ++x) ascending += permutation(x) < permutation(x + 1);
  EXPECT_NEAR(ascending, 50000, 1500);
}

}  // namespace
}  // namespace fedlink::datagen
