#include "linkage/crypto/secret_bytes.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "linkage/crypto/ssl_error.h"

namespace fedlink::crypto {

SecretBytes::SecretBytes(absl::Span<const uint8_t> bytes)
    : bytes_(bytes.begin(), bytes.end()) {}

SecretBytes SecretBytes::Zeroed(size_t size) {
  SecretBytes s;
  s.bytes_.assign(size, 0);
  return s;
}

absl::StatusOr<SecretBytes> SecretBytes::Random(size_t size) {
  SecretBytes s = Zeroed(size);
  if (size > 0 && RAND_bytes(s.bytes_.data(), static_cast<int>(size)) != 1) {
    return SslError("RAND_bytes");
  }
  return s;
}

SecretBytes::SecretBytes(const SecretBytes& other) : bytes_(other.bytes_) {}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    Wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

// A moved-from std::vector hands over its buffer, so nothing is left behind
// to wipe in `other`.
SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

bool operator==(const SecretBytes& a, const SecretBytes& b) {
  return a.size() == b.size() &&
         (a.size() == 0 || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace fedlink::crypto
