// HKDF-SHA256 (RFC 5869), extract then expand, through OpenSSL 3 EVP_KDF.
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

// OKM = HKDF-Expand(HKDF-Extract(salt, ikm), info, length). An empty salt
// means the RFC's default (a string of zeros); an empty info is allowed.
// InvalidArgument if `ikm` is empty or `length` is 0 or above
// kHkdfSha256MaxLength; Internal (naming the OpenSSL function) if OpenSSL
// fails. Error messages never contain key material. Thread-safe.
absl::StatusOr<SecretBytes> HkdfSha256(const SecretBytes& ikm,
                                       absl::Span<const uint8_t> salt,
                                       std::string_view info, size_t length);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_HKDF_H_
