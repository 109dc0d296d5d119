#include "linkage/match/bit_slices.h"

#include <algorithm>
#include <cstdint>

namespace fedlink::match {
namespace {

// One level of the recursive transpose (Hacker's Delight, 2nd ed., 7-3, for
// 64 bits and least-significant-first numbering): in every 2J x 2J block,
// swap the J x J sub-block above the diagonal with the one below it. `mask`
// selects the low J bits of every 2J-bit group.
template <int J>
inline void TransposeLevel(uint64_t* m, uint64_t mask) {
  for (int k = 0; k < 64; k += 2 * J) {
    for (int i = k; i < k + J; ++i) {
      const uint64_t t = ((m[i] >> J) ^ m[i + J]) & mask;
      m[i + J] ^= t;
      m[i] ^= t << J;
    }
  }
}

}  // namespace

void Transpose64(uint64_t m[64]) {
  TransposeLevel<32>(m, 0x00000000ffffffffULL);
  TransposeLevel<16>(m, 0x0000ffff0000ffffULL);
  TransposeLevel<8>(m, 0x00ff00ff00ff00ffULL);
  TransposeLevel<4>(m, 0x0f0f0f0f0f0f0f0fULL);
  TransposeLevel<2>(m, 0x3333333333333333ULL);
  TransposeLevel<1>(m, 0x5555555555555555ULL);
}

BitSlices::BitSlices(const FilterStore& store)
    : bits_(store.bits()), blocks_((store.size() + kBlock - 1) / kBlock) {
  slices_.resize(blocks_ * bits_);
  const size_t words = store.words_per_filter();
  uint64_t m[64];
  for (size_t block = 0; block < blocks_; ++block) {
    const size_t first = block * kBlock;
    const size_t count = std::min(kBlock, store.size() - first);
    for (size_t w = 0; w < words; ++w) {
      for (size_t i = 0; i < kBlock; ++i) {
        m[i] = i < count ? store.row(static_cast<RecordIndex>(first + i))[w] : 0;
      }
      Transpose64(m);
      std::copy(m, m + 64, slices_.begin() + static_cast<ptrdiff_t>(block * bits_ + w * 64));
    }
  }
}

}  // namespace fedlink::match
