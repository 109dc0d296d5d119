#include "linkage/match/dice.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/match/popcount.h"

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
