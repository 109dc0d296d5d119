#include "linkage/crypto/aead.h"

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::crypto {
namespace {

std::string Hex(absl::string_view s) {
  return ToHex(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size()));
}

std::vector<uint8_t> FromHex(absl::string_view hex) {
  const std::string bytes = absl::HexStringToBytes(hex);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

struct Vector {
  const char* name;
  AeadAlgorithm algorithm;
  const char* key;
  const char* nonce;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B
// (the vectors NIST SP 800-38D validation starts from): test cases 1-4
// (AES-128) and 13-16 (AES-256), and RFC 8439 §2.8.2 for ChaCha20-Poly1305.
constexpr char kGcmKey128[] = "feffe9928665731c6d6a8f9467308308";
constexpr char kGcmKey256[] =
    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr char kGcmNonce[] = "cafebabefacedbaddecaf888";
constexpr char kGcmAad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr char kGcmPlaintext64[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
constexpr char kGcmPlaintext60[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
constexpr char kZero16[] = "00000000000000000000000000000000";
constexpr char kZero12[] = "000000000000000000000000";

const Vector kVectors[] = {
    {"GcmTestCase1", AeadAlgorithm::kAes128Gcm, kZero16, kZero12, "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"GcmTestCase2", AeadAlgorithm::kAes128Gcm, kZero16, kZero12, "", kZero16,
     "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"},
    {"GcmTestCase3", AeadAlgorithm::kAes128Gcm, kGcmKey128, kGcmNonce, "",
     kGcmPlaintext64,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"GcmTestCase4", AeadAlgorithm::kAes128Gcm, kGcmKey128, kGcmNonce, kGcmAad,
     kGcmPlaintext60,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"GcmTestCase13", AeadAlgorithm::kAes256Gcm,
     "0000000000000000000000000000000000000000000000000000000000000000",
     kZero12, "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"GcmTestCase14", AeadAlgorithm::kAes256Gcm,
     "0000000000000000000000000000000000000000000000000000000000000000",
     kZero12, "", kZero16, "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"GcmTestCase15", AeadAlgorithm::kAes256Gcm, kGcmKey256, kGcmNonce, "",
     kGcmPlaintext64,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"GcmTestCase16", AeadAlgorithm::kAes256Gcm, kGcmKey256, kGcmNonce, kGcmAad,
     kGcmPlaintext60,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    // RFC 8439 §2.8.2. The plaintext is the ASCII sentence "Ladies and
    // Gentlemen of the class of '99: If I could offer you only one tip for
    // the future, sunscreen would be it."
    {"Rfc8439Section2_8_2", AeadAlgorithm::kChaCha20Poly1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
     "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
     "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
     "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
     "637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
     "3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
};

Aead MakeAead(AeadAlgorithm algorithm, absl::string_view key_hex) {
  absl::StatusOr<Aead> aead =
      Aead::Create(algorithm, SecretBytes(FromHex(key_hex)));
  EXPECT_TRUE(aead.ok()) << aead.status();
  return *std::move(aead);
}

class AeadKnownAnswerTest : public testing::TestWithParam<Vector> {};

TEST_P(AeadKnownAnswerTest, SealMatchesVector) {
  const Vector& v = GetParam();
  const Aead aead = MakeAead(v.algorithm, v.key);
  absl::StatusOr<std::string> sealed =
      aead.Seal(FromHex(v.nonce), absl::HexStringToBytes(v.plaintext),
                absl::HexStringToBytes(v.aad));
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(Hex(*sealed), std::string(v.ciphertext) + v.tag);
}

TEST_P(AeadKnownAnswerTest, OpenRecoversPlaintext) {
  const Vector& v = GetParam();
  const Aead aead = MakeAead(v.algorithm, v.key);
  absl::StatusOr<std::string> opened = aead.Open(
      FromHex(v.nonce), absl::HexStringToBytes(std::string(v.ciphertext) + v.tag),
      absl::HexStringToBytes(v.aad));
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(Hex(*opened), v.plaintext);
}

std::unique_ptr<AeadContext> MakeContext(const Aead& aead) {
  absl::StatusOr<std::unique_ptr<AeadContext>> context = aead.NewContext();
  EXPECT_TRUE(context.ok()) << context.status();
  return *std::move(context);
}

// A context keyed once gives the vector's bytes on every use, the aad given
// in pieces, and after a failed open in between.
TEST_P(AeadKnownAnswerTest, ContextSealsAndOpensVectorRepeatedly) {
  const Vector& v = GetParam();
  const Aead aead = MakeAead(v.algorithm, v.key);
  std::unique_ptr<AeadContext> context = MakeContext(aead);
  EXPECT_EQ(context->algorithm(), v.algorithm);
  const std::string aad = absl::HexStringToBytes(v.aad);
  const std::string plaintext = absl::HexStringToBytes(v.plaintext);
  const std::string expected = std::string(v.ciphertext) + v.tag;
  const absl::string_view aad_view(aad);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    std::string out = "prefix";
    ASSERT_TRUE(context
                    ->Seal(FromHex(v.nonce), plaintext,
                           {aad_view.substr(0, aad.size() / 2),
                            aad_view.substr(aad.size() / 2)},
                           &out)
                    .ok());
    EXPECT_EQ(out.substr(0, 6), "prefix");
    EXPECT_EQ(Hex(out.substr(6)), expected);
    absl::StatusOr<std::string> opened = context->Open(
        FromHex(v.nonce), absl::HexStringToBytes(expected), {aad_view});
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(Hex(*opened), v.plaintext);
    std::string forged = absl::HexStringToBytes(expected);
    forged.back() = static_cast<char>(forged.back() ^ 1);
    EXPECT_EQ(context->Open(FromHex(v.nonce), forged, {aad_view})
                  .status()
                  .code(),
              absl::StatusCode::kDataLoss);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, AeadKnownAnswerTest, testing::ValuesIn(kVectors),
    [](const testing::TestParamInfo<Vector>& param_info) {
      return param_info.param.name;
    });

class AeadAlgorithmTest : public testing::TestWithParam<AeadAlgorithm> {
 protected:
  Aead MakeRandomAead() {
    absl::StatusOr<SecretBytes> key = SecretBytes::Random(AeadKeySize(GetParam()));
    EXPECT_TRUE(key.ok());
    absl::StatusOr<Aead> aead = Aead::Create(GetParam(), *std::move(key));
    EXPECT_TRUE(aead.ok()) << aead.status();
    return *std::move(aead);
  }
};

void ExpectAuthenticationFailure(const absl::StatusOr<std::string>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(result.status().message().find("authentication failed"),
            absl::string_view::npos);
}

TEST_P(AeadAlgorithmTest, ReportsItsAlgorithm) {
  EXPECT_EQ(MakeRandomAead().algorithm(), GetParam());
}

TEST_P(AeadAlgorithmTest, RejectsKeyOfWrongSize) {
  for (size_t size : {0, 15, 16, 24, 31, 32, 33}) {
    absl::StatusOr<Aead> aead =
        Aead::Create(GetParam(), SecretBytes(std::vector<uint8_t>(size, 1)));
    if (size == AeadKeySize(GetParam())) {
      EXPECT_TRUE(aead.ok()) << aead.status();
    } else {
      ASSERT_FALSE(aead.ok()) << size;
      EXPECT_EQ(aead.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST_P(AeadAlgorithmTest, RejectsNonceOfWrongSize) {
  const Aead aead = MakeRandomAead();
  for (size_t size : {0, 8, 11, 13, 16}) {
    const std::vector<uint8_t> nonce(size, 7);
    EXPECT_EQ(aead.Seal(nonce, "pt", "aad").status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(aead.Open(nonce, std::string(32, 'x'), "aad").status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST_P(AeadAlgorithmTest, RoundTripsEmptyAndLongMessages) {
  const Aead aead = MakeRandomAead();
  const std::vector<uint8_t> nonce(kAeadNonceSize, 3);
  for (size_t size : {0, 1, 15, 16, 17, 1000, 70000}) {
    std::string plaintext(size, '\0');
    for (size_t i = 0; i < size; ++i) plaintext[i] = static_cast<char>(i * 31);
    absl::StatusOr<std::string> sealed = aead.Seal(nonce, plaintext, "ctx");
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    EXPECT_EQ(sealed->size(), size + kAeadTagSize);
    absl::StatusOr<std::string> opened = aead.Open(nonce, *sealed, "ctx");
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST_P(AeadAlgorithmTest, RandomNonceIsPrependedAndFresh) {
  const Aead aead = MakeRandomAead();
  absl::StatusOr<std::string> a = aead.SealWithRandomNonce("message", "aad");
  absl::StatusOr<std::string> b = aead.SealWithRandomNonce("message", "aad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), kAeadNonceSize + 7 + kAeadTagSize);
  EXPECT_NE(a->substr(0, kAeadNonceSize), b->substr(0, kAeadNonceSize));
  EXPECT_NE(*a, *b);
  // The same bytes open through Open with the nonce split off by hand.
  const std::string nonce = a->substr(0, kAeadNonceSize);
  absl::StatusOr<std::string> split = aead.Open(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(nonce.data()),
                          nonce.size()),
      a->substr(kAeadNonceSize), "aad");
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(*split, "message");
  absl::StatusOr<std::string> opened = aead.OpenWithPrependedNonce(*b, "aad");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "message");
}

// Every single-bit flip anywhere in nonce ‖ ciphertext ‖ tag is rejected.
TEST_P(AeadAlgorithmTest, RejectsEveryBitFlipInNonceCiphertextAndTag) {
  const Aead aead = MakeRandomAead();
  absl::StatusOr<std::string> sealed =
      aead.SealWithRandomNonce("attack at dawn", "header");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  for (size_t byte = 0; byte < sealed->size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = *sealed;
      tampered[byte] = static_cast<char>(tampered[byte] ^ (1 << bit));
      SCOPED_TRACE(testing::Message() << "byte " << byte << " bit " << bit);
      ExpectAuthenticationFailure(aead.OpenWithPrependedNonce(tampered, "header"));
    }
  }
}

TEST_P(AeadAlgorithmTest, RejectsEveryBitFlipInAad) {
  const Aead aead = MakeRandomAead();
  const std::string aad = "job-42/agency-7";
  absl::StatusOr<std::string> sealed = aead.SealWithRandomNonce("payload", aad);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  for (size_t byte = 0; byte < aad.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = aad;
      tampered[byte] = static_cast<char>(tampered[byte] ^ (1 << bit));
      ExpectAuthenticationFailure(aead.OpenWithPrependedNonce(*sealed, tampered));
    }
  }
  ExpectAuthenticationFailure(aead.OpenWithPrependedNonce(*sealed, ""));
  ExpectAuthenticationFailure(aead.OpenWithPrependedNonce(*sealed, aad + "x"));
}

TEST_P(AeadAlgorithmTest, RejectsTruncatedExtendedAndShortInput) {
  const Aead aead = MakeRandomAead();
  absl::StatusOr<std::string> sealed = aead.SealWithRandomNonce("payload", "");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  for (size_t size = 0; size < sealed->size(); ++size) {
    ExpectAuthenticationFailure(
        aead.OpenWithPrependedNonce(sealed->substr(0, size), ""));
  }
  ExpectAuthenticationFailure(aead.OpenWithPrependedNonce(*sealed + '\0', ""));
  const std::vector<uint8_t> nonce(kAeadNonceSize, 0);
  ExpectAuthenticationFailure(aead.Open(nonce, std::string(kAeadTagSize - 1, 'x'), ""));
}

TEST_P(AeadAlgorithmTest, RejectsOtherKey) {
  const Aead sealer = MakeRandomAead();
  const Aead opener = MakeRandomAead();
  absl::StatusOr<std::string> sealed = sealer.SealWithRandomNonce("payload", "");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  ExpectAuthenticationFailure(opener.OpenWithPrependedNonce(*sealed, ""));
}

// Nonces are drawn from the CSPRNG in blocks: across several blocks none
// repeats, and every sealed value opens through the one-shot Aead.
TEST_P(AeadAlgorithmTest, ContextRandomNoncesAreFreshAcrossDraws) {
  const Aead aead = MakeRandomAead();
  std::unique_ptr<AeadContext> context = MakeContext(aead);
  std::set<std::string> nonces;
  constexpr int kSeals = 1000;  // about four draws
  for (int i = 0; i < kSeals; ++i) {
    std::string out;
    ASSERT_TRUE(context->SealWithRandomNonce("message", {"a", "ad"}, &out).ok());
    ASSERT_EQ(out.size(), kAeadNonceSize + 7 + kAeadTagSize);
    nonces.insert(out.substr(0, kAeadNonceSize));
    if (i % 97 == 0) {
      absl::StatusOr<std::string> opened = aead.OpenWithPrependedNonce(out, "aad");
      ASSERT_TRUE(opened.ok()) << opened.status();
      EXPECT_EQ(*opened, "message");
      ExpectAuthenticationFailure(context->OpenWithPrependedNonce(out, {"ad", "a"}));
    }
  }
  EXPECT_EQ(nonces.size(), static_cast<size_t>(kSeals));
}

TEST_P(AeadAlgorithmTest, ContextLeavesOutputUntouchedOnError) {
  const Aead aead = MakeRandomAead();
  std::unique_ptr<AeadContext> context = MakeContext(aead);
  std::string out = "kept";
  const std::vector<uint8_t> short_nonce(kAeadNonceSize - 1, 0);
  EXPECT_EQ(context->Seal(short_nonce, "pt", {"aad"}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out, "kept");
  ExpectAuthenticationFailure(context->OpenWithPrependedNonce("short", {}));
  // Still usable after the errors.
  ASSERT_TRUE(context->SealWithRandomNonce("pt", {"aad"}, &out).ok());
  absl::StatusOr<std::string> opened =
      aead.OpenWithPrependedNonce(absl::string_view(out).substr(4), "aad");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "pt");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AeadAlgorithmTest,
                         testing::Values(AeadAlgorithm::kAes128Gcm,
                                         AeadAlgorithm::kAes256Gcm,
                                         AeadAlgorithm::kChaCha20Poly1305),
                         [](const testing::TestParamInfo<AeadAlgorithm>& param_info) {
                           switch (param_info.param) {
                             case AeadAlgorithm::kAes128Gcm:
                               return "Aes128Gcm";
                             case AeadAlgorithm::kAes256Gcm:
                               return "Aes256Gcm";
                             case AeadAlgorithm::kChaCha20Poly1305:
                               return "ChaCha20Poly1305";
                           }
                           return "Unknown";
                         });

}  // namespace
}  // namespace fedlink::crypto
