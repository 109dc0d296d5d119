// Population-count kernels for Bloom-filter comparison, with the
// implementation chosen at run time from what the CPU (and OS) supports.
//
// Every path is compiled into the same binary with a per-function target
// attribute, so the library needs no global -mavx2/-mavx512 flag and runs on
// any x86-64 (or, with the portable path only, any other) CPU. All paths
// return the same integers; they differ only in speed.
#ifndef FEDLINK_LINKAGE_MATCH_POPCOUNT_H_
#define FEDLINK_LINKAGE_MATCH_POPCOUNT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fedlink::match {

// The implementations, slowest first.
enum class PopcountPath : uint8_t {
  kPortable,  // SWAR bit arithmetic in plain C++; every CPU
  kPopcnt,    // the scalar POPCNT instruction
  kAvx2,      // AVX2: nibble lookup (vpshufb + vpsadbw) per pair, and
              // bit-sliced carry-save counters for all-pairs tiles
  kAvx512,    // AVX-512F/VL + VPOPCNTDQ (vpopcntq on 8 words at once) per
              // pair, and for all-pairs tiles the bit-sliced counters with
              // AVX-512VL vpternlogq (two instructions per carry-save adder)
};

// Filters of an interleaved tile come in groups of this many: word w of the
// group's filter l sits at group_base[w * kInterleaveLanes + l]. Eight 64-bit
// lanes fill one AVX-512 register or two AVX2 registers.
inline constexpr size_t kInterleaveLanes = 8;

// One row compared with a run of interleaved groups, with the Dice threshold
// test of dice.h applied to every count (2·c·den >= num·(pa + pb), exact
// integers) inside the kernel, where the counts are still in registers.
struct InterleavedDiceArgs {
  const uint64_t* a = nullptr;  // the row: `words` words
  uint32_t pa = 0;              // its popcount; pa == 0 means no lane passes
  // `groups` consecutive groups of words * kInterleaveLanes words each,
  // 64-byte aligned, laid out as described at kInterleaveLanes.
  const uint64_t* tile = nullptr;
  // Popcount of each lane: groups * kInterleaveLanes entries.
  const uint32_t* tile_popcounts = nullptr;
  size_t words = 0;  // <= kMaxFilterBits / 64 (dice.h)
  size_t groups = 0;
  uint32_t numerator = 0;  // the threshold, as DiceThreshold holds it
  uint32_t denominator = 1;
  // Outputs: counts[g * kInterleaveLanes + l] = popcount(a & lane l of group
  // g), and bit l of pass_masks[g] set when that lane passes the threshold.
  uint32_t* counts = nullptr;
  uint8_t* pass_masks = nullptr;
};

// Bit-sliced tiles: kSlicedLanes filters, stored as one kSlicedLanes-bit
// slice per bit position (kSlicedLanes / 64 words, word q holding filters
// 64q..64q+63; bit i of a word is filter 64q+i). Counting |a ∧ b| for all
// lanes at once then means adding up the slices at a's set positions as
// vertical (bit-sliced) binary counters — about 6 vector operations per set
// bit for 256 pairs, against 2 per word and pair for the nibble lookup.
inline constexpr size_t kSlicedLanes = 256;
inline constexpr size_t kSlicedWords = kSlicedLanes / 64;
// Bit planes a sliced count produces: enough for sums up to 2^24 - 1.
inline constexpr size_t kSlicedPlanes = 24;
// Scratch entries sliced_positions may write past the positions it returns.
inline constexpr size_t kSlicedPositionsSlack = 16;

// The kernels of one path. Plain function pointers: the caller looks the
// table up once per batch, never per pair.
struct PopcountKernels {
  PopcountPath path;
  // popcount(a[0] & b[0]) + ... + popcount(a[n-1] & b[n-1]). With a == b it is
  // the popcount of a. Any n; no alignment needed.
  uint32_t (*and_popcount)(const uint64_t* a, const uint64_t* b, size_t n);
  // See InterleavedDiceArgs.
  void (*dice_interleaved)(const InterleavedDiceArgs& args);
  // Sum of the slices of `tile` (32-byte aligned, laid out as described at
  // kSlicedLanes) at positions[0..count), count < 2^24, for every lane: the
  // binary digits of each lane's sum, digit k in planes[k * kSlicedWords ..
  // (k+1) * kSlicedWords) for k < kSlicedPlanes. With the row's set bits as
  // positions the sums are |a ∧ b|. Null on paths where the word-interleaved
  // kernel is faster.
  void (*sliced_count)(const uint64_t* tile, const uint32_t* positions, size_t count,
                       uint64_t* planes);
  // The positions sliced_count reads for one row of n words: the set bits of
  // row (bit i of word w is position 64w + i), or its clear bits when
  // `complement`, in increasing order, written to out[0..k) where k is the
  // returned count. Writes up to kSlicedPositionsSlack entries past out[k]
  // (out needs k + kSlicedPositionsSlack entries). Non-null exactly when
  // sliced_count is.
  size_t (*sliced_positions)(const uint64_t* row, size_t n, bool complement, uint32_t* out);
};

// A short stable name: "portable", "popcnt", "avx2", "avx512".
std::string_view PopcountPathName(PopcountPath path);

// True when this CPU and OS can run `path` (for AVX-512 that includes the OS
// saving ZMM state). The portable path is always supported. Thread-safe.
bool PopcountPathSupported(PopcountPath path);

// Every path compiled into this binary, slowest first (for benchmarks and
// tests that compare paths), and the supported subset.
std::vector<PopcountPath> AllPopcountPaths();
std::vector<PopcountPath> SupportedPopcountPaths();

// The fastest supported path: what scoring uses unless told otherwise.
PopcountPath BestPopcountPath();

// The kernels of `path`. FailedPrecondition when this CPU cannot run it
// (forcing an unsupported path must fail cleanly, never SIGILL).
// The table is static; thread-safe.
absl::StatusOr<const PopcountKernels*> GetPopcountKernels(PopcountPath path);

// The kernels of BestPopcountPath(). Thread-safe.
const PopcountKernels& BestPopcountKernels();

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_POPCOUNT_H_
