// Token join throughput at the scale the join must handle: 10 M tokens per
// party.
//
//   build/<dir>/tests/match_token_join_bench --benchmark_repetitions=3
//
// Party A uploads 10 M tokens (2.5 M records × 4 recipes); party B as many,
// half of them equal to one of A's. Tokens are uniformly random bytes, as
// HMAC output is.
//   BM_Probe          the join's probe loop: B's table walked in slot
//                     order, each token looked up in A's table with batched
//                     prefetches. items/s = B tokens probed per second.
//   BM_FindOneByOne   the same lookups through TokenTable::Find, one at a
//                     time in upload order: what batching buys.
//   BM_Build/0|1      A's table built from its upload, growing from empty
//                     (0) or reserved up front (1). items/s = tokens added.
//   BM_JoinTokens     the whole two-party join: probe, rule, sorted links.
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "linkage/match/token_join.h"
#include "linkage/match/token_table.h"

namespace fedlink::match {
namespace {

constexpr size_t kTokensPerParty = 10'000'000;
constexpr uint16_t kRecipes = 4;

encode::Token RandomToken(std::mt19937_64& rng, uint16_t recipe) {
  encode::Token token;
  token.recipe_id = recipe;
  uint64_t lo = rng();
  uint64_t hi = rng();
  std::memcpy(token.bytes.data(), &lo, 8);
  std::memcpy(token.bytes.data() + 8, &hi, 8);
  return token;
}

struct Uploads {
  std::vector<RecordToken> a;
  std::vector<RecordToken> b;
  TokenTable a_table{0};
  TokenTable b_table{1};
};

// Built once and shared by all benchmarks (about 1.3 GB).
const Uploads& SharedUploads() {
  static const Uploads* uploads = [] {
    auto* u = new Uploads;
    std::mt19937_64 rng(20240601);
    u->a.reserve(kTokensPerParty);
    u->b.reserve(kTokensPerParty);
    for (size_t i = 0; i < kTokensPerParty; ++i) {
      auto record = static_cast<RecordIndex>(i / kRecipes);
      auto recipe = static_cast<uint16_t>(1 + i % kRecipes);
      u->a.push_back({record, RandomToken(rng, recipe)});
      // B's record j is A's record j for even j (all four tokens shared).
      u->b.push_back({record, record % 2 == 0 ? u->a[i].token : RandomToken(rng, recipe)});
    }
    std::shuffle(u->b.begin(), u->b.end(), rng);
    u->a_table.Reserve(kTokensPerParty);
    u->a_table.Add(u->a);
    u->b_table.Reserve(kTokensPerParty);
    u->b_table.Add(u->b);
    return u;
  }();
  return *uploads;
}

void BM_Probe(benchmark::State& state) {
  const Uploads& u = SharedUploads();
  auto keep_all = [](uint16_t) { return true; };
  uint64_t shared = 0;
  for (auto _ : state) {
    shared = 0;
    u.b_table.ForEachShared(u.a_table, keep_all,
                            [&shared](const TokenHolder&, const TokenHolder&) { ++shared; });
    benchmark::DoNotOptimize(shared);
  }
  state.counters["shared"] = static_cast<double>(shared);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * u.b_table.distinct_tokens()));
}
BENCHMARK(BM_Probe)->Unit(benchmark::kMillisecond);

void BM_FindOneByOne(benchmark::State& state) {
  const Uploads& u = SharedUploads();
  for (auto _ : state) {
    uint64_t shared = 0;
    for (const RecordToken& t : u.b) shared += u.a_table.Find(t.token).has_value();
    benchmark::DoNotOptimize(shared);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * u.b.size()));
}
BENCHMARK(BM_FindOneByOne)->Unit(benchmark::kMillisecond);

void BM_Build(benchmark::State& state) {
  const Uploads& u = SharedUploads();
  const bool reserve = state.range(0) == 1;
  for (auto _ : state) {
    TokenTable table(0, reserve ? u.a.size() : 0);
    table.Add(u.a);
    benchmark::DoNotOptimize(table.distinct_tokens());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * u.a.size()));
}
BENCHMARK(BM_Build)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_JoinTokens(benchmark::State& state) {
  const Uploads& u = SharedUploads();
  const TokenTable* tables[] = {&u.a_table, &u.b_table};
  size_t links = 0;
  for (auto _ : state) {
    absl::StatusOr<TokenJoinResult> result = JoinTokens(tables, LinkRule{});
    if (!result.ok()) {
      state.SkipWithError("join failed");
      return;
    }
    links = result->links.size();
    benchmark::DoNotOptimize(result->links.data());
  }
  state.counters["links"] = static_cast<double>(links);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * u.b_table.distinct_tokens()));
}
BENCHMARK(BM_JoinTokens)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fedlink::match
