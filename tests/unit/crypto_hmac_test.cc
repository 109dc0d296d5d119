#include "linkage/crypto/hmac.h"

#include <cstdint>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::crypto {
namespace {

SecretBytes KeyFromHex(const std::string& hex) {
  const std::string bytes = absl::HexStringToBytes(hex);
  return SecretBytes(AsBytes(bytes));
}

SecretBytes Repeated(uint8_t byte, size_t n) {
  const std::vector<uint8_t> bytes(n, byte);
  return SecretBytes(bytes);
}

std::string Mac(const SecretBytes& key, std::string_view message) {
  absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(key);
  EXPECT_TRUE(hmac.ok()) << hmac.status();
  if (!hmac.ok()) return "";
  absl::StatusOr<HmacSha256Tag> tag = hmac->Compute(message);
  EXPECT_TRUE(tag.ok()) << tag.status();
  if (!tag.ok()) return "";
  return ToHex(*tag);
}

struct Rfc4231Case {
  int number;
  SecretBytes key;
  std::string data;
  std::string expected_hex;  // truncated in test case 5
};

// RFC 4231 section 4, HMAC-SHA-256 results.
std::vector<Rfc4231Case> Rfc4231Cases() {
  std::vector<Rfc4231Case> cases;
  cases.push_back({1, Repeated(0x0b, 20), "Hi There",
                   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"});
  cases.push_back({2, KeyFromHex("4a656665"), "what do ya want for nothing?",
                   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"});
  cases.push_back({3, Repeated(0xaa, 20), std::string(50, '\xdd'),
                   "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"});
  cases.push_back({4, KeyFromHex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                   std::string(50, '\xcd'),
                   "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"});
  cases.push_back({5, Repeated(0x0c, 20), "Test With Truncation",
                   "a3b6167473100ee06e0c796c2955552b"});
  cases.push_back({6, Repeated(0xaa, 131),
                   "Test Using Larger Than Block-Size Key - Hash Key First",
                   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"});
  cases.push_back({7, Repeated(0xaa, 131),
                   "This is a test using a larger than block-size key and a larger "
                   "than block-size data. The key needs to be hashed before being "
                   "used by the HMAC algorithm.",
                   "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"});
  return cases;
}

TEST(HmacSha256Test, MatchesRfc4231TestCases) {
  for (const Rfc4231Case& c : Rfc4231Cases()) {
    SCOPED_TRACE(c.number);
    // Test case 5 publishes only the first 128 bits of the tag.
    EXPECT_EQ(Mac(c.key, c.data).substr(0, c.expected_hex.size()), c.expected_hex);
  }
}

// Every message starts again from the keyed states set up in Create: later
// messages on the same instance still get the RFC answer.
TEST(HmacSha256Test, ReinitialisingKeepsTheKeyAcrossMessages) {
  absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(Repeated(0x0b, 20));
  ASSERT_TRUE(hmac.ok()) << hmac.status();
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<HmacSha256Tag> other = hmac->Compute(std::string_view("other"));
    ASSERT_TRUE(other.ok()) << other.status();
    absl::StatusOr<HmacSha256Tag> tag = hmac->Compute(std::string_view("Hi There"));
    ASSERT_TRUE(tag.ok()) << tag.status();
    EXPECT_EQ(ToHex(*tag),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  }
}

TEST(HmacSha256Test, PiecesGiveTheMacOfTheirConcatenation) {
  absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(KeyFromHex("4a656665"));
  ASSERT_TRUE(hmac.ok()) << hmac.status();
  HmacSha256Tag tag{};
  ASSERT_TRUE(hmac->ComputeInto({AsBytes("what do "), AsBytes(""),
                                 AsBytes("ya want "), AsBytes("for nothing?")},
                                &tag)
                  .ok());
  EXPECT_EQ(ToHex(tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  ASSERT_TRUE(hmac->ComputeInto({}, &tag).ok());
  absl::StatusOr<HmacSha256Tag> empty = hmac->Compute(std::string_view(""));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(tag, *empty);
}

TEST(HmacSha256Test, CloneIsIndependentAndKeepsTheKey) {
  absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(Repeated(0xaa, 20));
  ASSERT_TRUE(hmac.ok()) << hmac.status();
  absl::StatusOr<HmacSha256> clone = hmac->Clone();
  ASSERT_TRUE(clone.ok()) << clone.status();
  const std::string data(50, '\xdd');
  // Using the original between calls does not disturb the clone.
  absl::StatusOr<HmacSha256Tag> a = hmac->Compute(std::string_view("x"));
  absl::StatusOr<HmacSha256Tag> b = clone->Compute(data);
  absl::StatusOr<HmacSha256Tag> c = hmac->Compute(data);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(ToHex(*b),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  EXPECT_EQ(*b, *c);
  EXPECT_NE(*a, *c);
}

TEST(HmacSha256Test, MovedInstanceStillComputes) {
  absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(Repeated(0x0b, 20));
  ASSERT_TRUE(hmac.ok());
  HmacSha256 moved = std::move(*hmac);
  absl::StatusOr<HmacSha256Tag> tag = moved.Compute(std::string_view("Hi There"));
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(ToHex(*tag),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// Agreement with OpenSSL's own HMAC (EVP_Q_mac) around the block-size
// boundaries: keys shorter than, equal to and longer than the 64-byte block
// (hashed first), messages that fit the inner hash's first block or spill
// into a second and third, split into pieces at every offset.
TEST(HmacSha256Test, AgreesWithOpenSslHmacAcrossBlockBoundaries) {
  for (size_t key_size : {1, 20, 32, 63, 64, 65, 131}) {
    std::vector<uint8_t> key_bytes(key_size);
    for (size_t i = 0; i < key_size; ++i) key_bytes[i] = static_cast<uint8_t>(i * 7 + 1);
    absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(SecretBytes(key_bytes));
    ASSERT_TRUE(hmac.ok()) << hmac.status();
    for (size_t size : {0, 1, 40, 55, 56, 63, 64, 65, 119, 120, 128, 200}) {
      SCOPED_TRACE(testing::Message() << "key " << key_size << " message " << size);
      std::vector<uint8_t> message(size);
      for (size_t i = 0; i < size; ++i) message[i] = static_cast<uint8_t>(i ^ 0xa5);
      HmacSha256Tag expected{};
      size_t expected_size = 0;
      char digest[] = "SHA256";
      ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, key_bytes.data(),
                          key_bytes.size(), message.data(), message.size(), expected.data(),
                          expected.size(), &expected_size),
                nullptr);
      ASSERT_EQ(expected_size, expected.size());
      const absl::Span<const uint8_t> all(message);
      for (size_t split : {size_t{0}, size / 3, size}) {
        HmacSha256Tag tag{};
        ASSERT_TRUE(hmac->ComputeInto({all.subspan(0, split), all.subspan(split)}, &tag).ok());
        EXPECT_EQ(tag, expected) << "split at " << split;
      }
    }
  }
}

TEST(HmacSha256Test, DifferentKeysGiveDifferentTags) {
  EXPECT_NE(Mac(Repeated(0x01, 32), "message"), Mac(Repeated(0x02, 32), "message"));
}

TEST(HmacSha256Test, RejectsEmptyKey) {
  absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(SecretBytes());
  ASSERT_FALSE(hmac.ok());
  EXPECT_EQ(hmac.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::crypto
