// The x86-64 popcount paths. Each function carries its own target attribute,
// so this file is compiled for baseline x86-64 like the rest of the library
// and the instructions are only executed after popcount.cc has checked that
// the CPU supports them.
#include "linkage/match/popcount_kernels.h"

#if defined(FEDLINK_MATCH_HAVE_X86_KERNELS)

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "linkage/match/popcount.h"

namespace fedlink::match::internal {
namespace {

// ---------------------------------------------------------------- POPCNT

__attribute__((target("popcnt"))) uint32_t PopcntAndPopcount(const uint64_t* a,
                                                             const uint64_t* b,
                                                             size_t n) {
  // Four independent sums so that the adds do not serialise on one register.
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += static_cast<uint64_t>(__builtin_popcountll(a[i] & b[i]));
    s1 += static_cast<uint64_t>(__builtin_popcountll(a[i + 1] & b[i + 1]));
    s2 += static_cast<uint64_t>(__builtin_popcountll(a[i + 2] & b[i + 2]));
    s3 += static_cast<uint64_t>(__builtin_popcountll(a[i + 3] & b[i + 3]));
  }
  for (; i < n; ++i) s0 += static_cast<uint64_t>(__builtin_popcountll(a[i] & b[i]));
  return static_cast<uint32_t>(s0 + s1 + s2 + s3);
}

__attribute__((target("popcnt"))) void PopcntDiceInterleaved(const InterleavedDiceArgs& args) {
  const size_t n = args.words;
  for (size_t g = 0; g < args.groups; ++g) {
    const uint64_t* group = args.tile + g * n * kInterleaveLanes;
    // Eight independent chains, one per filter of the group.
    uint32_t acc[kInterleaveLanes] = {};
    for (size_t w = 0; w < n; ++w) {
      const uint64_t aw = args.a[w];
      const uint64_t* row = group + w * kInterleaveLanes;
      // Fully unrolled so that the eight sums live in registers.
#pragma GCC unroll 8
      for (size_t l = 0; l < kInterleaveLanes; ++l) {
        acc[l] += static_cast<uint32_t>(__builtin_popcountll(aw & row[l]));
      }
    }
    uint32_t* counts = args.counts + g * kInterleaveLanes;
    for (size_t l = 0; l < kInterleaveLanes; ++l) counts[l] = acc[l];
    args.pass_masks[g] =
        args.pa == 0 ? 0
                     : ScalarPassMask(counts, args.tile_popcounts + g * kInterleaveLanes, args.pa,
                                      args.numerator, args.denominator);
  }
}

// ---------------------------------------------------------------- AVX2
//
// Bytes are counted with a 16-entry nibble table (vpshufb) and the byte
// counts summed per 64-bit lane with vpsadbw against zero (Muła, Kurz and
// Lemire, "Faster population counts using AVX2 instructions", 2018). A byte
// count is at most 8 per 64-bit word, so byte accumulators are folded into
// 64-bit lanes every kAvx2FoldWords words before they can exceed 255.

constexpr size_t kAvx2FoldWords = 31;  // 31 * 8 = 248 <= 255

__attribute__((target("avx2"))) inline __m256i Avx2ByteCounts(__m256i v) {
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibble = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(v, low_nibble);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
}

__attribute__((target("avx2,popcnt"))) uint32_t Avx2AndPopcount(const uint64_t* a,
                                                                const uint64_t* b,
                                                                size_t n) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i total = zero;
  size_t i = 0;
  // Each step counts 4 words; the byte accumulator takes at most
  // kAvx2FoldWords steps (each adds <= 8 per byte) before it is folded.
  while (i + 4 <= n) {
    __m256i bytes = zero;
    for (size_t steps = 0; steps < kAvx2FoldWords && i + 4 <= n; ++steps, i += 4) {
      const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
      const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
      bytes = _mm256_add_epi8(bytes, Avx2ByteCounts(_mm256_and_si256(va, vb)));
    }
    total = _mm256_add_epi64(total, _mm256_sad_epu8(bytes, zero));
  }
  uint64_t sum = static_cast<uint64_t>(_mm256_extract_epi64(total, 0)) +
                 static_cast<uint64_t>(_mm256_extract_epi64(total, 1)) +
                 static_cast<uint64_t>(_mm256_extract_epi64(total, 2)) +
                 static_cast<uint64_t>(_mm256_extract_epi64(total, 3));
  for (; i < n; ++i) sum += static_cast<uint64_t>(__builtin_popcountll(a[i] & b[i]));
  return static_cast<uint32_t>(sum);
}

