#include "linkage/encode/clk_positions.h"

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/crypto/aes_prf.h"
#include "linkage/encode/qgrams.h"

namespace fedlink::encode {
namespace {

crypto::SecretBytes KeyWithFirstByte(uint8_t b) {
  crypto::SecretBytes key = crypto::SecretBytes::Zeroed(32);
  for (size_t i = 0; i < key.size(); ++i) key.mutable_data()[i] = static_cast<uint8_t>(i * 7);
  key.mutable_data()[0] = b;
  return key;
}

ClkPositionDeriver MakeDeriver(uint32_t bits, uint8_t key_byte = 1,
                               ClkLevel level = ClkLevel::kRecord) {
  auto d = ClkPositionDeriver::Create(KeyWithFirstByte(key_byte), level, bits);
  EXPECT_TRUE(d.ok()) << d.status();
  return *std::move(d);
}

// Random q-grams of 1..9 code points (so both the one-block and the chained
// construction), mixing ASCII, boundary markers and non-Latin code points.
std::vector<std::vector<uint32_t>> RandomQgrams(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> len(1, 9);
  std::uniform_int_distribution<uint32_t> ascii('a', 'z');
  std::uniform_int_distribution<uint32_t> any(0, 0x10FFFF);
  std::vector<std::vector<uint32_t>> out;
  for (size_t i = 0; i < count; ++i) {
    std::vector<uint32_t> g(static_cast<size_t>(len(rng)));
    for (uint32_t& cp : g) {
      const uint64_t r = rng() % 10;
      cp = r < 7 ? ascii(rng) : r < 8 ? kBoundaryMarker : any(rng);
    }
    out.push_back(std::move(g));
  }
  return out;
}

TEST(ClkPositionsTest, EveryQgramGetsExactlyKDistinctPositionsInRange) {
  for (uint32_t bits : {64u, 128u, 192u, 1000u, 1024u, 2048u, 8192u}) {
    ClkPositionDeriver d = MakeDeriver(bits);
    for (uint32_t k : {1u, 2u, 10u, 30u, 64u}) {
      for (const auto& g : RandomQgrams(200, bits * 100 + k)) {
        auto pos = d.Positions(3, g, k);
        ASSERT_TRUE(pos.ok()) << pos.status();
        ASSERT_EQ(pos->size(), k) << "L=" << bits;
        const std::set<uint32_t> distinct(pos->begin(), pos->end());
        ASSERT_EQ(distinct.size(), k) << "L=" << bits << " k=" << k;
        ASSERT_LT(*distinct.rbegin(), bits);
      }
    }
  }
}

TEST(ClkPositionsTest, SixtyFourBitsOfASixtyFourBitFilterSetsEveryBit) {
  ClkPositionDeriver d = MakeDeriver(64);
  const std::vector<uint32_t> cps = {'a', 'b'};
  const QgramSlot slot{0, 2, 0, 64, 0};
  uint64_t word = 0;
  uint64_t* target = &word;
  ASSERT_TRUE(d.SetBits(cps, {&slot, 1}, {&target, 1}).ok());
  EXPECT_EQ(word, ~uint64_t{0});
}

TEST(ClkPositionsTest, SetBitsSetsExactlyTheDerivedPositions) {
  ClkPositionDeriver d = MakeDeriver(1024);
  std::vector<uint32_t> cps;
  std::vector<QgramSlot> slots;
  const auto grams = RandomQgrams(50, 5);
  for (size_t i = 0; i < grams.size(); ++i) {
    slots.push_back({static_cast<uint32_t>(cps.size()),
                     static_cast<uint16_t>(grams[i].size()),
                     static_cast<uint8_t>(i % 3), static_cast<uint8_t>(1 + i % 40),
                     static_cast<uint32_t>(i % 2)});
    cps.insert(cps.end(), grams[i].begin(), grams[i].end());
  }
  std::vector<uint64_t> f0(16, 0), f1(16, 0);
  std::vector<uint64_t*> targets = {f0.data(), f1.data()};
  ASSERT_TRUE(d.SetBits(cps, slots, targets).ok());

  std::vector<uint64_t> e0(16, 0), e1(16, 0);
  for (size_t i = 0; i < grams.size(); ++i) {
    auto pos = d.Positions(slots[i].field, grams[i], slots[i].k);
    ASSERT_TRUE(pos.ok());
    for (uint32_t p : *pos) {
      (i % 2 ? e1 : e0)[p / 64] |= uint64_t{1} << (p % 64);
    }
  }
  EXPECT_EQ(f0, e0);
  EXPECT_EQ(f1, e1);
}

// Recomputes the one-block construction of clk_positions.h with the bare
// PRF: pins the format every agency must agree on.
TEST(ClkPositionsTest, ShortQgramFollowsTheSpecifiedConstruction) {
  const crypto::SecretBytes key = KeyWithFirstByte(9);
  auto prf = crypto::AesPrf::Create(key);
  ASSERT_TRUE(prf.ok());
  const std::vector<uint32_t> gram = {kBoundaryMarker, 0xE9};  // "␂é"
  const uint8_t field = 4;
  const uint32_t k = 30;
  const uint32_t bits = 1024;  // 10-bit chunks, 6 per word

  std::vector<uint32_t> expected;
  std::set<uint32_t> seen;
  for (uint32_t j = 0; expected.size() < k; ++j) {
    crypto::AesBlock in = {0x01, field, static_cast<uint8_t>(j >> 8),
                           static_cast<uint8_t>(j),
                           0x11, 0x00, 0x00,   // U+110000 (marker)
                           0x00, 0x00, 0xE9,   // U+00E9
                           0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    crypto::AesBlock out{};
    ASSERT_TRUE(prf->EvaluateBlock(in, &out).ok());
    for (int half = 0; half < 2 && expected.size() < k; ++half) {
      uint64_t w = 0;
      for (int i = 7; i >= 0; --i) w = (w << 8) | out[8 * half + i];
      for (int c = 0; c < 6 && expected.size() < k; ++c, w >>= 10) {
        const uint32_t p = static_cast<uint32_t>(w & 1023);
        if (seen.insert(p).second) expected.push_back(p);
      }
    }
  }
  auto d = ClkPositionDeriver::Create(key, ClkLevel::kRecord, bits);
  ASSERT_TRUE(d.ok());
  auto got = d->Positions(field, gram, k);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, expected);
}

// The chained construction for a 6-code-point q-gram, recomputed likewise.
TEST(ClkPositionsTest, LongQgramFollowsTheSpecifiedCbcConstruction) {
  const crypto::SecretBytes key = KeyWithFirstByte(3);
  auto prf = crypto::AesPrf::Create(key);
  ASSERT_TRUE(prf.ok());
  const std::vector<uint32_t> gram = {'a', 'b', 'c', 'd', 'e', 'f'};
  const uint8_t field = 1;
  const uint32_t k = 8;
  const uint32_t bits = 4096;  // 12-bit chunks, 5 per word

  crypto::AesBlock m0 = {0x12, field, 0x00, 0x06, 0, 0, 'a', 0, 0, 'b',
                         0, 0, 'c', 0, 0, 'd'};
  crypto::AesBlock t{};
  ASSERT_TRUE(prf->EvaluateBlock(m0, &t).ok());
  const crypto::AesBlock m1 = {0, 0, 0, 0, 0, 0, 'e', 0, 0, 'f',
                               0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  for (size_t i = 0; i < 16; ++i) t[i] ^= m1[i];
  ASSERT_TRUE(prf->EvaluateBlock(t, &t).ok());

  std::vector<uint32_t> expected;
  std::set<uint32_t> seen;
  for (uint32_t j = 0; expected.size() < k; ++j) {
    crypto::AesBlock in = t;
    in[0] ^= 0x20;
    in[2] ^= static_cast<uint8_t>(j >> 8);
    in[3] ^= static_cast<uint8_t>(j);
    crypto::AesBlock out{};
    ASSERT_TRUE(prf->EvaluateBlock(in, &out).ok());
    for (int half = 0; half < 2 && expected.size() < k; ++half) {
      uint64_t w = 0;
      for (int i = 7; i >= 0; --i) w = (w << 8) | out[8 * half + i];
      for (int c = 0; c < 5 && expected.size() < k; ++c, w >>= 12) {
        const uint32_t p = static_cast<uint32_t>(w & 4095);
        if (seen.insert(p).second) expected.push_back(p);
      }
    }
  }
  auto d = ClkPositionDeriver::Create(key, ClkLevel::kField, bits);
  ASSERT_TRUE(d.ok());
  auto got = d->Positions(field, gram, k);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, expected);
}

TEST(ClkPositionsTest, SameKeyGivesSamePositionsAndCloneAgrees) {
  ClkPositionDeriver a = MakeDeriver(1024, 5);
  ClkPositionDeriver b = MakeDeriver(1024, 5);
  auto c = a.Clone();
  ASSERT_TRUE(c.ok());
  for (const auto& g : RandomQgrams(100, 11)) {
    auto pa = a.Positions(0, g, 20);
    auto pb = b.Positions(0, g, 20);
    auto pc = c->Positions(0, g, 20);
    ASSERT_TRUE(pa.ok() && pb.ok() && pc.ok());
    EXPECT_EQ(*pa, *pb);
    EXPECT_EQ(*pa, *pc);
  }
}

// Average size of the overlap of two k-subsets of [0, L): k²/L if they are
// unrelated. Used to check that keys, fields and levels decorrelate.
double MeanOverlap(ClkPositionDeriver& a, uint8_t field_a,
                   ClkPositionDeriver& b, uint8_t field_b, uint32_t k) {
  const auto grams = RandomQgrams(500, 77);
  double total = 0;
  for (const auto& g : grams) {
    auto pa = a.Positions(field_a, g, k);
    auto pb = b.Positions(field_b, g, k);
    EXPECT_TRUE(pa.ok() && pb.ok());
    std::set<uint32_t> sa(pa->begin(), pa->end());
    for (uint32_t p : *pb) total += sa.count(p);
  }
  return total / static_cast<double>(grams.size());
}

TEST(ClkPositionsTest, DifferentKeysGiveUnrelatedPositions) {
  ClkPositionDeriver a = MakeDeriver(1024, 1);
  ClkPositionDeriver b = MakeDeriver(1024, 2);
  // Unrelated: 20·20/1024 ≈ 0.39 shared positions on average (identical
  // would be 20).
  EXPECT_LT(MeanOverlap(a, 0, b, 0, 20), 0.8);
}

TEST(ClkPositionsTest, FieldIndexSeparatesTheSameQgram) {
  ClkPositionDeriver a = MakeDeriver(1024);
  ClkPositionDeriver b = MakeDeriver(1024);
  EXPECT_LT(MeanOverlap(a, 0, b, 1, 20), 0.8);
  EXPECT_DOUBLE_EQ(MeanOverlap(a, 2, b, 2, 20), 20.0);
}

TEST(ClkPositionsTest, LevelSeparatesRecordAndFieldFilters) {
  ClkPositionDeriver a = MakeDeriver(1024, 1, ClkLevel::kRecord);
  ClkPositionDeriver b = MakeDeriver(1024, 1, ClkLevel::kField);
  EXPECT_LT(MeanOverlap(a, 0, b, 0, 20), 0.8);
}

TEST(ClkPositionsTest, LongQgramsDifferingLateOrInLengthDiffer) {
  ClkPositionDeriver d = MakeDeriver(8192);
  const std::vector<uint32_t> a = {'a', 'b', 'c', 'd', 'e', 'f', 'g'};
  const std::vector<uint32_t> b = {'a', 'b', 'c', 'd', 'e', 'f', 'h'};
  const std::vector<uint32_t> prefix = {'a', 'b', 'c', 'd'};
  const std::vector<uint32_t> longer = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
  std::set<std::vector<uint32_t>> results;
  for (const auto* g : {&a, &b, &prefix, &longer}) {
    auto p = d.Positions(0, *g, 16);
    ASSERT_TRUE(p.ok());
    results.insert(*p);
  }
  EXPECT_EQ(results.size(), 4u);
}

// With L = 192 (not a power of two) chunks are 8 bits and values ≥ 192 are
// rejected; accepted positions must still be uniform over [0, 192).
TEST(ClkPositionsTest, RejectionSamplingIsUniformForNonPowerOfTwoLength) {
  ClkPositionDeriver d = MakeDeriver(192);
  std::vector<int> counts(192, 0);
  for (uint32_t i = 0; i < 19200; ++i) {
    const std::vector<uint32_t> g = {i >> 8 & 0xFF, i & 0xFF};
    auto p = d.Positions(0, g, 1);
    ASSERT_TRUE(p.ok());
    ++counts[(*p)[0]];
  }
  // 100 expected per position, sd 10: allow 5 sd.
  EXPECT_GT(*std::min_element(counts.begin(), counts.end()), 50);
  EXPECT_LT(*std::max_element(counts.begin(), counts.end()), 150);
  // The top quarter [128, 192) is not starved by the rejection.
  int top = 0;
  for (int p = 128; p < 192; ++p) top += counts[p];
  EXPECT_NEAR(top, 6400, 400);
}

// The per-q-gram "already chosen" stamps wrap every 65535 q-grams; a stale
// stamp after the wrap would make a q-gram skip a position and pick another.
TEST(ClkPositionsTest, RepeatedQgramKeepsItsPositionsAcrossStampWrap) {
  ClkPositionDeriver d = MakeDeriver(1024);
  const std::vector<uint32_t> cps = {'x', 'y'};
  auto before = d.Positions(0, cps, 30);
  ASSERT_TRUE(before.ok());
  const std::vector<QgramSlot> slots(70000, QgramSlot{0, 2, 0, 30, 0});
  std::vector<uint64_t> f(16, 0);
  uint64_t* target = f.data();
  ASSERT_TRUE(d.SetBits(cps, slots, {&target, 1}).ok());
  std::vector<uint64_t> expected(16, 0);
  for (uint32_t p : *before) expected[p / 64] |= uint64_t{1} << (p % 64);
  EXPECT_EQ(f, expected);
  auto after = d.Positions(0, cps, 30);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);
}

TEST(ClkPositionsTest, RejectsOutOfRangeSlotsWithoutWriting) {
  ClkPositionDeriver d = MakeDeriver(1024);
  const std::vector<uint32_t> cps = {'a', 'b'};
  std::vector<uint64_t> f(16, 0);
  uint64_t* target = f.data();
  const QgramSlot good{0, 2, 0, 10, 0};
  for (const QgramSlot& bad : {QgramSlot{0, 2, 0, 0, 0}, QgramSlot{0, 2, 0, 65, 0},
                               QgramSlot{1, 2, 0, 10, 0}, QgramSlot{0, 0, 0, 10, 0},
                               QgramSlot{0, 2, 0, 10, 1}}) {
    const QgramSlot slots[] = {good, bad};
    EXPECT_EQ(d.SetBits(cps, slots, {&target, 1}).code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(f, std::vector<uint64_t>(16, 0));
  EXPECT_FALSE(d.Positions(0, cps, 0).ok());
  EXPECT_FALSE(d.Positions(0, cps, 65).ok());
}

TEST(ClkPositionsTest, RejectsBadLengthsAndKeys) {
  EXPECT_FALSE(ClkPositionDeriver::Create(KeyWithFirstByte(0), ClkLevel::kRecord, 32).ok());
  EXPECT_FALSE(ClkPositionDeriver::Create(KeyWithFirstByte(0), ClkLevel::kRecord, 65536).ok());
  EXPECT_FALSE(ClkPositionDeriver::Create(crypto::SecretBytes::Zeroed(16),
                                          ClkLevel::kRecord, 1024).ok());
}

}  // namespace
}  // namespace fedlink::encode
