#include "linkage/match/scoring.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <memory>
#include <new>
#include <numeric>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "linkage/match/bit_slices.h"
#include "linkage/match/parallel.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

// A-rows per all-pairs task: 128 rows of 1024 bits are 16 KiB, which stay in
// L1/L2 next to the current B tile.
constexpr size_t kRowsPerTask = 128;
// Target size of one interleaved B tile: half of a 32 KiB L1 data cache.
constexpr size_t kTileBytes = 16 * 1024;
// Candidates per scoring task: enough to amortise task claiming, small enough
// to balance threads.
constexpr size_t kCandidatesPerTask = 16 * 1024;
// How far ahead candidate scoring prefetches the rows of later pairs.
constexpr size_t kPrefetchDistance = 8;

struct AlignedFree {
  void operator()(uint64_t* p) const { ::operator delete[](p, std::align_val_t{64}); }
};
using AlignedWords = std::unique_ptr<uint64_t[], AlignedFree>;

AlignedWords AllocateAligned(size_t words) {
  return AlignedWords(
      static_cast<uint64_t*>(::operator new[](std::max<size_t>(words, 1) * sizeof(uint64_t),
                                              std::align_val_t{64})));
}

absl::StatusOr<const PopcountKernels*> KernelsFor(const ScoringOptions& options) {
  if (options.path.has_value()) return GetPopcountKernels(*options.path);
  return &BestPopcountKernels();
}

absl::Status CheckCompatible(const FilterStore& a, const FilterStore& b) {
  if (a.bits() != b.bits()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dice scoring: filter lengths differ (", a.bits(), " and ", b.bits(), " bits)"));
  }
  return absl::OkStatus();
}

ScoredPair MakePair(const ScoringOptions& options, RecordIndex a, RecordIndex b,
                    uint32_t common, uint32_t pa, uint32_t pb) {
  return ScoredPair{.a = {.party = options.party_a, .index = a},
                    .b = {.party = options.party_b, .index = b},
                    .score = DiceFromCounts(common, pa, pb)};
}

bool ByIndices(const ScoredPair& x, const ScoredPair& y) {
  return x.a.index != y.a.index ? x.a.index < y.a.index : x.b.index < y.b.index;
}

// Concatenates per-task outputs in task order and sums their stats.
ScoringResult Combine(std::vector<std::vector<ScoredPair>>& parts,
                      const std::vector<ScoringStats>& stats) {
  ScoringResult result;
  size_t total = 0;
  for (const auto& part : parts) total += part.size();
  result.pairs.reserve(total);
  for (auto& part : parts) {
    result.pairs.insert(result.pairs.end(), part.begin(), part.end());
    std::vector<ScoredPair>().swap(part);
  }
  for (const ScoringStats& s : stats) {
    result.stats.pairs_considered += s.pairs_considered;
    result.stats.pairs_pruned += s.pairs_pruned;
    result.stats.pairs_compared += s.pairs_compared;
    result.stats.pairs_matched += s.pairs_matched;
  }
  return result;
}

// B's filters sorted by popcount and copied into tiles of the layout the
// kernels want: word-interleaved groups of kInterleaveLanes, or bit-sliced
// tiles of kSlicedLanes (popcount.h). Lanes past the end of B are zero
// filters with popcount 0; no popcount window ever reaches them.
struct SortedTiles {
  std::vector<RecordIndex> order;  // sorted position -> record index in B
  // Sorted position -> popcount: ascending over [0, b.size()), then zeros for
  // the padding lanes.
  std::vector<uint32_t> popcount;
  AlignedWords words;
};

SortedTiles SortByPopcount(const FilterStore& b, size_t lanes_per_group) {
  SortedTiles t;
  const size_t n = b.size();
  t.order.resize(n);
  std::iota(t.order.begin(), t.order.end(), RecordIndex{0});
  std::stable_sort(t.order.begin(), t.order.end(), [&b](RecordIndex x, RecordIndex y) {
    return b.popcount(x) < b.popcount(y);
  });
  const size_t groups = (n + lanes_per_group - 1) / lanes_per_group;
  t.popcount.assign(groups * lanes_per_group, 0);
  for (size_t j = 0; j < n; ++j) t.popcount[j] = b.popcount(t.order[j]);
  return t;
}

