#include "linkage/crypto/ed25519.h"

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::crypto {
namespace {

std::vector<uint8_t> FromHex(absl::string_view hex) {
  const std::string bytes = absl::HexStringToBytes(hex);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

std::string AsString(const SecretBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

struct Vector {
  const char* name;
  const char* secret_key;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, TEST 1, 2, 3 and TEST SHA(abc) (the message is SHA-512 of
// "abc").
const Vector kVectors[] = {
    {"Test1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590"
     "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"Test2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e"
     "15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"Test3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d"
     "16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TestShaAbc",
     "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac"
     "90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

// RFC 8032 TEST 1's key as OpenSSL writes it (`openssl pkey`).
constexpr char kTest1PrivatePem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kTest1PublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";

class Ed25519KnownAnswerTest : public testing::TestWithParam<Vector> {};

TEST_P(Ed25519KnownAnswerTest, DerivesPublicKeyFromPrivateKey) {
  absl::StatusOr<Ed25519PrivateKey> key =
      Ed25519PrivateKey::FromBytes(SecretBytes(FromHex(GetParam().secret_key)));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(ToHex(key->public_key().bytes()), GetParam().public_key);
}

TEST_P(Ed25519KnownAnswerTest, SignMatchesVector) {
  absl::StatusOr<Ed25519PrivateKey> key =
      Ed25519PrivateKey::FromBytes(SecretBytes(FromHex(GetParam().secret_key)));
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<Ed25519Signature> signature =
      key->Sign(absl::HexStringToBytes(GetParam().message));
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(ToHex(*signature), GetParam().signature);
}

TEST_P(Ed25519KnownAnswerTest, VerifyAcceptsVectorAndRejectsEveryBitFlip) {
  absl::StatusOr<Ed25519PublicKey> key =
      Ed25519PublicKey::FromBytes(FromHex(GetParam().public_key));
  ASSERT_TRUE(key.ok()) << key.status();
  const std::string message = absl::HexStringToBytes(GetParam().message);
  const std::vector<uint8_t> signature = FromHex(GetParam().signature);
  EXPECT_TRUE(key->Verify(message, signature).ok());

  for (size_t i = 0; i < signature.size() * 8; ++i) {
    std::vector<uint8_t> tampered = signature;
    tampered[i / 8] ^= static_cast<uint8_t>(1 << (i % 8));
    EXPECT_EQ(key->Verify(message, tampered).code(),
              absl::StatusCode::kInvalidArgument)
        << "signature bit " << i;
  }
  for (size_t i = 0; i < message.size() * 8; ++i) {
    std::string tampered = message;
    tampered[i / 8] = static_cast<char>(tampered[i / 8] ^ (1 << (i % 8)));
    EXPECT_FALSE(key->Verify(tampered, signature).ok()) << "message bit " << i;
  }
  EXPECT_FALSE(key->Verify(message + '\0', signature).ok());
  for (size_t i = 0; i < kEd25519PublicKeySize * 8; ++i) {
    std::vector<uint8_t> bytes = FromHex(GetParam().public_key);
    bytes[i / 8] ^= static_cast<uint8_t>(1 << (i % 8));
    absl::StatusOr<Ed25519PublicKey> other = Ed25519PublicKey::FromBytes(bytes);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->Verify(message, signature).ok()) << "key bit " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc8032Section7_1, Ed25519KnownAnswerTest, testing::ValuesIn(kVectors),
    [](const testing::TestParamInfo<Vector>& param_info) {
      return param_info.param.name;
    });

TEST(Ed25519Test, RawPrivateKeyRoundTrips) {
  const SecretBytes seed(FromHex(kVectors[0].secret_key));
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromBytes(seed);
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<SecretBytes> bytes = key->ToBytes();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, seed);
}

TEST(Ed25519Test, PemMatchesOpenSslEncodingBothWays) {
  absl::StatusOr<Ed25519PrivateKey> key =
      Ed25519PrivateKey::FromPem(kTest1PrivatePem);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(ToHex(key->public_key().bytes()), kVectors[0].public_key);
  absl::StatusOr<SecretBytes> pem = key->ToPem();
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_EQ(AsString(*pem), kTest1PrivatePem);

  absl::StatusOr<std::string> public_pem = key->public_key().ToPem();
  ASSERT_TRUE(public_pem.ok()) << public_pem.status();
  EXPECT_EQ(*public_pem, kTest1PublicPem);
  absl::StatusOr<Ed25519PublicKey> public_key =
      Ed25519PublicKey::FromPem(kTest1PublicPem);
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  EXPECT_EQ(*public_key, key->public_key());
}

TEST(Ed25519Test, GeneratedKeysDifferAndSignVerifiably) {
  absl::StatusOr<Ed25519PrivateKey> a = Ed25519PrivateKey::Generate();
  absl::StatusOr<Ed25519PrivateKey> b = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->public_key(), b->public_key());
  absl::StatusOr<Ed25519Signature> signature = a->Sign("job manifest");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_TRUE(a->public_key().Verify("job manifest", *signature).ok());
  EXPECT_FALSE(b->public_key().Verify("job manifest", *signature).ok());

  // A generated key survives PEM and raw round trips unchanged.
  absl::StatusOr<SecretBytes> pem = a->ToPem();
  ASSERT_TRUE(pem.ok());
  absl::StatusOr<Ed25519PrivateKey> reloaded =
      Ed25519PrivateKey::FromPem(AsString(*pem));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->public_key(), a->public_key());
  absl::StatusOr<Ed25519Signature> again = reloaded->Sign("job manifest");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *signature);  // RFC 8032 signing is deterministic
}

TEST(Ed25519Test, SignsConcurrentlyFromOneKey) {
  absl::StatusOr<Ed25519PrivateKey> key =
      Ed25519PrivateKey::FromBytes(SecretBytes(FromHex(kVectors[2].secret_key)));
  ASSERT_TRUE(key.ok());
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&key, &results, t] {
      for (int i = 0; i < 20; ++i) {
        absl::StatusOr<Ed25519Signature> s =
            key->Sign(absl::HexStringToBytes(kVectors[2].message));
        results[t] = s.ok() ? ToHex(*s) : s.status().ToString();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& result : results) {
    EXPECT_EQ(result, kVectors[2].signature);
  }
}

TEST(Ed25519Test, RejectsKeysOfWrongSize) {
  for (size_t size : {0, 31, 33, 64}) {
    EXPECT_EQ(Ed25519PrivateKey::FromBytes(
                  SecretBytes(std::vector<uint8_t>(size, 1)))
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Ed25519PublicKey::FromBytes(std::vector<uint8_t>(size, 1))
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(Ed25519Test, RejectsSignatureOfWrongLength) {
  absl::StatusOr<Ed25519PublicKey> key =
      Ed25519PublicKey::FromBytes(FromHex(kVectors[0].public_key));
  ASSERT_TRUE(key.ok());
  std::vector<uint8_t> signature = FromHex(kVectors[0].signature);
  signature.pop_back();
  EXPECT_EQ(key->Verify("", signature).code(), absl::StatusCode::kInvalidArgument);
  signature.push_back(0x0b);
  signature.push_back(0);
  EXPECT_EQ(key->Verify("", signature).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(key->Verify("", {}).ok());
}

// S ≥ L must be rejected (RFC 8032 §5.1.7), or signatures are malleable:
// adding the group order L to S of a valid signature gives another
// "signature" of the same message.
TEST(Ed25519Test, RejectsNonCanonicalS) {
  absl::StatusOr<Ed25519PublicKey> key =
      Ed25519PublicKey::FromBytes(FromHex(kVectors[0].public_key));
  ASSERT_TRUE(key.ok());
  std::vector<uint8_t> signature = FromHex(kVectors[0].signature);
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  const std::vector<uint8_t> order = FromHex(
      "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    const unsigned sum = signature[32 + i] + order[i] + carry;
    signature[32 + i] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
  }
  EXPECT_FALSE(key->Verify("", signature).ok());
}

TEST(Ed25519Test, PemLoadRejectsGarbageEncryptedAndOtherKeyTypes) {
  EXPECT_EQ(Ed25519PrivateKey::FromPem("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519PrivateKey::FromPem("not a pem").status().code(),
            absl::StatusCode::kInvalidArgument);
  // A public key is not a private key, and vice versa.
  EXPECT_EQ(Ed25519PrivateKey::FromPem(kTest1PublicPem).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519PublicKey::FromPem(kTest1PrivatePem).status().code(),
            absl::StatusCode::kInvalidArgument);
  // `openssl genpkey -algorithm ed25519 -aes128`: must fail, never prompt.
  constexpr char kEncrypted[] =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
      "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAh145NDFwQU1AICCAAw\n"
      "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEHjVWJ/5H6B2qAUV8L/UiBQEQM/H\n"
      "1kXEFdJKsTOZVKjDUwPwxpSRiNjwvnHCDt+q5LWyhqSEexWs/0CTyQvQoFOHFLyv\n"
      "FBVIUG+00VGlr/5zTWc=\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";
  EXPECT_EQ(Ed25519PrivateKey::FromPem(kEncrypted).status().code(),
            absl::StatusCode::kInvalidArgument);
  // `openssl genpkey -algorithm x25519`: right format, wrong algorithm.
  constexpr char kX25519[] =
      "-----BEGIN PRIVATE KEY-----\n"
      "MC4CAQAwBQYDK2VuBCIEIJB/l93eQEZCp4UIrpW+jX5vDG9FERVPX6DoZFvOp7Ns\n"
      "-----END PRIVATE KEY-----\n";
  absl::StatusOr<Ed25519PrivateKey> wrong_type = Ed25519PrivateKey::FromPem(kX25519);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.status().code(), absl::StatusCode::kInvalidArgument);
  // The message names the problem, never the key text.
  EXPECT_EQ(wrong_type.status().message().find("MC4CAQ"), absl::string_view::npos);
}

}  // namespace
}  // namespace fedlink::crypto
