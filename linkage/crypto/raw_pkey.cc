#include "linkage/crypto/raw_pkey.h"

#include "absl/strings/str_cat.h"
#include "linkage/crypto/ssl_error.h"

namespace fedlink::crypto {

absl::StatusOr<SslUniquePtr<EVP_PKEY>> GenerateRawKey(const char* key_type) {
  SslUniquePtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
  if (ctx == nullptr) return SslError("EVP_PKEY_CTX_new_from_name");
  if (EVP_PKEY_keygen_init(ctx.get()) != 1) return SslError("EVP_PKEY_keygen_init");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) return SslError("EVP_PKEY_generate");
  return SslUniquePtr<EVP_PKEY>(raw);
}

absl::StatusOr<SslUniquePtr<EVP_PKEY>> PrivateKeyFromRaw(
    const char* key_type, absl::string_view label, const SecretBytes& raw,
    size_t size) {
  if (raw.size() != size) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, " private key must be ", size, " bytes, got ", raw.size()));
  }
  SslUniquePtr<EVP_PKEY> pkey(EVP_PKEY_new_raw_private_key_ex(
      nullptr, key_type, nullptr, raw.data(), raw.size()));
  if (pkey == nullptr) return SslError("EVP_PKEY_new_raw_private_key_ex");
  return pkey;
}

absl::StatusOr<SecretBytes> RawPrivateKey(const EVP_PKEY* key,
                                          absl::string_view label, size_t size) {
  SecretBytes out = SecretBytes::Zeroed(size);
  size_t written = out.size();
  if (EVP_PKEY_get_raw_private_key(key, out.mutable_data(), &written) != 1) {
    return SslError("EVP_PKEY_get_raw_private_key");
  }
  if (written != size) {
    return absl::InternalError(
        absl::StrCat(label, " private key has ", written, " bytes"));
  }
  return out;
}

absl::Status RawPublicKeyInto(const EVP_PKEY* key, absl::string_view label,
                              absl::Span<uint8_t> out) {
  size_t written = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &written) != 1) {
    return SslError("EVP_PKEY_get_raw_public_key");
  }
  if (written != out.size()) {
    return absl::InternalError(
        absl::StrCat(label, " public key has ", written, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace fedlink::crypto