// Bit l of the result is set when lane l passes 2·c·den >= num·(pa + pb).
// All products are below 2^54 (dice.h), so unsigned 32x32->64-bit
// multiplies and a signed 64-bit compare are exact.
__attribute__((target("avx2"))) inline unsigned Avx2PassBits(__m256i counts, __m256i pops,
                                                            __m256i pa, __m256i num,
                                                            __m256i den) {
  const __m256i lhs = _mm256_mul_epu32(_mm256_add_epi64(counts, counts), den);
  const __m256i rhs = _mm256_mul_epu32(_mm256_add_epi64(pa, pops), num);
  const __m256i fails = _mm256_cmpgt_epi64(rhs, lhs);
  return ~static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(fails))) & 0xfu;
}

__attribute__((target("avx2"))) void Avx2DiceInterleaved(const InterleavedDiceArgs& args) {
  const size_t n = args.words;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i pa = _mm256_set1_epi64x(args.pa);
  const __m256i num = _mm256_set1_epi64x(args.numerator);
  const __m256i den = _mm256_set1_epi64x(args.denominator);
  for (size_t g = 0; g < args.groups; ++g) {
    const uint64_t* group = args.tile + g * n * kInterleaveLanes;
    // Lanes 0-3 and 4-7 of the group: two independent accumulator chains.
    __m256i total_lo = zero;
    __m256i total_hi = zero;
    size_t w = 0;
    while (w < n) {
      __m256i bytes_lo = zero;
      __m256i bytes_hi = zero;
      for (size_t steps = 0; steps < kAvx2FoldWords && w < n; ++steps, ++w) {
        const __m256i aw = _mm256_set1_epi64x(static_cast<long long>(args.a[w]));
        const __m256i* row = reinterpret_cast<const __m256i*>(group + w * kInterleaveLanes);
        bytes_lo = _mm256_add_epi8(bytes_lo,
                                   Avx2ByteCounts(_mm256_and_si256(aw, _mm256_load_si256(row))));
        bytes_hi = _mm256_add_epi8(
            bytes_hi, Avx2ByteCounts(_mm256_and_si256(aw, _mm256_load_si256(row + 1))));
      }
      total_lo = _mm256_add_epi64(total_lo, _mm256_sad_epu8(bytes_lo, zero));
      total_hi = _mm256_add_epi64(total_hi, _mm256_sad_epu8(bytes_hi, zero));
    }
    const uint32_t* pops = args.tile_popcounts + g * kInterleaveLanes;
    const __m256i pops_lo =
        _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pops)));
    const __m256i pops_hi =
        _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pops + 4)));
    const unsigned pass = Avx2PassBits(total_lo, pops_lo, pa, num, den) |
                          (Avx2PassBits(total_hi, pops_hi, pa, num, den) << 4);
    args.pass_masks[g] = args.pa == 0 ? 0 : static_cast<uint8_t>(pass);
    // Each 64-bit lane holds a count < 2^32: keep the low dword of each.
    const __m256i pick_low_dwords = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
    uint32_t* counts = args.counts + g * kInterleaveLanes;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(counts),
                     _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(total_lo, pick_low_dwords)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(counts + 4),
                     _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(total_hi, pick_low_dwords)));
  }
}

// The positions of the set (or, with `complement`, clear) bits of a row,
// one bit at a time.
__attribute__((target("popcnt"))) size_t ScalarSlicedPositions(const uint64_t* row, size_t n,
                                                               bool complement, uint32_t* out) {
  const uint64_t flip = complement ? ~uint64_t{0} : 0;
  uint32_t* next = out;
  for (size_t w = 0; w < n; ++w) {
    for (uint64_t x = row[w] ^ flip; x != 0; x &= x - 1) {
      *next++ = static_cast<uint32_t>(w * 64) + static_cast<uint32_t>(__builtin_ctzll(x));
    }
  }
  return static_cast<size_t>(next - out);
}

// Bit-sliced counting (kSlicedLanes in popcount.h): the slices at the row's
// positions are summed lane-wise as vertical binary counters with a
// Harley-Seal carry-save adder tree (Harley and Seal; Muła, Kurz and Lemire
// 2018): 16 slices cost 15 CSAs of 5 logic operations and leave one
// "sixteens" vector, which is rippled into the upper counter digits.

