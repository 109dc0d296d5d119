// Dice comparison throughput per popcount path, per core.
//
//   build/<dir>/tests/match_dice_bench --benchmark_repetitions=3
//
// "pairs/s" is Dice comparisons per second on one core. A path the CPU lacks
// is reported as skipped rather than left out.
//  * BM_ScoreAllPairs/<path>: the figure to compare with other Dice
//    implementations — ScoreAllPairs end to end (sorting, tiling, popcount
//    windows, the exact threshold test, output) on 4000 x 4000 filters of
//    1024 bits with popcounts 250-350 (so the popcount bound prunes almost
//    nothing: "compared" is the share of pairs whose bits were compared).
//  * BM_TileKernel/<path>/<bits>: the word-interleaved kernel alone on a
//    16 KiB tile that stays in L1, with the threshold test in the kernel
//    (what ScoreAllPairs uses on the portable and POPCNT paths).
//  * BM_SlicedKernel/<path>: the bit-sliced kernel alone (paths that have
//    one; what ScoreAllPairs uses on the AVX2 and AVX-512 paths): 128 rows
//    against a 256-filter tile of 1024-bit filters (32 KiB, stays in L1),
//    row density 0.3, the counts of all 256 lanes produced per row.
//  * BM_PairKernel/<path>: one pair at a time (candidate scoring's kernel).
//  * BM_ScoreCandidates/<threads>: candidate scoring out of cache.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "linkage/match/candidates.h"
#include "linkage/match/dice.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/popcount.h"
#include "linkage/match/scoring.h"

