#include "linkage/crypto/sha256.h"

#include <cstdlib>

#include <openssl/evp.h>


namespace fedlink::crypto {

Sha256Digest Sha256(absl::Span<const uint8_t> data) {
  Sha256Digest digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(),
                 nullptr) != 1 ||
      size != kSha256Bytes) {
    // Only possible when OpenSSL cannot allocate: an invariant, not input.
    std::abort();
  }
  return digest;
}

Sha256Digest Sha256(std::string_view data) {
  return Sha256(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

std::string ToHex(absl::Span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

}  // namespace fedlink::crypto
