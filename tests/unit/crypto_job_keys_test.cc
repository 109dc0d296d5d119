#include "linkage/crypto/job_keys.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/crypto/hkdf.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::crypto {
namespace {

std::vector<uint8_t> Range(int first, int end) {
  std::vector<uint8_t> out;
  for (int b = first; b < end; ++b) out.push_back(static_cast<uint8_t>(b));
  return out;
}

// Expected values computed independently with the OpenSSL command line:
//   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:0001…1f
//     -kdfopt hexsalt:a0a1…af -kdfopt hexinfo:<hex of the info string> HKDF
TEST(DeriveJobKeysTest, MatchesIndependentlyComputedKeys) {
  absl::StatusOr<JobKeys> keys =
      DeriveJobKeys(SecretBytes(Range(0x00, 0x20)), Range(0xa0, 0xb0));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(ToHex(keys->token_key.span()),
            "b7decd374d4de95ca61acc2c16ca3c1face764c92683ccceab4c80df71bc33b6");
  EXPECT_EQ(ToHex(keys->bloom_key.span()),
            "faad31f9214a0da93761987f942510241c7b61cf9bc73478e0ee2d99915ff9f5");
}

TEST(DeriveJobKeysTest, KeysAreHkdfWithTheDocumentedInfoStrings) {
  const SecretBytes secret(std::vector<uint8_t>(32, 0x5a));
  const std::vector<uint8_t> nonce(24, 0x11);
  absl::StatusOr<JobKeys> keys = DeriveJobKeys(secret, nonce);
  ASSERT_TRUE(keys.ok()) << keys.status();
  absl::StatusOr<SecretBytes> token = HkdfSha256(secret, nonce, kTokenKeyInfo, 32);
  absl::StatusOr<SecretBytes> bloom = HkdfSha256(secret, nonce, kBloomKeyInfo, 32);
  ASSERT_TRUE(token.ok() && bloom.ok());
  EXPECT_EQ(keys->token_key, *token);
  EXPECT_EQ(keys->bloom_key, *bloom);
  EXPECT_EQ(keys->token_key.size(), kJobKeyBytes);
  EXPECT_FALSE(keys->token_key == keys->bloom_key);
}

TEST(DeriveJobKeysTest, DifferentNoncesGiveUnrelatedKeys) {
  const SecretBytes secret(std::vector<uint8_t>(32, 0x5a));
  absl::StatusOr<JobKeys> a = DeriveJobKeys(secret, std::vector<uint8_t>(16, 1));
  absl::StatusOr<JobKeys> b = DeriveJobKeys(secret, std::vector<uint8_t>(16, 2));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->token_key == b->token_key);
  EXPECT_FALSE(a->bloom_key == b->bloom_key);
}

TEST(DeriveJobKeysTest, DifferentSecretsGiveUnrelatedKeys) {
  const std::vector<uint8_t> nonce(16, 9);
  absl::StatusOr<JobKeys> a = DeriveJobKeys(SecretBytes(std::vector<uint8_t>(32, 1)), nonce);
  absl::StatusOr<JobKeys> b = DeriveJobKeys(SecretBytes(std::vector<uint8_t>(32, 2)), nonce);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->token_key == b->token_key);
}

TEST(DeriveJobKeysTest, RejectsSecretOfWrongSizeWithoutShowingIt) {
  for (size_t size : {0, 16, 31, 33, 64}) {
    SCOPED_TRACE(size);
    const std::vector<uint8_t> bytes(size, 0xab);
    absl::StatusOr<JobKeys> keys =
        DeriveJobKeys(SecretBytes(bytes), std::vector<uint8_t>(16, 0));
    ASSERT_FALSE(keys.ok());
    EXPECT_EQ(keys.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(keys.status().message());
    EXPECT_NE(message.find("linkage secret"), std::string::npos) << message;
    EXPECT_EQ(message.find("abab"), std::string::npos) << message;
    EXPECT_EQ(message.find("ABAB"), std::string::npos) << message;
  }
}

TEST(DeriveJobKeysTest, RejectsShortNonceWithoutShowingIt) {
  const std::vector<uint8_t> nonce(15, 0xcd);
  absl::StatusOr<JobKeys> keys =
      DeriveJobKeys(SecretBytes(std::vector<uint8_t>(32, 0xab)), nonce);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(keys.status().message());
  EXPECT_NE(message.find("job nonce"), std::string::npos) << message;
  EXPECT_EQ(message.find("abab"), std::string::npos) << message;
  EXPECT_EQ(message.find("cdcd"), std::string::npos) << message;
}

}  // namespace
}  // namespace fedlink::crypto
