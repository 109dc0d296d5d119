// HKDF-SHA256 (RFC 5869) through OpenSSL 3 EVP_KDF: the one-call form, and
// its two halves for constructions that label each step themselves (HPKE's
// LabeledExtract / LabeledExpand, RFC 9180 §4).
#ifndef FEDLINK_LINKAGE_CRYPTO_HKDF_H_
#define FEDLINK_LINKAGE_CRYPTO_HKDF_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::crypto {

// RFC 5869 limits the output to 255 hash lengths.
inline constexpr size_t kHkdfSha256MaxLength = 255 * 32;
// The pseudorandom key of HKDF-Extract is one hash output.
inline constexpr size_t kHkdfSha256PrkLength = 32;

// OKM = HKDF-Expand(HKDF-Extract(salt, ikm), info, length). An empty salt
// means the RFC's default (a string of zeros); an empty info is allowed.
// InvalidArgument if `ikm` is empty or `length` is 0 or above
// kHkdfSha256MaxLength; Internal (naming the OpenSSL function) if OpenSSL
// fails. Error messages never contain key material. Thread-safe.
absl::StatusOr<SecretBytes> HkdfSha256(const SecretBytes& ikm,
                                       absl::Span<const uint8_t> salt,
                                       std::string_view info, size_t length);

// PRK = HKDF-Extract(salt, ikm), kHkdfSha256PrkLength bytes. An empty salt
// means the RFC's default (a string of zeros). InvalidArgument if `ikm` is
// empty; Internal if OpenSSL fails. Thread-safe.
absl::StatusOr<SecretBytes> HkdfSha256Extract(absl::Span<const uint8_t> salt,
                                              const SecretBytes& ikm);

// OKM = HKDF-Expand(prk, info, length); `info` may hold any bytes and be
// empty. InvalidArgument if `prk` is shorter than kHkdfSha256PrkLength (RFC
// 5869 §2.3) or `length` is 0 or above kHkdfSha256MaxLength; Internal if
// OpenSSL fails. Thread-safe.
absl::StatusOr<SecretBytes> HkdfSha256Expand(const SecretBytes& prk,
                                             std::string_view info,
                                             size_t length);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_HKDF_H_
