#include "linkage/match/scoring.h"

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/match/candidates.h"
#include "linkage/match/dice.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/popcount.h"

namespace fedlink::match {

// Test names and failure messages show the path by name, not as bytes.
void PrintTo(PopcountPath path, std::ostream* os) { *os << PopcountPathName(path); }

namespace {

// Random filters with popcounts spread over a wide range (so the popcount
// bound prunes some pairs), plus for every third record of `a` a noisy copy
// in `b` (so there are matches near any threshold).
struct Stores {
  FilterStore a;
  FilterStore b;
};

std::vector<uint64_t> RandomFilter(std::mt19937_64& rng, uint32_t bits, uint32_t ones) {
  std::vector<uint64_t> words(bits / 64, 0);
  std::uniform_int_distribution<uint32_t> position(0, bits - 1);
  for (uint32_t k = 0; k < ones; ++k) {
    const uint32_t p = position(rng);
    words[p / 64] |= uint64_t{1} << (p % 64);
  }
  return words;
}

// `dense`: 0.4 to 0.85 of the bits set instead of 0.06 to 0.4 (the AVX2
// kernel counts over the clear bits of rows with more than half set).
Stores MakeStores(size_t n_a, size_t n_b, uint32_t bits, uint64_t seed, bool dense = false) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> ones(dense ? bits / 2 : bits / 16,
                                               dense ? 2 * bits : bits / 2);
  Stores s{FilterStore::Create(bits).value(), FilterStore::Create(bits).value()};
  std::vector<std::vector<uint64_t>> a_filters;
  for (size_t i = 0; i < n_a; ++i) {
    a_filters.push_back(RandomFilter(rng, bits, ones(rng)));
    EXPECT_TRUE(s.a.Append(a_filters.back()).ok());
  }
  std::uniform_int_distribution<uint32_t> flips(0, bits / 8);
  std::uniform_int_distribution<uint32_t> position(0, bits - 1);
  for (size_t j = 0; j < n_b; ++j) {
    std::vector<uint64_t> f;
    if (j % 3 == 0 && j / 3 < n_a) {
      f = a_filters[j / 3];
      for (uint32_t k = flips(rng); k > 0; --k) {
        const uint32_t p = position(rng);
        f[p / 64] ^= uint64_t{1} << (p % 64);
      }
    } else {
      f = RandomFilter(rng, bits, ones(rng));
    }
    EXPECT_TRUE(s.b.Append(f).ok());
  }
  return s;
}

// Every pair, compared bit by bit with the portable kernel: the oracle.
std::vector<ScoredPair> BruteForce(const FilterStore& a, const FilterStore& b,
                                   const DiceThreshold& t) {
  const PopcountKernels& portable = *GetPopcountKernels(PopcountPath::kPortable).value();
  std::vector<ScoredPair> out;
  for (RecordIndex i = 0; i < a.size(); ++i) {
    for (RecordIndex j = 0; j < b.size(); ++j) {
      const uint32_t c = portable.and_popcount(a.row(i), b.row(j), a.words_per_filter());
      if (t.Passes(c, a.popcount(i), b.popcount(j))) {
        out.push_back({{0, i}, {1, j}, DiceFromCounts(c, a.popcount(i), b.popcount(j))});
      }
    }
  }
  return out;
}

void ExpectSamePairs(const std::vector<ScoredPair>& got, const std::vector<ScoredPair>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].a, want[i].a) << i;
    EXPECT_EQ(got[i].b, want[i].b) << i;
    EXPECT_EQ(got[i].score, want[i].score) << i;  // bit-identical doubles
  }
}

ScoringOptions Options(int threads, std::optional<PopcountPath> path = std::nullopt) {
  ScoringOptions options;
  options.threads = threads;
  options.path = path;
  return options;
}

class ScoringPathTest : public ::testing::TestWithParam<PopcountPath> {};

