#include "linkage/crypto/x25519.h"

#include <cstdint>
#include <string>
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

// RFC 7748 §6.1.
constexpr char kAlicePrivate[] =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr char kAlicePublic[] =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
constexpr char kBobPrivate[] =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
constexpr char kBobPublic[] =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
constexpr char kShared[] =
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

X25519PrivateKey Key(absl::string_view hex) {
  absl::StatusOr<X25519PrivateKey> key =
      X25519PrivateKey::FromBytes(SecretBytes(FromHex(hex)));
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

X25519PublicKey PublicKey(absl::string_view hex) {
  absl::StatusOr<X25519PublicKey> key = X25519PublicKey::FromBytes(FromHex(hex));
  EXPECT_TRUE(key.ok()) << key.status();
  return *key;
}

TEST(X25519Test, DerivesRfc7748PublicKeys) {
  EXPECT_EQ(ToHex(Key(kAlicePrivate).public_key().bytes()), kAlicePublic);
  EXPECT_EQ(ToHex(Key(kBobPrivate).public_key().bytes()), kBobPublic);
}

TEST(X25519Test, ComputesRfc7748SharedSecretBothWays) {
  absl::StatusOr<SecretBytes> alice =
      Key(kAlicePrivate).ComputeSharedSecret(PublicKey(kBobPublic));
  absl::StatusOr<SecretBytes> bob =
      Key(kBobPrivate).ComputeSharedSecret(PublicKey(kAlicePublic));
  ASSERT_TRUE(alice.ok()) << alice.status();
  ASSERT_TRUE(bob.ok()) << bob.status();
  EXPECT_EQ(ToHex(alice->span()), kShared);
  EXPECT_EQ(ToHex(bob->span()), kShared);
}

// Points of small order give the all-zero output every attacker can predict
// (RFC 7748 §6.1); HPKE requires the check (RFC 9180 §7.1.4).
TEST(X25519Test, RejectsSmallOrderPeerKeys) {
  const X25519PrivateKey alice = Key(kAlicePrivate);
  for (const char* point : {
           "0000000000000000000000000000000000000000000000000000000000000000",
           "0100000000000000000000000000000000000000000000000000000000000000",
           "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
           "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
       }) {
    absl::StatusOr<SecretBytes> secret =
        alice.ComputeSharedSecret(PublicKey(point));
    ASSERT_FALSE(secret.ok()) << point;
    EXPECT_EQ(secret.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(X25519Test, GeneratedKeysAgree) {
  absl::StatusOr<X25519PrivateKey> a = X25519PrivateKey::Generate();
  absl::StatusOr<X25519PrivateKey> b = X25519PrivateKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->public_key(), b->public_key());
  absl::StatusOr<SecretBytes> ab = a->ComputeSharedSecret(b->public_key());
  absl::StatusOr<SecretBytes> ba = b->ComputeSharedSecret(a->public_key());
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_EQ(*ab, *ba);
}

TEST(X25519Test, RawAndPemRoundTrip) {
  const X25519PrivateKey alice = Key(kAlicePrivate);
  absl::StatusOr<SecretBytes> raw = alice.ToBytes();
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(ToHex(raw->span()), kAlicePrivate);

  absl::StatusOr<SecretBytes> pem = alice.ToPem();
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_EQ(AsString(*pem).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  absl::StatusOr<X25519PrivateKey> reloaded =
      X25519PrivateKey::FromPem(AsString(*pem));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->public_key(), alice.public_key());

  absl::StatusOr<std::string> public_pem = alice.public_key().ToPem();
  ASSERT_TRUE(public_pem.ok());
  absl::StatusOr<X25519PublicKey> public_key = X25519PublicKey::FromPem(*public_pem);
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  EXPECT_EQ(*public_key, alice.public_key());
}

TEST(X25519Test, LoadsOpenSslGeneratedPem) {
  // `openssl genpkey -algorithm x25519`.
  constexpr char kPem[] =
      "-----BEGIN PRIVATE KEY-----\n"
      "MC4CAQAwBQYDK2VuBCIEIJB/l93eQEZCp4UIrpW+jX5vDG9FERVPX6DoZFvOp7Ns\n"
      "-----END PRIVATE KEY-----\n";
  absl::StatusOr<X25519PrivateKey> key = X25519PrivateKey::FromPem(kPem);
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<SecretBytes> raw = key->ToBytes();
  ASSERT_TRUE(raw.ok());
  // The PKCS#8 body is a fixed 16-byte header followed by the raw key.
  EXPECT_EQ(ToHex(raw->span()),
            "907f97ddde404642a78508ae95be8d7e6f0c6f4511154f5fa0e8645bcea7b36c");
}

TEST(X25519Test, RejectsWrongSizesAndKeyTypes) {
  for (size_t size : {0, 31, 33}) {
    EXPECT_EQ(X25519PrivateKey::FromBytes(SecretBytes(std::vector<uint8_t>(size, 9)))
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(X25519PublicKey::FromBytes(std::vector<uint8_t>(size, 9)).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  // An Ed25519 key (RFC 8032 TEST 1) in the right format is still refused.
  constexpr char kEd25519Pem[] =
      "-----BEGIN PRIVATE KEY-----\n"
      "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
      "-----END PRIVATE KEY-----\n";
  EXPECT_EQ(X25519PrivateKey::FromPem(kEd25519Pem).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(X25519PublicKey::FromPem("garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::crypto
