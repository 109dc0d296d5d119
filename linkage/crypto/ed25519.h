// Ed25519 signatures (RFC 8032, pure EdDSA without context or prehash)
// through OpenSSL 3 EVP_PKEY. Keys convert to and from the raw RFC 8032
// encodings (32-byte private seed, 32-byte public point) and to and from PEM
// text (PKCS#8 "PRIVATE KEY", SubjectPublicKeyInfo "PUBLIC KEY": what
// `openssl genpkey -algorithm ed25519` writes). PEM helpers work on strings;
// reading and writing files is the caller's job (linkage/ has no files).
#ifndef FEDLINK_LINKAGE_CRYPTO_ED25519_H_
#define FEDLINK_LINKAGE_CRYPTO_ED25519_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {

inline constexpr size_t kEd25519PrivateKeySize = 32;
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

// A public key: a plain value (copyable, comparable). Thread-safe.
class Ed25519PublicKey {
 public:
  using Bytes = std::array<uint8_t, kEd25519PublicKeySize>;

  // InvalidArgument unless `bytes` is kEd25519PublicKeySize long. The point
  // itself is only decoded by Verify, which rejects keys that do not decode.
  static absl::StatusOr<Ed25519PublicKey> FromBytes(
      absl::Span<const uint8_t> bytes);

  // From a PEM "PUBLIC KEY" block. InvalidArgument if `pem` holds no PEM
  // public key or one that is not Ed25519.
  static absl::StatusOr<Ed25519PublicKey> FromPem(absl::string_view pem);

  // The raw RFC 8032 encoding.
  const Bytes& bytes() const { return bytes_; }

  // PEM "PUBLIC KEY" text. Internal if OpenSSL fails.
  absl::StatusOr<std::string> ToPem() const;

  // OK if `signature` is a valid Ed25519 signature of `message` under this
  // key. InvalidArgument "signature verification failed" otherwise
  // (including a signature of the wrong length, a non-canonical S, or a key
  // that is not a curve point); Internal if OpenSSL cannot set up.
  absl::Status Verify(absl::string_view message,
                      absl::Span<const uint8_t> signature) const;

  friend bool operator==(const Ed25519PublicKey& a, const Ed25519PublicKey& b) {
    return a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const Ed25519PublicKey& a, const Ed25519PublicKey& b) {
    return !(a == b);
  }

 private:
  friend class Ed25519PrivateKey;  // builds its public half from raw bytes
  explicit Ed25519PublicKey(const Bytes& bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

// A private key with its public key. Movable, not copyable. Thread-safe:
// Sign is const and OpenSSL allows concurrent use of one EVP_PKEY.
class Ed25519PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG. Internal if OpenSSL fails.
  static absl::StatusOr<Ed25519PrivateKey> Generate();

  // From the raw 32-byte RFC 8032 private key (the seed). InvalidArgument on
  // any other size; Internal if OpenSSL fails.
  static absl::StatusOr<Ed25519PrivateKey> FromBytes(const SecretBytes& seed);

  // From an unencrypted PEM "PRIVATE KEY" (PKCS#8) block. InvalidArgument if
  // `pem` holds no such block, an encrypted one (never prompts for a
  // passphrase), or a key of another type. Messages never quote `pem`.
  static absl::StatusOr<Ed25519PrivateKey> FromPem(absl::string_view pem);

  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept = default;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept = default;

  // The raw 32-byte RFC 8032 private key. Internal if OpenSSL fails.
  absl::StatusOr<SecretBytes> ToBytes() const;

  // Unencrypted PEM "PRIVATE KEY" (PKCS#8) text, as SecretBytes because it
  // is key material. Internal if OpenSSL fails.
  absl::StatusOr<SecretBytes> ToPem() const;

  const Ed25519PublicKey& public_key() const { return public_key_; }

  // The deterministic RFC 8032 signature of `message`. Internal if OpenSSL
  // fails.
  absl::StatusOr<Ed25519Signature> Sign(absl::string_view message) const;

 private:
  static absl::StatusOr<Ed25519PrivateKey> FromPkey(SslUniquePtr<EVP_PKEY> pkey);
  Ed25519PrivateKey(SslUniquePtr<EVP_PKEY> pkey, Ed25519PublicKey public_key)
      : pkey_(std::move(pkey)), public_key_(public_key) {}

  SslUniquePtr<EVP_PKEY> pkey_;
  Ed25519PublicKey public_key_;
};

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_ED25519_H_