SortedTiles BuildInterleavedTiles(const FilterStore& b) {
  SortedTiles t = SortByPopcount(b, kInterleaveLanes);
  const size_t w = b.words_per_filter();
  const size_t total = t.popcount.size() * w;
  t.words = AllocateAligned(total);
  std::memset(t.words.get(), 0, std::max<size_t>(total, 1) * sizeof(uint64_t));
  for (size_t j = 0; j < b.size(); ++j) {
    uint64_t* group = t.words.get() + (j / kInterleaveLanes) * w * kInterleaveLanes;
    const size_t lane = j % kInterleaveLanes;
    const uint64_t* row = b.row(t.order[j]);
    for (size_t k = 0; k < w; ++k) group[k * kInterleaveLanes + lane] = row[k];
  }
  return t;
}

// Tile t holds, for each bit position p, the slice of sorted filters
// t·kSlicedLanes .. +kSlicedLanes at words [(t·bits + p)·kSlicedWords, +kSlicedWords).
SortedTiles BuildSlicedTiles(const FilterStore& b) {
  SortedTiles t = SortByPopcount(b, kSlicedLanes);
  const size_t bits = b.bits();
  const size_t tiles = t.popcount.size() / kSlicedLanes;
  t.words = AllocateAligned(tiles * bits * kSlicedWords);
  uint64_t m[64];
  for (size_t tile = 0; tile < tiles; ++tile) {
    for (size_t q = 0; q < kSlicedWords; ++q) {
      const size_t first = tile * kSlicedLanes + q * 64;
      for (size_t w = 0; w < b.words_per_filter(); ++w) {
        for (size_t i = 0; i < 64; ++i) {
          m[i] = first + i < b.size() ? b.row(t.order[first + i])[w] : 0;
        }
        Transpose64(m);  // m[k]: bit k of word w of the 64 filters
        for (size_t k = 0; k < 64; ++k) {
          t.words[(tile * bits + w * 64 + k) * kSlicedWords + q] = m[k];
        }
      }
    }
  }
  return t;
}

// The sorted positions [lo, hi) whose popcounts can reach the threshold
// against popcount pa. PopcountsCanPass(pa, pb) is increasing in pb below pa
// and decreasing above it, so the window is one contiguous run.
std::pair<size_t, size_t> PopcountWindow(absl::Span<const uint32_t> sorted, uint32_t pa,
                                         const DiceThreshold& threshold) {
  if (pa == 0) return {0, 0};  // dice with an empty filter is 0
  const auto lo = std::partition_point(sorted.begin(), sorted.end(), [&](uint32_t pb) {
    return pb < pa && !threshold.PopcountsCanPass(pa, pb);
  });
  const auto hi = std::partition_point(lo, sorted.end(), [&](uint32_t pb) {
    return pb <= pa || threshold.PopcountsCanPass(pa, pb);
  });
  return {static_cast<size_t>(lo - sorted.begin()), static_cast<size_t>(hi - sorted.begin())};
}

// A task's rows of A with their popcount windows in sorted B.
struct RowBlock {
  const FilterStore& a;
  size_t begin;
  size_t end;
  const std::vector<std::pair<size_t, size_t>>& windows;  // index r - begin
};