TEST_P(ScoringPathTest, AllPairsEqualsBruteForceForEveryWidth) {
  if (!PopcountPathSupported(GetParam())) {
    GTEST_SKIP() << "this CPU cannot run popcount path '" << PopcountPathName(GetParam()) << "'";
  }
  // 64, 1024 and 2048 bits; n_b not a multiple of the interleave width (a
  // last group that is mostly padding), and more than one tile of B.
  struct Case {
    uint32_t bits;
    size_t n_a;
    size_t n_b;
    bool dense;
  };
  for (const Case& c :
       {Case{64, 150, 2100, false}, Case{1024, 150, 301, false}, Case{2048, 150, 301, false},
        Case{1024, 60, 9, false}, Case{128, 30, 1, false}, Case{1024, 150, 700, true},
        Case{64, 100, 300, true}}) {
    const Stores s = MakeStores(c.n_a, c.n_b, c.bits, c.bits + c.n_b, c.dense);
    size_t matched = 0;
    for (double value : {0.5, 0.8, 0.95}) {
      const DiceThreshold t = DiceThreshold::FromDouble(value).value();
      auto result = ScoreAllPairs(s.a, s.b, t, Options(1, GetParam()));
      ASSERT_TRUE(result.ok()) << result.status();
      const std::vector<ScoredPair> want = BruteForce(s.a, s.b, t);
      matched += want.size();
      ExpectSamePairs(result->pairs, want);
      EXPECT_EQ(result->stats.pairs_considered, uint64_t{s.a.size()} * s.b.size());
      EXPECT_EQ(result->stats.pairs_pruned + result->stats.pairs_compared,
                result->stats.pairs_considered);
      EXPECT_EQ(result->stats.pairs_matched, want.size());
    }
    EXPECT_GT(matched, 0u) << "bits " << c.bits << " n_b " << c.n_b;
  }
}

