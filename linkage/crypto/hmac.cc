#include "linkage/crypto/hmac.h"

#include <algorithm>
#include <array>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "linkage/crypto/ssl_error.h"
#include "linkage/status_macros.h"

namespace fedlink::crypto {
namespace {

constexpr size_t kSha256BlockBytes = 64;

// A block-sized buffer of key material that wipes itself when it goes.
struct WipedBlock {
  std::array<uint8_t, kSha256BlockBytes> bytes{};
  ~WipedBlock() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// A SHA-256 context that has absorbed `key_block` XOR `pad` (one block).
absl::StatusOr<SslUniquePtr<EVP_MD_CTX>> KeyedState(const EVP_MD* md, const WipedBlock& key_block,
                                                    uint8_t pad) {
  WipedBlock padded;
  for (size_t i = 0; i < kSha256BlockBytes; ++i) {
    padded.bytes[i] = key_block.bytes[i] ^ pad;
  }
  SslUniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return SslError("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) {
    return SslError("EVP_DigestInit_ex2");
  }
  if (EVP_DigestUpdate(ctx.get(), padded.bytes.data(), padded.bytes.size()) != 1) {
    return SslError("EVP_DigestUpdate");
  }
  return ctx;
}

absl::StatusOr<SslUniquePtr<EVP_MD_CTX>> CopyOf(const EVP_MD_CTX* from) {
  SslUniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return SslError("EVP_MD_CTX_new");
  if (EVP_MD_CTX_copy_ex(ctx.get(), from) != 1) return SslError("EVP_MD_CTX_copy_ex");
  return ctx;
}

}  // namespace

absl::StatusOr<HmacSha256> HmacSha256::Create(const SecretBytes& key) {
  // An empty key is legal HMAC but never a fedlink key: it would mean a
  // missing key file or derivation went unnoticed.
  if (key.empty()) {
    return absl::InvalidArgumentError("HMAC-SHA256 key is empty");
  }
  SslUniquePtr<EVP_MD> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  if (md == nullptr) return SslError("EVP_MD_fetch");

  // RFC 2104: the key, hashed first if longer than a block, zero-padded.
  WipedBlock key_block;
  if (key.size() > kSha256BlockBytes) {
    unsigned int size = 0;
    if (EVP_Digest(key.data(), key.size(), key_block.bytes.data(), &size, md.get(), nullptr) != 1) {
      return SslError("EVP_Digest");
    }
  } else {
    std::copy_n(key.data(), key.size(), key_block.bytes.begin());
  }
  FEDLINK_ASSIGN_OR_RETURN(SslUniquePtr<EVP_MD_CTX> inner, KeyedState(md.get(), key_block, 0x36));
  FEDLINK_ASSIGN_OR_RETURN(SslUniquePtr<EVP_MD_CTX> outer, KeyedState(md.get(), key_block, 0x5c));
  SslUniquePtr<EVP_MD_CTX> scratch(EVP_MD_CTX_new());
  if (scratch == nullptr) return SslError("EVP_MD_CTX_new");
  return HmacSha256(std::move(inner), std::move(outer), std::move(scratch));
}

absl::StatusOr<HmacSha256> HmacSha256::Clone() const {
  FEDLINK_ASSIGN_OR_RETURN(SslUniquePtr<EVP_MD_CTX> inner, CopyOf(inner_.get()));
  FEDLINK_ASSIGN_OR_RETURN(SslUniquePtr<EVP_MD_CTX> outer, CopyOf(outer_.get()));
  SslUniquePtr<EVP_MD_CTX> scratch(EVP_MD_CTX_new());
  if (scratch == nullptr) return SslError("EVP_MD_CTX_new");
  return HmacSha256(std::move(inner), std::move(outer), std::move(scratch));
}

absl::StatusOr<HmacSha256Tag> HmacSha256::Compute(absl::Span<const uint8_t> message) {
  HmacSha256Tag tag;
  const absl::Span<const uint8_t> pieces[] = {message};
  FEDLINK_RETURN_IF_ERROR(ComputeInto(pieces, &tag));
  return tag;
}

absl::Status HmacSha256::ComputeInto(absl::Span<const absl::Span<const uint8_t>> pieces,
                                     HmacSha256Tag* tag) {
  EVP_MD_CTX* const ctx = scratch_.get();
  // Inner hash: H(key^ipad || message), resumed from the keyed state.
  if (EVP_MD_CTX_copy_ex(ctx, inner_.get()) != 1) return SslError("EVP_MD_CTX_copy_ex");
  for (absl::Span<const uint8_t> piece : pieces) {
    if (piece.empty()) continue;
    if (EVP_DigestUpdate(ctx, piece.data(), piece.size()) != 1) {
      return SslError("EVP_DigestUpdate");
    }
  }
  HmacSha256Tag inner_hash;
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx, inner_hash.data(), &size) != 1) {
    return SslError("EVP_DigestFinal_ex");
  }
  if (size != kHmacSha256Bytes) {
    return absl::InternalError("EVP_DigestFinal_ex returned a digest of unexpected size");
  }
  // Outer hash: H(key^opad || inner hash).
  if (EVP_MD_CTX_copy_ex(ctx, outer_.get()) != 1) return SslError("EVP_MD_CTX_copy_ex");
  if (EVP_DigestUpdate(ctx, inner_hash.data(), inner_hash.size()) != 1) {
    return SslError("EVP_DigestUpdate");
  }
  if (EVP_DigestFinal_ex(ctx, tag->data(), &size) != 1) {
    return SslError("EVP_DigestFinal_ex");
  }
  if (size != kHmacSha256Bytes) {
    return absl::InternalError("EVP_DigestFinal_ex returned a digest of unexpected size");
  }
  return absl::OkStatus();
}

}  // namespace fedlink::crypto
