// OpenSSL EVP_PKEY plumbing for the raw-byte key types fedlink uses (Ed25519,
// X25519): generation and raw private/public bytes with size checks. Shared
// by ed25519.cc and x25519.cc; callers outside linkage/crypto use those
// classes instead. `label` ("Ed25519", "X25519") only names the key type in
// error messages, which give sizes, never key bytes.
#ifndef FEDLINK_LINKAGE_CRYPTO_RAW_PKEY_H_
#define FEDLINK_LINKAGE_CRYPTO_RAW_PKEY_H_

#include <cstddef>
#include <cstdint>

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {

// A fresh key pair of OpenSSL key type `key_type` (e.g. "ED25519") from
// OpenSSL's CSPRNG. Internal if OpenSSL fails. Thread-safe.
absl::StatusOr<SslUniquePtr<EVP_PKEY>> GenerateRawKey(const char* key_type);

// The private key of `key_type` whose raw form is `raw`. InvalidArgument if
// `raw` is not `size` bytes. Thread-safe.
absl::StatusOr<SslUniquePtr<EVP_PKEY>> PrivateKeyFromRaw(
    const char* key_type, absl::string_view label, const SecretBytes& raw,
    size_t size);

// The raw private half of `key`, which must be `size` bytes (Internal
// otherwise). Thread-safe.
absl::StatusOr<SecretBytes> RawPrivateKey(const EVP_PKEY* key,
                                          absl::string_view label, size_t size);

// Writes the raw public half of `key` to `out`, which must fit it exactly
// (Internal otherwise). Thread-safe.
absl::Status RawPublicKeyInto(const EVP_PKEY* key, absl::string_view label,
                              absl::Span<uint8_t> out);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_RAW_PKEY_H_
