#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/linker.h"
#include "linkage/match/quality_report.h"
#include "linkage/match/token_join.h"

namespace fedlink::match {
namespace {

using encode::BloomFilter;
using encode::Token;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint32_t kBits = 256;
constexpr uint16_t kBlockingRecipe = 10;

RecordRef A(RecordIndex i) { return RecordRef{0, i}; }
RecordRef B(RecordIndex i) { return RecordRef{1, i}; }
RecordRef C(RecordIndex i) { return RecordRef{2, i}; }

// A token whose bytes spell `value`; real tokens are HMAC output.
Token Tok(uint16_t recipe, uint64_t value) {
  Token token;
  token.recipe_id = recipe;
  const uint64_t spread = value * 0x9E3779B97F4A7C15ull;
  std::memcpy(token.bytes.data(), &spread, 8);
  std::memcpy(token.bytes.data() + 8, &value, 8);
  return token;
}

// A filter with each bit set with probability 1/2, from `seed`.
BloomFilter RandomFilter(uint64_t seed) {
  std::mt19937_64 rng(seed);
  BloomFilter filter;
  filter.words.resize(kBits / 64);
  for (uint64_t& word : filter.words) word = rng();
  return filter;
}

// `filter` with `flips` distinct bits flipped (chosen from `seed`).
BloomFilter Damaged(BloomFilter filter, int flips, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<bool> flipped(kBits);
  for (int done = 0; done < flips;) {
    const uint32_t bit = static_cast<uint32_t>(rng() % kBits);
    if (flipped[bit]) continue;
    flipped[bit] = true;
    filter.words[bit / 64] ^= uint64_t{1} << (bit % 64);
    ++done;
  }
  return filter;
}

double DiceOf(const BloomFilter& a, const BloomFilter& b) {
  uint64_t common = 0;
  uint64_t total = 0;
  for (size_t w = 0; w < a.words.size(); ++w) {
    common += std::popcount(a.words[w] & b.words[w]);
    total += std::popcount(a.words[w]) + std::popcount(b.words[w]);
  }
  return total == 0 ? 0.0 : 2.0 * static_cast<double>(common) / static_cast<double>(total);
}

// Owns the uploads of a test's parties; Encodings() views them.
class Uploads {
 public:
  // Adds a party with these filters and tokens. No filters but tokens: the
  // party sends no filters; neither: it sends an empty upload of both.
  void Add(std::vector<BloomFilter> filters, std::vector<std::vector<Token>> tokens = {},
           uint32_t bits = kBits) {
    const bool sends_filters = !filters.empty() || tokens.empty();
    stores_.push_back(sends_filters ? std::make_unique<FilterStore>(
                                          FilterStore::FromFilters(bits, filters).value())
                                    : nullptr);
    filters_.push_back(std::move(filters));
    tokens_.push_back(std::make_unique<std::vector<std::vector<Token>>>(std::move(tokens)));
  }
  // Drops party p's filters from the upload (as if it sent none).
  void WithoutFilters(size_t p) { stores_[p].reset(); }

  std::vector<PartyEncodings> Encodings() const {
    std::vector<PartyEncodings> out;
    for (size_t p = 0; p < stores_.size(); ++p) {
      out.push_back(PartyEncodings{*tokens_[p], stores_[p].get()});
    }
    return out;
  }
  const BloomFilter& filter(size_t party, size_t record) const { return filters_[party][record]; }

