#include "linkage/crypto/job_keys.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/hkdf.h"
#include "linkage/status_macros.h"

namespace fedlink::crypto {

absl::StatusOr<JobKeys> DeriveJobKeys(const SecretBytes& linkage_secret,
                                      absl::Span<const uint8_t> job_nonce) {
  if (linkage_secret.size() != kLinkageSecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("linkage secret must be ", kLinkageSecretBytes,
                     " bytes, got ", linkage_secret.size()));
  }
  if (job_nonce.size() < kMinJobNonceBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("job nonce must be at least ", kMinJobNonceBytes,
                     " bytes, got ", job_nonce.size()));
  }
  JobKeys keys;
  FEDLINK_ASSIGN_OR_RETURN(
      keys.token_key,
      HkdfSha256(linkage_secret, job_nonce, kTokenKeyInfo, kJobKeyBytes));
  FEDLINK_ASSIGN_OR_RETURN(
      keys.bloom_key,
      HkdfSha256(linkage_secret, job_nonce, kBloomKeyInfo, kJobKeyBytes));
  return keys;
}

}  // namespace fedlink::crypto
