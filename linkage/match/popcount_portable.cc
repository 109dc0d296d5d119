// The portable popcount path: SWAR arithmetic that any C++ compiler turns
// into plain integer instructions. It is the reference the other paths are
// tested against, and the fallback on CPUs without POPCNT.
#include <cstddef>
#include <cstdint>

#include "linkage/match/popcount.h"
#include "linkage/match/popcount_kernels.h"

namespace fedlink::match::internal {
namespace {

// The classic divide-and-conquer bit count (Hacker's Delight, fig. 5-2),
// written out so that no libgcc helper call is involved.
inline uint32_t Popcount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<uint32_t>((x * 0x0101010101010101ULL) >> 56);
}

uint32_t AndPopcount(const uint64_t* a, const uint64_t* b, size_t n) {
  uint32_t total = 0;
  for (size_t i = 0; i < n; ++i) total += Popcount64(a[i] & b[i]);
  return total;
}

void DiceInterleaved(const InterleavedDiceArgs& args) {
  const size_t n = args.words;
  for (size_t g = 0; g < args.groups; ++g) {
    const uint64_t* group = args.tile + g * n * kInterleaveLanes;
    uint32_t acc[kInterleaveLanes] = {};
    for (size_t w = 0; w < n; ++w) {
      const uint64_t aw = args.a[w];
      const uint64_t* row = group + w * kInterleaveLanes;
      // Fully unrolled so that the eight sums live in registers.
#pragma GCC unroll 8
      for (size_t l = 0; l < kInterleaveLanes; ++l) acc[l] += Popcount64(aw & row[l]);
    }
    uint32_t* counts = args.counts + g * kInterleaveLanes;
    for (size_t l = 0; l < kInterleaveLanes; ++l) counts[l] = acc[l];
    args.pass_masks[g] =
        args.pa == 0 ? 0
                     : ScalarPassMask(counts, args.tile_popcounts + g * kInterleaveLanes, args.pa,
                                      args.numerator, args.denominator);
  }
}

}  // namespace

const PopcountKernels kPortableKernels = {
    .path = PopcountPath::kPortable,
    .and_popcount = &AndPopcount,
    .dice_interleaved = &DiceInterleaved,
    .sliced_count = nullptr,
    .sliced_positions = nullptr,
};

}  // namespace fedlink::match::internal