// Word-interleaved tiles: each row against the groups of kInterleaveLanes
// that cover its window, the threshold applied inside the kernel.
void ScoreRowsInterleaved(const RowBlock& rows, const SortedTiles& tiles,
                          const DiceThreshold& threshold, const PopcountKernels& kernels,
                          const ScoringOptions& options, std::vector<ScoredPair>* out) {
  const size_t w = rows.a.words_per_filter();
  const size_t n_b = tiles.order.size();
  const size_t lanes_per_tile =
      std::max<size_t>(1, kTileBytes / (w * sizeof(uint64_t) * kInterleaveLanes)) *
      kInterleaveLanes;
  std::vector<uint32_t> counts(lanes_per_tile);
  std::vector<uint8_t> pass_masks(lanes_per_tile / kInterleaveLanes);
  InterleavedDiceArgs args;
  args.words = w;
  args.numerator = threshold.numerator();
  args.denominator = threshold.denominator();
  args.counts = counts.data();
  args.pass_masks = pass_masks.data();
  for (size_t tile_begin = 0; tile_begin < n_b; tile_begin += lanes_per_tile) {
    const size_t tile_end = std::min(n_b, tile_begin + lanes_per_tile);
    for (size_t r = rows.begin; r < rows.end; ++r) {
      const size_t lo = std::max(rows.windows[r - rows.begin].first, tile_begin);
      const size_t hi = std::min(rows.windows[r - rows.begin].second, tile_end);
      if (lo >= hi) continue;
      // Whole groups around the window: lanes outside it cannot pass (they
      // fail the popcount bound, which the count test implies).
      const size_t group_lo = lo / kInterleaveLanes;
      const size_t group_hi = (hi + kInterleaveLanes - 1) / kInterleaveLanes;
      const RecordIndex ra = static_cast<RecordIndex>(r);
      args.a = rows.a.row(ra);
      args.pa = rows.a.popcount(ra);
      args.tile = tiles.words.get() + group_lo * w * kInterleaveLanes;
      args.tile_popcounts = tiles.popcount.data() + group_lo * kInterleaveLanes;
      args.groups = group_hi - group_lo;
      kernels.dice_interleaved(args);
      for (size_t g = 0; g < args.groups; ++g) {
        for (unsigned mask = pass_masks[g]; mask != 0; mask &= mask - 1) {
          const size_t lane = g * kInterleaveLanes + static_cast<size_t>(__builtin_ctz(mask));
          const size_t j = group_lo * kInterleaveLanes + lane;
          out->push_back(MakePair(options, ra, tiles.order[j], counts[lane], args.pa,
                                  tiles.popcount[j]));
        }
      }
    }
  }
}

// The smallest common count that passes against popcounts pa, pb:
// ceil(num·(pa + pb) / (2·den)).
uint64_t NeededCommon(const DiceThreshold& t, uint32_t pa, uint32_t pb) {
  const uint64_t num = uint64_t{t.numerator()} * (uint64_t{pa} + pb);
  const uint64_t den = 2 * uint64_t{t.denominator()};
  return (num + den - 1) / den;
}

// Lanes (bit i of word q: lane 64q+i) whose bit-sliced value in `planes`
// (digits of kSlicedWords words; those from `digits` up are zero) is >= k.
std::array<uint64_t, kSlicedWords> SlicedAtLeast(const uint64_t* planes, size_t digits,
                                                 uint64_t k) {
  std::array<uint64_t, kSlicedWords> greater{};
  if (k >= (uint64_t{1} << digits)) return greater;  // nothing is that large
  std::array<uint64_t, kSlicedWords> equal;
  equal.fill(~uint64_t{0});
  // From the top digit down; once no lane is still equal to k's prefix, the
  // lower digits change nothing (usually after a few digits: most lanes are
  // far below the bound).
  for (size_t d = digits; d-- > 0;) {
    const uint64_t* x = planes + d * kSlicedWords;
    uint64_t still_equal = 0;
    if ((k >> d) & 1) {
      for (size_t q = 0; q < kSlicedWords; ++q) {
        equal[q] &= x[q];
        still_equal |= equal[q];
      }
    } else {
      for (size_t q = 0; q < kSlicedWords; ++q) {
        greater[q] |= equal[q] & x[q];
        equal[q] &= ~x[q];
        still_equal |= equal[q];
      }
    }
    if (still_equal == 0) return greater;
  }
  for (size_t q = 0; q < kSlicedWords; ++q) greater[q] |= equal[q];
  return greater;
}

uint32_t SlicedValue(const uint64_t* planes, size_t digits, size_t lane) {
  uint32_t value = 0;
  for (size_t d = 0; d < digits; ++d) {
    value |= static_cast<uint32_t>((planes[d * kSlicedWords + lane / 64] >> (lane % 64)) & 1) << d;
  }
  return value;
}

