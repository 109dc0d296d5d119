// Hardening of Bloom-filter encodings against frequency and pattern-mining
// attacks (Ranbaduge & Schnell, "Securing Bloom filters for privacy-
// preserving record linkage", 2020, give the taxonomy):
//   * XOR-folding: bit i of the result is bit i XOR bit i + L/2; the length
//     halves and no single bit reveals a q-gram's position any more.
//   * Balancing: append the complement and permute with a keyed permutation;
//     the length doubles and exactly half the bits are set, so the Hamming
//     weight (a proxy for value length and frequency) carries nothing.
//   * BLIP: randomised response, each bit flipped independently with
//     probability f (ε-differential privacy per bit, ε = ln((1-f)/f)).
//
// The encoder applies them in this order: XOR-fold, then balance, then BLIP.
// Balancing comes after folding so that the released filter keeps its exactly
// half-set weight (folding a balanced filter would give its weight back a
// data-dependent spread); BLIP comes last because its privacy guarantee is
// about the bits as released. Final length: L, halved by folding, doubled by
// balancing (HardenedBits).
#ifndef FEDLINK_LINKAGE_ENCODE_HARDENING_H_
#define FEDLINK_LINKAGE_ENCODE_HARDENING_H_

#include <cmath>
#include <concepts>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/encode/encodings.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::encode {

// Length in bits of a filter of `bits` bits after `hardening`.
uint32_t HardenedBits(const schema::BloomHardening& hardening, uint32_t bits);

// XOR-folds in place: words[i] ^= words[i + n/2], then the upper half is
// dropped. InvalidArgument if the filter has an odd number of 64-bit words
// (its length must be a multiple of 128 bits). Thread-safe for distinct
// filters.
absl::Status XorFold(BloomFilter* filter);

// The keyed permutation used for balancing filters of one length.
class BalancingPermutation {
 public:
  // A uniformly random permutation of 2·input_bits positions, drawn by
  // Fisher–Yates with unbiased (rejection-sampled) indices from
  // crypto::AesCtrRng(key, stream_id); every agency holding the key gets the
  // same permutation. InvalidArgument unless input_bits is a positive
  // multiple of 64 with 2·input_bits ≤ 65536, or if the key is not 32
  // bytes; Internal if OpenSSL fails.
  static absl::StatusOr<BalancingPermutation> Create(
      const crypto::SecretBytes& key, uint64_t stream_id, uint32_t input_bits);

  uint32_t input_bits() const {
    return static_cast<uint32_t>(target_.size() / 2);
  }

  // *out = π(in ‖ NOT in): 2·input_bits bits of which exactly input_bits are
  // set. InvalidArgument if `in` is not input_bits long. `out` must not be
  // `in`; its capacity is reused. Thread-safe (const).
  absl::Status Apply(const BloomFilter& in, BloomFilter* out) const;

  // Where bit i of (in ‖ NOT in) goes. For tests.
  const std::vector<uint16_t>& targets() const { return target_; }

 private:
  BalancingPermutation(std::vector<uint16_t> target,
                       std::vector<uint64_t> zero_image)
      : target_(std::move(target)), zero_image_(std::move(zero_image)) {}
  std::vector<uint16_t> target_;
  // π(0…0 ‖ 1…1): the output for an all-zero input.
  std::vector<uint64_t> zero_image_;
};

// BLIP: flips each bit of *filter independently with probability
// `flip_probability` (no-op unless it is in (0, 1)). Instead of one draw per
// bit it draws the geometric gaps between flips — the same distribution at
// about f·L draws instead of L. Randomness comes from `urbg`: use a
// cryptographically strong generator in production (crypto::AesCtrRng); a
// seeded std::mt19937_64 makes tests reproducible.
template <std::uniform_random_bit_generator Urbg>
void ApplyBlip(double flip_probability, Urbg& urbg, BloomFilter* filter) {
  if (!(flip_probability > 0.0 && flip_probability < 1.0)) return;
  const size_t n = filter->words.size() * 64;
  // P(gap ≥ g) = (1 - f)^g  ⇔  gap = ⌊ln U / ln(1 - f)⌋, U uniform in (0, 1].
  const double inv_log_keep = 1.0 / std::log1p(-flip_probability);
  std::uniform_int_distribution<uint64_t> bits64;
  size_t i = 0;
  while (i < n) {
    const double u =
        (static_cast<double>(bits64(urbg) >> 11) + 1.0) * 0x1.0p-53;
    const double gap = std::floor(std::log(u) * inv_log_keep);
    if (gap >= static_cast<double>(n - i)) break;
    i += static_cast<size_t>(gap);
    filter->words[i >> 6] ^= uint64_t{1} << (i & 63);
    ++i;
  }
}

}  // namespace fedlink::encode

#endif  // FEDLINK_LINKAGE_ENCODE_HARDENING_H_
