#include "linkage/crypto/hpke.h"

#include <algorithm>
#include <limits>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/hkdf.h"
#include "linkage/status_macros.h"

namespace fedlink::crypto {
namespace {

constexpr uint8_t kModeBase = 0x00;
constexpr size_t kNh = 32;   // HKDF-SHA256 output
constexpr size_t kNsk = 32;  // X25519 private key
constexpr size_t kNsecret = 32;
constexpr absl::string_view kVersionLabel = "HPKE-v1";

std::string I2osp2(size_t value) {
  return std::string{static_cast<char>((value >> 8) & 0xff),
                     static_cast<char>(value & 0xff)};
}

// suite_id inside the KEM (RFC 9180 §4.1) and in the rest of HPKE (§5.1).
std::string KemSuiteId() {
  return absl::StrCat("KEM", I2osp2(kHpkeKemDhkemX25519HkdfSha256));
}
std::string HpkeSuiteId(HpkeAead aead) {
  return absl::StrCat("HPKE", I2osp2(kHpkeKemDhkemX25519HkdfSha256),
                      I2osp2(kHpkeKdfHkdfSha256),
                      I2osp2(static_cast<uint16_t>(aead)));
}

absl::Span<const uint8_t> Bytes(absl::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()),
                             s.size());
}

absl::StatusOr<AeadAlgorithm> AeadFor(HpkeAead aead) {
  switch (aead) {
    case HpkeAead::kAes128Gcm:
      return AeadAlgorithm::kAes128Gcm;
    case HpkeAead::kChaCha20Poly1305:
      return AeadAlgorithm::kChaCha20Poly1305;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported HPKE AEAD id ", static_cast<int>(aead)));
}

// LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖
// label ‖ ikm). The labeled IKM may hold a DH output: keep it in SecretBytes.
absl::StatusOr<SecretBytes> LabeledExtract(absl::string_view suite_id,
                                           absl::Span<const uint8_t> salt,
                                           absl::string_view label,
                                           absl::Span<const uint8_t> ikm) {
  SecretBytes labeled_ikm = SecretBytes::Zeroed(
      kVersionLabel.size() + suite_id.size() + label.size() + ikm.size());
  uint8_t* out = labeled_ikm.mutable_data();
  for (absl::Span<const uint8_t> piece :
       {Bytes(kVersionLabel), Bytes(suite_id), Bytes(label), ikm}) {
    out = std::copy(piece.begin(), piece.end(), out);
  }
  return HkdfSha256Extract(salt, labeled_ikm);
}

// LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖
// suite_id ‖ label ‖ info, L). Every info fedlink passes here is public.
absl::StatusOr<SecretBytes> LabeledExpand(absl::string_view suite_id,
                                          const SecretBytes& prk,
                                          absl::string_view label,
                                          absl::string_view info,
                                          size_t length) {
  if (length > kHkdfSha256MaxLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("HPKE output length ", length, " exceeds ",
                     kHkdfSha256MaxLength));
  }
  const std::string labeled_info =
      absl::StrCat(I2osp2(length), kVersionLabel, suite_id, label, info);
  return HkdfSha256Expand(
      prk, std::string_view(labeled_info.data(), labeled_info.size()), length);
}

absl::StatusOr<SecretBytes> ExtractAndExpand(const SecretBytes& dh,
                                             absl::string_view kem_context) {
  const std::string suite_id = KemSuiteId();
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes eae_prk,
                           LabeledExtract(suite_id, {}, "eae_prk", dh.span()));
  return LabeledExpand(suite_id, eae_prk, "shared_secret", kem_context,
                       kNsecret);
}

std::string AsString(const X25519PublicKey& key) {
  return std::string(reinterpret_cast<const char*>(key.bytes().data()),
                     key.bytes().size());
}

}  // namespace

// --- Building blocks --------------------------------------------------------

absl::StatusOr<X25519PrivateKey> HpkeDeriveKeyPair(const SecretBytes& ikm) {
  if (ikm.size() < kNsk) {
    return absl::InvalidArgumentError(
        absl::StrCat("HPKE DeriveKeyPair needs at least ", kNsk,
                     " bytes of input keying material, got ", ikm.size()));
  }
  const std::string suite_id = KemSuiteId();
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes dkp_prk,
                           LabeledExtract(suite_id, {}, "dkp_prk", ikm.span()));
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes sk,
                           LabeledExpand(suite_id, dkp_prk, "sk", "", kNsk));
  return X25519PrivateKey::FromBytes(sk);
}

