#include "linkage/crypto/aes_ctr_rng.h"

#include <bit>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/crypto/aes_prf.h"

namespace fedlink::crypto {
namespace {

static_assert(std::uniform_random_bit_generator<AesCtrRng>);

SecretBytes CountingKey() {
  SecretBytes key = SecretBytes::Zeroed(32);
  for (size_t i = 0; i < key.size(); ++i) key.mutable_data()[i] = static_cast<uint8_t>(i);
  return key;
}

// The stream is specified as E_K(stream_id ‖ counter), both big-endian, each
// block read as two little-endian words: recompute it with the bare PRF.
TEST(AesCtrRngTest, StreamIsAesOfStreamIdAndCounter) {
  const uint64_t stream_id = 0x0102030405060708;
  auto rng = AesCtrRng::Create(CountingKey(), stream_id);
  ASSERT_TRUE(rng.ok()) << rng.status();
  auto prf = AesPrf::Create(CountingKey());
  ASSERT_TRUE(prf.ok());
  // 300 words cross the 128-word refill boundary twice.
  for (uint64_t counter = 0; counter < 150; ++counter) {
    AesBlock in{};
    for (int i = 0; i < 8; ++i) {
      in[i] = static_cast<uint8_t>(stream_id >> (56 - 8 * i));
      in[8 + i] = static_cast<uint8_t>(counter >> (56 - 8 * i));
    }
    AesBlock out{};
    ASSERT_TRUE(prf->EvaluateBlock(in, &out).ok());
    for (int half = 0; half < 2; ++half) {
      uint64_t expected = 0;
      for (int i = 7; i >= 0; --i) expected = (expected << 8) | out[8 * half + i];
      ASSERT_EQ((*rng)(), expected) << "block " << counter << " half " << half;
    }
  }
  EXPECT_TRUE(rng->status().ok());
}

TEST(AesCtrRngTest, StreamIdsSeparateStreams) {
  auto a = AesCtrRng::Create(CountingKey(), 1);
  auto b = AesCtrRng::Create(CountingKey(), 2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)(), (*b)());
}

TEST(AesCtrRngTest, RandomlySeededGeneratorsDiffer) {
  auto a = AesCtrRng::CreateRandomlySeeded();
  auto b = AesCtrRng::CreateRandomlySeeded();
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<uint64_t> xa, xb;
  for (int i = 0; i < 4; ++i) {
    xa.push_back((*a)());
    xb.push_back((*b)());
  }
  EXPECT_NE(xa, xb);
}

TEST(AesCtrRngTest, OutputBitsAreBalanced) {
  auto rng = AesCtrRng::CreateRandomlySeeded();
  ASSERT_TRUE(rng.ok());
  constexpr int kWords = 4096;
  int ones = 0;
  for (int i = 0; i < kWords; ++i) ones += std::popcount((*rng)());
  // 262144 fair bits: mean 131072, sd 256; 8 sd either side.
  EXPECT_NEAR(ones, kWords * 32, 2048);
}

TEST(AesCtrRngTest, MovedGeneratorContinuesTheStream) {
  auto a = AesCtrRng::Create(CountingKey(), 7);
  auto b = AesCtrRng::Create(CountingKey(), 7);
  ASSERT_TRUE(a.ok() && b.ok());
  (void)(*a)();
  (void)(*b)();
  AesCtrRng moved = std::move(*a);
  EXPECT_EQ(moved(), (*b)());
}

TEST(AesCtrRngTest, RejectsShortKey) {
  EXPECT_EQ(AesCtrRng::Create(SecretBytes::Zeroed(31), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::crypto