struct Avx2Csa {
  __m256i high;
  __m256i low;
};

// a + b + c = 2·high + low, lane-wise and bit-wise.
__attribute__((target("avx2"))) inline Avx2Csa Avx2CarrySave(__m256i a, __m256i b, __m256i c) {
  const __m256i u = _mm256_xor_si256(a, b);
  return {_mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(u, c)),
          _mm256_xor_si256(u, c)};
}

__attribute__((target("avx2"))) inline __m256i Avx2Slice(const uint64_t* tile,
                                                         const uint32_t* positions, size_t i) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(tile + positions[i] * kSlicedWords));
}

// Adds the one-bit-per-lane vector `carry` into the binary counter digits
// planes[first..top). The caller guarantees the sum fits below digit `top`,
// so the loop length is fixed (predictable) rather than data-dependent.
__attribute__((target("avx2"))) inline void Avx2Ripple(__m256i* planes, size_t first, size_t top,
                                                      __m256i carry) {
  for (size_t k = first; k < top; ++k) {
    const __m256i next = _mm256_and_si256(planes[k], carry);
    planes[k] = _mm256_xor_si256(planes[k], carry);
    carry = next;
  }
}

__attribute__((target("avx2"))) void Avx2SlicedCount(const uint64_t* tile,
                                                     const uint32_t* positions, size_t count,
                                                     uint64_t* out) {
  static_assert(kSlicedWords == 4, "one AVX2 register per slice");
  // Digits 0-3 live in registers during the tree; digits 4+ (the sixteens
  // and up) in planes[4..).
  __m256i planes[kSlicedPlanes];
  for (__m256i& p : planes) p = _mm256_setzero_si256();
  __m256i ones = planes[0], twos = planes[0], fours = planes[0], eights = planes[0];
  // No lane's sum reaches 2^top.
  const size_t top = std::min<size_t>(kSlicedPlanes, static_cast<size_t>(std::bit_width(count)));
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    Avx2Csa t = Avx2CarrySave(ones, Avx2Slice(tile, positions, i), Avx2Slice(tile, positions, i + 1));
    ones = t.low;
    const __m256i twos_a0 = t.high;
    t = Avx2CarrySave(ones, Avx2Slice(tile, positions, i + 2), Avx2Slice(tile, positions, i + 3));
    ones = t.low;
    t = Avx2CarrySave(twos, twos_a0, t.high);
    twos = t.low;
    const __m256i fours_a = t.high;
    t = Avx2CarrySave(ones, Avx2Slice(tile, positions, i + 4), Avx2Slice(tile, positions, i + 5));
    ones = t.low;
    const __m256i twos_a1 = t.high;
    t = Avx2CarrySave(ones, Avx2Slice(tile, positions, i + 6), Avx2Slice(tile, positions, i + 7));
    ones = t.low;
    t = Avx2CarrySave(twos, twos_a1, t.high);
    twos = t.low;
    t = Avx2CarrySave(fours, fours_a, t.high);
    fours = t.low;
    const __m256i eights_a = t.high;
    t = Avx2CarrySave(ones, Avx2Slice(tile, positions, i + 8), Avx2Slice(tile, positions, i + 9));
    ones = t.low;
    const __m256i twos_a2 = t.high;
    t = Avx2CarrySave(ones, Avx2Slice(tile, positions, i + 10), Avx2Slice(tile, positions, i + 11));
    ones = t.low;
    t = Avx2CarrySave(twos, twos_a2, t.high);
    twos = t.low;
    const __m256i fours_b = t.high;
    t = Avx2CarrySave(ones, Avx2Slice(tile, positions, i + 12), Avx2Slice(tile, positions, i + 13));
    ones = t.low;
    const __m256i twos_a3 = t.high;
    t = Avx2CarrySave(ones, Avx2Slice(tile, positions, i + 14), Avx2Slice(tile, positions, i + 15));
    ones = t.low;
    t = Avx2CarrySave(twos, twos_a3, t.high);
    twos = t.low;
    t = Avx2CarrySave(fours, fours_b, t.high);
    fours = t.low;
    t = Avx2CarrySave(eights, eights_a, t.high);
    eights = t.low;
    Avx2Ripple(planes, 4, top, t.high);  // the sixteens
  }
  planes[0] = ones;
  planes[1] = twos;
  planes[2] = fours;
  planes[3] = eights;
  for (; i < count; ++i) Avx2Ripple(planes, 0, top, Avx2Slice(tile, positions, i));
  for (size_t k = 0; k < kSlicedPlanes; ++k) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + k * kSlicedWords), planes[k]);
  }
}