// Bit-sliced tiles: per row and tile, the kernel sums the slices at the
// row's set bits — or, for a row with more than half its bits set, at its
// clear bits, counting c' = |¬a ∧ b| = pb - c — into per-lane binary
// counters. A bit-sliced comparison with one bound for the whole tile picks
// the lanes that may pass (a superset: the bound is the loosest over the
// tile's part of the window); only those are read out and tested exactly.
void ScoreRowsSliced(const RowBlock& rows, const SortedTiles& tiles,
                     const DiceThreshold& threshold, const PopcountKernels& kernels,
                     const ScoringOptions& options, std::vector<ScoredPair>* out) {
  const uint32_t bits = rows.a.bits();
  const size_t n_b = tiles.order.size();
  // Every row's positions, built once and reused for every tile: row r's
  // list is positions[offsets[r - begin] .. offsets[r - begin + 1]).
  const size_t n_rows = rows.end - rows.begin;
  std::vector<size_t> offsets(n_rows + 1, 0);
  std::vector<bool> complement(n_rows);
  for (size_t r = rows.begin; r < rows.end; ++r) {
    const uint32_t pa = rows.a.popcount(static_cast<RecordIndex>(r));
    const bool use_zeros = 2 * pa > bits;
    complement[r - rows.begin] = use_zeros;
    offsets[r - rows.begin + 1] = offsets[r - rows.begin] + (use_zeros ? bits - pa : pa);
  }
  std::vector<uint32_t> positions(offsets[n_rows] + kSlicedPositionsSlack);
  for (size_t r = rows.begin; r < rows.end; ++r) {
    kernels.sliced_positions(rows.a.row(static_cast<RecordIndex>(r)), bits / 64,
                             complement[r - rows.begin],
                             positions.data() + offsets[r - rows.begin]);
  }
  alignas(64) uint64_t planes[kSlicedPlanes * kSlicedWords];
  for (size_t tile_begin = 0; tile_begin < n_b; tile_begin += kSlicedLanes) {
    const size_t tile_end = std::min(n_b, tile_begin + kSlicedLanes);
    const uint64_t* tile = tiles.words.get() + (tile_begin / kSlicedLanes) * bits * kSlicedWords;
    for (size_t r = rows.begin; r < rows.end; ++r) {
      const size_t lo = std::max(rows.windows[r - rows.begin].first, tile_begin);
      const size_t hi = std::min(rows.windows[r - rows.begin].second, tile_end);
      if (lo >= hi) continue;
      const RecordIndex ra = static_cast<RecordIndex>(r);
      const uint32_t pa = rows.a.popcount(ra);
      const bool use_zeros = complement[r - rows.begin];
      const uint32_t* list = positions.data() + offsets[r - rows.begin];
      const size_t list_size = offsets[r - rows.begin + 1] - offsets[r - rows.begin];
      // A sum of list_size one-bit slices has no digit at or above this.
      const size_t digits = static_cast<size_t>(std::bit_width(list_size));
      // Normal: c >= need(pb), need grows with pb, so the tile's bound is
      // need at its smallest pb. Complement: c' <= pb - need(pb), which
      // never shrinks as pb grows, so the bound is at its largest pb.
      std::array<uint64_t, kSlicedWords> candidates;
      if (!use_zeros) {
        const uint64_t at_least = NeededCommon(threshold, pa, tiles.popcount[lo]);
        kernels.sliced_count(tile, list, list_size, planes);
        candidates = SlicedAtLeast(planes, digits, at_least);
      } else {
        const uint32_t pb_max = tiles.popcount[hi - 1];
        const uint64_t need = NeededCommon(threshold, pa, pb_max);
        if (need > pb_max) continue;  // nothing in this tile can pass
        kernels.sliced_count(tile, list, list_size, planes);
        const std::array<uint64_t, kSlicedWords> above =
            SlicedAtLeast(planes, digits, pb_max - need + 1);
        for (size_t q = 0; q < kSlicedWords; ++q) candidates[q] = ~above[q];
      }
      for (size_t q = 0; q < kSlicedWords; ++q) {
        for (uint64_t mask = candidates[q]; mask != 0; mask &= mask - 1) {
          const size_t lane = q * 64 + static_cast<size_t>(__builtin_ctzll(mask));
          const size_t j = tile_begin + lane;
          if (j < lo || j >= hi) continue;
          const uint32_t pb = tiles.popcount[j];
          const uint32_t value = SlicedValue(planes, digits, lane);
          const uint32_t common = use_zeros ? pb - value : value;
          if (threshold.Passes(common, pa, pb)) {
            out->push_back(MakePair(options, ra, tiles.order[j], common, pa, pb));
          }
        }
      }
    }
  }
}

}  // namespace

