#include "linkage/match/blocking.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/candidates.h"
#include "linkage/match/filter_store.h"

namespace fedlink::match {
namespace {

using encode::Token;

Token MakeToken(uint16_t recipe, uint64_t head) {
  Token t;
  t.recipe_id = recipe;
  std::memcpy(t.bytes.data(), &head, 8);
  return t;
}

// n random filters per side; b[i] is a light copy of a[i] for i < n/2 (LSH
// finds those), and a[i], b[n-1-i] share a token for i < 10 (their filters
// are unrelated: only token blocking finds them).
struct Parties {
  FilterStore a = FilterStore::Create(1024).value();
  FilterStore b = FilterStore::Create(1024).value();
  std::vector<std::vector<Token>> tokens_a;
  std::vector<std::vector<Token>> tokens_b;
};

Parties MakeParties(size_t n) {
  std::mt19937_64 rng(3);
  Parties p;
  std::vector<std::vector<uint64_t>> a_filters;
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint64_t> f(16);
    for (uint64_t& w : f) w = rng();
    a_filters.push_back(f);
    EXPECT_TRUE(p.a.Append(f).ok());
  }
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint64_t> f(16);
    if (i < n / 2) {
      f = a_filters[i];
      f[3] ^= 0xff;  // 8 bits apart
    } else {
      for (uint64_t& w : f) w = rng();
    }
    EXPECT_TRUE(p.b.Append(f).ok());
  }
  p.tokens_a.resize(n);
  p.tokens_b.resize(n);
  for (size_t i = 0; i < 10; ++i) {
    p.tokens_a[i].push_back(MakeToken(1, 1000 + i));
    p.tokens_b[n - 1 - i].push_back(MakeToken(1, 1000 + i));
  }
  return p;
}

TEST(BlockingTest, UnionOfLshAndTokenCandidates) {
  const Parties p = MakeParties(400);
  const BlockingResult result =
      BlockCandidates(&p.a, &p.b, p.tokens_a, p.tokens_b, BlockingOptions{}).value();
  std::vector<CandidatePair> truth;
  for (RecordIndex i = 0; i < 200; ++i) truth.push_back(CandidatePair::Of(i, i));
  for (RecordIndex i = 0; i < 10; ++i) truth.push_back(CandidatePair::Of(i, 399 - i));
  const BlockingQuality q = EvaluateBlocking(result.candidates, 400, 400, truth);
  EXPECT_EQ(*q.pairs_completeness, 1.0);
  EXPECT_EQ(result.report.token_pairs, 10u);
  EXPECT_GE(result.report.lsh_pairs, 200u);
  EXPECT_EQ(result.report.candidate_pairs, result.candidates.size());
  EXPECT_LE(result.report.candidate_pairs, result.report.lsh_pairs + result.report.token_pairs);
  EXPECT_TRUE(std::is_sorted(result.candidates.begin(), result.candidates.end()));
}

TEST(BlockingTest, EachMethodCanBeUsedAlone) {
  const Parties p = MakeParties(200);
  BlockingOptions no_lsh;
  no_lsh.lsh = std::nullopt;
  const BlockingResult tokens_only =
      BlockCandidates(&p.a, &p.b, p.tokens_a, p.tokens_b, no_lsh).value();
  EXPECT_EQ(tokens_only.candidates.size(), 10u);
  EXPECT_EQ(tokens_only.report.lsh_pairs, 0u);
  const BlockingResult without_filters =
      BlockCandidates(nullptr, nullptr, p.tokens_a, p.tokens_b, BlockingOptions{}).value();
  EXPECT_EQ(without_filters.candidates, tokens_only.candidates);
  const BlockingResult lsh_only = BlockCandidates(&p.a, &p.b, {}, {}, BlockingOptions{}).value();
  EXPECT_EQ(lsh_only.report.token_pairs, 0u);
  EXPECT_GE(lsh_only.candidates.size(), 100u);
}

TEST(BlockingTest, RejectsInconsistentInputs) {
  const Parties p = MakeParties(20);
  EXPECT_EQ(BlockCandidates(&p.a, nullptr, {}, {}, BlockingOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<std::vector<Token>> short_tokens(19);
  EXPECT_EQ(
      BlockCandidates(&p.a, &p.b, short_tokens, p.tokens_b, BlockingOptions{}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(CandidatesTest, PackingOrdersByAThenB) {
  const CandidatePair p = CandidatePair::Of(7, 0xffffffffu);
  EXPECT_EQ(p.a(), 7u);
  EXPECT_EQ(p.b(), 0xffffffffu);
  EXPECT_LT(CandidatePair::Of(1, 9), CandidatePair::Of(2, 0));
  EXPECT_LT(CandidatePair::Of(2, 0), CandidatePair::Of(2, 1));
}

TEST(CandidatesTest, SortUniqueAndUnion) {
  std::vector<CandidatePair> pairs;
  std::mt19937_64 rng(4);
  for (int i = 0; i < 100'000; ++i) {
    pairs.push_back(CandidatePair::Of(static_cast<RecordIndex>(rng() % 300),
                                      static_cast<RecordIndex>(rng() % 300)));
  }
  std::vector<CandidatePair> expected = pairs;
  std::sort(expected.begin(), expected.end());
  expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
  SortUniqueCandidates(&pairs);
  EXPECT_EQ(pairs, expected);
  const std::vector<CandidatePair> x = {CandidatePair::Of(0, 1), CandidatePair::Of(2, 2)};
  const std::vector<CandidatePair> y = {CandidatePair::Of(0, 1), CandidatePair::Of(1, 5)};
  EXPECT_EQ(UnionCandidates(x, y),
            (std::vector<CandidatePair>{CandidatePair::Of(0, 1), CandidatePair::Of(1, 5),
                                        CandidatePair::Of(2, 2)}));
}

TEST(CandidatesTest, EvaluateBlockingReportsCompletenessAndReduction) {
  const std::vector<CandidatePair> candidates = {CandidatePair::Of(0, 0), CandidatePair::Of(1, 1),
                                                 CandidatePair::Of(1, 2), CandidatePair::Of(3, 3)};
  const std::vector<CandidatePair> truth = {CandidatePair::Of(0, 0), CandidatePair::Of(2, 2),
                                            CandidatePair::Of(1, 1), CandidatePair::Of(3, 3),
                                            CandidatePair::Of(0, 0)};
  const BlockingQuality q = EvaluateBlocking(candidates, 10, 10, truth);
  EXPECT_EQ(q.candidate_pairs, 4u);
  EXPECT_EQ(q.all_pairs, 100u);
  EXPECT_DOUBLE_EQ(q.reduction_ratio, 0.96);
  EXPECT_EQ(*q.true_pairs, 4u);  // the duplicate counts once
  EXPECT_EQ(*q.true_pairs_kept, 3u);
  EXPECT_DOUBLE_EQ(*q.pairs_completeness, 0.75);
  const BlockingQuality no_truth = EvaluateBlocking(candidates, 10, 10, std::nullopt);
  EXPECT_FALSE(no_truth.pairs_completeness.has_value());
}

}  // namespace
}  // namespace fedlink::match
