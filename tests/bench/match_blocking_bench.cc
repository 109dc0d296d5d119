// Blocking and candidate scoring at scale, on synthetic CLK-like data.
//
//   build/<dir>/tests/match_blocking_bench --benchmark_filter=BlockAndScore
//
// Each side has n filters of 1024 bits, about half set; half of B are noisy
// copies of records of A (20..150 bits flipped: dice ~0.98..0.85), half are
// unrelated. BM_BlockAndScore runs the whole two-party Bloom pipeline —
// FilterStore, LSH blocking with the default parameters, ScoreCandidates at
// 0.8 — and reports candidates per record, pairs completeness and the peak
// resident memory of the process (the 10^6 x 10^6 case must stay below
// 4 GiB including the filters).
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/candidates.h"
#include "linkage/match/dice.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/lsh_blocking.h"
#include "linkage/match/scoring.h"
#include "linkage/match/token_blocking.h"

namespace fedlink::match {
namespace {

constexpr uint32_t kBits = 1024;

struct Synthetic {
  FilterStore a;
  FilterStore b;
  std::vector<CandidatePair> truth;
};

Synthetic MakeSynthetic(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> position(0, kBits - 1);
  std::uniform_int_distribution<uint32_t> flips(20, 150);
  Synthetic s{FilterStore::Create(kBits, n).value(), FilterStore::Create(kBits, n).value(), {}};
  std::vector<uint64_t> words(kBits / 64);
  for (size_t i = 0; i < n; ++i) {
    for (uint64_t& w : words) w = rng();
    (void)s.a.Append(words);
  }
  for (size_t j = 0; j < n; ++j) {
    if (j % 2 == 0) {
      // A copy of a pseudo-randomly chosen record of A.
      const RecordIndex source = static_cast<RecordIndex>((j * 2654435761u) % n);
      std::copy(s.a.row(source), s.a.row(source) + kBits / 64, words.begin());
      for (uint32_t k = flips(rng); k > 0; --k) {
        const uint32_t p = position(rng);
        words[p / 64] ^= uint64_t{1} << (p % 64);
      }
      s.truth.push_back(CandidatePair::Of(source, static_cast<RecordIndex>(j)));
    } else {
      for (uint64_t& w : words) w = rng();
    }
    (void)s.b.Append(words);
  }
  return s;
}

double PeakResidentMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
}

void BlockAndScore(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const Synthetic s = MakeSynthetic(n, 1);
  const DiceThreshold threshold = DiceThreshold::FromDouble(0.8).value();
  ScoringOptions options;
  options.threads = threads;
  LshStats stats;
  BlockingQuality quality;
  uint64_t matches = 0;
  for (auto _ : state) {
    const LshResult lsh = LshCandidates(s.a, s.b, LshParams{}, threads).value();
    const ScoringResult scored = ScoreCandidates(s.a, s.b, lsh.pairs, threshold, options).value();
    stats = lsh.stats;
    quality = EvaluateBlocking(lsh.pairs, n, n, s.truth);
    matches = scored.pairs.size();
  }
  state.counters["r"] = stats.bits_per_band;
  state.counters["candidates/record"] =
      static_cast<double>(quality.candidate_pairs) / static_cast<double>(2 * n);
  state.counters["pairs_completeness"] = *quality.pairs_completeness;
  state.counters["matches"] = static_cast<double>(matches);
  state.counters["peak_MiB"] = PeakResidentMiB();
}

// Token blocking: n records a side with 8 tokens each; one in 16 tokens of
// B equal to one of A.
void TokenBlocking(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::mt19937_64 rng(2);
  auto random_token = [&](uint16_t recipe) {
    encode::Token t;
    t.recipe_id = recipe;
    for (uint8_t& byte : t.bytes) byte = static_cast<uint8_t>(rng());
    return t;
  };
  std::vector<std::vector<encode::Token>> a(n), b(n);
  for (size_t i = 0; i < n; ++i) {
    for (uint16_t recipe = 1; recipe <= 8; ++recipe) a[i].push_back(random_token(recipe));
  }
  for (size_t j = 0; j < n; ++j) {
    for (uint16_t recipe = 1; recipe <= 8; ++recipe) {
      b[j].push_back(rng() % 16 == 0 ? a[rng() % n][recipe - 1] : random_token(recipe));
    }
  }
  size_t pairs = 0;
  for (auto _ : state) pairs = TokenCandidates(a, b).value().pairs.size();
  state.counters["pairs"] = static_cast<double>(pairs);
  state.counters["tokens/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 16.0 * static_cast<double>(n),
      benchmark::Counter::kIsRate);
}

BENCHMARK(BlockAndScore)
    ->Args({100'000, 1})
    ->Args({100'000, 2})
    ->Args({1'000'000, 2})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK(TokenBlocking)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace fedlink::match
