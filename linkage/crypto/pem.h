// PEM text ⇄ OpenSSL EVP_PKEY for the key types fedlink uses (Ed25519,
// X25519): PKCS#8 "PRIVATE KEY" and SubjectPublicKeyInfo "PUBLIC KEY"
// blocks held in memory. Shared by ed25519.cc and x25519.cc; callers outside
// linkage/crypto use those classes instead.
#ifndef FEDLINK_LINKAGE_CRYPTO_PEM_H_
#define FEDLINK_LINKAGE_CRYPTO_PEM_H_

#include <string>

#include <openssl/evp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {

// The first PEM private key in `pem`, which must be unencrypted and of
// OpenSSL key type `key_type` (e.g. "ED25519"). InvalidArgument otherwise,
// naming only the expected type (never the text). Never prompts for a
// passphrase. Thread-safe.
absl::StatusOr<SslUniquePtr<EVP_PKEY>> ParsePrivateKeyPem(
    absl::string_view pem, const char* key_type);

// The first PEM public key in `pem`, of type `key_type`. InvalidArgument
// otherwise. Thread-safe.
absl::StatusOr<SslUniquePtr<EVP_PKEY>> ParsePublicKeyPem(absl::string_view pem,
                                                         const char* key_type);

// Unencrypted PKCS#8 PEM of `key`'s private half. The text passes only
// through OpenSSL's cleansed secure-memory buffers. Internal on failure.
absl::StatusOr<SecretBytes> PrivateKeyToPem(const EVP_PKEY* key);

// SubjectPublicKeyInfo PEM of `key`'s public half. Internal on failure.
absl::StatusOr<std::string> PublicKeyToPem(const EVP_PKEY* key);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_PEM_H_
