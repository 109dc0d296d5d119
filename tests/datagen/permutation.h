// A keyed pseudo-random permutation of [0, n) in O(1) memory: a balanced
// Feistel network over the smallest even number of bits covering n, with
// cycle walking to stay inside [0, n). The generator uses it to shuffle row
// order, to draw unique random-looking local record ids and to hand out
// unique SSNs, all without materialising any list.
#ifndef FEDLINK_TESTS_DATAGEN_PERMUTATION_H_
#define FEDLINK_TESTS_DATAGEN_PERMUTATION_H_

#include <array>
#include <cstdint>

namespace fedlink::datagen {

class Permutation {
 public:
  // A permutation of [0, n) chosen by `key`; n must be >= 1. n may be up to
  // 2^62.
  Permutation(uint64_t n, uint64_t key);

  // The image of x; requires x < n. Thread-safe (const).
  uint64_t operator()(uint64_t x) const;

  uint64_t size() const { return n_; }

 private:
  static constexpr int kRounds = 6;

  uint64_t Feistel(uint64_t x) const;

  uint64_t n_;
  int half_bits_;
  uint64_t half_mask_;
  std::array<uint64_t, kRounds> round_keys_;
};

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_PERMUTATION_H_
