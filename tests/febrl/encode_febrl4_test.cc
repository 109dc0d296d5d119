// FEBRL4 (5000 originals in dataset4a, one corrupted duplicate each in
// dataset4b) encoded under one job key with the example FEBRL schema, without
// soc_sec_id: do true pairs share tokens, and are their CLKs similar?
#include <algorithm>
#include <cstdint>
#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "tests/support/febrl_encoding.h"

namespace fedlink::testing {
namespace {

using encode::Token;

class EncodeFebrl4Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto schema = LoadFebrlSchema();
    ASSERT_TRUE(schema.ok()) << schema.status();
    auto keys = TestJobKeys("febrl4 job");
    ASSERT_TRUE(keys.ok()) << keys.status();
    auto a = EncodeFebrl("dataset4a.csv", *schema, *keys);
    ASSERT_TRUE(a.ok()) << a.status();
    auto b = EncodeFebrl("dataset4b.csv", *schema, *keys);
    ASSERT_TRUE(b.ok()) << b.status();
    schema_ = new schema::LinkageSchema(*std::move(schema));
    a_ = new EncodedFebrl(*std::move(a));
    b_ = new EncodedFebrl(*std::move(b));
    // entity → record index in B (every entity has exactly one duplicate).
    for (size_t i = 0; i < b_->records.size(); ++i) b_index_[b_->records[i].entity] = i;
  }
  static void TearDownTestSuite() {
    delete schema_;
    delete a_;
    delete b_;
  }

  // Whether two records share a token of a linking (not blocking-only) recipe.
  static bool ShareLinkingToken(const std::vector<Token>& x, const std::vector<Token>& y) {
    absl::flat_hash_set<uint16_t> blocking;
    for (const auto& recipe : schema_->token_recipes) {
      if (recipe.blocking_only) blocking.insert(recipe.id);
    }
    for (const Token& t : x) {
      if (blocking.contains(t.recipe_id)) continue;
      if (std::find(y.begin(), y.end(), t) != y.end()) return true;
    }
    return false;
  }

  static schema::LinkageSchema* schema_;
  static EncodedFebrl* a_;
  static EncodedFebrl* b_;
  static absl::flat_hash_map<std::string, size_t> b_index_;
};

schema::LinkageSchema* EncodeFebrl4Test::schema_ = nullptr;
EncodedFebrl* EncodeFebrl4Test::a_ = nullptr;
EncodedFebrl* EncodeFebrl4Test::b_ = nullptr;
absl::flat_hash_map<std::string, size_t> EncodeFebrl4Test::b_index_;

TEST_F(EncodeFebrl4Test, EveryRecordIsEncoded) {
  ASSERT_EQ(a_->records.size(), 5000u);
  ASSERT_EQ(b_->records.size(), 5000u);
  ASSERT_EQ(b_index_.size(), 5000u);
  for (const auto& filter : a_->filters) ASSERT_EQ(filter.words.size(), 1024u / 64);
}

// Measured: 4601 of 5000 true pairs (92.0 %) share a linking token.
TEST_F(EncodeFebrl4Test, AtLeastEightyPercentOfTruePairsShareAToken) {
  size_t sharing = 0;
  for (size_t i = 0; i < a_->records.size(); ++i) {
    const size_t j = b_index_.at(a_->records[i].entity);
    if (ShareLinkingToken(a_->tokens[i], b_->tokens[j])) ++sharing;
  }
  RecordProperty("true_pairs_sharing_a_token", static_cast<int>(sharing));
  EXPECT_GE(sharing, 4000u) << sharing << " of 5000";
}

// Random (almost surely false) pairs must almost never share a token.
TEST_F(EncodeFebrl4Test, RandomPairsRarelyShareAToken) {
  std::mt19937_64 rng(42);
  size_t sharing = 0, compared = 0;
  for (int n = 0; n < 20000; ++n) {
    const size_t i = rng() % a_->records.size();
    const size_t j = rng() % b_->records.size();
    if (a_->records[i].entity == b_->records[j].entity) continue;
    ++compared;
    if (ShareLinkingToken(a_->tokens[i], b_->tokens[j])) ++sharing;
  }
  EXPECT_LE(sharing, compared / 1000) << sharing << " of " << compared;
}

// Measured: mean Dice 0.92 for true pairs, 0.58 for random pairs (FEBRL
// records share many date and postcode digit bigrams even when unrelated).
TEST_F(EncodeFebrl4Test, TruePairsAreFarMoreSimilarThanRandomPairs) {
  double true_sum = 0;
  for (size_t i = 0; i < a_->records.size(); ++i) {
    true_sum += DiceReference(a_->filters[i], b_->filters[b_index_.at(a_->records[i].entity)]);
  }
  const double true_mean = true_sum / static_cast<double>(a_->records.size());
  std::mt19937_64 rng(7);
  double random_sum = 0;
  const int kRandomPairs = 20000;
  for (int n = 0; n < kRandomPairs; ++n) {
    random_sum += DiceReference(a_->filters[rng() % 5000], b_->filters[rng() % 5000]);
  }
  const double random_mean = random_sum / kRandomPairs;
  RecordProperty("mean_dice_true_pairs", std::to_string(true_mean));
  RecordProperty("mean_dice_random_pairs", std::to_string(random_mean));
  EXPECT_GE(true_mean, 0.80);
  EXPECT_LE(random_mean, 0.60);
  EXPECT_GE(true_mean - random_mean, 0.25);
}

// The same records under another job's keys share nothing with this job.
TEST_F(EncodeFebrl4Test, AnotherJobSharesNoToken) {
  auto other_keys = TestJobKeys("another job");
  ASSERT_TRUE(other_keys.ok());
  auto other = EncodeFebrl("dataset4a.csv", *schema_, *other_keys);
  ASSERT_TRUE(other.ok()) << other.status();
  absl::flat_hash_set<std::string> first_job;
  for (const auto& tokens : a_->tokens) {
    for (const Token& t : tokens) first_job.insert(std::string(t.bytes.begin(), t.bytes.end()));
  }
  size_t shared = 0;
  for (const auto& tokens : other->tokens) {
    for (const Token& t : tokens) {
      shared += first_job.contains(std::string(t.bytes.begin(), t.bytes.end()));
    }
  }
  EXPECT_EQ(shared, 0u);
}

}  // namespace
}  // namespace fedlink::testing