// ---------------------------------------------------------------- AVX-512
//
// VPOPCNTDQ counts the bits of each 64-bit lane directly, so an interleaved
// group of 8 filters costs one broadcast-AND, one vpopcntq and one add per
// word.

__attribute__((target("avx512f,avx512vpopcntdq"))) uint32_t Avx512AndPopcount(
    const uint64_t* a, const uint64_t* b, size_t n) {
  __m512i total = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512i va = _mm512_loadu_si512(a + i);
    const __m512i vb = _mm512_loadu_si512(b + i);
    total = _mm512_add_epi64(total, _mm512_popcnt_epi64(_mm512_and_si512(va, vb)));
  }
  if (i < n) {
    const __mmask8 tail = static_cast<__mmask8>((1u << (n - i)) - 1u);
    const __m512i va = _mm512_maskz_loadu_epi64(tail, a + i);
    const __m512i vb = _mm512_maskz_loadu_epi64(tail, b + i);
    total = _mm512_add_epi64(total, _mm512_popcnt_epi64(_mm512_and_si512(va, vb)));
  }
  // Summed through memory: GCC 12's _mm512_reduce_add_epi64 trips
  // -Wuninitialized on its internal _mm256_undefined_si256() (as do the
  // unmasked forms of cvtepi64_epi32, cvtepu32_epi64 and mul_epu32, hence the
  // all-ones masks below), which -Werror would turn into a build failure.
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, total);
  uint64_t sum = 0;
  for (uint64_t lane : lanes) sum += lane;
  return static_cast<uint32_t>(sum);
}

// Writes counts and the pass mask of one group from its eight 64-bit totals.
__attribute__((target("avx512f"))) inline void Avx512Finish(const InterleavedDiceArgs& args,
                                                           size_t g, __m512i total) {
  const __m512i pa = _mm512_set1_epi64(args.pa);
  const __m512i pops = _mm512_maskz_cvtepu32_epi64(0xff, _mm256_loadu_si256(
      reinterpret_cast<const __m256i*>(args.tile_popcounts + g * kInterleaveLanes)));
  // 2·c·den >= num·(pa + pb); products < 2^54, exact (see Avx2PassBits).
  const __m512i lhs = _mm512_maskz_mul_epu32(0xff, _mm512_add_epi64(total, total),
                                       _mm512_set1_epi64(args.denominator));
  const __m512i rhs = _mm512_maskz_mul_epu32(0xff, _mm512_add_epi64(pa, pops),
                                       _mm512_set1_epi64(args.numerator));
  const __mmask8 pass = _mm512_cmp_epu64_mask(lhs, rhs, _MM_CMPINT_NLT);
  args.pass_masks[g] = args.pa == 0 ? 0 : static_cast<uint8_t>(pass);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(args.counts + g * kInterleaveLanes),
                      _mm512_maskz_cvtepi64_epi32(0xff, total));
}

__attribute__((target("avx512f,avx512vpopcntdq"))) void Avx512DiceInterleaved(
    const InterleavedDiceArgs& args) {
  const size_t n = args.words;
  size_t g = 0;
  // Two groups per pass: two independent add chains hide vpopcntq latency.
  for (; g + 2 <= args.groups; g += 2) {
    const uint64_t* group0 = args.tile + g * n * kInterleaveLanes;
    const uint64_t* group1 = group0 + n * kInterleaveLanes;
    __m512i total0 = _mm512_setzero_si512();
    __m512i total1 = _mm512_setzero_si512();
    for (size_t w = 0; w < n; ++w) {
      const __m512i aw = _mm512_set1_epi64(static_cast<long long>(args.a[w]));
      total0 = _mm512_add_epi64(
          total0,
          _mm512_popcnt_epi64(_mm512_and_si512(aw, _mm512_load_si512(group0 + w * kInterleaveLanes))));
      total1 = _mm512_add_epi64(
          total1,
          _mm512_popcnt_epi64(_mm512_and_si512(aw, _mm512_load_si512(group1 + w * kInterleaveLanes))));
    }
    Avx512Finish(args, g, total0);
    Avx512Finish(args, g + 1, total1);
  }
  for (; g < args.groups; ++g) {
    const uint64_t* group = args.tile + g * n * kInterleaveLanes;
    __m512i total = _mm512_setzero_si512();
    for (size_t w = 0; w < n; ++w) {
      const __m512i aw = _mm512_set1_epi64(static_cast<long long>(args.a[w]));
      total = _mm512_add_epi64(
          total,
          _mm512_popcnt_epi64(_mm512_and_si512(aw, _mm512_load_si512(group + w * kInterleaveLanes))));
    }
    Avx512Finish(args, g, total);
  }
}

