#include "linkage/crypto/aes_prf.h"

#include <algorithm>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/ssl_error.h"

namespace fedlink::crypto {

absl::StatusOr<AesPrf> AesPrf::Create(const SecretBytes& key) {
  if (key.size() != kAesPrfKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("AES PRF key must be ", kAesPrfKeyBytes, " bytes, got ",
                     key.size()));
  }
  SslUniquePtr<EVP_CIPHER> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-256-ECB", nullptr));
  if (cipher == nullptr) return SslError("EVP_CIPHER_fetch(AES-256-ECB)");
  SslUniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return SslError("EVP_CIPHER_CTX_new");
  // The context takes its own reference to `cipher`.
  if (EVP_EncryptInit_ex2(ctx.get(), cipher.get(), key.data(), nullptr,
                          nullptr) != 1) {
    return SslError("EVP_EncryptInit_ex2");
  }
  // Whole blocks only: no padding, and EVP_EncryptFinal is never needed.
  if (EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return SslError("EVP_CIPHER_CTX_set_padding");
  }
  return AesPrf(std::move(ctx));
}

absl::StatusOr<AesPrf> AesPrf::Clone() const {
  SslUniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return SslError("EVP_CIPHER_CTX_new");
  if (EVP_CIPHER_CTX_copy(ctx.get(), ctx_.get()) != 1) {
    return SslError("EVP_CIPHER_CTX_copy");
  }
  return AesPrf(std::move(ctx));
}

absl::Status AesPrf::Evaluate(absl::Span<const AesBlock> in,
                              absl::Span<AesBlock> out) {
  if (in.size() != out.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("AES PRF: ", in.size(), " input blocks but room for ",
                     out.size()));
  }
  // EVP takes an int length; split very large requests.
  constexpr size_t kMaxBlocksPerCall = (INT_MAX / kAesBlockBytes);
  size_t done = 0;
  while (done < in.size()) {
    const size_t n = std::min(in.size() - done, kMaxBlocksPerCall);
    const int len = static_cast<int>(n * kAesBlockBytes);
    int written = 0;
    if (EVP_EncryptUpdate(ctx_.get(), out[done].data(), &written,
                          in[done].data(), len) != 1) {
      return SslError("EVP_EncryptUpdate");
    }
    if (written != len) {
      return absl::InternalError(
          absl::StrCat("EVP_EncryptUpdate wrote ", written, " of ", len,
                       " bytes"));
    }
    done += n;
  }
  return absl::OkStatus();
}

absl::Status AesPrf::EvaluateBlock(const AesBlock& in, AesBlock* out) {
  return Evaluate(absl::MakeConstSpan(&in, 1), absl::MakeSpan(out, 1));
}

}  // namespace fedlink::crypto
