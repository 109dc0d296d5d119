#include "linkage/crypto/hpke.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::crypto {
namespace {

std::vector<uint8_t> FromHex(absl::string_view hex) {
  const std::string bytes = absl::HexStringToBytes(hex);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

std::string Hex(absl::string_view s) {
  return ToHex(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size()));
}

struct Encryption {
  uint64_t sequence_number;
  const char* ciphertext;
};

struct Export {
  const char* exporter_context;
  const char* value;  // L = 32
};

struct Vector {
  const char* name;
  HpkeAead aead;
  const char* ikm_e;
  const char* pk_em;
  const char* sk_em;
  const char* ikm_r;
  const char* pk_rm;
  const char* sk_rm;
  const char* shared_secret;
  const char* key;
  const char* base_nonce;
  const char* exporter_secret;
  std::vector<Encryption> encryptions;
  std::vector<Export> exports;
};

// Shared by every RFC 9180 appendix A vector.
constexpr char kInfo[] = "4f6465206f6e2061204772656369616e2055726e";
constexpr char kPlaintext[] =
    "4265617574792069732074727574682c20747275746820626561757479";

// The aad of the encryption under sequence number n is "Count-<n>".
std::string AadFor(uint64_t sequence_number) {
  return absl::StrCat("Count-", sequence_number);
}

// RFC 9180 appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-128-GCM, base mode) and A.2.1 (same with ChaCha20Poly1305), copied
// from the RFC text.
const Vector kVectors[] = {
    {"A1_1_Aes128Gcm",
     HpkeAead::kAes128Gcm,
     "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
     "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
     "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
     "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
     "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
     "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
     "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
     "4531685d41d65f03dc48f6b8302c05b0",
     "56d890e5accaaf011cff4b7d",
     "45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8",
     {{0, "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a9"
          "6d8770ac83d07bea87e13c512a"},
      {1, "af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab25"
          "1c03d0c22a56b8ca42c2063b84"},
      {2, "498dfcabd92e8acedc281e85af1cb4e3e31c7dc394a1ca20e173cb7251649158"
          "8d96a19ad4a683518973dcc180"},
      {4, "583bd32bc67a5994bb8ceaca813d369bca7b2a42408cddef5e22f880b631215a"
          "09fc0012bc69fccaa251c0246d"},
      {255, "7175db9717964058640a3a11fb9007941a5d1757fda1a6935c805c21af32505b"
            "f106deefec4a49ac38d71c9e0a"},
      {256, "957f9800542b0b8891badb026d79cc54597cb2d225b54c00c5238c25d05c30e3"
            "fbeda97d2e0e1aba483a2df9f2"}},
     {{"", "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee"},
      {"00", "2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5"},
      {"54657374436f6e74657874",
       "e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931"}}},
    {"A2_1_ChaCha20Poly1305",
     HpkeAead::kChaCha20Poly1305,
     "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b",
     "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
     "f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
     "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df",
     "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
     "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
     "0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7",
     "ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91",
     "5c4d98150661b848853b547f",
     "a3b010d4994890e2c6968a36f64470d3c824c8f5029942feb11e7a74b2921922",
     {{0, "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db"
          "21993c62ce81883d2dd1b51a28"},
      {1, "6b53c051e4199c518de79594e1c4ab18b96f081549d45ce015be002090bb119e"
          "85285337cc95ba5f59992dc98c"},
      {2, "71146bd6795ccc9c49ce25dda112a48f202ad220559502cef1f34271e0cb4b02"
          "b4f10ecac6f48c32f878fae86b"},
      {4, "63357a2aa291f5a4e5f27db6baa2af8cf77427c7c1a909e0b37214dd47db122b"
          "b153495ff0b02e9e54a50dbe16"},
      {255, "18ab939d63ddec9f6ac2b60d61d36a7375d2070c9b683861110757062c52b888"
            "0a5f6b3936da9cd6c23ef2a95c"},
      {256, "7a4a13e9ef23978e2c520fd4d2e757514ae160cd0cd05e556ef692370ca53076"
            "214c0c40d4c728d6ed9e727a5b"}},
     {{"", "4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e"},
      {"00", "8c1df14732580e5501b00f82b10a1647b40713191b7c1240ac80e2b68808ba69"},
      {"54657374436f6e74657874",
       "5acb09211139c43b3090489a9da433e8a30ee7188ba8b0a9a1ccf0c229283e53"}}},
};

X25519PrivateKey PrivateKey(absl::string_view hex) {
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

class HpkeKnownAnswerTest : public testing::TestWithParam<Vector> {
 protected:
  HpkeSenderContext Sender() {
    const Vector& v = GetParam();
    absl::StatusOr<HpkeSenderContext> sender =
        HpkeSenderContext::SetupBaseSWithEphemeralKeyForTesting(
            v.aead, PublicKey(v.pk_rm), absl::HexStringToBytes(kInfo),
            PrivateKey(v.sk_em));
    EXPECT_TRUE(sender.ok()) << sender.status();
    return *std::move(sender);
  }
  HpkeRecipientContext Recipient() {
    const Vector& v = GetParam();
    absl::StatusOr<HpkeRecipientContext> recipient =
        HpkeRecipientContext::SetupBaseR(v.aead, absl::HexStringToBytes(v.pk_em),
                                         PrivateKey(v.sk_rm),
                                         absl::HexStringToBytes(kInfo));
    EXPECT_TRUE(recipient.ok()) << recipient.status();
    return *std::move(recipient);
  }
  std::map<uint64_t, std::string> ExpectedCiphertexts() {
    std::map<uint64_t, std::string> out;
    for (const Encryption& e : GetParam().encryptions) {
      out[e.sequence_number] = e.ciphertext;
    }
    return out;
  }
};

TEST_P(HpkeKnownAnswerTest, DeriveKeyPairMatchesVector) {
  const Vector& v = GetParam();
  for (const auto& [ikm, sk, pk] : {std::make_tuple(v.ikm_e, v.sk_em, v.pk_em),
                                    std::make_tuple(v.ikm_r, v.sk_rm, v.pk_rm)}) {
    absl::StatusOr<X25519PrivateKey> key =
        HpkeDeriveKeyPair(SecretBytes(FromHex(ikm)));
    ASSERT_TRUE(key.ok()) << key.status();
    absl::StatusOr<SecretBytes> raw = key->ToBytes();
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(ToHex(raw->span()), sk);
    EXPECT_EQ(ToHex(key->public_key().bytes()), pk);
  }
}

TEST_P(HpkeKnownAnswerTest, EncapAndDecapGiveVectorSharedSecret) {
  const Vector& v = GetParam();
  absl::StatusOr<HpkeEncapsulation> encap =
      HpkeEncap(PublicKey(v.pk_rm), PrivateKey(v.sk_em));
  ASSERT_TRUE(encap.ok()) << encap.status();
  EXPECT_EQ(Hex(encap->enc), v.pk_em);  // enc is pkEm
  EXPECT_EQ(ToHex(encap->shared_secret.span()), v.shared_secret);

  absl::StatusOr<SecretBytes> decap =
      HpkeDecap(absl::HexStringToBytes(v.pk_em), PrivateKey(v.sk_rm));
  ASSERT_TRUE(decap.ok()) << decap.status();
  EXPECT_EQ(ToHex(decap->span()), v.shared_secret);
}

TEST_P(HpkeKnownAnswerTest, KeyScheduleMatchesVector) {
  const Vector& v = GetParam();
  absl::StatusOr<HpkeKeySchedule> schedule = HpkeBaseKeySchedule(
      v.aead, SecretBytes(FromHex(v.shared_secret)), absl::HexStringToBytes(kInfo));
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(ToHex(schedule->key.span()), v.key);
  EXPECT_EQ(ToHex(schedule->base_nonce.span()), v.base_nonce);
  EXPECT_EQ(ToHex(schedule->exporter_secret.span()), v.exporter_secret);
}

TEST_P(HpkeKnownAnswerTest, SenderEncryptionsMatchVector) {
  HpkeSenderContext sender = Sender();
  EXPECT_EQ(Hex(sender.enc()), GetParam().pk_em);
  const std::map<uint64_t, std::string> expected = ExpectedCiphertexts();
  const std::string plaintext = absl::HexStringToBytes(kPlaintext);
  for (uint64_t seq = 0; seq <= expected.rbegin()->first; ++seq) {
    ASSERT_EQ(sender.sequence_number(), seq);
    absl::StatusOr<std::string> ciphertext = sender.Seal(AadFor(seq), plaintext);
    ASSERT_TRUE(ciphertext.ok()) << ciphertext.status();
    if (auto it = expected.find(seq); it != expected.end()) {
      EXPECT_EQ(Hex(*ciphertext), it->second) << "sequence number " << seq;
    }
  }
}

// The recipient opens the RFC's ciphertexts at their sequence numbers; the
// messages in between come from the (deterministic) sender.
TEST_P(HpkeKnownAnswerTest, RecipientOpensVectorCiphertexts) {
  HpkeSenderContext sender = Sender();
  HpkeRecipientContext recipient = Recipient();
  const std::map<uint64_t, std::string> expected = ExpectedCiphertexts();
  const std::string plaintext = absl::HexStringToBytes(kPlaintext);
  for (uint64_t seq = 0; seq <= expected.rbegin()->first; ++seq) {
    absl::StatusOr<std::string> ciphertext = sender.Seal(AadFor(seq), plaintext);
    ASSERT_TRUE(ciphertext.ok());
    if (auto it = expected.find(seq); it != expected.end()) {
      *ciphertext = absl::HexStringToBytes(it->second);
    }
    absl::StatusOr<std::string> opened = recipient.Open(AadFor(seq), *ciphertext);
    ASSERT_TRUE(opened.ok()) << "sequence number " << seq << ": " << opened.status();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST_P(HpkeKnownAnswerTest, ExportsMatchVectorOnBothSides) {
  HpkeSenderContext sender = Sender();
  HpkeRecipientContext recipient = Recipient();
  for (const Export& e : GetParam().exports) {
    const std::string context = absl::HexStringToBytes(e.exporter_context);
    absl::StatusOr<SecretBytes> s = sender.Export(context, 32);
    absl::StatusOr<SecretBytes> r = recipient.Export(context, 32);
    ASSERT_TRUE(s.ok() && r.ok());
    EXPECT_EQ(ToHex(s->span()), e.value) << "context '" << e.exporter_context << "'";
    EXPECT_EQ(ToHex(r->span()), e.value) << "context '" << e.exporter_context << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9180AppendixA, HpkeKnownAnswerTest, testing::ValuesIn(kVectors),
    [](const testing::TestParamInfo<Vector>& param_info) {
      return param_info.param.name;
    });

// ---------------------------------------------------------------------------

class HpkeTest : public testing::TestWithParam<HpkeAead> {
 protected:
  void SetUp() override {
    absl::StatusOr<X25519PrivateKey> key = X25519PrivateKey::Generate();
    ASSERT_TRUE(key.ok());
    recipient_.emplace(*std::move(key));
  }
  const X25519PrivateKey& recipient() const { return *recipient_; }

  std::optional<X25519PrivateKey> recipient_;
};

void ExpectAuthenticationFailure(const absl::StatusOr<std::string>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
}

TEST_P(HpkeTest, SingleShotRoundTripsWithFreshEncEachTime) {
  absl::StatusOr<HpkeSealed> a =
      HpkeSeal(GetParam(), recipient().public_key(), "job-1", "aad", "secret");
  absl::StatusOr<HpkeSealed> b =
      HpkeSeal(GetParam(), recipient().public_key(), "job-1", "aad", "secret");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->enc.size(), kHpkeEncSize);
  EXPECT_EQ(a->ciphertext.size(), 6 + kAeadTagSize);
  EXPECT_NE(a->enc, b->enc);
  EXPECT_NE(a->ciphertext, b->ciphertext);
  for (const HpkeSealed* sealed : {&*a, &*b}) {
    absl::StatusOr<std::string> opened = HpkeOpen(
        GetParam(), recipient(), sealed->enc, "job-1", "aad", sealed->ciphertext);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, "secret");
  }
}

TEST_P(HpkeTest, SingleShotRejectsAnyChange) {
  absl::StatusOr<HpkeSealed> sealed = HpkeSeal(
      GetParam(), recipient().public_key(), "job-1", "aad", "payload bytes");
  ASSERT_TRUE(sealed.ok());
  const HpkeAead aead = GetParam();
  // Every bit of the ciphertext and tag.
  for (size_t i = 0; i < sealed->ciphertext.size() * 8; ++i) {
    std::string ct = sealed->ciphertext;
    ct[i / 8] = static_cast<char>(ct[i / 8] ^ (1 << (i % 8)));
    ExpectAuthenticationFailure(
        HpkeOpen(aead, recipient(), sealed->enc, "job-1", "aad", ct));
  }
  // Every bit of enc: another point (or a small-order one, InvalidArgument).
  for (size_t i = 0; i < sealed->enc.size() * 8; ++i) {
    std::string enc = sealed->enc;
    enc[i / 8] = static_cast<char>(enc[i / 8] ^ (1 << (i % 8)));
    EXPECT_FALSE(
        HpkeOpen(aead, recipient(), enc, "job-1", "aad", sealed->ciphertext).ok())
        << "enc bit " << i;
  }
  ExpectAuthenticationFailure(
      HpkeOpen(aead, recipient(), sealed->enc, "job-2", "aad", sealed->ciphertext));
  ExpectAuthenticationFailure(
      HpkeOpen(aead, recipient(), sealed->enc, "job-1", "aae", sealed->ciphertext));
  ExpectAuthenticationFailure(HpkeOpen(aead, recipient(), sealed->enc, "job-1",
                                       "aad", sealed->ciphertext.substr(1)));
  ExpectAuthenticationFailure(HpkeOpen(aead, recipient(), sealed->enc, "job-1",
                                       "aad", sealed->ciphertext + "x"));
  const HpkeAead other_aead = aead == HpkeAead::kAes128Gcm
                                  ? HpkeAead::kChaCha20Poly1305
                                  : HpkeAead::kAes128Gcm;
  ExpectAuthenticationFailure(HpkeOpen(other_aead, recipient(), sealed->enc,
                                       "job-1", "aad", sealed->ciphertext));
  absl::StatusOr<X25519PrivateKey> stranger = X25519PrivateKey::Generate();
  ASSERT_TRUE(stranger.ok());
  ExpectAuthenticationFailure(HpkeOpen(aead, *stranger, sealed->enc, "job-1",
                                       "aad", sealed->ciphertext));
}

TEST_P(HpkeTest, ContextOpensChunksInOrderOnly) {
  absl::StatusOr<HpkeSenderContext> sender =
      HpkeSenderContext::SetupBaseS(GetParam(), recipient().public_key(), "info");
  ASSERT_TRUE(sender.ok()) << sender.status();
  std::vector<std::string> chunks;
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<std::string> ct = sender->Seal("", absl::StrCat("chunk ", i));
    ASSERT_TRUE(ct.ok());
    chunks.push_back(*ct);
  }
  EXPECT_EQ(sender->sequence_number(), 4u);

  absl::StatusOr<HpkeRecipientContext> recipient_context =
      HpkeRecipientContext::SetupBaseR(GetParam(), sender->enc(), recipient(), "info");
  ASSERT_TRUE(recipient_context.ok()) << recipient_context.status();
  // Out of order: fails and does not advance.
  ExpectAuthenticationFailure(recipient_context->Open("", chunks[1]));
  EXPECT_EQ(recipient_context->sequence_number(), 0u);
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<std::string> pt = recipient_context->Open("", chunks[i]);
    ASSERT_TRUE(pt.ok()) << "chunk " << i << ": " << pt.status();
    EXPECT_EQ(*pt, absl::StrCat("chunk ", i));
    // A replay of the chunk just opened is refused.
    ExpectAuthenticationFailure(recipient_context->Open("", chunks[i]));
  }
  EXPECT_EQ(recipient_context->sequence_number(), 4u);
}

TEST_P(HpkeTest, ExportAgreesBetweenRolesAndChecksLength) {
  absl::StatusOr<HpkeSenderContext> sender =
      HpkeSenderContext::SetupBaseS(GetParam(), recipient().public_key(), "info");
  ASSERT_TRUE(sender.ok());
  absl::StatusOr<HpkeRecipientContext> recipient_context =
      HpkeRecipientContext::SetupBaseR(GetParam(), sender->enc(), recipient(), "info");
  ASSERT_TRUE(recipient_context.ok());
  absl::StatusOr<SecretBytes> s = sender->Export("channel key", 48);
  absl::StatusOr<SecretBytes> r = recipient_context->Export("channel key", 48);
  ASSERT_TRUE(s.ok() && r.ok());
  EXPECT_EQ(*s, *r);
  EXPECT_EQ(s->size(), 48u);
  absl::StatusOr<SecretBytes> other = sender->Export("other", 48);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other == *s);
  EXPECT_EQ(sender->Export("x", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sender->Export("x", kHpkeMaxExportLength + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(sender->Export("x", kHpkeMaxExportLength).ok());
}

TEST_P(HpkeTest, RejectsSmallOrderKeysAndBadEnc) {
  const X25519PublicKey zero = PublicKey(std::string(64, '0'));
  EXPECT_EQ(HpkeSenderContext::SetupBaseS(GetParam(), zero, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HpkeSeal(GetParam(), zero, "", "", "pt").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HpkeRecipientContext::SetupBaseR(GetParam(), std::string(32, '\0'),
                                             recipient(), "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  for (size_t size : {0, 31, 33, 65}) {
    EXPECT_EQ(HpkeRecipientContext::SetupBaseR(GetParam(), std::string(size, 'e'),
                                               recipient(), "")
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Aeads, HpkeTest,
                         testing::Values(HpkeAead::kAes128Gcm,
                                         HpkeAead::kChaCha20Poly1305),
                         [](const testing::TestParamInfo<HpkeAead>& param_info) {
                           return param_info.param == HpkeAead::kAes128Gcm
                                      ? "Aes128Gcm"
                                      : "ChaCha20Poly1305";
                         });

TEST(HpkeDeriveKeyPairTest, RejectsShortInputKeyingMaterial) {
  EXPECT_EQ(HpkeDeriveKeyPair(SecretBytes(std::vector<uint8_t>(31, 1))).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HpkeAeadIdTest, RejectsUnknownAeadId) {
  EXPECT_EQ(HpkeBaseKeySchedule(static_cast<HpkeAead>(0x0002),
                                SecretBytes(std::vector<uint8_t>(32, 1)), "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::crypto
