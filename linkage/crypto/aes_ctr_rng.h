// A cryptographically strong uniform random bit generator: AES-256 in counter
// mode, E_K(stream_id ‖ counter), read as little-endian 64-bit words. It
// satisfies std::uniform_random_bit_generator, so it plugs into <random>
// distributions and into the Bloom-filter hardening (BLIP).
//
// Two uses:
//  * keyed and deterministic (Create): every agency derives the same stream
//    from the same job key, e.g. the balancing permutation;
//  * randomly seeded (CreateRandomlySeeded): the key comes from OpenSSL's
//    CSPRNG (RAND_priv_bytes) and is never exposed; this is the default noise
//    source for BLIP randomised response.
//
// The 64-bit stream_id is the first half of every counter block, so callers
// sharing one key separate their streams (and keep them apart from their
// other uses of the key) by choosing distinct stream ids.
#ifndef FEDLINK_LINKAGE_CRYPTO_AES_CTR_RNG_H_
#define FEDLINK_LINKAGE_CRYPTO_AES_CTR_RNG_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linkage/crypto/aes_prf.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::crypto {

class AesCtrRng {
 public:
  using result_type = uint64_t;

  // The stream E_K(stream_id ‖ 0), E_K(stream_id ‖ 1), … (both halves
  // big-endian). InvalidArgument unless `key` is 32 bytes.
  static absl::StatusOr<AesCtrRng> Create(const SecretBytes& key,
                                          uint64_t stream_id);

  // A fresh 32-byte key from the CSPRNG. Internal if the CSPRNG fails.
  static absl::StatusOr<AesCtrRng> CreateRandomlySeeded();

  AesCtrRng(AesCtrRng&&) noexcept;
  AesCtrRng& operator=(AesCtrRng&&) noexcept;
  ~AesCtrRng();

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() {
    return std::numeric_limits<result_type>::max();
  }

  // The next 64 bits of the stream. A URBG cannot return an error, so if
  // OpenSSL ever fails to refill the buffer, the generator latches the error
  // in status() and returns zeros from then on: a caller that needs the
  // output to be random must check status() after drawing. Not thread-safe.
  result_type operator()() {
    if (next_ == buffer_.size()) Refill();
    return buffer_[next_++];
  }

  // OK unless a refill has failed.
  const absl::Status& status() const { return status_; }

 private:
  // 64 AES blocks per EVP call: amortises the call, keeps the buffer small.
  static constexpr size_t kBlocksPerRefill = 64;

  AesCtrRng(AesPrf prf, uint64_t stream_id);
  void Refill();

  AesPrf prf_;
  uint64_t stream_id_;
  uint64_t counter_ = 0;
  std::array<AesBlock, kBlocksPerRefill> blocks_{};
  std::array<uint64_t, 2 * kBlocksPerRefill> buffer_{};
  size_t next_;
  absl::Status status_;
};

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_AES_CTR_RNG_H_
