#include "linkage/crypto/aes_prf.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::crypto {
namespace {

std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

AesBlock BlockFromHex(const std::string& hex) {
  const std::vector<uint8_t> bytes = FromHex(hex);
  AesBlock block{};
  std::copy(bytes.begin(), bytes.end(), block.begin());
  return block;
}

SecretBytes KeyFromHex(const std::string& hex) {
  return SecretBytes(FromHex(hex));
}

// FIPS 197 Appendix C.3 (AES-256).
TEST(AesPrfTest, MatchesFips197Aes256Example) {
  auto prf = AesPrf::Create(KeyFromHex(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  ASSERT_TRUE(prf.ok()) << prf.status();
  AesBlock out{};
  ASSERT_TRUE(prf->EvaluateBlock(BlockFromHex("00112233445566778899aabbccddeeff"),
                                 &out)
                  .ok());
  EXPECT_EQ(ToHex(out), "8ea2b7ca516745bfeafc49904b496089");
}

// NIST SP 800-38A F.1.5 (ECB-AES256.Encrypt), all four blocks in one call.
TEST(AesPrfTest, MatchesSp80038aEcbVectorsInOneBatch) {
  auto prf = AesPrf::Create(KeyFromHex(
      "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"));
  ASSERT_TRUE(prf.ok()) << prf.status();
  const std::vector<AesBlock> in = {
      BlockFromHex("6bc1bee22e409f96e93d7e117393172a"),
      BlockFromHex("ae2d8a571e03ac9c9eb76fac45af8e51"),
      BlockFromHex("30c81c46a35ce411e5fbc1191a0a52ef"),
      BlockFromHex("f69f2445df4f9b17ad2b417be66c3710")};
  std::vector<AesBlock> out(in.size());
  ASSERT_TRUE(prf->Evaluate(in, absl::MakeSpan(out)).ok());
  EXPECT_EQ(ToHex(out[0]), "f3eed1bdb5d2a03c064b5a7e3db181f8");
  EXPECT_EQ(ToHex(out[1]), "591ccb10d410ed26dc5ba74a31362870");
  EXPECT_EQ(ToHex(out[2]), "b6ed21b99ca6f4f9f153e7b1beafed1d");
  EXPECT_EQ(ToHex(out[3]), "23304b7a39f9f3ff067d8d8f9e24ecc7");
}

TEST(AesPrfTest, InPlaceBatchEqualsBlockByBlock) {
  auto prf = AesPrf::Create(SecretBytes::Zeroed(32));
  ASSERT_TRUE(prf.ok());
  std::vector<AesBlock> blocks(100);
  for (size_t i = 0; i < blocks.size(); ++i) blocks[i][15] = static_cast<uint8_t>(i);
  std::vector<AesBlock> one_by_one(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    ASSERT_TRUE(prf->EvaluateBlock(blocks[i], &one_by_one[i]).ok());
  }
  ASSERT_TRUE(prf->Evaluate(blocks, absl::MakeSpan(blocks)).ok());
  EXPECT_EQ(blocks, one_by_one);
}

TEST(AesPrfTest, CloneComputesTheSameFunction) {
  auto key = SecretBytes::Random(32);
  ASSERT_TRUE(key.ok());
  auto prf = AesPrf::Create(*key);
  ASSERT_TRUE(prf.ok());
  auto clone = prf->Clone();
  ASSERT_TRUE(clone.ok()) << clone.status();
  const AesBlock in = BlockFromHex("000102030405060708090a0b0c0d0e0f");
  AesBlock a{}, b{};
  ASSERT_TRUE(prf->EvaluateBlock(in, &a).ok());
  ASSERT_TRUE(clone->EvaluateBlock(in, &b).ok());
  EXPECT_EQ(a, b);
}

TEST(AesPrfTest, DifferentKeysGiveDifferentOutputs) {
  SecretBytes k1 = SecretBytes::Zeroed(32);
  SecretBytes k2 = SecretBytes::Zeroed(32);
  k2.mutable_data()[31] = 1;
  auto p1 = AesPrf::Create(k1);
  auto p2 = AesPrf::Create(k2);
  ASSERT_TRUE(p1.ok() && p2.ok());
  AesBlock a{}, b{};
  ASSERT_TRUE(p1->EvaluateBlock(AesBlock{}, &a).ok());
  ASSERT_TRUE(p2->EvaluateBlock(AesBlock{}, &b).ok());
  EXPECT_NE(a, b);
}

TEST(AesPrfTest, RejectsKeysThatAreNot32Bytes) {
  EXPECT_EQ(AesPrf::Create(SecretBytes::Zeroed(16)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AesPrf::Create(SecretBytes()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AesPrfTest, RejectsMismatchedBufferSizes) {
  auto prf = AesPrf::Create(SecretBytes::Zeroed(32));
  ASSERT_TRUE(prf.ok());
  std::vector<AesBlock> in(3), out(2);
  EXPECT_EQ(prf->Evaluate(in, absl::MakeSpan(out)).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AesPrfTest, EmptyBatchIsOk) {
  auto prf = AesPrf::Create(SecretBytes::Zeroed(32));
  ASSERT_TRUE(prf.ok());
  EXPECT_TRUE(prf->Evaluate({}, {}).ok());
}

}  // namespace
}  // namespace fedlink::crypto
