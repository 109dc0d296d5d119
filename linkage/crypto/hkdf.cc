#include "linkage/crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/ssl_error.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {

absl::StatusOr<SecretBytes> HkdfSha256(const SecretBytes& ikm,
                                       absl::Span<const uint8_t> salt,
                                       std::string_view info, size_t length) {
  if (ikm.empty()) {
    return absl::InvalidArgumentError("HKDF-SHA256 input key material is empty");
  }
  if (length == 0 || length > kHkdfSha256MaxLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("HKDF-SHA256 output length ", length, " is outside 1..",
                     kHkdfSha256MaxLength));
  }
  SslUniquePtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  if (kdf == nullptr) return SslError("EVP_KDF_fetch");
  SslUniquePtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (ctx == nullptr) return SslError("EVP_KDF_CTX_new");

  // OSSL_PARAM takes non-const pointers but only reads through them here.
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(ikm.data()), ikm.size());
  // Absent parameters take the RFC defaults (zero salt, empty info).
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  SecretBytes okm = SecretBytes::Zeroed(length);
  if (EVP_KDF_derive(ctx.get(), okm.mutable_data(), okm.size(), params) != 1) {
    return SslError("EVP_KDF_derive");
  }
  return okm;
}

}  // namespace fedlink::crypto
