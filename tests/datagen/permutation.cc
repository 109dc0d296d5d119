#include "tests/datagen/permutation.h"

#include "tests/datagen/rng.h"

namespace fedlink::datagen {

Permutation::Permutation(uint64_t n, uint64_t key) : n_(n) {
  int bits = 2;
  while (bits < 64 && (uint64_t{1} << bits) < n) bits += 2;
  half_bits_ = bits / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  for (int i = 0; i < kRounds; ++i) round_keys_[i] = HashWords({key, static_cast<uint64_t>(i)});
}

uint64_t Permutation::Feistel(uint64_t x) const {
  uint64_t left = x >> half_bits_;
  uint64_t right = x & half_mask_;
  for (uint64_t k : round_keys_) {
    const uint64_t next = left ^ (Mix64(right ^ k) & half_mask_);
    left = right;
    right = next;
  }
  return (left << half_bits_) | right;
}

uint64_t Permutation::operator()(uint64_t x) const {
  // Cycle walking: the Feistel network permutes [0, 2^bits) ⊇ [0, n), so
  // following x's cycle reaches an element below n again; the domain is
  // less than 4n, so that takes few steps on average.
  do {
    x = Feistel(x);
  } while (x >= n_);
  return x;
}

}  // namespace fedlink::datagen
