// SecretBytes holds key material: the agencies' linkage secret, per-job keys,
// at-rest keys. It wipes itself with OPENSSL_cleanse when destroyed or
// overwritten, compares in constant time, and cannot be printed (no
// operator<<, no conversion to a string type).
#ifndef FEDLINK_LINKAGE_CRYPTO_SECRET_BYTES_H_
#define FEDLINK_LINKAGE_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace fedlink::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  // Copies `bytes`; the caller remains responsible for wiping its own copy.
  explicit SecretBytes(absl::Span<const uint8_t> bytes);
  // `size` zero bytes, to be filled through mutable_data().
  static SecretBytes Zeroed(size_t size);
  // `size` bytes from OpenSSL's CSPRNG. Fails only if the CSPRNG does.
  static absl::StatusOr<SecretBytes> Random(size_t size);

  SecretBytes(const SecretBytes& other);
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* mutable_data() { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  absl::Span<const uint8_t> span() const { return bytes_; }

  // Constant-time comparison (CRYPTO_memcmp); sizes are not secret.
  friend bool operator==(const SecretBytes& a, const SecretBytes& b);

  friend void PrintTo(const SecretBytes& s, std::ostream* os) {
    *os << "[secret " << s.size() << " bytes]";
  }

 private:
  void Wipe();
  std::vector<uint8_t> bytes_;
};

std::ostream& operator<<(std::ostream&, const SecretBytes&) = delete;

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_SECRET_BYTES_H_
