#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/encoding/pseudonyms.h"
#include "agent/store/stored_record.h"
#include "gtest/gtest.h"
#include "linkage/crypto/aes_ctr_rng.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::agent::encoding {
namespace {

crypto::AesCtrRng TestRng(uint8_t key_byte, uint64_t stream = 0) {
  std::array<uint8_t, 32> key;
  key.fill(key_byte);
  absl::StatusOr<crypto::AesCtrRng> rng =
      crypto::AesCtrRng::Create(crypto::SecretBytes(key), stream);
  EXPECT_TRUE(rng.ok()) << rng.status();
  return *std::move(rng);
}

std::vector<std::string> Ids(size_t n) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(absl::StrCat("rec-", i));
  return ids;
}

// local ids in pseudonym order.
std::vector<std::string> Shuffle(const std::vector<std::string>& ids,
                                 crypto::AesCtrRng& rng) {
  PseudonymMapBuilder builder;
  for (const std::string& id : ids) EXPECT_TRUE(builder.Add(id).ok());
  absl::StatusOr<PseudonymMap> map = builder.AssignShuffled(rng);
  EXPECT_TRUE(map.ok()) << map.status();
  std::vector<std::string> out;
  for (uint32_t p = 0; p < map->size(); ++p) {
    out.emplace_back(map->ExposeLocalId(p));
  }
  return out;
}

TEST(UniformBelowTest, StaysBelowTheBoundAndCoversIt) {
  crypto::AesCtrRng rng = TestRng(1);
  for (uint64_t bound : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{1000},
                         (uint64_t{1} << 63) + 1, ~uint64_t{0}}) {
    for (int i = 0; i < 1000; ++i) EXPECT_LT(UniformBelow(rng, bound), bound);
  }
  // Six outcomes, 60000 draws: each count is 10000 ± 4% (≈ 9 standard
  // deviations, so a correct implementation never fails with this fixed key,
  // and a modulo-biased one for bound 2^64/3-ish would).
  std::array<int, 6> counts{};
  for (int i = 0; i < 60000; ++i) ++counts[UniformBelow(rng, 6)];
  for (int count : counts) EXPECT_NEAR(count, 10000, 400);
  // bound = 1.5 · 2^63: x % bound would return values below 2^62 twice as
  // often as the others, putting only 37.5% of draws in the upper half.
  const uint64_t bound = (uint64_t{1} << 63) + (uint64_t{1} << 62);
  int high = 0;
  for (int i = 0; i < 20000; ++i) high += UniformBelow(rng, bound) >= bound / 2;
  EXPECT_NEAR(high, 10000, 400);
  EXPECT_TRUE(rng.status().ok());
}

TEST(PseudonymsTest, ShuffleIsAPermutationOfTheCohort) {
  const std::vector<std::string> ids = Ids(1000);
  crypto::AesCtrRng rng = TestRng(2);
  std::vector<std::string> shuffled = Shuffle(ids, rng);
  ASSERT_EQ(shuffled.size(), ids.size());
  EXPECT_NE(shuffled, ids);
  // Not the insertion order: a random permutation has about one fixed point.
  size_t fixed = 0;
  for (size_t i = 0; i < ids.size(); ++i) fixed += shuffled[i] == ids[i];
  EXPECT_LT(fixed, 10u);
  std::sort(shuffled.begin(), shuffled.end());
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(shuffled, sorted);
}

TEST(PseudonymsTest, SameRandomnessSameOrderOtherwiseDifferent) {
  const std::vector<std::string> ids = Ids(500);
  crypto::AesCtrRng a = TestRng(3), b = TestRng(3), c = TestRng(4),
                    d = TestRng(3, /*stream=*/1);
  const std::vector<std::string> first = Shuffle(ids, a);
  EXPECT_EQ(Shuffle(ids, b), first);
  EXPECT_NE(Shuffle(ids, c), first);
  EXPECT_NE(Shuffle(ids, d), first);
}

TEST(PseudonymsTest, EveryOrderOfThreeIsEquallyLikely) {
  const std::vector<std::string> ids = Ids(3);
  crypto::AesCtrRng rng = TestRng(5);
  std::map<std::vector<std::string>, int> counts;
  for (int i = 0; i < 6000; ++i) ++counts[Shuffle(ids, rng)];
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [order, count] : counts) EXPECT_NEAR(count, 1000, 150);
}

TEST(PseudonymsTest, FirstRecordLandsAnywhere) {
  // The first record added (e.g. the first ingested) gets each of the ten
  // pseudonyms equally often: its pseudonym reveals nothing about order.
  const std::vector<std::string> ids = Ids(10);
  crypto::AesCtrRng rng = TestRng(6);
  std::array<int, 10> where{};
  for (int i = 0; i < 10000; ++i) {
    const std::vector<std::string> order = Shuffle(ids, rng);
    ++where[std::find(order.begin(), order.end(), ids[0]) - order.begin()];
  }
  for (int count : where) EXPECT_NEAR(count, 1000, 150);
}

TEST(PseudonymsTest, InOrderKeepsTheOrderGiven) {
  PseudonymMapBuilder builder;
  const std::vector<std::string> ids = {"c", "a", "b"};
  for (const std::string& id : ids) ASSERT_TRUE(builder.Add(id).ok());
  const PseudonymMap map = builder.AssignInOrder();
  ASSERT_EQ(map.size(), 3u);
  for (uint32_t p = 0; p < 3; ++p) EXPECT_EQ(map.ExposeLocalId(p), ids[p]);
  EXPECT_EQ(builder.size(), 0u);  // the builder starts over
}

TEST(PseudonymsTest, EmptyCohortGivesAnEmptyMap) {
  PseudonymMapBuilder builder;
  crypto::AesCtrRng rng = TestRng(7);
  absl::StatusOr<PseudonymMap> map = builder.AssignShuffled(rng);
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(map->empty());
}

TEST(PseudonymsTest, KeepsLongIdsIntactAcrossGrowth) {
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i) {
    ids.push_back(absl::StrCat(std::string(kMaxLocalIdBytes - 4, 'a' + i % 26),
                               1000 + i));
  }
  PseudonymMapBuilder builder;
  for (const std::string& id : ids) ASSERT_TRUE(builder.Add(id).ok());
  EXPECT_EQ(builder.size(), ids.size());
  PseudonymMap map = builder.AssignInOrder();
  for (uint32_t p = 0; p < ids.size(); ++p) {
    ASSERT_EQ(map.ExposeLocalId(p), ids[p]);
  }
  PseudonymMap moved = std::move(map);
  EXPECT_EQ(moved.ExposeLocalId(299), ids[299]);
}

TEST(PseudonymsTest, RefusesEmptyAndOverlongIds) {
  PseudonymMapBuilder builder;
  EXPECT_EQ(builder.Add("").code(), absl::StatusCode::kInvalidArgument);
  const absl::Status status =
      builder.Add(std::string(kMaxLocalIdBytes + 1, 'x'));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "local id of 257 bytes (allowed 1..256)");
  EXPECT_TRUE(builder.Add(std::string(kMaxLocalIdBytes, 'x')).ok());
  EXPECT_EQ(builder.size(), 1u);
}

}  // namespace
}  // namespace fedlink::agent::encoding