TEST_P(ScoringPathTest, CandidatesEqualBruteForceRestrictedToCandidates) {
  if (!PopcountPathSupported(GetParam())) {
    GTEST_SKIP() << "this CPU cannot run popcount path '" << PopcountPathName(GetParam()) << "'";
  }
  const Stores s = MakeStores(200, 600, 1024, 77);
  const DiceThreshold t = DiceThreshold::FromDouble(0.7).value();
  std::vector<CandidatePair> candidates;
  for (RecordIndex i = 0; i < s.a.size(); ++i) {
    for (RecordIndex j = 0; j < s.b.size(); ++j) {
      if ((i * 7 + j) % 5 == 0 || j / 3 == i) candidates.push_back(CandidatePair::Of(i, j));
    }
  }
  auto result = ScoreCandidates(s.a, s.b, candidates, t, Options(1, GetParam()));
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<ScoredPair> want;
  for (const ScoredPair& p : BruteForce(s.a, s.b, t)) {
    if (std::binary_search(candidates.begin(), candidates.end(),
                           CandidatePair::Of(p.a.index, p.b.index))) {
      want.push_back(p);
    }
  }
  EXPECT_FALSE(want.empty());
  ExpectSamePairs(result->pairs, want);
  EXPECT_EQ(result->stats.pairs_considered, candidates.size());
  EXPECT_GT(result->stats.pairs_pruned, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllPaths, ScoringPathTest, ::testing::ValuesIn(AllPopcountPaths()),
                         [](const ::testing::TestParamInfo<PopcountPath>& param) {
                           return std::string(PopcountPathName(param.param));
                         });

TEST(ScoringTest, ResultsDoNotDependOnThreadCount) {
  const Stores s = MakeStores(700, 500, 1024, 5);
  const DiceThreshold t = DiceThreshold::FromDouble(0.6).value();
  const auto one = ScoreAllPairs(s.a, s.b, t, Options(1)).value();
  std::vector<CandidatePair> candidates;
  for (RecordIndex i = 0; i < s.a.size(); ++i) {
    for (RecordIndex j = i % 3; j < s.b.size(); j += 3) candidates.push_back(CandidatePair::Of(i, j));
  }
  const auto one_c = ScoreCandidates(s.a, s.b, candidates, t, Options(1)).value();
  EXPECT_FALSE(one.pairs.empty());
  EXPECT_FALSE(one_c.pairs.empty());
  for (int threads : {2, 3, 8}) {
    const auto many = ScoreAllPairs(s.a, s.b, t, Options(threads)).value();
    ExpectSamePairs(many.pairs, one.pairs);
    EXPECT_EQ(many.stats.pairs_compared, one.stats.pairs_compared);
    const auto many_c = ScoreCandidates(s.a, s.b, candidates, t, Options(threads)).value();
    ExpectSamePairs(many_c.pairs, one_c.pairs);
  }
}

TEST(ScoringTest, PairsAtExactlyTheThresholdAreKept) {
  // a: bits 0..4. b_k: bits 0..3 plus k+1 bits elsewhere: dice = 8/(10+k).
  FilterStore a = FilterStore::Create(1024).value();
  FilterStore b = FilterStore::Create(1024).value();
  std::vector<uint64_t> words(16, 0);
  words[0] = 0x1f;
  ASSERT_TRUE(a.Append(words).ok());
  for (uint64_t k = 0; k < 4; ++k) {
    std::fill(words.begin(), words.end(), 0);
    words[0] = 0x0f;
    words[9] = (uint64_t{1} << (k + 1)) - 1;
    ASSERT_TRUE(b.Append(words).ok());
  }
  const DiceThreshold t = DiceThreshold::FromDouble(0.8).value();
  const auto all = ScoreAllPairs(a, b, t).value();
  ASSERT_EQ(all.pairs.size(), 1u);
  EXPECT_EQ(all.pairs[0].b.index, 0u);
  EXPECT_EQ(all.pairs[0].score, 0.8);
  const std::vector<CandidatePair> candidates = {CandidatePair::Of(0, 0), CandidatePair::Of(0, 1)};
  const auto scored = ScoreCandidates(a, b, candidates, t).value();
  ASSERT_EQ(scored.pairs.size(), 1u);
  EXPECT_EQ(scored.pairs[0].score, 0.8);
}

TEST(ScoringTest, EmptyFiltersNeverMatch) {
  FilterStore a = FilterStore::Create(128).value();
  FilterStore b = FilterStore::Create(128).value();
  ASSERT_TRUE(a.Append(std::vector<uint64_t>{0, 0}).ok());
  ASSERT_TRUE(b.Append(std::vector<uint64_t>{0, 0}).ok());
  ASSERT_TRUE(b.Append(std::vector<uint64_t>{1, 0}).ok());
  const DiceThreshold t = DiceThreshold::FromFraction(1, 1'000'000).value();
  EXPECT_TRUE(ScoreAllPairs(a, b, t).value().pairs.empty());
  const std::vector<CandidatePair> candidates = {CandidatePair::Of(0, 0), CandidatePair::Of(0, 1)};
  EXPECT_TRUE(ScoreCandidates(a, b, candidates, t).value().pairs.empty());
}

TEST(ScoringTest, PartyIdsComeFromOptions) {
  const Stores s = MakeStores(10, 30, 1024, 9);
  ScoringOptions options;
  options.party_a = 4;
  options.party_b = 2;
  const auto result =
      ScoreAllPairs(s.a, s.b, DiceThreshold::FromDouble(0.5).value(), options).value();
  ASSERT_FALSE(result.pairs.empty());
  for (const ScoredPair& p : result.pairs) {
    EXPECT_EQ(p.a.party, 4);
    EXPECT_EQ(p.b.party, 2);
  }
}

TEST(ScoringTest, UnsortedCandidatesGiveSortedResults) {
  const Stores s = MakeStores(50, 150, 1024, 10);
  const DiceThreshold t = DiceThreshold::FromDouble(0.5).value();
  std::vector<CandidatePair> candidates;
  for (RecordIndex i = 0; i < s.a.size(); ++i) {
    for (RecordIndex j = 0; j < s.b.size(); ++j) candidates.push_back(CandidatePair::Of(i, j));
  }
  const auto sorted = ScoreCandidates(s.a, s.b, candidates, t).value();
  std::reverse(candidates.begin(), candidates.end());
  const auto reversed = ScoreCandidates(s.a, s.b, candidates, t, Options(2)).value();
  ExpectSamePairs(reversed.pairs, sorted.pairs);
  ExpectSamePairs(sorted.pairs, BruteForce(s.a, s.b, t));
}

TEST(ScoringTest, RejectsMismatchedStoresAndOutOfRangeCandidates) {
  FilterStore a = FilterStore::Create(1024).value();
  FilterStore b = FilterStore::Create(2048).value();
  const DiceThreshold t = DiceThreshold::FromDouble(0.8).value();
  EXPECT_EQ(ScoreAllPairs(a, b, t).status().code(), absl::StatusCode::kInvalidArgument);
  const Stores s = MakeStores(3, 3, 1024, 1);
  const std::vector<CandidatePair> candidates = {CandidatePair::Of(0, 0), CandidatePair::Of(3, 0)};
  const absl::Status status = ScoreCandidates(s.a, s.b, candidates, t).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("candidate 1"), std::string::npos) << status;
}

TEST(ScoringTest, ForcingAnUnsupportedPathIsAnError) {
  const Stores s = MakeStores(3, 3, 1024, 1);
  const DiceThreshold t = DiceThreshold::FromDouble(0.8).value();
  for (PopcountPath path : AllPopcountPaths()) {
    if (PopcountPathSupported(path)) continue;
    EXPECT_EQ(ScoreAllPairs(s.a, s.b, t, Options(1, path)).status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
}

TEST(ScoringTest, EmptyInputsGiveNoPairs) {
  FilterStore a = FilterStore::Create(1024).value();
  const Stores s = MakeStores(0, 5, 1024, 1);
  const DiceThreshold t = DiceThreshold::FromDouble(0.8).value();
  EXPECT_TRUE(ScoreAllPairs(a, s.b, t).value().pairs.empty());
  EXPECT_TRUE(ScoreAllPairs(s.b, a, t).value().pairs.empty());
  EXPECT_TRUE(ScoreCandidates(s.b, s.b, {}, t).value().pairs.empty());
}

}  // namespace
}  // namespace fedlink::match
