#include "linkage/match/scoring.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <numeric>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
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

// B's filters sorted by popcount and copied into interleaved groups of
// kInterleaveLanes (popcount.h). Lanes past the end of B are zero filters
// with popcount 0, which never pass against a non-empty row.
struct SortedTiles {
  std::vector<RecordIndex> order;  // sorted position -> record index in B
  // Sorted position -> popcount: ascending over [0, b.size()), then zeros for
  // the padding lanes of the last group.
  std::vector<uint32_t> popcount;
  AlignedWords words;
  size_t groups = 0;
};

SortedTiles BuildSortedTiles(const FilterStore& b) {
  SortedTiles t;
  const size_t n = b.size();
  const size_t w = b.words_per_filter();
  t.order.resize(n);
  std::iota(t.order.begin(), t.order.end(), RecordIndex{0});
  std::stable_sort(t.order.begin(), t.order.end(), [&b](RecordIndex x, RecordIndex y) {
    return b.popcount(x) < b.popcount(y);
  });
  t.groups = (n + kInterleaveLanes - 1) / kInterleaveLanes;
  t.popcount.assign(t.groups * kInterleaveLanes, 0);
  for (size_t j = 0; j < n; ++j) t.popcount[j] = b.popcount(t.order[j]);
  const size_t total = t.groups * w * kInterleaveLanes;
  t.words = AllocateAligned(total);
  std::memset(t.words.get(), 0, std::max<size_t>(total, 1) * sizeof(uint64_t));
  for (size_t j = 0; j < n; ++j) {
    uint64_t* group = t.words.get() + (j / kInterleaveLanes) * w * kInterleaveLanes;
    const size_t lane = j % kInterleaveLanes;
    const uint64_t* row = b.row(t.order[j]);
    for (size_t k = 0; k < w; ++k) group[k * kInterleaveLanes + lane] = row[k];
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

}  // namespace

absl::StatusOr<ScoringResult> ScoreAllPairs(const FilterStore& a, const FilterStore& b,
                                            const DiceThreshold& threshold,
                                            const ScoringOptions& options) {
  FEDLINK_RETURN_IF_ERROR(CheckCompatible(a, b));
  FEDLINK_ASSIGN_OR_RETURN(const PopcountKernels* kernels, KernelsFor(options));
  const size_t w = a.words_per_filter();
  const SortedTiles tiles = BuildSortedTiles(b);
  const size_t n_b = b.size();
  const size_t lanes_per_tile =
      std::max<size_t>(1, kTileBytes / (w * sizeof(uint64_t) * kInterleaveLanes)) *
      kInterleaveLanes;
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
    std::vector<uint32_t> counts(lanes_per_tile);
    std::vector<uint8_t> pass_masks(lanes_per_tile / kInterleaveLanes);
    InterleavedDiceArgs args;
    args.words = w;
    args.numerator = threshold.numerator();
    args.denominator = threshold.denominator();
    args.counts = counts.data();
    args.pass_masks = pass_masks.data();
    std::vector<ScoredPair>& out = parts[task];
    for (size_t tile_begin = 0; tile_begin < n_b; tile_begin += lanes_per_tile) {
      const size_t tile_end = std::min(n_b, tile_begin + lanes_per_tile);
      for (size_t r = row_begin; r < row_end; ++r) {
        const size_t lo = std::max(windows[r - row_begin].first, tile_begin);
        const size_t hi = std::min(windows[r - row_begin].second, tile_end);
        if (lo >= hi) continue;
        // Whole groups around the window: lanes outside it cannot pass
        // (they fail the popcount bound, which the count test implies).
        const size_t group_lo = lo / kInterleaveLanes;
        const size_t group_hi = (hi + kInterleaveLanes - 1) / kInterleaveLanes;
        const RecordIndex ra = static_cast<RecordIndex>(r);
        args.a = a.row(ra);
        args.pa = a.popcount(ra);
        args.tile = tiles.words.get() + group_lo * w * kInterleaveLanes;
        args.tile_popcounts = tiles.popcount.data() + group_lo * kInterleaveLanes;
        args.groups = group_hi - group_lo;
        kernels->dice_interleaved(args);
        for (size_t g = 0; g < args.groups; ++g) {
          for (unsigned mask = pass_masks[g]; mask != 0; mask &= mask - 1) {
            const size_t lane = g * kInterleaveLanes + static_cast<size_t>(__builtin_ctz(mask));
            const size_t j = group_lo * kInterleaveLanes + lane;
            out.push_back(MakePair(options, ra, tiles.order[j], counts[lane], args.pa,
                                   tiles.popcount[j]));
          }
        }
      }
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
