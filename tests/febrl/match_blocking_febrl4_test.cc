// Blocking on FEBRL4 (5000 originals in dataset4a, one corrupted duplicate
// each in dataset4b) encoded with the example FEBRL schema: how many true
// pairs do Hamming LSH, token blocks and their union keep, at what cost?
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "linkage/match/blocking.h"
#include "linkage/match/candidates.h"
#include "linkage/match/dice.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/lsh_blocking.h"
#include "linkage/match/token_blocking.h"
#include "tests/support/febrl_encoding.h"

namespace fedlink::match {
namespace {

class BlockingFebrl4Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto schema = testing::LoadFebrlSchema();
    ASSERT_TRUE(schema.ok()) << schema.status();
    auto keys = testing::TestJobKeys("febrl4 blocking job");
    ASSERT_TRUE(keys.ok()) << keys.status();
    auto a = testing::EncodeFebrl("dataset4a.csv", *schema, *keys);
    ASSERT_TRUE(a.ok()) << a.status();
    auto b = testing::EncodeFebrl("dataset4b.csv", *schema, *keys);
    ASSERT_TRUE(b.ok()) << b.status();
    a_ = new testing::EncodedFebrl(*std::move(a));
    b_ = new testing::EncodedFebrl(*std::move(b));
    store_a_ = new FilterStore(FilterStore::FromFilters(1024, a_->filters).value());
    store_b_ = new FilterStore(FilterStore::FromFilters(1024, b_->filters).value());
    absl::flat_hash_map<std::string, RecordIndex> b_index;
    for (size_t j = 0; j < b_->records.size(); ++j) {
      b_index[b_->records[j].entity] = static_cast<RecordIndex>(j);
    }
    truth_ = new std::vector<CandidatePair>();
    for (size_t i = 0; i < a_->records.size(); ++i) {
      truth_->push_back(CandidatePair::Of(static_cast<RecordIndex>(i),
                                          b_index.at(a_->records[i].entity)));
    }
  }
  static void TearDownTestSuite() {
    delete a_;
    delete b_;
    delete store_a_;
    delete store_b_;
    delete truth_;
  }

  static testing::EncodedFebrl* a_;
  static testing::EncodedFebrl* b_;
  static FilterStore* store_a_;
  static FilterStore* store_b_;
  static std::vector<CandidatePair>* truth_;
};

testing::EncodedFebrl* BlockingFebrl4Test::a_ = nullptr;
testing::EncodedFebrl* BlockingFebrl4Test::b_ = nullptr;
FilterStore* BlockingFebrl4Test::store_a_ = nullptr;
FilterStore* BlockingFebrl4Test::store_b_ = nullptr;
std::vector<CandidatePair>* BlockingFebrl4Test::truth_ = nullptr;

// Measured with this job key: true pairs at Hamming distance median 60,
// 99.5th percentile ~320 of 1024 bits; LSH keeps 98.3%, tokens 97.2%, the
// union 99.70% with ~122k candidates (of 25 million pairs). Other job keys
// give 99.58-99.64% (lsh_blocking.h).
TEST_F(BlockingFebrl4Test, DefaultBlockingKeepsAtLeast995PermilleOfTruePairs) {
  BlockingOptions options;
  options.threads = 2;
  const BlockingResult result =
      BlockCandidates(store_a_, store_b_, a_->tokens, b_->tokens, options).value();
  const BlockingQuality lsh = EvaluateBlocking(
      LshCandidates(*store_a_, *store_b_, LshParams{}, 2).value().pairs, 5000, 5000, *truth_);
  const BlockingQuality tokens = EvaluateBlocking(
      TokenCandidates(a_->tokens, b_->tokens).value().pairs, 5000, 5000, *truth_);
  const BlockingQuality all = EvaluateBlocking(result.candidates, 5000, 5000, *truth_);
  RecordProperty("lsh_pairs_completeness", std::to_string(*lsh.pairs_completeness));
  RecordProperty("token_pairs_completeness", std::to_string(*tokens.pairs_completeness));
  RecordProperty("union_pairs_completeness", std::to_string(*all.pairs_completeness));
  RecordProperty("candidate_pairs", std::to_string(all.candidate_pairs));
  EXPECT_GE(*lsh.pairs_completeness, 0.97);
  EXPECT_GE(*all.pairs_completeness, 0.995);
  // Linear, not quadratic: at most 20 candidates per input record.
  EXPECT_LE(all.candidate_pairs, 20u * (5000 + 5000));
  EXPECT_GE(all.reduction_ratio, 0.99);
  EXPECT_EQ(result.report.candidate_pairs, all.candidate_pairs);
  EXPECT_EQ(result.report.lsh_pairs, lsh.candidate_pairs);
  EXPECT_EQ(result.report.token_pairs, tokens.candidate_pairs);
  EXPECT_EQ(result.report.lsh.oversized_buckets, 0u);
}

// The pairs blocking misses are the far ones: of the true pairs that could
// pass a dice threshold of 0.8, blocking keeps all but a handful.
TEST_F(BlockingFebrl4Test, KeepsNearlyEveryTruePairAboveDice08) {
  BlockingOptions options;
  options.threads = 2;
  const BlockingResult result =
      BlockCandidates(store_a_, store_b_, a_->tokens, b_->tokens, options).value();
  size_t above = 0;
  size_t kept = 0;
  for (const CandidatePair& p : *truth_) {
    if (Dice(store_a_->row(p.a()), store_b_->row(p.b()), store_a_->words_per_filter()) < 0.8) {
      continue;
    }
    ++above;
    kept += std::binary_search(result.candidates.begin(), result.candidates.end(), p);
  }
  EXPECT_GT(above, 4500u);
  EXPECT_GE(static_cast<double>(kept), 0.999 * static_cast<double>(above))
      << kept << " of " << above;
}

}  // namespace
}  // namespace fedlink::match
