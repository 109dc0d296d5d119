#include "linkage/match/lsh_blocking.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/match/candidates.h"
#include "linkage/match/filter_store.h"

namespace fedlink::match {
namespace {

constexpr uint32_t kBits = 1024;

// Synthetic linkage data shaped like CLKs: A holds n random filters with
// about half the bits set; B holds, for each record of A, a copy with
// `min_flips`..`max_flips` random bits flipped (a true match at that Hamming
// distance: 150 flips of 1024 is a dice of about 0.85), plus n unrelated
// filters. truth[i] = (i, index of i's copy in B); B is shuffled.
struct Synthetic {
  FilterStore a;
  FilterStore b;
  std::vector<CandidatePair> truth;
};

Synthetic MakeSynthetic(size_t n, uint32_t min_flips, uint32_t max_flips, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> position(0, kBits - 1);
  std::uniform_int_distribution<uint32_t> flips(min_flips, max_flips);
  auto random_filter = [&] {
    std::vector<uint64_t> words(kBits / 64);
    for (uint64_t& w : words) w = rng();
    return words;
  };
  Synthetic s{FilterStore::Create(kBits, n).value(), FilterStore::Create(kBits, 2 * n).value(), {}};
  std::vector<std::vector<uint64_t>> b_filters;
  std::vector<int64_t> b_source;  // index in A, or -1
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint64_t> f = random_filter();
    EXPECT_TRUE(s.a.Append(f).ok());
    std::set<uint32_t> flipped;
    const uint32_t h = flips(rng);
    while (flipped.size() < h) flipped.insert(position(rng));
    for (uint32_t p : flipped) f[p / 64] ^= uint64_t{1} << (p % 64);
    b_filters.push_back(f);
    b_source.push_back(static_cast<int64_t>(i));
    b_filters.push_back(random_filter());
    b_source.push_back(-1);
  }
  std::vector<size_t> order(b_filters.size());
  for (size_t j = 0; j < order.size(); ++j) order[j] = j;
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t j = 0; j < order.size(); ++j) {
    EXPECT_TRUE(s.b.Append(b_filters[order[j]]).ok());
    if (b_source[order[j]] >= 0) {
      s.truth.push_back(CandidatePair::Of(static_cast<RecordIndex>(b_source[order[j]]),
                                          static_cast<RecordIndex>(j)));
    }
  }
  return s;
}

TEST(LshBlockingTest, KeepsTruePairsWithFarFewerCandidatesThanAllPairs) {
  // True pairs at Hamming distance 20..150 (dice ~0.98..0.85).
  const Synthetic s = MakeSynthetic(3000, 20, 150, 1);
  const LshResult result = LshCandidates(s.a, s.b, LshParams{}).value();
  const BlockingQuality q = EvaluateBlocking(result.pairs, s.a.size(), s.b.size(), s.truth);
  // Per pair at h = 150 the defaults keep 1 - (1 - 0.853^r)^600 > 0.9999 for
  // the r chosen here (about 20); closer pairs are kept more often.
  EXPECT_GE(*q.pairs_completeness, 0.995);
  // All pairs: 3000 x 6000 = 1.8e7. Expected: 3000 true pairs plus about
  // random_pairs_per_record (10) x 9000 chance pairs.
  EXPECT_LT(q.candidate_pairs, 15 * (s.a.size() + s.b.size()));
  EXPECT_GT(q.reduction_ratio, 0.99);
  EXPECT_GE(result.stats.bits_per_band, 14u);
  EXPECT_NEAR(result.stats.estimated_agreement, 0.5, 0.01);
  EXPECT_EQ(result.stats.oversized_buckets, 0u);
  EXPECT_TRUE(std::is_sorted(result.pairs.begin(), result.pairs.end()));
  EXPECT_EQ(std::adjacent_find(result.pairs.begin(), result.pairs.end()), result.pairs.end());
}

