// X25519 Diffie-Hellman (RFC 7748) through OpenSSL 3 EVP_PKEY: the group
// behind HPKE's DHKEM(X25519, HKDF-SHA256). Keys convert to and from their
// raw 32-byte encodings and PEM text (PKCS#8 "PRIVATE KEY",
// SubjectPublicKeyInfo "PUBLIC KEY", as `openssl genpkey -algorithm x25519`
// writes); reading and writing files is the caller's job.
#ifndef FEDLINK_LINKAGE_CRYPTO_X25519_H_
#define FEDLINK_LINKAGE_CRYPTO_X25519_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include <openssl/evp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {

inline constexpr size_t kX25519KeySize = 32;
inline constexpr size_t kX25519SharedSecretSize = 32;

// A public key: a plain value (copyable, comparable). Thread-safe.
class X25519PublicKey {
 public:
  using Bytes = std::array<uint8_t, kX25519KeySize>;

  // InvalidArgument unless `bytes` is kX25519KeySize long. Every 32-byte
  // string is a valid X25519 input (RFC 7748 §5); keys of small order are
  // caught when a key agreement with them yields zero.
  static absl::StatusOr<X25519PublicKey> FromBytes(
      absl::Span<const uint8_t> bytes);

  // From a PEM "PUBLIC KEY" block. InvalidArgument if `pem` holds no PEM
  // public key or one that is not X25519.
  static absl::StatusOr<X25519PublicKey> FromPem(absl::string_view pem);

  const Bytes& bytes() const { return bytes_; }

  // PEM "PUBLIC KEY" text. Internal if OpenSSL fails.
  absl::StatusOr<std::string> ToPem() const;

  friend bool operator==(const X25519PublicKey& a, const X25519PublicKey& b) {
    return a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const X25519PublicKey& a, const X25519PublicKey& b) {
    return !(a == b);
  }

 private:
  friend class X25519PrivateKey;  // builds its public half from raw bytes
  explicit X25519PublicKey(const Bytes& bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

// A private key with its public key. Movable, not copyable. Thread-safe:
// every operation is const and OpenSSL allows concurrent use of an EVP_PKEY.
class X25519PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG. Internal if OpenSSL fails.
  static absl::StatusOr<X25519PrivateKey> Generate();

  // From the raw 32-byte scalar (clamped when used, RFC 7748 §5).
  // InvalidArgument on any other size; Internal if OpenSSL fails.
  static absl::StatusOr<X25519PrivateKey> FromBytes(const SecretBytes& bytes);

  // From an unencrypted PEM "PRIVATE KEY" (PKCS#8) block. InvalidArgument if
  // `pem` holds no such block, an encrypted one (never prompts), or a key of
  // another type. Messages never quote `pem`.
  static absl::StatusOr<X25519PrivateKey> FromPem(absl::string_view pem);

  X25519PrivateKey(X25519PrivateKey&&) noexcept = default;
  X25519PrivateKey& operator=(X25519PrivateKey&&) noexcept = default;

  // The raw 32-byte private key as given or generated. Internal if OpenSSL
  // fails.
  absl::StatusOr<SecretBytes> ToBytes() const;

  // Unencrypted PEM "PRIVATE KEY" (PKCS#8) text, as SecretBytes because it
  // is key material. Internal if OpenSSL fails.
  absl::StatusOr<SecretBytes> ToPem() const;

  const X25519PublicKey& public_key() const { return public_key_; }

  // X25519(this key, peer), 32 bytes. InvalidArgument if the result is all
  // zeros, i.e. `peer` is a point of small order (RFC 7748 §6.1, RFC 9180
  // §7.1.4): such a "secret" is known to everyone. Internal if OpenSSL cannot
  // set up.
  absl::StatusOr<SecretBytes> ComputeSharedSecret(
      const X25519PublicKey& peer) const;

 private:
  static absl::StatusOr<X25519PrivateKey> FromPkey(SslUniquePtr<EVP_PKEY> pkey);
  X25519PrivateKey(SslUniquePtr<EVP_PKEY> pkey, X25519PublicKey public_key)
      : pkey_(std::move(pkey)), public_key_(public_key) {}

  SslUniquePtr<EVP_PKEY> pkey_;
  X25519PublicKey public_key_;
};

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_X25519_H_
