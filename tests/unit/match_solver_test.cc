#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/match/greedy_solver.h"
#include "linkage/match/multiparty_clusterer.h"
#include "linkage/match/ranked_pairs.h"

namespace fedlink::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

RecordRef A(RecordIndex i) { return RecordRef{0, i}; }
RecordRef B(RecordIndex i) { return RecordRef{1, i}; }
RecordRef C(RecordIndex i) { return RecordRef{2, i}; }
RecordRef D(RecordIndex i) { return RecordRef{3, i}; }

MATCHER_P3(IsPair, a, b, score, "") {
  return arg.a == a && arg.b == b && arg.score == score;
}

bool SamePairs(const std::vector<ScoredPair>& x, const std::vector<ScoredPair>& y) {
  return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                    [](const ScoredPair& p, const ScoredPair& q) {
                      return p.a == q.a && p.b == q.b && p.score == q.score;
                    });
}

// Random scored pairs between `parties` parties, with many tied scores.
std::vector<ScoredPair> RandomPairs(uint32_t seed, int parties, int count) {
  std::mt19937 rng(seed);
  std::vector<ScoredPair> pairs;
  while (static_cast<int>(pairs.size()) < count) {
    PartyId pa = static_cast<PartyId>(rng() % parties);
    PartyId pb = static_cast<PartyId>(rng() % parties);
    if (pa == pb) continue;
    pairs.push_back(ScoredPair{RecordRef{pa, static_cast<RecordIndex>(rng() % 200)},
                               RecordRef{pb, static_cast<RecordIndex>(rng() % 200)},
                               static_cast<double>(rng() % 20) / 20.0});
  }
  return pairs;
}

// The same pairs in another order, some with a and b swapped.
std::vector<ScoredPair> Scrambled(std::vector<ScoredPair> pairs, uint32_t seed) {
  std::mt19937 rng(seed);
  std::shuffle(pairs.begin(), pairs.end(), rng);
  for (ScoredPair& pair : pairs) {
    if (rng() % 2) std::swap(pair.a, pair.b);
  }
  return pairs;
}

TEST(RankPairsTest, OrientsFiltersAndOrdersByScoreThenRecords) {
  std::vector<ScoredPair> pairs = {{B(1), A(2), 0.9}, {A(1), B(3), 0.9}, {A(0), B(0), 0.5},
                                   {A(5), B(5), 0.95}};
  absl::StatusOr<std::vector<ScoredPair>> ranked = RankPairs(pairs, 0.6);
  ASSERT_TRUE(ranked.ok()) << ranked.status();
  EXPECT_THAT(*ranked, ElementsAre(IsPair(A(5), B(5), 0.95), IsPair(A(1), B(3), 0.9),
                                   IsPair(A(2), B(1), 0.9)));
}

TEST(RankPairsTest, RejectsNanScoresAndSelfPairs) {
  std::vector<ScoredPair> nan = {{A(0), B(0), 0.9},
                                 {A(1), B(1), std::numeric_limits<double>::quiet_NaN()}};
  absl::Status status = RankPairs(nan, 0.5).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("pair 1"));
  std::vector<ScoredPair> self = {{A(3), A(3), 1.0}};
  EXPECT_EQ(RankPairs(self, 0.5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RankPairs({}, std::nan("")).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GreedyOneToOneTest, BestPairWinsAndLoserTakesItsNextBest) {
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.90}, {A(2), B(1), 0.95}, {A(1), B(2), 0.85}};
  absl::StatusOr<OneToOneResult> result = GreedyOneToOne(pairs, 0.8);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->matches,
              ElementsAre(IsPair(A(2), B(1), 0.95), IsPair(A(1), B(2), 0.85)));
  EXPECT_EQ(result->conflicts, 1u);
}

TEST(GreedyOneToOneTest, PairsBelowThresholdAreNeverAccepted) {
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.79}, {A(2), B(2), 0.8}};
  absl::StatusOr<OneToOneResult> result = GreedyOneToOne(pairs, 0.8);
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result->matches, ElementsAre(IsPair(A(2), B(2), 0.8)));
  EXPECT_EQ(result->conflicts, 0u);
}