TEST(LshBlockingTest, EqualsNaiveBandKeyJoin) {
  // Few bits per band so that many pairs collide; 200 and 130 records are not
  // multiples of the 64-record slice blocks.
  const Synthetic s = MakeSynthetic(130, 50, 300, 9);
  LshParams params;
  params.bands = 25;
  params.bits_per_band = 9;
  const auto bands = LshBandPositions(params, 9, kBits).value();
  auto key = [&](const FilterStore& store, RecordIndex i, const std::vector<uint32_t>& band) {
    uint64_t k = 0;
    for (size_t bit = 0; bit < band.size(); ++bit) {
      k |= ((store.row(i)[band[bit] / 64] >> (band[bit] % 64)) & 1) << bit;
    }
    return k;
  };
  std::set<CandidatePair> want;
  for (const auto& band : bands) {
    for (RecordIndex i = 0; i < s.a.size(); ++i) {
      for (RecordIndex j = 0; j < s.b.size(); ++j) {
        if (key(s.a, i, band) == key(s.b, j, band)) want.insert(CandidatePair::Of(i, j));
      }
    }
  }
  const LshResult got = LshCandidates(s.a, s.b, params).value();
  EXPECT_EQ(got.stats.oversized_buckets, 0u);
  EXPECT_GT(want.size(), 1000u);
  EXPECT_EQ(got.pairs, std::vector<CandidatePair>(want.begin(), want.end()));
}

TEST(LshBlockingTest, CandidatesGrowLinearlyWithInputSize) {
  const Synthetic small = MakeSynthetic(2000, 20, 150, 2);
  const Synthetic large = MakeSynthetic(4000, 20, 150, 3);
  const uint64_t c_small = LshCandidates(small.a, small.b, LshParams{}).value().pairs.size();
  const uint64_t c_large = LshCandidates(large.a, large.b, LshParams{}).value().pairs.size();
  ASSERT_GT(c_small, 0u);
  const double ratio = static_cast<double>(c_large) / static_cast<double>(c_small);
  // Quadratic growth would give 4; linear gives 2.
  EXPECT_LT(ratio, 3.0) << c_small << " -> " << c_large;
  EXPECT_GT(ratio, 1.5) << c_small << " -> " << c_large;
}

TEST(LshBlockingTest, FixedBitsPerBandTradeRecallForCandidates) {
  const Synthetic s = MakeSynthetic(1000, 100, 200, 4);
  LshParams wide;
  wide.bits_per_band = 12;
  wide.bands = 40;
  LshParams narrow = wide;
  narrow.bits_per_band = 28;
  const LshResult w = LshCandidates(s.a, s.b, wide).value();
  const LshResult n = LshCandidates(s.a, s.b, narrow).value();
  EXPECT_EQ(w.stats.bits_per_band, 12u);
  EXPECT_EQ(n.stats.bits_per_band, 28u);
  EXPECT_GT(w.pairs.size(), n.pairs.size());
  const BlockingQuality qw = EvaluateBlocking(w.pairs, 1000, 2000, s.truth);
  const BlockingQuality qn = EvaluateBlocking(n.pairs, 1000, 2000, s.truth);
  EXPECT_GT(*qw.pairs_completeness, *qn.pairs_completeness);
}

TEST(LshBlockingTest, ResultDoesNotDependOnThreadCount) {
  const Synthetic s = MakeSynthetic(1500, 20, 150, 5);
  LshParams params;
  params.bands = 37;  // not a multiple of any thread count used
  const LshResult one = LshCandidates(s.a, s.b, params, 1).value();
  for (int threads : {2, 3, 8}) {
    const LshResult many = LshCandidates(s.a, s.b, params, threads).value();
    EXPECT_EQ(many.pairs, one.pairs) << threads;
    EXPECT_EQ(many.stats.band_pairs, one.stats.band_pairs);
    EXPECT_EQ(many.stats.bits_per_band, one.stats.bits_per_band);
  }
}

