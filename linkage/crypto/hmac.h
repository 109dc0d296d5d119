// HMAC-SHA256 under one fixed key (OpenSSL 3 EVP_MAC "HMAC"). The key
// schedule runs once, in Create; each message afterwards only re-initialises
// the context, which keeps the key. This is the PRF behind salted-hash tokens
// and keyed Bloom-filter positions, so it sits on the encoders' hot path.
#ifndef FEDLINK_LINKAGE_CRYPTO_HMAC_H_
#define FEDLINK_LINKAGE_CRYPTO_HMAC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {

inline constexpr size_t kHmacSha256Bytes = 32;
using HmacSha256Tag = std::array<uint8_t, kHmacSha256Bytes>;

// The bytes of a string, for MAC inputs. No copy.
inline absl::Span<const uint8_t> AsBytes(std::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

// Thread-compatible, not thread-safe: an instance owns a mutable OpenSSL
// context, so give each thread its own (Clone is cheaper than Create: it
// copies the keyed state instead of re-running the key schedule). Movable,
// not copyable; a moved-from instance may only be destroyed or assigned to.
class HmacSha256 {
 public:
  // Sets up the keyed context. InvalidArgument if `key` is empty; Internal
  // (naming the OpenSSL function) if OpenSSL fails. The key is copied into
  // OpenSSL's context; the caller keeps ownership of `key`.
  static absl::StatusOr<HmacSha256> Create(const SecretBytes& key);

  // An independent instance with the same key (EVP_MAC_CTX_dup), for another
  // thread. Internal if OpenSSL fails.
  absl::StatusOr<HmacSha256> Clone() const;

  HmacSha256(HmacSha256&&) noexcept = default;
  HmacSha256& operator=(HmacSha256&&) noexcept = default;

  // HMAC-SHA256(key, message). Internal if OpenSSL fails.
  absl::StatusOr<HmacSha256Tag> Compute(absl::Span<const uint8_t> message);
  absl::StatusOr<HmacSha256Tag> Compute(std::string_view message) {
    return Compute(AsBytes(message));
  }

  // HMAC-SHA256 of the concatenation of `pieces`, written to *tag, without
  // concatenating them first: the hot-path form (fedlink allocates nothing
  // here). Internal if OpenSSL fails.
  absl::Status ComputeInto(absl::Span<const absl::Span<const uint8_t>> pieces,
                           HmacSha256Tag* tag);

 private:
  explicit HmacSha256(SslUniquePtr<EVP_MAC_CTX> ctx) : ctx_(std::move(ctx)) {}

  SslUniquePtr<EVP_MAC_CTX> ctx_;
};

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_HMAC_H_