// Bit-sliced counting with AVX-512VL: the same vertical counters as
// Avx2SlicedCount on the same 256-lane tiles, but each carry-save adder is
// two vpternlogq (majority and three-way xor) instead of five AVX2 logic
// operations, and 256-bit vpternlogq issues on three ports where 512-bit
// operations get two. A tile of 1024 slices (32 KiB) stays in L1.

struct Avx512Csa {
  __m256i high;
  __m256i low;
};

// a + b + c = 2·high + low, lane-wise and bit-wise.
__attribute__((target("avx512f,avx512vl"))) inline Avx512Csa Avx512CarrySave(__m256i a, __m256i b,
                                                                          __m256i c) {
  return {_mm256_ternarylogic_epi64(a, b, c, 0xe8),   // majority
          _mm256_ternarylogic_epi64(a, b, c, 0x96)};  // a ^ b ^ c
}

__attribute__((target("avx512f,avx512vl"))) inline __m256i Avx512Slice(const uint64_t* slice) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(slice));
}

// The digits 1, 2, 4 and 8 of the counters, kept in registers.
struct Avx512LowDigits {
  __m256i ones;
  __m256i twos;
  __m256i fours;
  __m256i eights;
};

// Adds the 16 slices slice(0..15) into `d` and returns the carry out of the
// eights (one bit per lane worth 16). `slice` gives slice pointers only, so
// that the intrinsics all stay inside this function's target.
template <typename SliceFn>
__attribute__((target("avx512f,avx512vl"))) inline __m256i Avx512AddSixteen(Avx512LowDigits& d,
                                                                           SliceFn slice) {
  Avx512Csa t = Avx512CarrySave(d.ones, Avx512Slice(slice(0)), Avx512Slice(slice(1)));
  const __m256i twos_a0 = t.high;
  t = Avx512CarrySave(t.low, Avx512Slice(slice(2)), Avx512Slice(slice(3)));
  d.ones = t.low;
  t = Avx512CarrySave(d.twos, twos_a0, t.high);
  d.twos = t.low;
  const __m256i fours_a = t.high;
  t = Avx512CarrySave(d.ones, Avx512Slice(slice(4)), Avx512Slice(slice(5)));
  const __m256i twos_a1 = t.high;
  t = Avx512CarrySave(t.low, Avx512Slice(slice(6)), Avx512Slice(slice(7)));
  d.ones = t.low;
  t = Avx512CarrySave(d.twos, twos_a1, t.high);
  d.twos = t.low;
  t = Avx512CarrySave(d.fours, fours_a, t.high);
  d.fours = t.low;
  const __m256i eights_a = t.high;
  t = Avx512CarrySave(d.ones, Avx512Slice(slice(8)), Avx512Slice(slice(9)));
  const __m256i twos_a2 = t.high;
  t = Avx512CarrySave(t.low, Avx512Slice(slice(10)), Avx512Slice(slice(11)));
  d.ones = t.low;
  t = Avx512CarrySave(d.twos, twos_a2, t.high);
  d.twos = t.low;
  const __m256i fours_b = t.high;
  t = Avx512CarrySave(d.ones, Avx512Slice(slice(12)), Avx512Slice(slice(13)));
  const __m256i twos_a3 = t.high;
  t = Avx512CarrySave(t.low, Avx512Slice(slice(14)), Avx512Slice(slice(15)));
  d.ones = t.low;
  t = Avx512CarrySave(d.twos, twos_a3, t.high);
  d.twos = t.low;
  t = Avx512CarrySave(d.fours, fours_b, t.high);
  d.fours = t.low;
  t = Avx512CarrySave(d.eights, eights_a, t.high);
  d.eights = t.low;
  return t.high;
}