absl::StatusOr<ScoringResult> ScoreAllPairs(const FilterStore& a, const FilterStore& b,
                                            const DiceThreshold& threshold,
                                            const ScoringOptions& options) {
  FEDLINK_RETURN_IF_ERROR(CheckCompatible(a, b));
  FEDLINK_ASSIGN_OR_RETURN(const PopcountKernels* kernels, KernelsFor(options));
  const bool sliced = kernels->sliced_count != nullptr;
  const SortedTiles tiles = sliced ? BuildSlicedTiles(b) : BuildInterleavedTiles(b);
  const size_t n_b = b.size();
  const size_t num_tasks = (a.size() + kRowsPerTask - 1) / kRowsPerTask;
  std::vector<std::vector<ScoredPair>> parts(num_tasks);
  std::vector<ScoringStats> stats(num_tasks);

  ParallelFor(ResolveThreadCount(options.threads), num_tasks, [&](size_t task) {
    const size_t row_begin = task * kRowsPerTask;
    const size_t row_end = std::min(a.size(), row_begin + kRowsPerTask);
    std::vector<std::pair<size_t, size_t>> windows(row_end - row_begin);
    ScoringStats& s = stats[task];
    for (size_t r = row_begin; r < row_end; ++r) {
      windows[r - row_begin] =
          PopcountWindow(absl::MakeConstSpan(tiles.popcount.data(), n_b),
                         a.popcount(static_cast<RecordIndex>(r)), threshold);
      const auto [lo, hi] = windows[r - row_begin];
      s.pairs_considered += n_b;
      s.pairs_compared += hi - lo;
    }
    s.pairs_pruned = s.pairs_considered - s.pairs_compared;
    const RowBlock rows{a, row_begin, row_end, windows};
    std::vector<ScoredPair>& out = parts[task];
    if (sliced) {
      ScoreRowsSliced(rows, tiles, threshold, *kernels, options, &out);
    } else {
      ScoreRowsInterleaved(rows, tiles, threshold, *kernels, options, &out);
    }
    std::sort(out.begin(), out.end(), ByIndices);
    s.pairs_matched = out.size();
  });
  return Combine(parts, stats);
}

absl::StatusOr<ScoringResult> ScoreCandidates(const FilterStore& a, const FilterStore& b,
                                              absl::Span<const CandidatePair> candidates,
                                              const DiceThreshold& threshold,
                                              const ScoringOptions& options) {
  FEDLINK_RETURN_IF_ERROR(CheckCompatible(a, b));
  FEDLINK_ASSIGN_OR_RETURN(const PopcountKernels* kernels, KernelsFor(options));
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].a() >= a.size() || candidates[i].b() >= b.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("dice scoring: candidate ", i, " names record (", candidates[i].a(), ", ",
                       candidates[i].b(), ") beyond the stores' ", a.size(), " and ", b.size(),
                       " records"));
    }
  }
  // Rows are compared over the padded stride: the padding is zero on both
  // sides, and whole cache lines suit the SIMD kernels.
  const size_t stride = a.stride_words();
  const size_t num_tasks = (candidates.size() + kCandidatesPerTask - 1) / kCandidatesPerTask;
  std::vector<std::vector<ScoredPair>> parts(num_tasks);
  std::vector<ScoringStats> stats(num_tasks);

  ParallelFor(ResolveThreadCount(options.threads), num_tasks, [&](size_t task) {
    const size_t begin = task * kCandidatesPerTask;
    const size_t end = std::min(candidates.size(), begin + kCandidatesPerTask);
    ScoringStats& s = stats[task];
    std::vector<ScoredPair>& out = parts[task];
    s.pairs_considered = end - begin;
    for (size_t i = begin; i < end; ++i) {
      if (i + kPrefetchDistance < end) {
        __builtin_prefetch(b.row(candidates[i + kPrefetchDistance].b()));
        __builtin_prefetch(b.row(candidates[i + kPrefetchDistance].b()) + kRowAlignWords);
      }
      const RecordIndex ia = candidates[i].a();
      const RecordIndex ib = candidates[i].b();
      const uint32_t pa = a.popcount(ia);
      const uint32_t pb = b.popcount(ib);
      if (!threshold.PopcountsCanPass(pa, pb)) {
        ++s.pairs_pruned;
        continue;
      }
      ++s.pairs_compared;
      const uint32_t common = kernels->and_popcount(a.row(ia), b.row(ib), stride);
      if (threshold.Passes(common, pa, pb)) out.push_back(MakePair(options, ia, ib, common, pa, pb));
    }
    s.pairs_matched = out.size();
  });
  ScoringResult result = Combine(parts, stats);
  const bool sorted_input = std::is_sorted(candidates.begin(), candidates.end());
  if (!sorted_input) std::sort(result.pairs.begin(), result.pairs.end(), ByIndices);
  return result;
}

}  // namespace fedlink::match