TEST(GreedyOneToOneTest, TiesGoToTheSmallerRecords) {
  std::vector<ScoredPair> pairs = {{A(1), B(2), 0.9}, {B(1), A(1), 0.9}, {A(0), B(2), 0.9}};
  absl::StatusOr<OneToOneResult> result = GreedyOneToOne(pairs, 0.5);
  ASSERT_TRUE(result.ok());
  // Order: (A0,B2), (A1,B1), (A1,B2): the first two are accepted.
  EXPECT_THAT(result->matches, ElementsAre(IsPair(A(0), B(2), 0.9), IsPair(A(1), B(1), 0.9)));
}

TEST(GreedyOneToOneTest, ShuffledInputGivesTheSameMatches) {
  std::vector<ScoredPair> pairs = RandomPairs(3, 2, 3000);
  absl::StatusOr<OneToOneResult> expected = GreedyOneToOne(pairs, 0.3);
  ASSERT_TRUE(expected.ok());
  ASSERT_GT(expected->matches.size(), 50u);
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    absl::StatusOr<OneToOneResult> again = GreedyOneToOne(Scrambled(pairs, seed), 0.3);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(SamePairs(again->matches, expected->matches)) << "seed " << seed;
    EXPECT_EQ(again->conflicts, expected->conflicts);
  }
}

TEST(GreedyOneToOneTest, EveryRecordIsMatchedAtMostOnce) {
  std::vector<ScoredPair> pairs = RandomPairs(5, 2, 3000);
  absl::StatusOr<OneToOneResult> result = GreedyOneToOne(pairs, 0.0);
  ASSERT_TRUE(result.ok());
  std::vector<RecordRef> used;
  for (const ScoredPair& pair : result->matches) {
    used.push_back(pair.a);
    used.push_back(pair.b);
  }
  std::sort(used.begin(), used.end());
  EXPECT_EQ(std::adjacent_find(used.begin(), used.end()), used.end());
}

TEST(RankPairsTest, OrderDoesNotDependOnThreadCount) {
  // Enough pairs for the parallel sort (runs sorted apart, then merged).
  const std::vector<ScoredPair> pairs = Scrambled(RandomPairs(11, 3, 300'000), 4);
  absl::StatusOr<std::vector<ScoredPair>> one = RankPairs(pairs, 0.2, 1);
  ASSERT_TRUE(one.ok());
  ASSERT_GT(one->size(), 200'000u);
  for (int threads : {2, 3, 5}) {
    absl::StatusOr<std::vector<ScoredPair>> many = RankPairs(pairs, 0.2, threads);
    ASSERT_TRUE(many.ok());
    EXPECT_TRUE(SamePairs(*many, *one)) << threads << " threads";
  }
}

TEST(GreedyOneToOneTest, SparseRecordIndicesGiveTheSameMatchesAsDense) {
  // Indices spread up to 2^32 - 1 make the solver keep partners in a hash
  // map instead of flat arrays; the decisions must not change.
  const std::vector<ScoredPair> dense = RandomPairs(8, 2, 3000);
  std::vector<ScoredPair> sparse = dense;
  auto spread = [](RecordIndex i) { return static_cast<RecordIndex>(i * 21'474'836u + 7u); };
  for (ScoredPair& pair : sparse) {
    pair.a.index = spread(pair.a.index);
    pair.b.index = spread(pair.b.index);
  }
  absl::StatusOr<OneToOneResult> want = GreedyOneToOne(dense, 0.3);
  absl::StatusOr<OneToOneResult> got = GreedyOneToOne(sparse, 0.3, 2);
  ASSERT_TRUE(want.ok());
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->matches.size(), want->matches.size());
  EXPECT_EQ(got->conflicts, want->conflicts);
  for (size_t i = 0; i < want->matches.size(); ++i) {
    EXPECT_EQ(got->matches[i].a.index, spread(want->matches[i].a.index));
    EXPECT_EQ(got->matches[i].b.index, spread(want->matches[i].b.index));
    EXPECT_EQ(got->matches[i].score, want->matches[i].score);
  }
}

TEST(GreedyOneToOneTest, RejectsAPairInsideOneParty) {
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.9}, {A(1), A(2), 0.9}};
  absl::Status status = GreedyOneToOne(pairs, 0.5).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("pair 1"));
}