TEST(LshBlockingTest, OversizedBucketsAreDroppedAndCounted) {
  // 120 identical filters on each side share every band key: 14 400 pairs
  // per band, over the cap of 10 000. One distinct pair elsewhere survives.
  FilterStore a = FilterStore::Create(kBits).value();
  FilterStore b = FilterStore::Create(kBits).value();
  std::vector<uint64_t> same(kBits / 64, 0x0123456789abcdefULL);
  for (int i = 0; i < 120; ++i) {
    ASSERT_TRUE(a.Append(same).ok());
    ASSERT_TRUE(b.Append(same).ok());
  }
  std::vector<uint64_t> other(kBits / 64, 0xfedcba9876543210ULL);
  ASSERT_TRUE(a.Append(other).ok());
  ASSERT_TRUE(b.Append(other).ok());
  LshParams params;
  params.bands = 5;
  params.bits_per_band = 20;
  const LshResult result = LshCandidates(a, b, params).value();
  EXPECT_EQ(result.stats.oversized_buckets, 5u);
  EXPECT_EQ(result.stats.dropped_pairs, 5u * 120 * 120);
  ASSERT_EQ(result.pairs.size(), 1u);
  EXPECT_EQ(result.pairs[0], CandidatePair::Of(120, 120));
  // With a higher cap the bucket is kept.
  params.max_bucket_pairs = 20'000;
  const LshResult kept = LshCandidates(a, b, params).value();
  EXPECT_EQ(kept.stats.oversized_buckets, 0u);
  EXPECT_EQ(kept.pairs.size(), 120u * 120 + 1);
}

TEST(LshBlockingTest, EmptyFiltersAreNeverCandidates) {
  FilterStore a = FilterStore::Create(kBits).value();
  FilterStore b = FilterStore::Create(kBits).value();
  const std::vector<uint64_t> empty(kBits / 64, 0);
  ASSERT_TRUE(a.Append(empty).ok());
  ASSERT_TRUE(b.Append(empty).ok());
  LshParams params;
  params.bits_per_band = 16;
  EXPECT_TRUE(LshCandidates(a, b, params).value().pairs.empty());
}

TEST(LshBlockingTest, BandPositionsAreDeterministicDistinctAndInRange) {
  LshParams params;
  params.bands = 50;
  const auto positions = LshBandPositions(params, 24, 1024).value();
  ASSERT_EQ(positions.size(), 50u);
  for (const auto& band : positions) {
    ASSERT_EQ(band.size(), 24u);
    EXPECT_TRUE(std::is_sorted(band.begin(), band.end()));
    EXPECT_EQ(std::adjacent_find(band.begin(), band.end()), band.end());
    EXPECT_LT(band.back(), 1024u);
  }
  EXPECT_EQ(LshBandPositions(params, 24, 1024).value(), positions);
  LshParams reseeded = params;
  reseeded.seed = params.seed + 1;
  EXPECT_NE(LshBandPositions(reseeded, 24, 1024).value(), positions);
  // A filter of 64 bits: 32 of 64 positions per band, still distinct.
  const auto small = LshBandPositions(params, 32, 64).value();
  for (const auto& band : small) EXPECT_EQ(std::set<uint32_t>(band.begin(), band.end()).size(), 32u);
}

TEST(LshBlockingTest, RejectsInvalidParameters) {
  const Synthetic s = MakeSynthetic(10, 1, 2, 6);
  for (auto mutate : std::vector<void (*)(LshParams&)>{
           [](LshParams& p) { p.bands = 0; },
           [](LshParams& p) { p.bits_per_band = 33; },
           [](LshParams& p) { p.max_bucket_pairs = 0; },
           [](LshParams& p) { p.random_pairs_per_record = 0; },
       }) {
    LshParams params;
    mutate(params);
    EXPECT_EQ(LshCandidates(s.a, s.b, params).status().code(), absl::StatusCode::kInvalidArgument);
  }
  FilterStore other = FilterStore::Create(2048).value();
  EXPECT_EQ(LshCandidates(s.a, other, LshParams{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LshBlockingTest, ChosenBitsGrowWithInputSize) {
  const Synthetic small = MakeSynthetic(500, 20, 150, 7);
  const Synthetic large = MakeSynthetic(4000, 20, 150, 8);
  const ChosenBits s = ChooseBitsPerBand(small.a, small.b, LshParams{});
  const ChosenBits l = ChooseBitsPerBand(large.a, large.b, LshParams{});
  EXPECT_LT(s.bits_per_band, l.bits_per_band);
  // bands · n_a · n_b · q^r <= budget · (n_a + n_b), and r is the smallest such.
  const LshParams defaults;
  const double q = l.estimated_agreement;
  const double chance = defaults.bands * 4000.0 * 8000.0;
  const double budget = defaults.random_pairs_per_record * (4000 + 8000);
  EXPECT_LE(chance * std::pow(q, l.bits_per_band), budget);
  EXPECT_GT(chance * std::pow(q, l.bits_per_band - 1), budget);
}

}  // namespace
}  // namespace fedlink::match