namespace fedlink::match {
namespace {

constexpr uint32_t kBits = 1024;

struct AlignedFree {
  void operator()(uint64_t* p) const { ::operator delete[](p, std::align_val_t{64}); }
};

// Filters with about `ones` random set bits each, the density of a typical
// 1024-bit CLK.
FilterStore RandomStore(size_t n, uint32_t bits, uint32_t ones, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> position(0, bits - 1);
  FilterStore store = FilterStore::Create(bits, n).value();
  std::vector<uint64_t> words(bits / 64);
  for (size_t i = 0; i < n; ++i) {
    std::fill(words.begin(), words.end(), 0);
    for (uint32_t k = 0; k < ones; ++k) {
      const uint32_t p = position(rng);
      words[p / 64] |= uint64_t{1} << (p % 64);
    }
    (void)store.Append(words);
  }
  return store;
}

void TileKernel(benchmark::State& state, PopcountPath path) {
  auto kernels = GetPopcountKernels(path);
  if (!kernels.ok()) {
    state.SkipWithError("popcount path not supported on this CPU");
    return;
  }
  const uint32_t bits = static_cast<uint32_t>(state.range(0));
  const size_t w = bits / 64;
  constexpr size_t kRows = 128;
  // 16 KiB of tile: 128 filters at 1024 bits.
  const size_t groups = std::max<size_t>(1, 16384 / (w * 8 * kInterleaveLanes));
  const size_t lanes = groups * kInterleaveLanes;
  const FilterStore a = RandomStore(kRows, bits, bits * 3 / 10, 1);
  const FilterStore b = RandomStore(lanes, bits, bits * 3 / 10, 2);
  // The interleaved layout of popcount.h, 64-byte aligned as the kernels need.
  std::unique_ptr<uint64_t[], AlignedFree> storage(static_cast<uint64_t*>(
      ::operator new[](groups * w * kInterleaveLanes * sizeof(uint64_t), std::align_val_t{64})));
  uint64_t* tile = storage.get();
  for (size_t j = 0; j < lanes; ++j) {
    for (size_t k = 0; k < w; ++k) {
      tile[(j / kInterleaveLanes) * w * kInterleaveLanes + k * kInterleaveLanes +
           j % kInterleaveLanes] = b.row(static_cast<RecordIndex>(j))[k];
    }
  }
  std::vector<uint32_t> popcounts(lanes);
  for (size_t j = 0; j < lanes; ++j) popcounts[j] = b.popcount(static_cast<RecordIndex>(j));
  const DiceThreshold threshold = DiceThreshold::FromDouble(0.8).value();
  std::vector<uint32_t> counts(lanes);
  std::vector<uint8_t> pass_masks(groups);
  InterleavedDiceArgs args;
  args.tile = tile;
  args.tile_popcounts = popcounts.data();
  args.words = w;
  args.groups = groups;
  args.numerator = threshold.numerator();
  args.denominator = threshold.denominator();
  args.counts = counts.data();
  args.pass_masks = pass_masks.data();
  uint64_t matches = 0;
  for (auto _ : state) {
    for (size_t r = 0; r < kRows; ++r) {
      args.a = a.row(static_cast<RecordIndex>(r));
      args.pa = a.popcount(static_cast<RecordIndex>(r));
      (*kernels)->dice_interleaved(args);
      for (size_t g = 0; g < groups; ++g) matches += pass_masks[g];
    }
    benchmark::DoNotOptimize(matches);
  }
  state.counters["pairs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kRows * lanes, benchmark::Counter::kIsRate);
}

// One pair at a time through and_popcount (the candidate-scoring kernel),
// both filters in L1.
void PairKernel(benchmark::State& state, PopcountPath path) {
  auto kernels = GetPopcountKernels(path);
  if (!kernels.ok()) {
    state.SkipWithError("popcount path not supported on this CPU");
    return;
  }
  constexpr size_t kN = 128;
  const FilterStore a = RandomStore(kN, kBits, 300, 3);
  const size_t stride = a.stride_words();
  uint64_t total = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kN; ++i) {
      for (size_t j = 0; j < kN; j += 8) {
        total += (*kernels)->and_popcount(a.row(static_cast<RecordIndex>(i)),
                                          a.row(static_cast<RecordIndex>(j)), stride);
      }
    }
    benchmark::DoNotOptimize(total);
  }
  state.counters["pairs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kN * (kN / 8), benchmark::Counter::kIsRate);
}

void AllPairs(benchmark::State& state, PopcountPath path) {
  if (!PopcountPathSupported(path)) {
    state.SkipWithError("popcount path not supported on this CPU");
    return;
  }
  const size_t n = static_cast<size_t>(state.range(0));
  FilterStore a = FilterStore::Create(kBits, n).value();
  FilterStore b = FilterStore::Create(kBits, n).value();
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<uint32_t> position(0, kBits - 1);
  std::uniform_int_distribution<uint32_t> ones(290, 420);  // ~250-350 bits set
  for (FilterStore* s : {&a, &b}) {
    std::vector<uint64_t> words(kBits / 64);
    for (size_t i = 0; i < n; ++i) {
      std::fill(words.begin(), words.end(), 0);
      for (uint32_t k = ones(rng); k > 0; --k) {
        const uint32_t p = position(rng);
        words[p / 64] |= uint64_t{1} << (p % 64);
      }
      (void)s->Append(words);
    }
  }
  const DiceThreshold threshold = DiceThreshold::FromDouble(0.8).value();
  ScoringStats stats;
  ScoringOptions options;
  options.threads = 1;
  options.path = path;
  for (auto _ : state) {
    auto result = ScoreAllPairs(a, b, threshold, options);
    stats = result->stats;
    benchmark::DoNotOptimize(result->pairs.data());
  }
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * n * n,
                                                 benchmark::Counter::kIsRate);
  state.counters["compared"] =
      static_cast<double>(stats.pairs_compared) / static_cast<double>(stats.pairs_considered);
}

void SlicedKernel(benchmark::State& state, PopcountPath path) {
  auto kernels = GetPopcountKernels(path);
  if (!kernels.ok()) {
    state.SkipWithError("popcount path not supported on this CPU");
    return;
  }
  constexpr size_t kRows = 128;
  const FilterStore a = RandomStore(kRows, kBits, kBits * 3 / 10, 8);
  std::unique_ptr<uint64_t[], AlignedFree> tile(static_cast<uint64_t*>(::operator new[](
      kBits * kSlicedWords * sizeof(uint64_t), std::align_val_t{64})));
  std::mt19937_64 rng(9);
  for (size_t i = 0; i < kBits * kSlicedWords; ++i) tile[i] = rng() & rng() & ~(rng() & rng());
  std::vector<std::vector<uint32_t>> positions(kRows);
  for (size_t r = 0; r < kRows; ++r) {
    for (uint32_t p = 0; p < kBits; ++p) {
      if ((a.row(static_cast<RecordIndex>(r))[p / 64] >> (p % 64)) & 1) positions[r].push_back(p);
    }
  }
  alignas(64) uint64_t planes[kSlicedPlanes * kSlicedWords];
  uint64_t sink = 0;
  for (auto _ : state) {
    for (size_t r = 0; r < kRows; ++r) {
      (*kernels)->sliced_count(tile.get(), positions[r].data(), positions[r].size(), planes);
      sink += planes[8];
    }
    benchmark::DoNotOptimize(sink);
  }
  state.counters["pairs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kRows * kSlicedLanes, benchmark::Counter::kIsRate);
}

// ScoreCandidates on one thread: 200k filters a side (25 MiB each, well
// beyond the caches), 10 candidates per record of A, sorted as blocking
// returns them; b is random per candidate, so this measures the memory-bound
// gather as much as the kernel.
void Candidates(benchmark::State& state) {
  constexpr size_t kN = 200'000;
  constexpr size_t kPerRecord = 10;
  const FilterStore a = RandomStore(kN, kBits, 300, 5);
  const FilterStore b = RandomStore(kN, kBits, 300, 6);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<RecordIndex> pick(0, kN - 1);
  std::vector<CandidatePair> candidates;
  candidates.reserve(kN * kPerRecord);
  for (RecordIndex i = 0; i < kN; ++i) {
    for (size_t k = 0; k < kPerRecord; ++k) candidates.push_back(CandidatePair::Of(i, pick(rng)));
  }
  SortUniqueCandidates(&candidates);
  // A low threshold so that the popcount bound prunes nothing: every
  // candidate is compared.
  const DiceThreshold threshold = DiceThreshold::FromDouble(0.3).value();
  ScoringOptions options;
  options.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto result = ScoreCandidates(a, b, candidates, threshold, options);
    benchmark::DoNotOptimize(result->pairs.data());
  }
  state.counters["pairs/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * candidates.size(),
                         benchmark::Counter::kIsRate);
}

int RegisterAll() {
  for (PopcountPath path : AllPopcountPaths()) {
    const std::string name(PopcountPathName(path));
    benchmark::RegisterBenchmark(("BM_TileKernel/" + name).c_str(), TileKernel, path)
        ->Arg(1024)
        ->Arg(2048)
        ->Arg(64);
    benchmark::RegisterBenchmark(("BM_PairKernel/" + name).c_str(), PairKernel, path);
    if (PopcountPathSupported(path) && GetPopcountKernels(path).value()->sliced_count != nullptr) {
      benchmark::RegisterBenchmark(("BM_SlicedKernel/" + name).c_str(), SlicedKernel, path);
    }
    benchmark::RegisterBenchmark(("BM_ScoreAllPairs/" + name).c_str(), AllPairs, path)
        ->Arg(4000)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_ScoreCandidates", Candidates)
      ->Arg(1)
      ->Arg(2)
      ->Unit(benchmark::kMillisecond);
  return 0;
}

const int kRegistered = RegisterAll();

}  // namespace
}  // namespace fedlink::match