__attribute__((target("avx512f,avx512vl"))) void Avx512SlicedCount(const uint64_t* tile,
                                                                   const uint32_t* positions,
                                                                   size_t count, uint64_t* out) {
  static_assert(kSlicedWords == 4, "one 256-bit register per slice");
  alignas(32) static constexpr uint64_t kZeroSlice[kSlicedWords] = {};
  // Digits 1-16 live in registers; digits 32 and up in planes[5..), which
  // change once per 32 slices.
  __m256i planes[kSlicedPlanes];
  for (__m256i& p : planes) p = _mm256_setzero_si256();
  Avx512LowDigits d = {planes[0], planes[0], planes[0], planes[0]};
  __m256i sixteens = planes[0];
  // No lane's sum reaches 2^top.
  const size_t top = std::min<size_t>(kSlicedPlanes, static_cast<size_t>(std::bit_width(count)));
  const auto slice_at = [tile, positions](size_t i) { return tile + positions[i] * kSlicedWords; };
  size_t i = 0;
  for (; i + 32 <= count; i += 32) {
    const __m256i carry_a = Avx512AddSixteen(d, [&slice_at, i](size_t k) { return slice_at(i + k); });
    const __m256i carry_b =
        Avx512AddSixteen(d, [&slice_at, i](size_t k) { return slice_at(i + 16 + k); });
    const Avx512Csa t = Avx512CarrySave(sixteens, carry_a, carry_b);
    sixteens = t.low;
    Avx2Ripple(planes, 5, top, t.high);
  }
  // At most 31 slices are left: a full block of 16, then a partial one whose
  // missing slices read as zero (one more pass of the tree costs less than
  // rippling each slice through every digit).
  for (; i < count; i += 16) {
    const uint64_t* block[16];
    for (size_t k = 0; k < 16; ++k) block[k] = i + k < count ? slice_at(i + k) : kZeroSlice;
    const __m256i carry = Avx512AddSixteen(d, [&block](size_t k) { return block[k]; });
    const __m256i thirty_twos = _mm256_and_si256(sixteens, carry);
    sixteens = _mm256_xor_si256(sixteens, carry);
    Avx2Ripple(planes, 5, top, thirty_twos);
  }
  planes[4] = sixteens;
  planes[0] = d.ones;
  planes[1] = d.twos;
  planes[2] = d.fours;
  planes[3] = d.eights;
  for (size_t k = 0; k < kSlicedPlanes; ++k) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + k * kSlicedWords), planes[k]);
  }
}

// Positions 16 at a time: vpcompressd packs the indices of a 16-bit chunk's
// set bits to the front of a register, which is stored whole (hence the
// slack) and the output advanced by the chunk's popcount. No per-bit loop,
// so no dependency chain through the bits.
__attribute__((target("avx512f,popcnt"))) size_t Avx512SlicedPositions(const uint64_t* row,
                                                                       size_t n, bool complement,
                                                                       uint32_t* out) {
  static_assert(kSlicedPositionsSlack >= 16, "a chunk stores 16 entries");
  const uint64_t flip = complement ? ~uint64_t{0} : 0;
  const __m512i sixteen = _mm512_set1_epi32(16);
  __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  size_t count = 0;
  for (size_t w = 0; w < n; ++w) {
    const uint64_t x = row[w] ^ flip;
    for (unsigned chunk = 0; chunk < 4; ++chunk) {
      const auto bits = static_cast<__mmask16>(x >> (16 * chunk));
      _mm512_storeu_si512(out + count, _mm512_maskz_compress_epi32(bits, index));
      count += static_cast<size_t>(_mm_popcnt_u32(bits));
      index = _mm512_add_epi32(index, sixteen);
    }
  }
  return count;
}

}  // namespace

const PopcountKernels kPopcntKernels = {
    .path = PopcountPath::kPopcnt,
    .and_popcount = &PopcntAndPopcount,
    .dice_interleaved = &PopcntDiceInterleaved,
    .sliced_count = nullptr,
    .sliced_positions = nullptr,
};

const PopcountKernels kAvx2Kernels = {
    .path = PopcountPath::kAvx2,
    .and_popcount = &Avx2AndPopcount,
    .dice_interleaved = &Avx2DiceInterleaved,
    .sliced_count = &Avx2SlicedCount,
    .sliced_positions = &ScalarSlicedPositions,
};

const PopcountKernels kAvx512Kernels = {
    .path = PopcountPath::kAvx512,
    .and_popcount = &Avx512AndPopcount,
    .dice_interleaved = &Avx512DiceInterleaved,
    .sliced_count = &Avx512SlicedCount,
    .sliced_positions = &Avx512SlicedPositions,
};

}  // namespace fedlink::match::internal

#endif  // FEDLINK_MATCH_HAVE_X86_KERNELS