absl::StatusOr<HpkeEncapsulation> HpkeEncap(const X25519PublicKey& recipient,
                                            const X25519PrivateKey& ephemeral) {
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes dh,
                           ephemeral.ComputeSharedSecret(recipient));
  std::string enc = AsString(ephemeral.public_key());
  const std::string kem_context = absl::StrCat(enc, AsString(recipient));
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes shared_secret,
                           ExtractAndExpand(dh, kem_context));
  return HpkeEncapsulation{std::move(shared_secret), std::move(enc)};
}

absl::StatusOr<SecretBytes> HpkeDecap(absl::string_view enc,
                                      const X25519PrivateKey& recipient) {
  if (enc.size() != kHpkeEncSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("HPKE enc must be ", kHpkeEncSize, " bytes, got ",
                     enc.size()));
  }
  FEDLINK_ASSIGN_OR_RETURN(X25519PublicKey ephemeral,
                           X25519PublicKey::FromBytes(Bytes(enc)));
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes dh,
                           recipient.ComputeSharedSecret(ephemeral));
  const std::string kem_context =
      absl::StrCat(enc, AsString(recipient.public_key()));
  return ExtractAndExpand(dh, kem_context);
}

absl::StatusOr<HpkeKeySchedule> HpkeBaseKeySchedule(
    HpkeAead aead, const SecretBytes& shared_secret, absl::string_view info) {
  FEDLINK_ASSIGN_OR_RETURN(AeadAlgorithm algorithm, AeadFor(aead));
  const std::string suite_id = HpkeSuiteId(aead);
  // Base mode: psk and psk_id are empty.
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes psk_id_hash,
                           LabeledExtract(suite_id, {}, "psk_id_hash", {}));
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes info_hash,
                           LabeledExtract(suite_id, {}, "info_hash", Bytes(info)));
  std::string key_schedule_context(1, static_cast<char>(kModeBase));
  key_schedule_context.append(reinterpret_cast<const char*>(psk_id_hash.data()),
                              psk_id_hash.size());
  key_schedule_context.append(reinterpret_cast<const char*>(info_hash.data()),
                              info_hash.size());
  FEDLINK_ASSIGN_OR_RETURN(
      SecretBytes secret,
      LabeledExtract(suite_id, shared_secret.span(), "secret", {}));

  HpkeKeySchedule out;
  FEDLINK_ASSIGN_OR_RETURN(out.key,
                           LabeledExpand(suite_id, secret, "key",
                                         key_schedule_context,
                                         AeadKeySize(algorithm)));
  FEDLINK_ASSIGN_OR_RETURN(out.base_nonce,
                           LabeledExpand(suite_id, secret, "base_nonce",
                                         key_schedule_context, kAeadNonceSize));
  FEDLINK_ASSIGN_OR_RETURN(out.exporter_secret,
                           LabeledExpand(suite_id, secret, "exp",
                                         key_schedule_context, kNh));
  return out;
}

// --- Context state ----------------------------------------------------------