ClusteringResult Cluster(const std::vector<ScoredPair>& pairs, ClusteringOptions options) {
  absl::StatusOr<ClusteringResult> result = GreedyCluster(pairs, options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : ClusteringResult{};
}

ClusteringOptions At(double threshold) {
  ClusteringOptions options;
  options.threshold = threshold;
  return options;
}

TEST(GreedyClusterTest, ChainAcrossThreePartiesMerges) {
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.9}, {B(1), C(1), 0.85}};
  ClusteringResult result = Cluster(pairs, At(0.8));
  EXPECT_THAT(result.clusters, ElementsAre(ElementsAre(A(1), B(1), C(1))));
  EXPECT_EQ(result.accepted.size(), 2u);
}

TEST(GreedyClusterTest, SecondRecordOfAPartyIsRefused) {
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.9}, {A(2), B(1), 0.8}};
  ClusteringResult result = Cluster(pairs, At(0.5));
  EXPECT_THAT(result.clusters, ElementsAre(ElementsAre(A(1), B(1))));
  EXPECT_EQ(result.rejected_party_conflict, 1u);
  EXPECT_THAT(result.accepted, ElementsAre(IsPair(A(1), B(1), 0.9)));
}

TEST(GreedyClusterTest, ConflictThroughTheChainIsRefused) {
  // {A1, B1, C1} already holds A, so C1–A2 may not bring in A2.
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.9}, {B(1), C(1), 0.9}, {C(1), A(2), 0.85},
                                   {A(2), D(0), 0.8}};
  ClusteringResult result = Cluster(pairs, At(0.5));
  EXPECT_THAT(result.clusters,
              ElementsAre(ElementsAre(A(1), B(1), C(1)), ElementsAre(A(2), D(0))));
  EXPECT_EQ(result.rejected_party_conflict, 1u);
}

TEST(GreedyClusterTest, TwoClustersWithDisjointPartiesMerge) {
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.95}, {C(1), D(1), 0.9}, {B(1), C(1), 0.85}};
  ClusteringResult result = Cluster(pairs, At(0.5));
  EXPECT_THAT(result.clusters, ElementsAre(ElementsAre(A(1), B(1), C(1), D(1))));
}

TEST(GreedyClusterTest, DuplicatesFlagLetsAPartyAppearTwice) {
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.9}, {A(2), B(1), 0.8}, {A(3), A(4), 0.9}};
  ClusteringOptions options = At(0.5);
  options.allow_within_party_duplicates = true;
  ClusteringResult result = Cluster(pairs, options);
  EXPECT_THAT(result.clusters,
              ElementsAre(ElementsAre(A(1), A(2), B(1)), ElementsAre(A(3), A(4))));
  EXPECT_EQ(result.rejected_party_conflict, 0u);

  // Without the flag a pair inside one party never merges.
  ClusteringResult strict = Cluster(pairs, At(0.5));
  EXPECT_THAT(strict.clusters, ElementsAre(ElementsAre(A(1), B(1))));
  EXPECT_EQ(strict.rejected_party_conflict, 2u);
}

