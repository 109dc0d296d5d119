#include "linkage/crypto/hmac.h"

#include <utility>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "linkage/crypto/ssl_error.h"

namespace fedlink::crypto {

absl::StatusOr<HmacSha256> HmacSha256::Create(const SecretBytes& key) {
  // EVP_MAC_init treats a null key as "keep the current key", so an empty key
  // would silently leave the context unkeyed.
  if (key.empty()) {
    return absl::InvalidArgumentError("HMAC-SHA256 key is empty");
  }
  SslUniquePtr<EVP_MAC> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (mac == nullptr) return SslError("EVP_MAC_fetch");
  SslUniquePtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(mac.get()));
  if (ctx == nullptr) return SslError("EVP_MAC_CTX_new");

  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) {
    return SslError("EVP_MAC_init");
  }
  return HmacSha256(std::move(ctx));
}

absl::StatusOr<HmacSha256> HmacSha256::Clone() const {
  SslUniquePtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_dup(ctx_.get()));
  if (ctx == nullptr) return SslError("EVP_MAC_CTX_dup");
  return HmacSha256(std::move(ctx));
}

absl::StatusOr<HmacSha256Tag> HmacSha256::Compute(
    absl::Span<const uint8_t> message) {
  HmacSha256Tag tag;
  const absl::Span<const uint8_t> pieces[] = {message};
  absl::Status status = ComputeInto(pieces, &tag);
  if (!status.ok()) return status;
  return tag;
}

absl::Status HmacSha256::ComputeInto(
    absl::Span<const absl::Span<const uint8_t>> pieces, HmacSha256Tag* tag) {
  // A null key re-initialises the context with the key set in Create (the
  // precomputed inner/outer pads are reused, not recomputed).
  if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1) {
    return SslError("EVP_MAC_init");
  }
  for (absl::Span<const uint8_t> piece : pieces) {
    if (piece.empty()) continue;
    if (EVP_MAC_update(ctx_.get(), piece.data(), piece.size()) != 1) {
      return SslError("EVP_MAC_update");
    }
  }
  size_t written = 0;
  if (EVP_MAC_final(ctx_.get(), tag->data(), &written, tag->size()) != 1) {
    return SslError("EVP_MAC_final");
  }
  if (written != kHmacSha256Bytes) {
    return absl::InternalError("EVP_MAC_final returned a tag of unexpected size");
  }
  return absl::OkStatus();
}

}  // namespace fedlink::crypto
