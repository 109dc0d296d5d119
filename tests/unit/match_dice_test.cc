#include "linkage/match/dice.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/match/candidates.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/popcount.h"
#include "linkage/match/scoring.h"

namespace fedlink::match {
namespace {

TEST(DiceThresholdTest, DoubleIsTakenToSixDecimalPlaces) {
  const DiceThreshold t = DiceThreshold::FromDouble(0.8).value();
  EXPECT_EQ(t.numerator(), 800'000u);
  EXPECT_EQ(t.denominator(), 1'000'000u);
  EXPECT_EQ(DiceThreshold::FromDouble(0.9999996).value().numerator(), 1'000'000u);
  EXPECT_EQ(DiceThreshold::FromDouble(0.1234564).value().numerator(), 123'456u);
  EXPECT_EQ(DiceThreshold::FromDouble(1.0).value().numerator(), 1'000'000u);
}

TEST(DiceThresholdTest, RejectsThresholdsOutsideZeroToOne) {
  for (double bad : {0.0, -0.1, 1.0000001, 2.0, 1e-9, std::nan(""),
                     std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(DiceThreshold::FromDouble(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_FALSE(DiceThreshold::FromFraction(0, 5).ok());
  EXPECT_FALSE(DiceThreshold::FromFraction(6, 5).ok());
  EXPECT_TRUE(DiceThreshold::FromFraction(5, 5).ok());
}

TEST(DiceThresholdTest, PairExactlyAtThresholdPasses) {
  const DiceThreshold t = DiceThreshold::FromDouble(0.8).value();
  // 2·4 / (5 + 5) = 0.8 exactly; 2·40/(50+50) too; one bit less fails.
  EXPECT_TRUE(t.Passes(4, 5, 5));
  EXPECT_TRUE(t.Passes(40, 50, 50));
  EXPECT_TRUE(t.Passes(400, 500, 500));
  EXPECT_TRUE(t.Passes(4, 4, 6));
  EXPECT_FALSE(t.Passes(399, 500, 500));
  EXPECT_FALSE(t.Passes(4, 5, 6));
  // 2/3 as a fraction: 2·2/(3+3) = 2/3 exactly.
  const DiceThreshold two_thirds = DiceThreshold::FromFraction(2, 3).value();
  EXPECT_TRUE(two_thirds.Passes(2, 3, 3));
  EXPECT_FALSE(two_thirds.Passes(2, 3, 4));
}

TEST(DiceThresholdTest, ThresholdOneNeedsIdenticalPopcountsAndFullOverlap) {
  const DiceThreshold t = DiceThreshold::FromDouble(1.0).value();
  EXPECT_TRUE(t.Passes(7, 7, 7));
  EXPECT_FALSE(t.Passes(6, 7, 7));
  EXPECT_FALSE(t.Passes(7, 7, 8));
}

TEST(DiceThresholdTest, TwoEmptyFiltersNeverPass) {
  EXPECT_FALSE(DiceThreshold::FromFraction(1, 1'000'000).value().Passes(0, 0, 0));
  EXPECT_FALSE(DiceThreshold::FromFraction(1, 1'000'000).value().PopcountsCanPass(0, 0));
  EXPECT_EQ(DiceFromCounts(0, 0, 0), 0.0);
}

TEST(DiceThresholdTest, PopcountBoundNeverRejectsAPassingPair) {
  // Exhaustive over small popcounts and several thresholds: whenever some
  // common count passes, the bound must allow the pair; and the bound is
  // tight: it allows exactly the pairs where common = min(pa, pb) passes.
  for (double value : {0.05, 0.5, 0.6, 0.75, 0.8, 0.9, 0.95, 1.0}) {
    const DiceThreshold t = DiceThreshold::FromDouble(value).value();
    for (uint32_t pa = 0; pa <= 64; ++pa) {
      for (uint32_t pb = 0; pb <= 64; ++pb) {
        bool any = false;
        for (uint32_t c = 0; c <= std::min(pa, pb); ++c) any = any || t.Passes(c, pa, pb);
        EXPECT_EQ(t.PopcountsCanPass(pa, pb), any) << value << " " << pa << " " << pb;
      }
    }
  }
}

TEST(DiceThresholdTest, ExactTestAgreesWithRationalArithmetic) {
  // dice >= t  <=>  2c·den >= num·(pa + pb), checked against a long-double
  // evaluation away from ties and against cross-multiplication at ties.
  std::mt19937 rng(3);
  std::uniform_int_distribution<uint32_t> pop(1, 4096);
  const DiceThreshold t = DiceThreshold::FromDouble(0.83).value();
  for (int i = 0; i < 100'000; ++i) {
    const uint32_t pa = pop(rng);
    const uint32_t pb = pop(rng);
    const uint32_t c = std::uniform_int_distribution<uint32_t>(0, std::min(pa, pb))(rng);
    const uint64_t lhs = 200 * uint64_t{c};  // 2c / (pa+pb) >= 83/100
    const uint64_t rhs = 83 * (uint64_t{pa} + pb);
    EXPECT_EQ(t.Passes(c, pa, pb), lhs >= rhs);
  }
}

TEST(DiceFromCountsTest, IsTwiceCommonOverSum) {
  EXPECT_DOUBLE_EQ(DiceFromCounts(4, 5, 5), 0.8);
  EXPECT_EQ(DiceFromCounts(4, 5, 5), 0.8);  // correctly rounded: the same double as 0.8
  EXPECT_EQ(DiceFromCounts(0, 3, 0), 0.0);
  EXPECT_EQ(DiceFromCounts(10, 10, 10), 1.0);
}

TEST(DiceTest, IsIdenticalOnEverySupportedPath) {
  std::mt19937_64 rng(5);
  for (size_t words : {1u, 16u, 32u}) {
    std::vector<uint64_t> a(words), b(words);
    for (int trial = 0; trial < 50; ++trial) {
      for (size_t k = 0; k < words; ++k) {
        a[k] = rng() & rng();
        b[k] = (a[k] ^ (rng() & rng() & rng())) | (rng() & rng() & rng() & rng());
      }
      const double reference =
          Dice(a.data(), b.data(), words, *GetPopcountKernels(PopcountPath::kPortable).value());
      for (PopcountPath path : SupportedPopcountPaths()) {
        EXPECT_EQ(Dice(a.data(), b.data(), words, *GetPopcountKernels(path).value()), reference)
            << PopcountPathName(path);
      }
    }
  }
}

// Filters whose dice with one another sits exactly at a threshold, one bit
// below it, or anywhere, for a filter length of `bits`: row i of `a` and the
// rows of `b` built from it share c of a's bits plus e bits outside a, with
// num·(pa + c + e) = 2·den·c (an exact tie), and the same minus one shared
// bit (just below). `dense` rows have more than half their bits set, which
// the bit-sliced kernels count over the clear bits.
struct TieStores {
  FilterStore a;
  FilterStore b;
  size_t ties = 0;  // pairs built to be exactly at the threshold
};

TieStores MakeTieStores(uint32_t bits, uint32_t num, uint32_t den, uint64_t seed) {
  std::mt19937_64 rng(seed);
  TieStores s{FilterStore::Create(bits).value(), FilterStore::Create(bits).value()};
  std::vector<uint32_t> order(bits);
  for (uint32_t i = 0; i < bits; ++i) order[i] = i;
  const auto filter_of = [bits](const std::vector<uint32_t>& set) {
    std::vector<uint64_t> words(bits / 64, 0);
    for (uint32_t p : set) words[p / 64] |= uint64_t{1} << (p % 64);
    return words;
  };
  for (int row = 0; row < 24; ++row) {
    std::shuffle(order.begin(), order.end(), rng);
    const bool dense = row % 3 == 2;
    const uint32_t pa = dense ? bits / 2 + 1 + static_cast<uint32_t>(rng() % (bits / 2 - 1))
                              : 1 + static_cast<uint32_t>(rng() % (bits / 2));
    // a: order[0..pa); b: order[0..c) and order[pa..pa+e).
    const std::vector<uint32_t> a_set(order.begin(), order.begin() + pa);
    EXPECT_TRUE(s.a.Append(filter_of(a_set)).ok());
    for (uint32_t c = pa; c > 0; --c) {
      const uint64_t lhs = 2 * uint64_t{den} * c;
      const uint64_t base = uint64_t{num} * (pa + c);
      if (lhs < base || (lhs - base) % num != 0) continue;
      const uint64_t e = (lhs - base) / num;
      if (e > bits - pa) continue;
      std::vector<uint32_t> b_set(order.begin(), order.begin() + c);
      b_set.insert(b_set.end(), order.begin() + pa, order.begin() + pa + e);
      EXPECT_TRUE(s.b.Append(filter_of(b_set)).ok());
      ++s.ties;
      b_set.erase(b_set.begin());  // one shared bit less: below the threshold
      EXPECT_TRUE(s.b.Append(filter_of(b_set)).ok());
      if (s.ties % 4 == 0) break;  // a few ties per row are enough
    }
    // And an unrelated filter of random density.
    std::shuffle(order.begin(), order.end(), rng);
    EXPECT_TRUE(s.b.Append(filter_of(std::vector<uint32_t>(
                               order.begin(), order.begin() + rng() % bits)))
                    .ok());
  }
  return s;
}

// All-pairs and candidate scoring on every supported path equal a brute-force
// count with the portable kernel, doubles bit for bit, for filter lengths
// that are any multiple of 64 bits and thresholds with exact ties.
TEST(DiceTest, ScoringIsIdenticalOnEveryPathIncludingTies) {
  const PopcountKernels& portable = *GetPopcountKernels(PopcountPath::kPortable).value();
  struct Threshold {
    uint32_t num;
    uint32_t den;
  };
  uint64_t seed = 20;
  for (uint32_t bits : {64u, 192u, 320u, 1024u, 1088u, 2048u}) {
    for (const Threshold& th : {Threshold{4, 5}, Threshold{2, 3}, Threshold{7, 10},
                                Threshold{1, 1}, Threshold{1, 2}}) {
      const TieStores s = MakeTieStores(bits, th.num, th.den, ++seed);
      const DiceThreshold t = DiceThreshold::FromFraction(th.num, th.den).value();
      std::vector<ScoredPair> want;
      std::vector<CandidatePair> all;
      size_t at_threshold = 0;
      for (RecordIndex i = 0; i < s.a.size(); ++i) {
        for (RecordIndex j = 0; j < s.b.size(); ++j) {
          all.push_back(CandidatePair::Of(i, j));
          const uint32_t c = portable.and_popcount(s.a.row(i), s.b.row(j), bits / 64);
          if (t.Passes(c, s.a.popcount(i), s.b.popcount(j))) {
            want.push_back({{0, i}, {1, j}, DiceFromCounts(c, s.a.popcount(i), s.b.popcount(j))});
            const uint64_t sum = uint64_t{s.a.popcount(i)} + s.b.popcount(j);
            at_threshold += 2 * uint64_t{c} * th.den == uint64_t{th.num} * sum;
          }
        }
      }
      const std::string where = "bits " + std::to_string(bits) + " threshold " +
                                std::to_string(th.num) + "/" + std::to_string(th.den);
      ASSERT_GE(at_threshold, s.ties) << where;
      ASSERT_GT(s.ties, 0u) << where;
      for (PopcountPath path : SupportedPopcountPaths()) {
        ScoringOptions options;
        options.path = path;
        const ScoringResult got_all = ScoreAllPairs(s.a, s.b, t, options).value();
        const ScoringResult got_candidates = ScoreCandidates(s.a, s.b, all, t, options).value();
        for (const ScoringResult* got : {&got_all, &got_candidates}) {
          ASSERT_EQ(got->pairs.size(), want.size()) << where << " " << PopcountPathName(path);
          for (size_t k = 0; k < want.size(); ++k) {
            EXPECT_EQ(got->pairs[k].a, want[k].a) << where << " " << PopcountPathName(path);
            EXPECT_EQ(got->pairs[k].b, want[k].b) << where << " " << PopcountPathName(path);
            EXPECT_EQ(got->pairs[k].score, want[k].score) << where << " " << PopcountPathName(path);
          }
        }
      }
    }
  }
}

TEST(DiceTest, EdgeCases) {
  const std::vector<uint64_t> zeros(16, 0);
  const std::vector<uint64_t> ones(16, ~uint64_t{0});
  std::vector<uint64_t> half(16, 0);
  for (size_t k = 0; k < 8; ++k) half[k] = ~uint64_t{0};
  EXPECT_EQ(Dice(zeros.data(), zeros.data(), 16), 0.0);  // defined as 0
  EXPECT_EQ(Dice(zeros.data(), ones.data(), 16), 0.0);
  EXPECT_EQ(Dice(ones.data(), ones.data(), 16), 1.0);
  EXPECT_EQ(Dice(half.data(), ones.data(), 16), 2.0 * 512 / (512 + 1024));
}

}  // namespace
}  // namespace fedlink::match
