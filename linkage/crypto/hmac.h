// HMAC-SHA256 under one fixed key (RFC 2104), built from OpenSSL 3 EVP
// SHA-256 contexts. Create absorbs key^ipad and key^opad once into two
// SHA-256 states; each message then starts from copies of those states, so a
// short message costs two compressions plus two context copies. That is ~20%
// cheaper than re-initialising an EVP_MAC "HMAC" context per message (which
// performs the same copies behind a parameter-handling layer); see
// tests/bench/crypto_hmac_bench.cc for the alternatives measured. This is the
// PRF behind salted-hash tokens, so it sits on the encoders' hot path.
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
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Thread-compatible, not thread-safe: an instance owns a mutable scratch
// context, so give each thread its own (Clone copies the keyed states instead
// of re-deriving them from the key). Movable, not copyable; a moved-from
// instance may only be destroyed or assigned to.
class HmacSha256 {
 public:
  // Derives the keyed inner and outer states (a key longer than the 64-byte
  // SHA-256 block is hashed first, as RFC 2104 says). InvalidArgument if
  // `key` is empty; Internal (naming the OpenSSL function) if OpenSSL fails.
  // Only the keyed hash states are kept (in OpenSSL contexts, which wipe them
  // when freed); the pads are wiped before returning; the caller keeps
  // ownership of `key`.
  static absl::StatusOr<HmacSha256> Create(const SecretBytes& key);

  // An independent instance with the same key (copies of the keyed states),
  // for another thread. Internal if OpenSSL fails.
  absl::StatusOr<HmacSha256> Clone() const;

  HmacSha256(HmacSha256&&) noexcept = default;
  HmacSha256& operator=(HmacSha256&&) noexcept = default;

  // HMAC-SHA256(key, message). Internal if OpenSSL fails.
  absl::StatusOr<HmacSha256Tag> Compute(absl::Span<const uint8_t> message);
  absl::StatusOr<HmacSha256Tag> Compute(std::string_view message) {
    return Compute(AsBytes(message));
  }

  // HMAC-SHA256 of the concatenation of `pieces`, written to *tag, without
  // concatenating them first: the hot-path form. Internal if OpenSSL fails;
  // the instance stays usable (every call starts from the keyed states).
  absl::Status ComputeInto(absl::Span<const absl::Span<const uint8_t>> pieces, HmacSha256Tag* tag);

 private:
  HmacSha256(SslUniquePtr<EVP_MD_CTX> inner, SslUniquePtr<EVP_MD_CTX> outer,
             SslUniquePtr<EVP_MD_CTX> scratch)
      : inner_(std::move(inner)), outer_(std::move(outer)), scratch_(std::move(scratch)) {}

  // SHA-256 after absorbing key^ipad and key^opad respectively; only ever
  // copied from, never updated after Create.
  SslUniquePtr<EVP_MD_CTX> inner_;
  SslUniquePtr<EVP_MD_CTX> outer_;
  // Where each message's inner and then outer hash is computed.
  SslUniquePtr<EVP_MD_CTX> scratch_;
};

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_HMAC_H_
