#include "linkage/crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/ssl_error.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {
namespace {

absl::Status CheckLength(size_t length) {
  if (length == 0 || length > kHkdfSha256MaxLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("HKDF-SHA256 output length ", length, " is outside 1..",
                     kHkdfSha256MaxLength));
  }
  return absl::OkStatus();
}

// One EVP_KDF HKDF call. `mode` is one of OpenSSL's HKDF mode names
// ("EXTRACT_AND_EXPAND", "EXTRACT_ONLY", "EXPAND_ONLY"); `key` is the IKM,
// or the PRK in EXPAND_ONLY mode. Absent salt and info take the RFC
// defaults (zero salt, empty info).
absl::StatusOr<SecretBytes> Derive(const char* mode, const SecretBytes& key,
                                   absl::Span<const uint8_t> salt,
                                   std::string_view info, size_t length) {
  SslUniquePtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  if (kdf == nullptr) return SslError("EVP_KDF_fetch");
  SslUniquePtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (ctx == nullptr) return SslError("EVP_KDF_CTX_new");

  // OSSL_PARAM takes non-const pointers but only reads through them here.
  char digest[] = "SHA256";
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE,
                                                 const_cast<char*>(mode), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(key.data()), key.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  SecretBytes out = SecretBytes::Zeroed(length);
  if (EVP_KDF_derive(ctx.get(), out.mutable_data(), out.size(), params) != 1) {
    return SslError("EVP_KDF_derive");
  }
  return out;
}

}  // namespace

absl::StatusOr<SecretBytes> HkdfSha256(const SecretBytes& ikm,
                                       absl::Span<const uint8_t> salt,
                                       std::string_view info, size_t length) {
  if (ikm.empty()) {
    return absl::InvalidArgumentError("HKDF-SHA256 input key material is empty");
  }
  if (absl::Status s = CheckLength(length); !s.ok()) return s;
  return Derive("EXTRACT_AND_EXPAND", ikm, salt, info, length);
}

absl::StatusOr<SecretBytes> HkdfSha256Extract(absl::Span<const uint8_t> salt,
                                              const SecretBytes& ikm) {
  if (ikm.empty()) {
    return absl::InvalidArgumentError("HKDF-SHA256 input key material is empty");
  }
  return Derive("EXTRACT_ONLY", ikm, salt, "", kHkdfSha256PrkLength);
}

absl::StatusOr<SecretBytes> HkdfSha256Expand(const SecretBytes& prk,
                                             std::string_view info,
                                             size_t length) {
  if (prk.size() < kHkdfSha256PrkLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("HKDF-SHA256 pseudorandom key must be at least ",
                     kHkdfSha256PrkLength, " bytes, got ", prk.size()));
  }
  if (absl::Status s = CheckLength(length); !s.ok()) return s;
  return Derive("EXPAND_ONLY", prk, {}, info, length);
}

}  // namespace fedlink::crypto
