// End-to-end linkage of FEBRL4 (5000 originals in dataset4a, one corrupted
// duplicate each in dataset4b) encoded with the example FEBRL schema, which
// leaves soc_sec_id out: LinkParties with default options (threshold
// kDefaultDiceThreshold = 0.7, blocking on) for each method, scored against
// the rec-N ground truth.
//
// Measured with this job key (cluster pairs against the 5000 true pairs):
//   bloom   P 1.0000  R 0.9944  F1 0.9972  (~109k candidate pairs)
//   tokens  P 1.0000  R 0.9202  F1 0.9584
//   both    P 1.0000  R 0.9944  F1 0.9972
// Four other job keys gave bloom F1 0.9966-0.9974 at 0.7. At threshold 0.8
// bloom drops to R 0.929 (F1 0.963) while both keeps R 0.969: the token
// links rescue pairs whose filters are damaged.
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "linkage/match/evaluation.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/linker.h"
#include "linkage/match/quality_report.h"
#include "linkage/match/token_join.h"
#include "tests/support/febrl_encoding.h"

namespace fedlink::match {
namespace {

class LinkageFebrl4Test : public ::testing::Test {
 protected:
  struct Data {
    testing::EncodedFebrl a;
    testing::EncodedFebrl b;
    LinkRule rule;
    FilterStore* store_a = nullptr;
    FilterStore* store_b = nullptr;
    GroundTruth truth;
    // Each method's result, linked once for all tests (blocking dominates
    // the run time, under sanitizers by far).
    LinkageResult bloom;
    LinkageResult tokens;
    LinkageResult both;
  };

  // Some records of one side: their tokens, filters and entity labels.
  struct Subset {
    std::vector<std::vector<encode::Token>> tokens;
    FilterStore filters = FilterStore::Create(1024).value();
    std::vector<uint64_t> labels;
  };

  static void SetUpTestSuite() {
    auto schema = testing::LoadFebrlSchema();
    ASSERT_TRUE(schema.ok()) << schema.status();
    auto keys = testing::TestJobKeys("febrl4 linkage job");
    ASSERT_TRUE(keys.ok()) << keys.status();
    auto a = testing::EncodeFebrl("dataset4a.csv", *schema, *keys);
    ASSERT_TRUE(a.ok()) << a.status();
    auto b = testing::EncodeFebrl("dataset4b.csv", *schema, *keys);
    ASSERT_TRUE(b.ok()) << b.status();
    data_ = new Data;
    data_->a = *std::move(a);
    data_->b = *std::move(b);
    data_->rule = DefaultLinkRule(*schema);
    const uint32_t bits = schema->bloom->bits;
    data_->store_a = new FilterStore(FilterStore::FromFilters(bits, data_->a.filters).value());
    data_->store_b = new FilterStore(FilterStore::FromFilters(bits, data_->b.filters).value());
    data_->truth.labels.resize(2);
    for (int party = 0; party < 2; ++party) {
      const testing::EncodedFebrl& encoded = party == 0 ? data_->a : data_->b;
      for (const testing::FebrlRecord& record : encoded.records) {
        uint64_t entity = 0;
        ASSERT_TRUE(absl::SimpleAtoi(record.entity, &entity)) << record.rec_id;
        data_->truth.labels[party].push_back(entity);
      }
    }
    data_->bloom = Link(LinkMethod::kBloom, {data_->a.tokens, data_->store_a},
                        {data_->b.tokens, data_->store_b});
    data_->tokens = Link(LinkMethod::kTokens, {data_->a.tokens, data_->store_a},
                         {data_->b.tokens, data_->store_b});
    data_->both = Link(LinkMethod::kBoth, {data_->a.tokens, data_->store_a},
                       {data_->b.tokens, data_->store_b});
  }
  static void TearDownTestSuite() {
    if (data_ != nullptr) {
      delete data_->store_a;
      delete data_->store_b;
    }
    delete data_;
    data_ = nullptr;
  }

  static LinkerOptions DefaultOptions(LinkMethod method) {
    LinkerOptions options;
    options.method = method;
    options.token_rule = data_->rule;
    options.threads = 2;
    return options;
  }

  static LinkageResult Link(LinkMethod method, PartyEncodings a, PartyEncodings b) {
    std::vector<PartyEncodings> parties = {a, b};
    absl::StatusOr<LinkageResult> result = LinkParties(parties, DefaultOptions(method));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *std::move(result) : LinkageResult{};
  }

  // Records `indices` of party `party` (0: A, 1: B).
  static Subset Select(int party, const std::vector<size_t>& indices) {
    const testing::EncodedFebrl& encoded = party == 0 ? data_->a : data_->b;
    Subset subset;
    for (size_t i : indices) {
      subset.tokens.push_back(encoded.tokens[i]);
      EXPECT_TRUE(subset.filters.Append(encoded.filters[i]).ok());
      subset.labels.push_back(data_->truth.labels[party][i]);
    }
    return subset;
  }

  static PairMetrics Evaluate(const LinkageResult& result, const GroundTruth& truth) {
    absl::StatusOr<PairMetrics> metrics = EvaluateClusters(result.clusters, truth);
    EXPECT_TRUE(metrics.ok()) << metrics.status();
    return metrics.ok() ? *metrics : PairMetrics{};
  }

