#include "linkage/crypto/hkdf.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::crypto {
namespace {

std::vector<uint8_t> FromHex(const std::string& hex) {
  const std::string bytes = absl::HexStringToBytes(hex);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

std::vector<uint8_t> Range(int first, int end) {
  std::vector<uint8_t> out;
  for (int b = first; b < end; ++b) out.push_back(static_cast<uint8_t>(b));
  return out;
}

std::string Okm(const std::vector<uint8_t>& ikm, const std::vector<uint8_t>& salt,
                const std::vector<uint8_t>& info, size_t length) {
  absl::StatusOr<SecretBytes> okm =
      HkdfSha256(SecretBytes(ikm), salt,
                 std::string_view(reinterpret_cast<const char*>(info.data()),
                                  info.size()),
                 length);
  EXPECT_TRUE(okm.ok()) << okm.status();
  if (!okm.ok()) return "";
  EXPECT_EQ(okm->size(), length);
  return ToHex(okm->span());
}

// RFC 5869 appendix A.1: basic case.
TEST(HkdfSha256Test, MatchesRfc5869TestCase1) {
  EXPECT_EQ(Okm(std::vector<uint8_t>(22, 0x0b), FromHex("000102030405060708090a0b0c"),
                FromHex("f0f1f2f3f4f5f6f7f8f9"), 42),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
            "34007208d5b887185865");
}

// RFC 5869 appendix A.2: longer inputs and outputs.
TEST(HkdfSha256Test, MatchesRfc5869TestCase2) {
  EXPECT_EQ(Okm(Range(0x00, 0x50), Range(0x60, 0xb0), Range(0xb0, 0x100), 82),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
            "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

// RFC 5869 appendix A.3: zero-length salt and info.
TEST(HkdfSha256Test, MatchesRfc5869TestCase3) {
  EXPECT_EQ(Okm(std::vector<uint8_t>(22, 0x0b), {}, {}, 42),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
            "9d201395faa4b61a96c8");
}

TEST(HkdfSha256Test, InfoSeparatesOutputs) {
  const std::vector<uint8_t> ikm(32, 0x42);
  const std::vector<uint8_t> salt(16, 0x07);
  EXPECT_NE(Okm(ikm, salt, FromHex("01"), 32), Okm(ikm, salt, FromHex("02"), 32));
}

TEST(HkdfSha256Test, RejectsEmptyKeyMaterial) {
  absl::StatusOr<SecretBytes> okm = HkdfSha256(SecretBytes(), {}, "info", 32);
  ASSERT_FALSE(okm.ok());
  EXPECT_EQ(okm.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HkdfSha256Test, RejectsLengthZeroOrAboveRfcLimit) {
  const SecretBytes ikm(std::vector<uint8_t>(32, 1));
  EXPECT_EQ(HkdfSha256(ikm, {}, "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HkdfSha256(ikm, {}, "", kHkdfSha256MaxLength + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<SecretBytes> longest = HkdfSha256(ikm, {}, "", kHkdfSha256MaxLength);
  ASSERT_TRUE(longest.ok()) << longest.status();
  EXPECT_EQ(longest->size(), kHkdfSha256MaxLength);
}

// The two halves separately: RFC 5869 appendix A gives each test case's PRK,
// and expanding it must give the same OKM as the one-call form.
struct SplitCase {
  std::vector<uint8_t> ikm, salt, info;
  size_t length;
  const char* prk;
  const char* okm;
};

void ExpectSplitMatches(const SplitCase& c) {
  absl::StatusOr<SecretBytes> prk = HkdfSha256Extract(c.salt, SecretBytes(c.ikm));
  ASSERT_TRUE(prk.ok()) << prk.status();
  EXPECT_EQ(ToHex(prk->span()), c.prk);
  absl::StatusOr<SecretBytes> okm = HkdfSha256Expand(
      *prk,
      std::string_view(reinterpret_cast<const char*>(c.info.data()), c.info.size()),
      c.length);
  ASSERT_TRUE(okm.ok()) << okm.status();
  EXPECT_EQ(ToHex(okm->span()), c.okm);
}

TEST(HkdfSha256Test, ExtractThenExpandMatchesRfc5869TestCase1) {
  ExpectSplitMatches({std::vector<uint8_t>(22, 0x0b),
                      FromHex("000102030405060708090a0b0c"),
                      FromHex("f0f1f2f3f4f5f6f7f8f9"), 42,
                      "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                      "34007208d5b887185865"});
}

TEST(HkdfSha256Test, ExtractThenExpandMatchesRfc5869TestCase2) {
  ExpectSplitMatches({Range(0x00, 0x50), Range(0x60, 0xb0), Range(0xb0, 0x100), 82,
                      "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                      "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                      "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                      "cc30c58179ec3e87c14c01d5c1f3434f1d87"});
}

TEST(HkdfSha256Test, ExtractThenExpandMatchesRfc5869TestCase3) {
  ExpectSplitMatches({std::vector<uint8_t>(22, 0x0b), {}, {}, 42,
                      "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                      "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                      "9d201395faa4b61a96c8"});
}

TEST(HkdfSha256Test, SplitFormRejectsBadInputs) {
  EXPECT_EQ(HkdfSha256Extract({}, SecretBytes()).status().code(),
            absl::StatusCode::kInvalidArgument);
  const SecretBytes short_prk(std::vector<uint8_t>(kHkdfSha256PrkLength - 1, 1));
  EXPECT_EQ(HkdfSha256Expand(short_prk, "", 32).status().code(),
            absl::StatusCode::kInvalidArgument);
  const SecretBytes prk(std::vector<uint8_t>(kHkdfSha256PrkLength, 1));
  EXPECT_EQ(HkdfSha256Expand(prk, "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HkdfSha256Expand(prk, "", kHkdfSha256MaxLength + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// HPKE's labeled info strings carry binary lengths and can be long; the
// expand step must take every byte, including NULs, and more than 1 KiB.
TEST(HkdfSha256Test, ExpandUsesEveryInfoByte) {
  const SecretBytes prk(std::vector<uint8_t>(kHkdfSha256PrkLength, 7));
  std::string info(3000, '\0');
  absl::StatusOr<SecretBytes> base = HkdfSha256Expand(prk, info, 32);
  ASSERT_TRUE(base.ok()) << base.status();
  for (size_t i : {size_t{0}, size_t{1500}, info.size() - 1}) {
    std::string changed = info;
    changed[i] = 1;
    absl::StatusOr<SecretBytes> other = HkdfSha256Expand(prk, changed, 32);
    ASSERT_TRUE(other.ok()) << other.status();
    EXPECT_FALSE(*other == *base) << "info byte " << i;
  }
}

}  // namespace
}  // namespace fedlink::crypto