namespace hpke_internal {

CipherState::CipherState(HpkeAead aead_id, Aead aead, SecretBytes base_nonce,
                         SecretBytes exporter_secret)
    : aead_id_(aead_id),
      aead_(std::move(aead)),
      base_nonce_(std::move(base_nonce)),
      exporter_secret_(std::move(exporter_secret)) {}

absl::StatusOr<CipherState> CipherState::Create(HpkeAead aead,
                                                const SecretBytes& shared_secret,
                                                absl::string_view info) {
  FEDLINK_ASSIGN_OR_RETURN(AeadAlgorithm algorithm, AeadFor(aead));
  FEDLINK_ASSIGN_OR_RETURN(HpkeKeySchedule schedule,
                           HpkeBaseKeySchedule(aead, shared_secret, info));
  FEDLINK_ASSIGN_OR_RETURN(Aead cipher,
                           Aead::Create(algorithm, std::move(schedule.key)));
  return CipherState(aead, std::move(cipher), std::move(schedule.base_nonce),
                     std::move(schedule.exporter_secret));
}

absl::StatusOr<std::array<uint8_t, kAeadNonceSize>> CipherState::CurrentNonce()
    const {
  // RFC 9180 §5.2 allows 2^96 - 1 messages; a 64-bit counter stops earlier,
  // which no real payload reaches.
  if (sequence_number_ == std::numeric_limits<uint64_t>::max()) {
    return absl::ResourceExhaustedError("HPKE message limit reached");
  }
  std::array<uint8_t, kAeadNonceSize> nonce;
  std::copy_n(base_nonce_.data(), kAeadNonceSize, nonce.begin());
  for (size_t i = 0; i < sizeof(uint64_t); ++i) {
    nonce[kAeadNonceSize - 1 - i] ^=
        static_cast<uint8_t>(sequence_number_ >> (8 * i));
  }
  return nonce;
}

absl::StatusOr<std::string> CipherState::Seal(absl::string_view aad,
                                              absl::string_view plaintext) {
  FEDLINK_ASSIGN_OR_RETURN(auto nonce, CurrentNonce());
  FEDLINK_ASSIGN_OR_RETURN(std::string ciphertext,
                           aead_.Seal(nonce, plaintext, aad));
  ++sequence_number_;
  return ciphertext;
}

absl::StatusOr<std::string> CipherState::Open(absl::string_view aad,
                                              absl::string_view ciphertext) {
  FEDLINK_ASSIGN_OR_RETURN(auto nonce, CurrentNonce());
  FEDLINK_ASSIGN_OR_RETURN(std::string plaintext,
                           aead_.Open(nonce, ciphertext, aad));
  ++sequence_number_;
  return plaintext;
}

absl::StatusOr<SecretBytes> CipherState::Export(
    absl::string_view exporter_context, size_t length) const {
  if (length == 0 || length > kHpkeMaxExportLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("HPKE export length ", length, " is outside 1..",
                     kHpkeMaxExportLength));
  }
  return LabeledExpand(HpkeSuiteId(aead_id_), exporter_secret_, "sec",
                       exporter_context, length);
}

}  // namespace hpke_internal

// --- Contexts ---------------------------------------------------------------

absl::StatusOr<HpkeSenderContext> HpkeSenderContext::SetupBaseS(
    HpkeAead aead, const X25519PublicKey& recipient, absl::string_view info) {
  FEDLINK_ASSIGN_OR_RETURN(X25519PrivateKey ephemeral,
                           X25519PrivateKey::Generate());
  return SetupBaseSWithEphemeralKeyForTesting(aead, recipient, info, ephemeral);
}

absl::StatusOr<HpkeSenderContext>
HpkeSenderContext::SetupBaseSWithEphemeralKeyForTesting(
    HpkeAead aead, const X25519PublicKey& recipient, absl::string_view info,
    const X25519PrivateKey& ephemeral) {
  FEDLINK_ASSIGN_OR_RETURN(HpkeEncapsulation encapsulation,
                           HpkeEncap(recipient, ephemeral));
  FEDLINK_ASSIGN_OR_RETURN(
      hpke_internal::CipherState state,
      hpke_internal::CipherState::Create(aead, encapsulation.shared_secret, info));
  return HpkeSenderContext(std::move(encapsulation.enc), std::move(state));
}

absl::StatusOr<HpkeRecipientContext> HpkeRecipientContext::SetupBaseR(
    HpkeAead aead, absl::string_view enc, const X25519PrivateKey& recipient,
    absl::string_view info) {
  FEDLINK_ASSIGN_OR_RETURN(SecretBytes shared_secret, HpkeDecap(enc, recipient));
  FEDLINK_ASSIGN_OR_RETURN(
      hpke_internal::CipherState state,
      hpke_internal::CipherState::Create(aead, shared_secret, info));
  return HpkeRecipientContext(std::move(state));
}

// --- Single shot ------------------------------------------------------------

absl::StatusOr<HpkeSealed> HpkeSeal(HpkeAead aead,
                                    const X25519PublicKey& recipient,
                                    absl::string_view info,
                                    absl::string_view aad,
                                    absl::string_view plaintext) {
  FEDLINK_ASSIGN_OR_RETURN(HpkeSenderContext context,
                           HpkeSenderContext::SetupBaseS(aead, recipient, info));
  FEDLINK_ASSIGN_OR_RETURN(std::string ciphertext, context.Seal(aad, plaintext));
  return HpkeSealed{context.enc(), std::move(ciphertext)};
}

absl::StatusOr<std::string> HpkeOpen(HpkeAead aead,
                                     const X25519PrivateKey& recipient,
                                     absl::string_view enc,
                                     absl::string_view info,
                                     absl::string_view aad,
                                     absl::string_view ciphertext) {
  FEDLINK_ASSIGN_OR_RETURN(
      HpkeRecipientContext context,
      HpkeRecipientContext::SetupBaseR(aead, enc, recipient, info));
  return context.Open(aad, ciphertext);
}

}  // namespace fedlink::crypto
