// Internal to linkage/match: the kernel tables of each popcount path, defined
// in popcount_portable.cc and popcount_x86.cc and picked by popcount.cc.
// Use popcount.h instead; calling an x86 table's kernels on a CPU without the
// instructions is an illegal-instruction crash.
#ifndef FEDLINK_LINKAGE_MATCH_POPCOUNT_KERNELS_H_
#define FEDLINK_LINKAGE_MATCH_POPCOUNT_KERNELS_H_

#include <cstddef>
#include <cstdint>

#include "linkage/match/popcount.h"

namespace fedlink::match::internal {

// The pass mask of one interleaved group for the scalar paths: bit l set when
// 2·counts[l]·den >= num·(pa + pops[l]) (DiceThreshold::Passes; the caller
// handles pa == 0).
inline uint8_t ScalarPassMask(const uint32_t* counts, const uint32_t* pops, uint32_t pa,
                              uint32_t numerator, uint32_t denominator) {
  uint8_t mask = 0;
  for (size_t l = 0; l < kInterleaveLanes; ++l) {
    const bool pass = 2 * uint64_t{counts[l]} * denominator >=
                      uint64_t{numerator} * (uint64_t{pa} + pops[l]);
    mask = static_cast<uint8_t>(mask | (uint8_t{pass} << l));
  }
  return mask;
}

extern const PopcountKernels kPortableKernels;

#if defined(__x86_64__)
#define FEDLINK_MATCH_HAVE_X86_KERNELS 1
extern const PopcountKernels kPopcntKernels;
extern const PopcountKernels kAvx2Kernels;
extern const PopcountKernels kAvx512Kernels;
#endif

}  // namespace fedlink::match::internal

#endif  // FEDLINK_LINKAGE_MATCH_POPCOUNT_KERNELS_H_
