// Authenticated encryption with associated data: AES-128-GCM, AES-256-GCM
// (NIST SP 800-38D) and ChaCha20-Poly1305 (RFC 8439), all with 96-bit nonces
// and 128-bit tags, through OpenSSL 3 EVP. The building block of HPKE and of
// every sealed blob fedlink stores or sends.
//
// Output layout: Seal returns ciphertext ‖ tag; SealWithRandomNonce returns
// nonce ‖ ciphertext ‖ tag. Open never releases any plaintext unless the tag
// verifies, so a caller cannot act on forged data.
#ifndef FEDLINK_LINKAGE_CRYPTO_AEAD_H_
#define FEDLINK_LINKAGE_CRYPTO_AEAD_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <openssl/evp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {

enum class AeadAlgorithm { kAes128Gcm, kAes256Gcm, kChaCha20Poly1305 };

inline constexpr size_t kAeadNonceSize = 12, kAeadTagSize = 16;

// Key length of `algorithm` in bytes: 16, 32, 32.
size_t AeadKeySize(AeadAlgorithm algorithm);

class AeadContext;

// Thread-safe: every operation is const and builds its own OpenSSL context,
// so one Aead may serve many threads. Movable, not copyable; a moved-from
// instance may only be destroyed or assigned to.
//
// Nonces must never repeat under one key. With random nonces
// (SealWithRandomNonce) keep to at most 2^32 messages per key (NIST SP
// 800-38D §8.3); above that, use counters (as HPKE does) or rotate keys.
class Aead {
 public:
  // InvalidArgument if the key size does not fit the algorithm (16 bytes for
  // AES-128-GCM, 32 for AES-256-GCM and ChaCha20-Poly1305); Internal if
  // OpenSSL lacks the cipher.
  static absl::StatusOr<Aead> Create(AeadAlgorithm algorithm, SecretBytes key);

  Aead(Aead&&) noexcept = default;
  Aead& operator=(Aead&&) noexcept = default;

  AeadAlgorithm algorithm() const { return algorithm_; }

  // ciphertext ‖ 16-byte tag, the ciphertext as long as `plaintext`.
  // InvalidArgument unless `nonce` is kAeadNonceSize bytes; Internal if
  // OpenSSL fails.
  absl::StatusOr<std::string> Seal(absl::Span<const uint8_t> nonce,
                                   absl::string_view plaintext,
                                   absl::string_view aad) const;

  // nonce ‖ ciphertext ‖ tag with a fresh random 12-byte nonce from the
  // CSPRNG. Internal if the CSPRNG or OpenSSL fails.
  absl::StatusOr<std::string> SealWithRandomNonce(absl::string_view plaintext,
                                                  absl::string_view aad) const;

  // The plaintext of ciphertext ‖ tag. InvalidArgument unless `nonce` is
  // kAeadNonceSize bytes; DataLoss "authentication failed" if the input is
  // shorter than a tag or anything (ciphertext, tag, aad, nonce, key) differs
  // from what was sealed — no partial plaintext is ever returned. Internal if
  // OpenSSL fails.
  absl::StatusOr<std::string> Open(absl::Span<const uint8_t> nonce,
                                   absl::string_view ciphertext_and_tag,
                                   absl::string_view aad) const;

  // Open of nonce ‖ ciphertext ‖ tag as written by SealWithRandomNonce.
  // DataLoss "authentication failed" if `sealed` is too short to hold a
  // nonce and a tag or fails to authenticate.
  absl::StatusOr<std::string> OpenWithPrependedNonce(
      absl::string_view sealed, absl::string_view aad) const;

  // A context keyed once for many messages on one thread (AeadContext).
  // Internal if OpenSSL fails.
  absl::StatusOr<std::unique_ptr<AeadContext>> NewContext() const;

 private:
  Aead(AeadAlgorithm algorithm, SslUniquePtr<EVP_CIPHER> cipher,
       SecretBytes key)
      : algorithm_(algorithm), cipher_(std::move(cipher)), key_(std::move(key)) {}

  AeadAlgorithm algorithm_;
  // EVP_CIPHER is immutable and reference-counted once fetched: safe to
  // share between threads.
  SslUniquePtr<EVP_CIPHER> cipher_;
  SecretBytes key_;
};

// The same construction as Aead, for a thread that seals or opens many
// short messages under one key: the key schedule (and GCM's hash-key
// tables) are computed once, not per message, and random nonces are drawn
// from the CSPRNG a few hundred at a time instead of one RAND_bytes call
// each. For the agent's record store (~200-byte records) this halves the
// cost of a seal. Outputs are byte-for-byte those of Aead with the same
// nonce.
//
// The associated data is given in pieces, which are authenticated as their
// concatenation, so callers need not build it.
//
// Thread-compatible, not thread-safe: one thread at a time. Nonces drawn in
// advance are never handed out twice; do not fork while a context is alive
// and use it on both sides (the child would repeat the parent's nonces).
// The key schedule is wiped when the context is destroyed.
class AeadContext {
 public:
  // Authenticated as their concatenation.
  using AadPieces = absl::Span<const absl::string_view>;

  AeadContext(const AeadContext&) = delete;
  AeadContext& operator=(const AeadContext&) = delete;

  AeadAlgorithm algorithm() const { return algorithm_; }

  // Appends ciphertext ‖ tag of `plaintext` under `nonce` to *out.
  // InvalidArgument unless `nonce` is kAeadNonceSize bytes; Internal if
  // OpenSSL fails (then *out is as before).
  absl::Status Seal(absl::Span<const uint8_t> nonce,
                    absl::string_view plaintext, AadPieces aad,
                    std::string* out);

  // Appends nonce ‖ ciphertext ‖ tag with a fresh random nonce to *out.
  // Internal if the CSPRNG or OpenSSL fails (then *out is as before).
  absl::Status SealWithRandomNonce(absl::string_view plaintext, AadPieces aad,
                                   std::string* out);

  // As Aead::Open / Aead::OpenWithPrependedNonce.
  absl::StatusOr<std::string> Open(absl::Span<const uint8_t> nonce,
                                   absl::string_view ciphertext_and_tag,
                                   AadPieces aad);
  absl::StatusOr<std::string> OpenWithPrependedNonce(absl::string_view sealed,
                                                     AadPieces aad);

 private:
  friend class Aead;
  static constexpr size_t kNoncesPerDraw = 256;

  AeadContext(AeadAlgorithm algorithm, SslUniquePtr<EVP_CIPHER> cipher,
              SecretBytes key)
      : algorithm_(algorithm),
        cipher_(std::move(cipher)),
        key_(std::move(key)) {}

  // The context for one direction, created and keyed on first use (a
  // context that only seals never pays for a decryption key schedule).
  absl::StatusOr<EVP_CIPHER_CTX*> Keyed(bool encrypt);
  // The next unused random nonce; Internal if the CSPRNG fails.
  absl::StatusOr<const uint8_t*> NextRandomNonce();

  AeadAlgorithm algorithm_;
  SslUniquePtr<EVP_CIPHER> cipher_;
  SecretBytes key_;
  SslUniquePtr<EVP_CIPHER_CTX> encrypt_;  // keyed for encryption, or null
  SslUniquePtr<EVP_CIPHER_CTX> decrypt_;  // keyed for decryption, or null
  std::array<uint8_t, kNoncesPerDraw * kAeadNonceSize> nonces_{};
  size_t nonces_used_ = kNoncesPerDraw;  // none drawn yet
};

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_AEAD_H_
