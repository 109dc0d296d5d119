// Hybrid Public Key Encryption, RFC 9180, base mode (mode_base, 0x00) only:
//   KEM  DHKEM(X25519, HKDF-SHA256)  0x0020
//   KDF  HKDF-SHA256                 0x0001
//   AEAD AES-128-GCM 0x0001 or ChaCha20-Poly1305 0x0003
// Anyone holding the recipient's X25519 public key can encrypt to it; only
// the private key holder can decrypt. Base mode does not authenticate the
// sender: bind the sender by other means (an Ed25519 signature, mTLS) when
// that matters.
//
// Two APIs, as in RFC 9180:
//  * single-shot (§6.1) HpkeSeal / HpkeOpen for one message;
//  * a context pair (§5.2) for several messages under one encapsulation,
//    e.g. a payload in chunks: SetupBaseS gives `enc` and a sender context,
//    SetupBaseR rebuilds the matching recipient context from `enc`. Each
//    Seal/Open uses the next sequence number, so chunks must be opened in
//    the order they were sealed, and a dropped, repeated or reordered chunk
//    fails to open. To make truncation detectable, mark the last chunk (for
//    example in its aad).
// Both roles can derive shared secrets with Export (§5.3).
#ifndef FEDLINK_LINKAGE_CRYPTO_HPKE_H_
#define FEDLINK_LINKAGE_CRYPTO_HPKE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linkage/crypto/aead.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/x25519.h"

namespace fedlink::crypto {

// RFC 9180 §7 algorithm identifiers.
inline constexpr uint16_t kHpkeKemDhkemX25519HkdfSha256 = 0x0020;
inline constexpr uint16_t kHpkeKdfHkdfSha256 = 0x0001;
enum class HpkeAead : uint16_t { kAes128Gcm = 0x0001, kChaCha20Poly1305 = 0x0003 };

// Nenc: `enc` is the ephemeral X25519 public key.
inline constexpr size_t kHpkeEncSize = kX25519KeySize;
// Largest Export length: 255 hash outputs (RFC 5869).
inline constexpr size_t kHpkeMaxExportLength = 255 * 32;

// ---------------------------------------------------------------------------
// Single-shot API (RFC 9180 §6.1). Thread-safe.

struct HpkeSealed {
  std::string enc;         // kHpkeEncSize bytes; send along with ciphertext
  std::string ciphertext;  // plaintext size + kAeadTagSize bytes
};

// Encrypts `plaintext` to `recipient` under a fresh ephemeral key.
// InvalidArgument if `recipient` is a small-order point; Internal if the
// CSPRNG or OpenSSL fails.
absl::StatusOr<HpkeSealed> HpkeSeal(HpkeAead aead,
                                    const X25519PublicKey& recipient,
                                    absl::string_view info,
                                    absl::string_view aad,
                                    absl::string_view plaintext);

// Decrypts what HpkeSeal produced with the same aead, info and aad.
// InvalidArgument if `enc` is not kHpkeEncSize bytes or a small-order point;
// DataLoss "authentication failed" if anything was altered or a different
// key, info or aad is used (no partial plaintext); Internal if OpenSSL fails.
absl::StatusOr<std::string> HpkeOpen(HpkeAead aead,
                                     const X25519PrivateKey& recipient,
                                     absl::string_view enc,
                                     absl::string_view info,
                                     absl::string_view aad,
                                     absl::string_view ciphertext);

// ---------------------------------------------------------------------------
// Context API (RFC 9180 §5.1-§5.3).

namespace hpke_internal {

// The state both roles share after the key schedule: the AEAD under `key`,
// base_nonce, exporter_secret and the sequence number.
class CipherState {
 public:
  static absl::StatusOr<CipherState> Create(HpkeAead aead,
                                            const SecretBytes& shared_secret,
                                            absl::string_view info);

  absl::StatusOr<std::string> Seal(absl::string_view aad,
                                   absl::string_view plaintext);
  absl::StatusOr<std::string> Open(absl::string_view aad,
                                   absl::string_view ciphertext);
  absl::StatusOr<SecretBytes> Export(absl::string_view exporter_context,
                                     size_t length) const;
  uint64_t sequence_number() const { return sequence_number_; }

 private:
  CipherState(HpkeAead aead_id, Aead aead, SecretBytes base_nonce,
              SecretBytes exporter_secret);
  // base_nonce XOR I2OSP(seq, Nn) for the current sequence number, or
  // ResourceExhausted once the sequence number space is used up.
  absl::StatusOr<std::array<uint8_t, kAeadNonceSize>> CurrentNonce() const;

  HpkeAead aead_id_;
  Aead aead_;
  SecretBytes base_nonce_;
  SecretBytes exporter_secret_;
  uint64_t sequence_number_ = 0;
};

}  // namespace hpke_internal

// Encrypts a sequence of messages to one recipient. Movable, not copyable;
// not thread-safe (Seal advances the sequence number).
class HpkeSenderContext {
 public:
  // Encap to `recipient` with a fresh ephemeral key, then the base-mode key
  // schedule. InvalidArgument if `recipient` is a small-order point;
  // Internal if the CSPRNG or OpenSSL fails.
  static absl::StatusOr<HpkeSenderContext> SetupBaseS(
      HpkeAead aead, const X25519PublicKey& recipient, absl::string_view info);