 private:
  std::vector<std::vector<BloomFilter>> filters_;
  std::vector<std::unique_ptr<std::vector<std::vector<Token>>>> tokens_;
  std::vector<std::unique_ptr<FilterStore>> stores_;
};

LinkRule TestRule() {
  LinkRule rule;
  rule.ignored_recipes = {kBlockingRecipe};
  return rule;
}

// Default options but for 100 LSH bands instead of 600: the true pairs here
// are near copies that any band finds, and fewer bands keep the tests fast
// under sanitizers.
LinkerOptions Options(LinkMethod method) {
  LinkerOptions options;
  options.method = method;
  options.token_rule = TestRule();
  options.lsh->bands = 100;
  return options;
}

LinkageResult RunLinker(const Uploads& uploads, const LinkerOptions& options) {
  absl::StatusOr<LinkageResult> result = LinkParties(uploads.Encodings(), options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : LinkageResult{};
}

MATCHER_P4(IsLink, a, b, score, evidence, "") {
  return arg.pair.a == a && arg.pair.b == b && arg.pair.score == score && arg.evidence == evidence;
}

// Entities 0..n-1: party A holds entity i as record i; party B holds
// entities 0..n-2 lightly damaged (8 of 256 bits flipped: dice ≈ 0.97) in
// reverse order, then one unrelated record.
Uploads TwoPartyEntities(int n) {
  std::vector<BloomFilter> a;
  std::vector<BloomFilter> b;
  for (int i = 0; i < n; ++i) a.push_back(RandomFilter(100 + i));
  for (int i = n - 2; i >= 0; --i) b.push_back(Damaged(a[i], 8, 500 + i));
  b.push_back(RandomFilter(99));
  Uploads uploads;
  uploads.Add(a);
  uploads.Add(b);
  return uploads;
}

TEST(LinkMethodTest, NamesRoundTrip) {
  for (LinkMethod method : {LinkMethod::kTokens, LinkMethod::kBloom, LinkMethod::kBoth}) {
    EXPECT_EQ(LinkMethodFromName(LinkMethodName(method)), method);
  }
  EXPECT_EQ(LinkMethodName(LinkMethod::kBoth), "both");
  EXPECT_EQ(LinkMethodFromName("Bloom"), std::nullopt);
}

TEST(LinkerTest, BloomTwoPartiesAllPairsLinksEachDamagedCopyToItsOriginal) {
  const Uploads uploads = TwoPartyEntities(6);
  LinkerOptions options = Options(LinkMethod::kBloom);
  options.blocking = false;
  const LinkageResult result = RunLinker(uploads, options);
  ASSERT_EQ(result.clusters.size(), 5u);
  for (RecordIndex i = 0; i < 5; ++i) {
    EXPECT_THAT(result.clusters[i], ElementsAre(A(i), B(4 - i)));
  }
  ASSERT_EQ(result.links.size(), 5u);
  for (const Link& link : result.links) {
    EXPECT_EQ(link.evidence, LinkEvidence::kBloom);
    EXPECT_EQ(link.pair.score,
              DiceOf(uploads.filter(0, link.pair.a.index), uploads.filter(1, link.pair.b.index)));
    EXPECT_GE(link.pair.score, 0.9);
  }
  // Decision order: best first.
  for (size_t i = 1; i < result.links.size(); ++i) {
    EXPECT_GE(result.links[i - 1].pair.score, result.links[i].pair.score);
  }
  EXPECT_EQ(result.stats.candidate_pairs, 36u);
  EXPECT_EQ(result.stats.pairs_above_threshold, 5u);
  EXPECT_EQ(result.stats.accepted_bloom_links, 5u);
  EXPECT_EQ(result.stats.accepted_token_links, 0u);
  EXPECT_THAT(result.stats.records_per_party, ElementsAre(6, 6));
  EXPECT_EQ(result.quality.clusters, 5u);
  EXPECT_THAT(result.quality.linked_records_per_party, ElementsAre(5, 5));
  EXPECT_EQ(result.quality.accepted_scores.Total(), 5u);
}

TEST(LinkerTest, BloomWithBlockingFindsTheSameLinksAsAllPairs) {
  const Uploads uploads = TwoPartyEntities(40);
  LinkerOptions all_pairs = Options(LinkMethod::kBloom);
  all_pairs.blocking = false;
  const LinkageResult exact = RunLinker(uploads, all_pairs);
  const LinkageResult blocked = RunLinker(uploads, Options(LinkMethod::kBloom));
  EXPECT_EQ(exact.clusters.size(), 39u);
  EXPECT_EQ(blocked.clusters, exact.clusters);
  EXPECT_LT(blocked.stats.candidate_pairs, 40u * 40u);
  EXPECT_EQ(blocked.stats.candidate_pairs, blocked.stats.lsh_pairs);  // no tokens sent
  EXPECT_LE(blocked.stats.comparisons, blocked.stats.candidate_pairs);
  EXPECT_NE(blocked.quality.suggestion.method, SuggestionMethod::kNoScores);
}

TEST(LinkerTest, BloomBlockingUsesTokenBlocksWhenLshIsOff) {
  // A0/B0 share a blocking-only token and similar filters; A1/B1 have
  // similar filters but no token in common, so no block proposes them.
  const BloomFilter e0 = RandomFilter(1);
  const BloomFilter e1 = RandomFilter(2);
  Uploads uploads;
  uploads.Add({e0, e1}, {{Tok(kBlockingRecipe, 7)}, {Tok(kBlockingRecipe, 8)}});
  uploads.Add({Damaged(e0, 4, 3), Damaged(e1, 4, 4)},
              {{Tok(kBlockingRecipe, 7)}, {Tok(kBlockingRecipe, 9)}});
  LinkerOptions options = Options(LinkMethod::kBloom);
  options.lsh = std::nullopt;
  const LinkageResult result = RunLinker(uploads, options);
  EXPECT_THAT(result.clusters, ElementsAre(ElementsAre(A(0), B(0))));
  EXPECT_EQ(result.stats.candidate_pairs, 1u);
  EXPECT_EQ(result.stats.token_block_pairs, 1u);
  EXPECT_EQ(result.stats.tokens, 4u);
}

TEST(LinkerTest, TokensMethodLinksOnLinkingRecipesOnly) {
  Uploads uploads;
  uploads.Add({}, {{Tok(1, 100)}, {Tok(kBlockingRecipe, 5)}, {Tok(2, 300)}});
  uploads.Add({}, {{Tok(kBlockingRecipe, 5)}, {Tok(1, 100), Tok(2, 301)}, {}});
  const LinkageResult result = RunLinker(uploads, Options(LinkMethod::kTokens));
  EXPECT_THAT(result.clusters, ElementsAre(ElementsAre(A(0), B(1))));
  EXPECT_THAT(result.links, ElementsAre(IsLink(A(0), B(1), 1.0, LinkEvidence::kToken)));
  EXPECT_EQ(result.stats.token_links, 1u);
  EXPECT_EQ(result.stats.candidate_pairs, 0u);
  EXPECT_EQ(result.stats.comparisons, 0u);
  EXPECT_THAT(result.stats.records_per_party, ElementsAre(3, 3));
  EXPECT_EQ(result.quality.suggestion.method, SuggestionMethod::kNoScores);
}

TEST(LinkerTest, TokensMethodReportsAmbiguityAndKeepsOneRecordPerParty) {
  // Tok(1, 100) is held by two records of A: ambiguous, never links A.
  // B0 shares recipe-1 token 200 with A2 and recipe-2 token 300 with A3:
  // both are token links, the solver keeps one (ties by records: A2).
  Uploads uploads;
  uploads.Add({}, {{Tok(1, 100)}, {Tok(1, 100)}, {Tok(1, 200)}, {Tok(2, 300)}});
  uploads.Add({}, {{Tok(1, 200), Tok(2, 300)}, {Tok(1, 100)}});
  const LinkageResult result = RunLinker(uploads, Options(LinkMethod::kTokens));
  EXPECT_THAT(result.clusters, ElementsAre(ElementsAre(A(2), B(0))));
  EXPECT_EQ(result.stats.token_links, 2u);
  EXPECT_EQ(result.stats.solver_conflicts, 1u);
  EXPECT_EQ(result.stats.ambiguous_tokens, 1u);
  EXPECT_EQ(result.stats.ambiguous_token_matches, 1u);
  ASSERT_EQ(result.quality.ambiguity.size(), 1u);
  EXPECT_EQ(result.quality.ambiguity[0].party, 0);
  EXPECT_EQ(result.quality.ambiguity[0].occurrences, 2u);
}

TEST(LinkerTest, BothAcceptsTokenLinksFirstAndBloomFillsTheRest) {
  const BloomFilter e0 = RandomFilter(10);
  const BloomFilter e1 = RandomFilter(11);
  const BloomFilter e2 = RandomFilter(12);
  const BloomFilter e3 = RandomFilter(13);
  // A0–B0 share a linking token but their filters are unrelated (dice ≈
  // 0.5). B1 is a near copy of A0 (Bloom alone would link A0–B1). A1–B2 are
  // similar with no token. B3 holds a recipe-1 token of A2 and a recipe-2
  // token of A3, and is a near copy of A3: the better token link wins.
  Uploads uploads;
  uploads.Add({e0, e1, e2, e3}, {{Tok(1, 1)}, {}, {Tok(1, 2)}, {Tok(2, 3)}});
  uploads.Add({RandomFilter(20), Damaged(e0, 2, 21), Damaged(e1, 6, 22), Damaged(e3, 10, 23)},
              {{Tok(1, 1)}, {}, {}, {Tok(1, 2), Tok(2, 3)}});

  LinkerOptions options = Options(LinkMethod::kBoth);
  options.blocking = false;
  const LinkageResult both = RunLinker(uploads, options);
  EXPECT_THAT(both.clusters, ElementsAre(ElementsAre(A(0), B(0)), ElementsAre(A(1), B(2)),
                                         ElementsAre(A(3), B(3))));
  ASSERT_EQ(both.links.size(), 3u);
  EXPECT_THAT(both.links[0], IsLink(A(3), B(3), 1.0, LinkEvidence::kToken));
  EXPECT_THAT(both.links[1], IsLink(A(0), B(0), 1.0, LinkEvidence::kToken));
  EXPECT_THAT(both.links[2],
              IsLink(A(1), B(2), DiceOf(e1, uploads.filter(1, 2)), LinkEvidence::kBloom));
  EXPECT_EQ(both.stats.accepted_token_links, 2u);
  EXPECT_EQ(both.stats.accepted_bloom_links, 1u);
  // Turned down: token link A2–B3, Bloom pair A0–B1.
  EXPECT_EQ(both.stats.solver_conflicts, 2u);

  const LinkageResult bloom = RunLinker(uploads, [&] {
    LinkerOptions o = Options(LinkMethod::kBloom);
    o.blocking = false;
    return o;
  }());
  EXPECT_THAT(bloom.clusters, ElementsAre(ElementsAre(A(0), B(1)), ElementsAre(A(1), B(2)),
                                          ElementsAre(A(3), B(3))));
}

TEST(LinkerTest, BothDoesNotOfferATokenLinkTwice) {
  // A0–B0 are a token link and a Bloom pair: one link, no conflict.
  const BloomFilter e0 = RandomFilter(30);
  Uploads uploads;
  uploads.Add({e0}, {{Tok(1, 1)}});
  uploads.Add({Damaged(e0, 3, 31)}, {{Tok(1, 1)}});
  const LinkageResult result = RunLinker(uploads, Options(LinkMethod::kBoth));
  EXPECT_THAT(result.links, ElementsAre(IsLink(A(0), B(0), 1.0, LinkEvidence::kToken)));
  EXPECT_EQ(result.stats.solver_conflicts, 0u);
  EXPECT_EQ(result.stats.pairs_above_threshold, 1u);
}

// Three parties hold entities 0..n-1 (damaged copies in B and C); C also
// holds a second copy of entity 0.
Uploads ThreePartyEntities(int n) {
  std::vector<BloomFilter> a, b, c;
  for (int i = 0; i < n; ++i) {
    a.push_back(RandomFilter(1000 + i));
    b.push_back(Damaged(a.back(), 6, 2000 + i));
    c.push_back(Damaged(a.back(), 6, 3000 + i));
  }
  c.push_back(Damaged(a[0], 12, 4000));
  Uploads uploads;
  uploads.Add(a);
  uploads.Add(b);
  uploads.Add(c);
  return uploads;
}

TEST(LinkerTest, ThreePartiesClusterWithOneRecordPerParty) {
  const Uploads uploads = ThreePartyEntities(20);
  const LinkageResult result = RunLinker(uploads, Options(LinkMethod::kBloom));
  ASSERT_EQ(result.clusters.size(), 20u);
  for (RecordIndex i = 0; i < 20; ++i) {
    EXPECT_THAT(result.clusters[i], ElementsAre(A(i), B(i), C(i)));
  }
  EXPECT_EQ(result.links.size(), 40u);           // two merges per cluster of three
  EXPECT_GE(result.stats.solver_conflicts, 1u);  // C20 could not join entity 0
  EXPECT_EQ(result.quality.clusters_with_party_duplicates, 0u);
  ASSERT_EQ(result.quality.party_sets.size(), 1u);
  EXPECT_THAT(result.quality.party_sets[0].parties, ElementsAre(0, 1, 2));
}

TEST(LinkerTest, WithinPartyDuplicatesCanBeAllowed) {
  const Uploads uploads = ThreePartyEntities(20);
  LinkerOptions options = Options(LinkMethod::kBloom);
  options.allow_within_party_duplicates = true;
  const LinkageResult result = RunLinker(uploads, options);
  ASSERT_EQ(result.clusters.size(), 20u);
  EXPECT_THAT(result.clusters[0], ElementsAre(A(0), B(0), C(0), C(20)));
  EXPECT_EQ(result.quality.clusters_with_party_duplicates, 1u);

  // Two parties with duplicates allowed: clusters are connected groups.
  Uploads two;
  const BloomFilter e = RandomFilter(5);
  two.Add({e});
  two.Add({Damaged(e, 4, 6), Damaged(e, 5, 7)});
  const LinkageResult grouped = RunLinker(two, options);
  EXPECT_THAT(grouped.clusters, ElementsAre(ElementsAre(A(0), B(0), B(1))));
}

TEST(LinkerTest, ThreePartiesWithTokensAndBoth) {
  Uploads uploads;
  const BloomFilter e = RandomFilter(40);
  uploads.Add({e, RandomFilter(41)}, {{Tok(1, 1)}, {}});
  uploads.Add({Damaged(e, 3, 42)}, {{Tok(1, 1)}});
  uploads.Add({RandomFilter(43), Damaged(e, 5, 44)}, {{}, {Tok(1, 1)}});
  const LinkageResult tokens = RunLinker(uploads, Options(LinkMethod::kTokens));
  EXPECT_THAT(tokens.clusters, ElementsAre(ElementsAre(A(0), B(0), C(1))));
  const LinkageResult both = RunLinker(uploads, Options(LinkMethod::kBoth));
  EXPECT_EQ(both.clusters, tokens.clusters);
  EXPECT_EQ(both.stats.accepted_token_links, 2u);
}

TEST(LinkerTest, SameResultForAnyThreadCountAndRun) {
  const Uploads uploads = ThreePartyEntities(40);
  LinkerOptions options = Options(LinkMethod::kBloom);
  const LinkageResult one = RunLinker(uploads, options);
  options.threads = 2;
  const LinkageResult two = RunLinker(uploads, options);
  const LinkageResult again = RunLinker(uploads, options);
  for (const LinkageResult* other : {&two, &again}) {
    EXPECT_EQ(other->clusters, one.clusters);
    ASSERT_EQ(other->links.size(), one.links.size());
    for (size_t i = 0; i < one.links.size(); ++i) {
      EXPECT_EQ(other->links[i].pair.a, one.links[i].pair.a);
      EXPECT_EQ(other->links[i].pair.b, one.links[i].pair.b);
      EXPECT_EQ(other->links[i].pair.score, one.links[i].pair.score);
    }
    EXPECT_EQ(other->stats.candidate_pairs, one.stats.candidate_pairs);
    EXPECT_EQ(other->quality.suggestion, one.quality.suggestion);
    EXPECT_EQ(RenderQualityReport(other->quality), RenderQualityReport(one.quality));
  }
}

TEST(LinkerTest, AnotherSeedDrawsOtherBandsButLinksTheSame) {
  const Uploads uploads = TwoPartyEntities(40);
  LinkerOptions options = Options(LinkMethod::kBloom);
  const LinkageResult first = RunLinker(uploads, options);
  options.seed = 12345;
  const LinkageResult second = RunLinker(uploads, options);
  EXPECT_EQ(second.clusters, first.clusters);
}

TEST(LinkerTest, EmptyPartyLinksNothingWithoutError) {
  for (LinkMethod method : {LinkMethod::kTokens, LinkMethod::kBloom, LinkMethod::kBoth}) {
    Uploads uploads;
    uploads.Add({RandomFilter(1), RandomFilter(2)}, {{Tok(1, 1)}, {Tok(1, 2)}});
    uploads.Add({}, {});
    const LinkageResult result = RunLinker(uploads, Options(method));
    EXPECT_THAT(result.clusters, IsEmpty()) << LinkMethodName(method);
    EXPECT_THAT(result.stats.records_per_party, ElementsAre(2, 0));
    EXPECT_THAT(result.quality.records_per_party, ElementsAre(2, 0));
  }
  // Three parties, the middle one empty: A and C still link.
  Uploads uploads;
  const BloomFilter e = RandomFilter(3);
  uploads.Add({e});
  uploads.Add({});
  uploads.Add({Damaged(e, 2, 4)});
  const LinkageResult result = RunLinker(uploads, Options(LinkMethod::kBloom));
  EXPECT_THAT(result.clusters, ElementsAre(ElementsAre(A(0), C(0))));
}

absl::Status LinkStatus(const Uploads& uploads, const LinkerOptions& options) {
  return LinkParties(uploads.Encodings(), options).status();
}

TEST(LinkerTest, RejectsInvalidOptions) {
  const Uploads uploads = TwoPartyEntities(4);
  auto expect_invalid = [&](const LinkerOptions& options, const std::string& part) {
    absl::Status status = LinkStatus(uploads, options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << part;
    EXPECT_THAT(std::string(status.message()), HasSubstr(part));
  };
  for (double bad : {0.0, -0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    LinkerOptions options = Options(LinkMethod::kBloom);
    options.threshold = bad;
    expect_invalid(options, "threshold");
  }
  LinkerOptions threads = Options(LinkMethod::kBloom);
  threads.threads = -1;
  expect_invalid(threads, "threads");
  LinkerOptions no_rule = Options(LinkMethod::kBoth);
  no_rule.token_rule.reset();
  expect_invalid(no_rule, "token_rule");
  LinkerOptions bad_rule = Options(LinkMethod::kTokens);
  bad_rule.token_rule->min_distinct_recipes = 0;
  expect_invalid(bad_rule, "link rule");
  LinkerOptions bad_lsh = Options(LinkMethod::kBloom);
  bad_lsh.lsh->bands = 0;
  EXPECT_EQ(LinkStatus(uploads, bad_lsh).code(), absl::StatusCode::kInvalidArgument);
  // The tokens method needs tokens from every party with records.
  expect_invalid(Options(LinkMethod::kTokens), "party 0 sent no tokens");
  // Blocking with LSH off needs tokens.
  LinkerOptions no_lsh = Options(LinkMethod::kBloom);
  no_lsh.lsh = std::nullopt;
  expect_invalid(no_lsh, "LSH is off");
}

TEST(LinkerTest, RejectsInconsistentUploads) {
  Uploads one;
  one.Add({RandomFilter(1)});
  EXPECT_EQ(LinkStatus(one, Options(LinkMethod::kBloom)).code(),
            absl::StatusCode::kInvalidArgument);

  Uploads no_filters = TwoPartyEntities(3);
  no_filters.WithoutFilters(1);
  EXPECT_THAT(std::string(LinkStatus(no_filters, Options(LinkMethod::kBloom)).message()),
              HasSubstr("party 1 sent no Bloom filters"));

  Uploads lengths;
  lengths.Add({RandomFilter(1)});
  BloomFilter wide;
  wide.words.assign(8, 0x5555);
  lengths.Add({wide}, {}, 512);
  EXPECT_THAT(std::string(LinkStatus(lengths, Options(LinkMethod::kBloom)).message()),
              HasSubstr("512-bit"));

  Uploads counts;
  counts.Add({RandomFilter(1), RandomFilter(2)}, {{Tok(1, 1)}});
  counts.Add({RandomFilter(3)}, {{Tok(1, 1)}});
  EXPECT_THAT(std::string(LinkStatus(counts, Options(LinkMethod::kBoth)).message()),
              HasSubstr("party 0 sent 2 filters but 1 token lists"));
}

}  // namespace
}  // namespace fedlink::match