TEST(GreedyClusterTest, AverageAndMinimumLinkageWeighKnownPairs) {
  // Joining C1 to {A1, B1}: known cross pairs B1–C1 0.9 and A1–C1 0.75.
  // Average 0.825 ≥ 0.8 merges; minimum 0.75 < 0.8 does not.
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.95}, {B(1), C(1), 0.9}, {A(1), C(1), 0.75}};
  EXPECT_THAT(Cluster(pairs, At(0.8)).clusters,
              ElementsAre(ElementsAre(A(1), B(1), C(1))));
  ClusteringOptions average = At(0.8);
  average.linkage = ClusterLinkage::kAverage;
  EXPECT_THAT(Cluster(pairs, average).clusters,
              ElementsAre(ElementsAre(A(1), B(1), C(1))));
  ClusteringOptions minimum = At(0.8);
  minimum.linkage = ClusterLinkage::kMinimum;
  ClusteringResult refused = Cluster(pairs, minimum);
  EXPECT_THAT(refused.clusters, ElementsAre(ElementsAre(A(1), B(1))));
  EXPECT_EQ(refused.rejected_linkage, 1u);

  // A known pair far below the threshold also stops the average.
  pairs[2].score = 0.3;
  ClusteringResult low = Cluster(pairs, average);
  EXPECT_THAT(low.clusters, ElementsAre(ElementsAre(A(1), B(1))));
  EXPECT_EQ(low.rejected_linkage, 1u);
}

TEST(GreedyClusterTest, UnknownPairsDoNotCountAgainstAMerge) {
  // A1–C1 was never compared (blocking did not propose it).
  std::vector<ScoredPair> pairs = {{A(1), B(1), 0.95}, {B(1), C(1), 0.9}};
  ClusteringOptions minimum = At(0.8);
  minimum.linkage = ClusterLinkage::kMinimum;
  EXPECT_THAT(Cluster(pairs, minimum).clusters,
              ElementsAre(ElementsAre(A(1), B(1), C(1))));
}

TEST(GreedyClusterTest, ShuffledInputGivesTheSameClusters) {
  std::vector<ScoredPair> pairs = RandomPairs(9, 4, 4000);
  for (ClusterLinkage linkage :
       {ClusterLinkage::kSingle, ClusterLinkage::kAverage, ClusterLinkage::kMinimum}) {
    ClusteringOptions options = At(0.4);
    options.linkage = linkage;
    ClusteringResult expected = Cluster(pairs, options);
    ASSERT_GT(expected.clusters.size(), 20u);
    for (uint32_t seed = 1; seed <= 2; ++seed) {
      ClusteringResult again = Cluster(Scrambled(pairs, seed), options);
      EXPECT_EQ(again.clusters, expected.clusters);
      EXPECT_TRUE(SamePairs(again.accepted, expected.accepted));
      EXPECT_EQ(again.rejected_party_conflict, expected.rejected_party_conflict);
      EXPECT_EQ(again.rejected_linkage, expected.rejected_linkage);
    }
  }
}

TEST(GreedyClusterTest, ClustersHoldAtMostOneRecordPerParty) {
  std::vector<ScoredPair> pairs = RandomPairs(13, 5, 5000);
  ClusteringResult result = Cluster(pairs, At(0.2));
  ASSERT_FALSE(result.clusters.empty());
  for (const auto& cluster : result.clusters) {
    ASSERT_GE(cluster.size(), 2u);
    ASSERT_LE(cluster.size(), 5u);
    for (size_t i = 1; i < cluster.size(); ++i) ASSERT_LT(cluster[i - 1].party, cluster[i].party);
  }
}

TEST(GreedyClusterTest, TwoPartiesWithSingleLinkageEqualsOneToOne) {
  std::vector<ScoredPair> pairs = RandomPairs(17, 2, 3000);
  absl::StatusOr<OneToOneResult> one_to_one = GreedyOneToOne(pairs, 0.3);
  ASSERT_TRUE(one_to_one.ok());
  ClusteringResult clusters = Cluster(pairs, At(0.3));
  EXPECT_TRUE(SamePairs(clusters.accepted, one_to_one->matches));
  EXPECT_EQ(clusters.rejected_party_conflict, one_to_one->conflicts);
}

TEST(GreedyClusterTest, NoPairsGiveNoClusters) {
  ClusteringResult result = Cluster({}, At(0.5));
  EXPECT_THAT(result.clusters, IsEmpty());
  EXPECT_THAT(result.accepted, IsEmpty());
}

}  // namespace
}  // namespace fedlink::match