  // SetupBaseS with a caller-chosen ephemeral key. For the RFC 9180
  // known-answer tests only: reusing an ephemeral key across messages
  // destroys HPKE's security.
  static absl::StatusOr<HpkeSenderContext> SetupBaseSWithEphemeralKeyForTesting(
      HpkeAead aead, const X25519PublicKey& recipient, absl::string_view info,
      const X25519PrivateKey& ephemeral);

  HpkeSenderContext(HpkeSenderContext&&) noexcept = default;
  HpkeSenderContext& operator=(HpkeSenderContext&&) noexcept = default;

  // The encapsulated key the recipient needs for SetupBaseR.
  const std::string& enc() const { return enc_; }

  // Encrypts under the next sequence number: ciphertext ‖ tag.
  // ResourceExhausted once 2^64 - 1 messages have been sealed; Internal if
  // OpenSSL fails (the sequence number then does not advance).
  absl::StatusOr<std::string> Seal(absl::string_view aad,
                                   absl::string_view plaintext) {
    return state_.Seal(aad, plaintext);
  }

  // Exporter secret (RFC 9180 §5.3) of `length` bytes for
  // `exporter_context`. InvalidArgument if `length` is 0 or above
  // kHpkeMaxExportLength.
  absl::StatusOr<SecretBytes> Export(absl::string_view exporter_context,
                                     size_t length) const {
    return state_.Export(exporter_context, length);
  }

  // Messages sealed so far.
  uint64_t sequence_number() const { return state_.sequence_number(); }

 private:
  HpkeSenderContext(std::string enc, hpke_internal::CipherState state)
      : enc_(std::move(enc)), state_(std::move(state)) {}

  std::string enc_;
  hpke_internal::CipherState state_;
};

// Decrypts, in order, the messages of one HpkeSenderContext. Movable, not
// copyable; not thread-safe (Open advances the sequence number).
class HpkeRecipientContext {
 public:
  // Decap of `enc` with `recipient`, then the base-mode key schedule.
  // InvalidArgument if `enc` is not kHpkeEncSize bytes or a small-order
  // point; Internal if OpenSSL fails. A wrong `enc`, key or info is not
  // detected here but by the first Open.
  static absl::StatusOr<HpkeRecipientContext> SetupBaseR(
      HpkeAead aead, absl::string_view enc, const X25519PrivateKey& recipient,
      absl::string_view info);

  HpkeRecipientContext(HpkeRecipientContext&&) noexcept = default;
  HpkeRecipientContext& operator=(HpkeRecipientContext&&) noexcept = default;

  // Decrypts the message sealed under the next sequence number. DataLoss
  // "authentication failed" if it does not authenticate (altered, reordered,
  // from another context, other aad); the sequence number then does not
  // advance, so the right message can still be opened. ResourceExhausted
  // once the sequence numbers are used up.
  absl::StatusOr<std::string> Open(absl::string_view aad,
                                   absl::string_view ciphertext) {
    return state_.Open(aad, ciphertext);
  }

  // As HpkeSenderContext::Export; both roles derive equal values.
  absl::StatusOr<SecretBytes> Export(absl::string_view exporter_context,
                                     size_t length) const {
    return state_.Export(exporter_context, length);
  }

  // Messages opened so far.
  uint64_t sequence_number() const { return state_.sequence_number(); }

 private:
  explicit HpkeRecipientContext(hpke_internal::CipherState state)
      : state_(std::move(state)) {}

  hpke_internal::CipherState state_;
};

// ---------------------------------------------------------------------------
// Building blocks, exposed for the RFC 9180 known-answer tests. Thread-safe.

// DeriveKeyPair (RFC 9180 §7.1.3) for X25519: a key pair from at least 32
// bytes of input keying material. InvalidArgument if `ikm` is shorter.
absl::StatusOr<X25519PrivateKey> HpkeDeriveKeyPair(const SecretBytes& ikm);

// Encap / Decap of DHKEM(X25519, HKDF-SHA256) (RFC 9180 §4.1), Encap with a
// given ephemeral key. Errors as SetupBaseS / SetupBaseR.
struct HpkeEncapsulation {
  SecretBytes shared_secret;
  std::string enc;
};
absl::StatusOr<HpkeEncapsulation> HpkeEncap(const X25519PublicKey& recipient,
                                            const X25519PrivateKey& ephemeral);
absl::StatusOr<SecretBytes> HpkeDecap(absl::string_view enc,
                                      const X25519PrivateKey& recipient);

// The base-mode key schedule outputs (RFC 9180 §5.1).
struct HpkeKeySchedule {
  SecretBytes key;              // Nk: 16 (AES-128-GCM) or 32 (ChaCha20-Poly1305)
  SecretBytes base_nonce;       // Nn = 12
  SecretBytes exporter_secret;  // Nh = 32
};
absl::StatusOr<HpkeKeySchedule> HpkeBaseKeySchedule(
    HpkeAead aead, const SecretBytes& shared_secret, absl::string_view info);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_HPKE_H_