  void Report(const std::string& method, const PairMetrics& metrics, const LinkageResult& result) {
    RecordProperty(method + "_precision", std::to_string(metrics.precision));
    RecordProperty(method + "_recall", std::to_string(metrics.recall));
    RecordProperty(method + "_f1", std::to_string(metrics.f1));
    RecordProperty(method + "_links", std::to_string(result.links.size()));
    RecordProperty(method + "_candidate_pairs", std::to_string(result.stats.candidate_pairs));
  }

  static Data* data_;
};

LinkageFebrl4Test::Data* LinkageFebrl4Test::data_ = nullptr;

TEST_F(LinkageFebrl4Test, BloomLinkageWithDefaultsReachesF1Of099) {
  const LinkageResult& result = data_->bloom;
  const PairMetrics metrics = Evaluate(result, data_->truth);
  Report("bloom", metrics, result);
  EXPECT_GE(metrics.f1, 0.99);
  EXPECT_GE(metrics.precision, 0.995);
  // One-to-one: every link is a cluster of two, at most one per record.
  EXPECT_EQ(result.clusters.size(), result.links.size());
  EXPECT_EQ(result.stats.accepted_bloom_links, result.links.size());
  EXPECT_EQ(result.quality.clusters_with_party_duplicates, 0u);
  // Blocking keeps the work linear: at most 20 candidates per record.
  EXPECT_LE(result.stats.candidate_pairs, 20u * 10'000u);
  EXPECT_LE(result.stats.comparisons, result.stats.candidate_pairs);
}

TEST_F(LinkageFebrl4Test, TokenLinkageIsPreciseButMissesDamagedPairs) {
  const LinkageResult& result = data_->tokens;
  const PairMetrics metrics = Evaluate(result, data_->truth);
  Report("tokens", metrics, result);
  EXPECT_GE(metrics.precision, 0.995);
  EXPECT_GE(metrics.recall, 0.90);
  EXPECT_EQ(result.stats.accepted_token_links, result.links.size());
  EXPECT_EQ(result.stats.candidate_pairs, 0u);
  EXPECT_GT(result.stats.token_links, 4000u);
}

TEST_F(LinkageFebrl4Test, BothCombinesTokenAndBloomEvidence) {
  const LinkageResult& both = data_->both;
  const PairMetrics metrics = Evaluate(both, data_->truth);
  Report("both", metrics, both);
  EXPECT_GE(metrics.f1, 0.99);
  EXPECT_GE(metrics.precision, 0.995);
  const PairMetrics tokens = Evaluate(data_->tokens, data_->truth);
  EXPECT_GT(metrics.recall, tokens.recall);
  EXPECT_GT(both.stats.accepted_token_links, 4000u);
  EXPECT_GT(both.stats.accepted_bloom_links, 0u);
}

// Half of B's records have no partner in A: their best candidates are
// non-matches, which the threshold must keep out. A holds its first 1250
// records, B their 1250 partners and 1250 other records. Measured: P 1.0000,
// R 0.9976 (3 pairs missed); with 2500 of A against all of B, P 0.9996.
TEST_F(LinkageFebrl4Test, PrecisionHoldsWhenHalfOfOneSideHasNoPartner) {
  std::vector<size_t> a_indices;
  absl::flat_hash_set<uint64_t> a_entities;
  for (size_t i = 0; i < 1250; ++i) {
    a_indices.push_back(i);
    a_entities.insert(data_->truth.labels[0][i]);
  }
  std::vector<size_t> b_indices;
  size_t unmatched = 0;
  for (size_t j = 0; j < data_->b.records.size(); ++j) {
    if (a_entities.contains(data_->truth.labels[1][j])) {
      b_indices.push_back(j);
    } else if (unmatched < 1250) {
      b_indices.push_back(j);
      ++unmatched;
    }
  }
  const Subset a = Select(0, a_indices);
  const Subset b = Select(1, b_indices);
  ASSERT_EQ(b.labels.size(), 2500u);
  const GroundTruth truth{{a.labels, b.labels}};
  const PairMetrics metrics =
      Evaluate(Link(LinkMethod::kBloom, {a.tokens, &a.filters}, {b.tokens, &b.filters}), truth);
  RecordProperty("bloom_half_precision", std::to_string(metrics.precision));
  RecordProperty("bloom_half_recall", std::to_string(metrics.recall));
  EXPECT_GE(metrics.precision, 0.995);
  EXPECT_GE(metrics.recall, 0.99);
}

// The report an analyst sees holds counts only: none of the names it was
// computed from appears in it.
TEST_F(LinkageFebrl4Test, QualityReportNamesNoRecord) {
  const LinkageResult& result = data_->both;
  const std::vector<std::string> parties = {"agency A", "agency B"};
  const std::string text = RenderQualityReport(result.quality, parties);
  absl::flat_hash_set<std::string> names;
  for (const testing::EncodedFebrl* party : {&data_->a, &data_->b}) {
    for (const testing::FebrlRecord& record : party->records) {
      for (const std::string* name : {&record.given_name, &record.surname, &record.suburb}) {
        if (name->size() >= 5) names.insert(*name);
      }
    }
  }
  ASSERT_GT(names.size(), 1000u);
  std::string word;
  for (char c : text + " ") {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      continue;
    }
    EXPECT_FALSE(names.contains(word)) << "report contains a name from the data";
    word.clear();
  }
  EXPECT_EQ(result.quality.clusters, result.clusters.size());
  EXPECT_EQ(result.quality.records_per_party, (std::vector<uint64_t>{5000, 5000}));
}

}  // namespace
}  // namespace fedlink::match
