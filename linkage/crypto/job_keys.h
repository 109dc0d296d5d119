// Per-job keys. Agencies share a 32-byte linkage secret out of band; for each
// job the coordinator picks a random nonce, and every agent derives the job's
// keys from the two, so encodings from different jobs cannot be linked to
// each other (and the coordinator, which lacks the secret, cannot compute
// any of them).
#ifndef FEDLINK_LINKAGE_CRYPTO_JOB_KEYS_H_
#define FEDLINK_LINKAGE_CRYPTO_JOB_KEYS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::crypto {

inline constexpr size_t kLinkageSecretBytes = 32;
inline constexpr size_t kMinJobNonceBytes = 16;
inline constexpr size_t kJobKeyBytes = 32;

// HKDF info strings: one per key purpose, versioned so that a future change
// of construction yields unrelated keys.
inline constexpr std::string_view kTokenKeyInfo = "fedlink/v1/token-key";
inline constexpr std::string_view kBloomKeyInfo = "fedlink/v1/bloom-key";

struct JobKeys {
  SecretBytes token_key;  // HMAC key of salted-hash tokens
  SecretBytes bloom_key;  // PRF key of Bloom-filter positions
};

// Each key = HKDF-SHA256(ikm = linkage_secret, salt = job_nonce,
// info = its info string), kJobKeyBytes long. InvalidArgument if the secret
// is not exactly kLinkageSecretBytes or the nonce is shorter than
// kMinJobNonceBytes (the message gives sizes only, never bytes); Internal if
// OpenSSL fails. Thread-safe.
absl::StatusOr<JobKeys> DeriveJobKeys(const SecretBytes& linkage_secret,
                                      absl::Span<const uint8_t> job_nonce);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_JOB_KEYS_H_
