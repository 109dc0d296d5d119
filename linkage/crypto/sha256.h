// SHA-256 over a byte string (OpenSSL EVP). Thread-safe.
#ifndef FEDLINK_LINKAGE_CRYPTO_SHA256_H_
#define FEDLINK_LINKAGE_CRYPTO_SHA256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/types/span.h"

namespace fedlink::crypto {

inline constexpr size_t kSha256Bytes = 32;
using Sha256Digest = std::array<uint8_t, kSha256Bytes>;

// SHA-256 never fails for in-memory input short of memory exhaustion, where
// OpenSSL's failure is a programmer-visible abort rather than a Status.
Sha256Digest Sha256(absl::Span<const uint8_t> data);
Sha256Digest Sha256(std::string_view data);

// Lower-case hexadecimal of any byte string.
std::string ToHex(absl::Span<const uint8_t> bytes);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_SHA256_H_
