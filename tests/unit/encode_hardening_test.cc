#include "linkage/encode/hardening.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/crypto/aes_ctr_rng.h"

namespace fedlink::encode {
namespace {

crypto::SecretBytes Key(uint8_t b) {
  crypto::SecretBytes key = crypto::SecretBytes::Zeroed(32);
  key.mutable_data()[0] = b;
  return key;
}

size_t Popcount(const BloomFilter& f) {
  size_t n = 0;
  for (uint64_t w : f.words) n += static_cast<size_t>(std::popcount(w));
  return n;
}

bool Bit(const BloomFilter& f, size_t i) { return (f.words[i / 64] >> (i % 64)) & 1; }

BloomFilter RandomFilter(size_t words, std::mt19937_64& rng) {
  BloomFilter f;
  for (size_t i = 0; i < words; ++i) f.words.push_back(rng() & rng());  // ~1/4 set
  return f;
}

TEST(HardeningTest, HardenedLengthFollowsFoldThenBalance) {
  schema::BloomHardening h;
  EXPECT_EQ(HardenedBits(h, 1024), 1024u);
  h.xor_fold = true;
  EXPECT_EQ(HardenedBits(h, 1024), 512u);
  h.balance = true;
  EXPECT_EQ(HardenedBits(h, 1024), 1024u);
  h.xor_fold = false;
  EXPECT_EQ(HardenedBits(h, 1024), 2048u);
  h.blip_flip_probability = 0.1;  // BLIP keeps the length
  EXPECT_EQ(HardenedBits(h, 1024), 2048u);
}

TEST(HardeningTest, XorFoldXorsTheHalvesAndHalvesTheLength) {
  BloomFilter f{{0b1100, 0xFF00, 0b1010, 0x0FF0}};
  ASSERT_TRUE(XorFold(&f).ok());
  EXPECT_EQ(f.words, std::vector<uint64_t>({0b0110, 0xF0F0}));
}

TEST(HardeningTest, XorFoldRejectsAnOddNumberOfWords) {
  BloomFilter f{{1, 2, 3}};
  EXPECT_EQ(XorFold(&f).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f.words.size(), 3u);
  BloomFilter empty;
  EXPECT_FALSE(XorFold(&empty).ok());
}

TEST(HardeningTest, BalancingPermutationIsAPermutationOfTwiceTheLength) {
  auto perm = BalancingPermutation::Create(Key(1), 42, 1024);
  ASSERT_TRUE(perm.ok()) << perm.status();
  EXPECT_EQ(perm->input_bits(), 1024u);
  std::vector<uint16_t> sorted = perm->targets();
  ASSERT_EQ(sorted.size(), 2048u);
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint16_t> identity(2048);
  std::iota(identity.begin(), identity.end(), uint16_t{0});
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(perm->targets(), identity);  // not the identity
}

TEST(HardeningTest, BalancingPermutationDependsOnKeyAndStream) {
  auto a = BalancingPermutation::Create(Key(1), 42, 512);
  auto same = BalancingPermutation::Create(Key(1), 42, 512);
  auto other_key = BalancingPermutation::Create(Key(2), 42, 512);
  auto other_stream = BalancingPermutation::Create(Key(1), 43, 512);
  ASSERT_TRUE(a.ok() && same.ok() && other_key.ok() && other_stream.ok());
  EXPECT_EQ(a->targets(), same->targets());
  EXPECT_NE(a->targets(), other_key->targets());
  EXPECT_NE(a->targets(), other_stream->targets());
}

TEST(HardeningTest, BalancingDoublesLengthAndSetsExactlyHalf) {
  auto perm = BalancingPermutation::Create(Key(1), 7, 1024);
  ASSERT_TRUE(perm.ok());
  std::mt19937_64 rng(3);
  BloomFilter out;
  for (int trial = 0; trial < 20; ++trial) {
    const BloomFilter in = RandomFilter(16, rng);
    ASSERT_TRUE(perm->Apply(in, &out).ok());
    ASSERT_EQ(out.words.size(), 32u);
    EXPECT_EQ(Popcount(out), 1024u);
    // Each input bit lands where the permutation says, its complement too.
    for (size_t i = 0; i < 1024; ++i) {
      ASSERT_EQ(Bit(out, perm->targets()[i]), Bit(in, i));
      ASSERT_EQ(Bit(out, perm->targets()[1024 + i]), !Bit(in, i));
    }
  }
  BloomFilter zeros{std::vector<uint64_t>(16, 0)};
  ASSERT_TRUE(perm->Apply(zeros, &out).ok());
  EXPECT_EQ(Popcount(out), 1024u);
}

TEST(HardeningTest, BalancingRejectsWrongLengths) {
  EXPECT_FALSE(BalancingPermutation::Create(Key(1), 0, 100).ok());
  EXPECT_FALSE(BalancingPermutation::Create(Key(1), 0, 0).ok());
  EXPECT_FALSE(BalancingPermutation::Create(Key(1), 0, 65536).ok());
  auto perm = BalancingPermutation::Create(Key(1), 0, 128);
  ASSERT_TRUE(perm.ok());
  BloomFilter wrong{{1, 2, 3}};
  BloomFilter out;
  EXPECT_EQ(perm->Apply(wrong, &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST(HardeningTest, BlipWithZeroProbabilityChangesNothing) {
  std::mt19937_64 rng(1);
  BloomFilter f = RandomFilter(16, rng);
  const BloomFilter before = f;
  ApplyBlip(0.0, rng, &f);
  EXPECT_EQ(f, before);
}

// Flips counted over 1000 filters of 1024 bits with a fixed seed.
struct FlipStats {
  double rate;            // flipped / all bits
  double first_half_rate;
  double count_variance;  // of flips per filter
};

template <typename Urbg>
FlipStats MeasureBlip(double f, Urbg& urbg) {
  constexpr int kFilters = 1000;
  constexpr size_t kWords = 16;
  std::mt19937_64 content(99);
  double flipped = 0, first_half = 0, sum = 0, sum_sq = 0;
  for (int t = 0; t < kFilters; ++t) {
    BloomFilter in = RandomFilter(kWords, content);
    BloomFilter out = in;
    ApplyBlip(f, urbg, &out);
    double n = 0;
    for (size_t w = 0; w < kWords; ++w) {
      const int c = std::popcount(in.words[w] ^ out.words[w]);
      n += c;
      if (w < kWords / 2) first_half += c;
    }
    flipped += n;
    sum += n;
    sum_sq += n * n;
  }
  const double bits = kFilters * kWords * 64.0;
  const double mean = sum / kFilters;
  return {flipped / bits, first_half / (bits / 2),
          sum_sq / kFilters - mean * mean};
}

TEST(HardeningTest, BlipFlipsBitsAtTheConfiguredRate) {
  for (double f : {0.02, 0.1, 0.25, 0.45}) {
    std::mt19937_64 rng(2024);
    const FlipStats s = MeasureBlip(f, rng);
    // 1,024,000 bits: sd of the rate ≤ 0.0005; allow about 6 sd.
    EXPECT_NEAR(s.rate, f, 0.003) << "f=" << f;
    EXPECT_NEAR(s.first_half_rate, f, 0.004) << "f=" << f;
    // Independent flips: flips per 1024-bit filter are Binomial(1024, f).
    const double binomial_variance = 1024 * f * (1 - f);
    EXPECT_NEAR(s.count_variance / binomial_variance, 1.0, 0.2) << "f=" << f;
  }
}

TEST(HardeningTest, BlipIsReproducibleWithAFixedSeed) {
  std::mt19937_64 content(5);
  const BloomFilter in = RandomFilter(16, content);
  BloomFilter a = in, b = in;
  std::mt19937_64 r1(8), r2(8);
  ApplyBlip(0.2, r1, &a);
  ApplyBlip(0.2, r2, &b);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, in);
}

TEST(HardeningTest, BlipWorksWithTheCsprngAndA32BitGenerator) {
  auto csprng = crypto::AesCtrRng::CreateRandomlySeeded();
  ASSERT_TRUE(csprng.ok());
  EXPECT_NEAR(MeasureBlip(0.1, *csprng).rate, 0.1, 0.003);
  EXPECT_TRUE(csprng->status().ok());
  std::mt19937 narrow(7);
  EXPECT_NEAR(MeasureBlip(0.1, narrow).rate, 0.1, 0.003);
}

}  // namespace
}  // namespace fedlink::encode
