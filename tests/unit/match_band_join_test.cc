#include "linkage/match/band_join.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace fedlink::match {
namespace {

uint64_t Entry(uint32_t key, uint32_t index) { return (uint64_t{key} << 32) | index; }

// Entries for records 0..n-1 with keys drawn from [0, key_range): a small
// range gives shared keys and buckets of several records.
std::vector<uint64_t> RandomEntries(size_t n, uint32_t key_range, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint64_t> entries;
  for (uint32_t i = 0; i < n; ++i) entries.push_back(Entry(rng() % key_range, i));
  std::shuffle(entries.begin(), entries.end(), rng);
  return entries;
}

struct Naive {
  std::vector<uint64_t> pairs;  // sorted
  BandJoinStats stats;
};

Naive NaiveJoin(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
                uint64_t max_bucket_pairs, unsigned b_shift) {
  std::map<uint32_t, std::pair<std::vector<uint32_t>, std::vector<uint32_t>>> buckets;
  for (uint64_t e : a) buckets[static_cast<uint32_t>(e >> 32)].first.push_back(static_cast<uint32_t>(e));
  for (uint64_t e : b) buckets[static_cast<uint32_t>(e >> 32)].second.push_back(static_cast<uint32_t>(e));
  Naive out;
  for (const auto& [key, holders] : buckets) {
    const uint64_t n = uint64_t{holders.first.size()} * holders.second.size();
    if (n == 0) continue;
    if (n > max_bucket_pairs) {
      ++out.stats.oversized_buckets;
      out.stats.dropped_pairs += n;
      continue;
    }
    out.stats.pairs += n;
    for (uint32_t x : holders.first) {
      for (uint32_t y : holders.second) out.pairs.push_back((uint64_t{x} << b_shift) | y);
    }
  }
  std::sort(out.pairs.begin(), out.pairs.end());
  return out;
}

void ExpectSameAsNaive(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
                       uint64_t max_bucket_pairs, unsigned b_shift, size_t bitmap_records) {
  BandJoiner joiner(bitmap_records);
  std::vector<uint64_t> got;
  BandJoinStats stats;
  joiner.Join(a, b, max_bucket_pairs, b_shift, &got, &stats);
  std::sort(got.begin(), got.end());
  const Naive want = NaiveJoin(a, b, max_bucket_pairs, b_shift);
  EXPECT_EQ(got, want.pairs);
  EXPECT_EQ(stats.pairs, want.stats.pairs);
  EXPECT_EQ(stats.oversized_buckets, want.stats.oversized_buckets);
  EXPECT_EQ(stats.dropped_pairs, want.stats.dropped_pairs);
}

TEST(BandJoinerTest, EqualsNaiveJoinWithSharedKeys) {
  const std::vector<uint64_t> a = RandomEntries(5000, 3000, 1);
  const std::vector<uint64_t> b = RandomEntries(7000, 3000, 2);
  ExpectSameAsNaive(a, b, 1'000'000, 13, 7000);
}

TEST(BandJoinerTest, EqualsNaiveJoinWithRareCollisions) {
  // Wide keys as in a real band: few collisions among many entries, and a
  // bitmap much smaller than the key space, so hash collisions pass the
  // filters and must be weeded out by the exact join.
  const std::vector<uint64_t> a = RandomEntries(20'000, 1u << 22, 3);
  const std::vector<uint64_t> b = RandomEntries(20'000, 1u << 22, 4);
  const Naive want = NaiveJoin(a, b, 10'000, 15);
  ASSERT_GT(want.pairs.size(), 20u);
  ExpectSameAsNaive(a, b, 10'000, 15, 100);
}

TEST(BandJoinerTest, OversizedBucketsAreDroppedAndCounted) {
  std::vector<uint64_t> a;
  std::vector<uint64_t> b;
  for (uint32_t i = 0; i < 50; ++i) a.push_back(Entry(7, i));   // 50 x 40 = 2000 pairs
  for (uint32_t i = 0; i < 40; ++i) b.push_back(Entry(7, i));
  a.push_back(Entry(9, 50));
  b.push_back(Entry(9, 40));
  BandJoiner joiner(100);
  std::vector<uint64_t> pairs;
  BandJoinStats stats;
  joiner.Join(a, b, 1999, 6, &pairs, &stats);
  EXPECT_EQ(stats.oversized_buckets, 1u);
  EXPECT_EQ(stats.dropped_pairs, 2000u);
  EXPECT_EQ(stats.pairs, 1u);
  EXPECT_EQ(pairs, std::vector<uint64_t>{(uint64_t{50} << 6) | 40});
  ExpectSameAsNaive(a, b, 2000, 6, 100);
}

TEST(BandJoinerTest, EmptySidesGiveNoPairsAndAJoinerIsReusable) {
  BandJoiner joiner(1000);
  std::vector<uint64_t> pairs;
  BandJoinStats stats;
  const std::vector<uint64_t> some = RandomEntries(100, 10, 5);
  joiner.Join({}, some, 100, 7, &pairs, &stats);
  joiner.Join(some, {}, 100, 7, &pairs, &stats);
  EXPECT_TRUE(pairs.empty());
  // A second, different join on the same joiner sees nothing of the first.
  joiner.Join(some, some, 1'000'000, 7, &pairs, &stats);
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(pairs, NaiveJoin(some, some, 1'000'000, 7).pairs);
  pairs.clear();
  const std::vector<uint64_t> other = RandomEntries(100, 1u << 30, 6);
  joiner.Join(some, other, 1'000'000, 7, &pairs, &stats);
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(pairs, NaiveJoin(some, other, 1'000'000, 7).pairs);
}

}  // namespace
}  // namespace fedlink::match
