#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/match/token_join.h"
#include "linkage/match/token_table.h"
#include "linkage/match/union_find.h"

namespace fedlink::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr PartyId kA = 0;
constexpr PartyId kB = 1;
constexpr PartyId kC = 2;

// A token whose bytes spell `value`; real tokens are HMAC output.
encode::Token Tok(uint16_t recipe, uint64_t value) {
  encode::Token token;
  token.recipe_id = recipe;
  uint64_t spread = value * 0x9E3779B97F4A7C15ull;
  std::memcpy(token.bytes.data(), &spread, 8);
  std::memcpy(token.bytes.data() + 8, &value, 8);
  return token;
}

RecordRef Ref(PartyId party, RecordIndex index) { return RecordRef{party, index}; }

MATCHER_P2(LinksRecords, a, b, "") { return arg.a == a && arg.b == b && arg.score == 1.0; }

TokenJoinResult Join(std::vector<const TokenTable*> tables, const LinkRule& rule = {}) {
  absl::StatusOr<TokenJoinResult> result = JoinTokens(tables, rule);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : TokenJoinResult{};
}

TEST(TokenTableTest, FindsTheHolderOfAToken) {
  TokenTable table(kA);
  table.Add(7, Tok(1, 100));
  std::optional<TokenHolder> holder = table.Find(Tok(1, 100));
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->record, 7u);
  EXPECT_EQ(holder->recipe_id, 1);
  EXPECT_FALSE(holder->ambiguous);
  EXPECT_FALSE(table.Find(Tok(1, 101)).has_value());
}

TEST(TokenTableTest, SameBytesUnderAnotherRecipeAreAnotherToken) {
  TokenTable table(kA);
  table.Add(1, Tok(1, 100));
  table.Add(2, Tok(2, 100));
  EXPECT_EQ(table.distinct_tokens(), 2u);
  EXPECT_EQ(table.Find(Tok(1, 100))->record, 1u);
  EXPECT_EQ(table.Find(Tok(2, 100))->record, 2u);
  EXPECT_THAT(table.Ambiguity(), IsEmpty());
}

TEST(TokenTableTest, SecondHolderMakesTokenAmbiguous) {
  TokenTable table(kB);
  table.Add(1, Tok(3, 100));
  table.Add(2, Tok(3, 100));
  table.Add(4, Tok(3, 100));
  std::optional<TokenHolder> holder = table.Find(Tok(3, 100));
  ASSERT_TRUE(holder.has_value());
  EXPECT_TRUE(holder->ambiguous);
  EXPECT_EQ(holder->occurrences, 3u);
  EXPECT_THAT(table.Ambiguity(), ElementsAre(AmbiguityCount{kB, 3, 1, 3}));
}

TEST(TokenTableTest, RepeatedUploadOfOneRecordIsNotAmbiguous) {
  TokenTable table(kA);
  table.Add(5, Tok(1, 100));
  table.Add(5, Tok(1, 100));
  EXPECT_FALSE(table.Find(Tok(1, 100))->ambiguous);
  EXPECT_EQ(table.occurrences(), 1u);
  EXPECT_THAT(table.Ambiguity(), IsEmpty());
}

TEST(TokenTableTest, CountsAmbiguityPerRecipe) {
  TokenTable table(kA);
  // Recipe 1: two ambiguous tokens (2 and 3 holders); recipe 2: one (2).
  for (RecordIndex r : {0u, 1u}) table.Add(r, Tok(1, 10));
  for (RecordIndex r : {2u, 3u, 4u}) table.Add(r, Tok(1, 11));
  for (RecordIndex r : {0u, 1u}) table.Add(r, Tok(2, 10));
  table.Add(9, Tok(2, 99));
  EXPECT_THAT(table.Ambiguity(),
              ElementsAre(AmbiguityCount{kA, 1, 2, 5}, AmbiguityCount{kA, 2, 1, 2}));
}

TEST(TokenTableTest, GrowsWithoutLosingTokens) {
  TokenTable table(kA);
  constexpr uint32_t kTokens = 200000;  // past 4 MiB: the huge-page allocation path
  for (uint32_t i = 0; i < kTokens; ++i) table.Add(i, Tok(1, i));
  EXPECT_EQ(table.distinct_tokens(), kTokens);
  EXPECT_LE(table.distinct_tokens() * 10, table.capacity() * 7);
  for (uint32_t i = 0; i < kTokens; ++i) {
    std::optional<TokenHolder> holder = table.Find(Tok(1, i));
    ASSERT_TRUE(holder.has_value()) << i;
    ASSERT_EQ(holder->record, i);
  }
}

TEST(TokenTableTest, TenMillionTokensFitInTwoToTheTwentyFourSlots) {
  EXPECT_EQ(TokenTable::CapacityFor(10'000'000), size_t{1} << 24);
  EXPECT_EQ(TokenTable::CapacityFor(0), 16u);
  TokenTable table(kA);
  table.Reserve(1000);
  EXPECT_EQ(table.capacity(), TokenTable::CapacityFor(1000));
  EXPECT_EQ(table.MemoryBytes(), table.capacity() * 24);
}

TEST(TokenTableTest, BatchAddEqualsOneByOne) {
  std::vector<RecordToken> tokens;
  for (uint32_t i = 0; i < 1000; ++i) tokens.push_back({i % 700, Tok(1 + i % 3, i % 900)});
  TokenTable batch(kA);
  batch.Add(tokens);
  TokenTable single(kA);
  for (const RecordToken& t : tokens) single.Add(t.record, t.token);
  EXPECT_EQ(batch.distinct_tokens(), single.distinct_tokens());
  EXPECT_EQ(batch.occurrences(), single.occurrences());
  EXPECT_EQ(batch.Ambiguity(), single.Ambiguity());
  for (const RecordToken& t : tokens) {
    std::optional<TokenHolder> x = batch.Find(t.token);
    std::optional<TokenHolder> y = single.Find(t.token);
    ASSERT_TRUE(x.has_value() && y.has_value());
    EXPECT_EQ(x->ambiguous, y->ambiguous);
    EXPECT_EQ(x->record, y->record);
  }
}

TEST(TokenJoinTest, LinksRecordsOfTwoPartiesSharingAToken) {
  TokenTable a(kA);
  a.Add(0, Tok(1, 100));
  a.Add(1, Tok(1, 200));
  TokenTable b(kB);
  b.Add(5, Tok(1, 100));
  b.Add(6, Tok(1, 300));
  TokenJoinResult result = Join({&a, &b});
  EXPECT_THAT(result.links, ElementsAre(LinksRecords(Ref(kA, 0), Ref(kB, 5))));
  EXPECT_EQ(result.ambiguous_token_matches, 0u);
  EXPECT_EQ(result.pairs_below_rule, 0u);
}

TEST(TokenJoinTest, ManySharedTokensGiveOneLink) {
  TokenTable a(kA);
  TokenTable b(kB);
  for (uint16_t recipe = 1; recipe <= 4; ++recipe) {
    a.Add(3, Tok(recipe, 100));
    b.Add(8, Tok(recipe, 100));
  }
  EXPECT_THAT(Join({&a, &b}).links, ElementsAre(LinksRecords(Ref(kA, 3), Ref(kB, 8))));
}

TEST(TokenJoinTest, AmbiguousTokenNeverLinksAndIsReported) {
  TokenTable a(kA);
  a.Add(0, Tok(1, 100));
  a.Add(1, Tok(1, 100));
  TokenTable b(kB);
  b.Add(0, Tok(1, 100));
  TokenJoinResult result = Join({&a, &b});
  EXPECT_THAT(result.links, IsEmpty());
  EXPECT_THAT(result.ambiguity, ElementsAre(AmbiguityCount{kA, 1, 1, 2}));
  EXPECT_EQ(result.ambiguous_token_matches, 1u);
}

TEST(TokenJoinTest, TokenAmbiguousInOnePartyStillLinksTwoOthers) {
  TokenTable a(kA);
  a.Add(0, Tok(1, 100));
  a.Add(1, Tok(1, 100));
  TokenTable b(kB);
  b.Add(4, Tok(1, 100));
  TokenTable c(kC);
  c.Add(9, Tok(1, 100));
  TokenJoinResult result = Join({&a, &b, &c});
  EXPECT_THAT(result.links, ElementsAre(LinksRecords(Ref(kB, 4), Ref(kC, 9))));
  EXPECT_EQ(result.ambiguous_token_matches, 2u);  // A–B and A–C
}

TEST(TokenJoinTest, CommonTokenDoesNotMergeEveryoneIntoOneCluster) {
  // Ten people per party share a low-selectivity token (e.g. year + sex)
  // and each has its own name token: ten pairs, not one cluster of twenty.
  TokenTable a(kA);
  TokenTable b(kB);
  for (RecordIndex r = 0; r < 10; ++r) {
    a.Add(r, Tok(3, 7));
    b.Add(r, Tok(3, 7));
    a.Add(r, Tok(1, 1000 + r));
    b.Add(9 - r, Tok(1, 1000 + r));
  }
  TokenJoinResult result = Join({&a, &b});
  std::vector<Cluster> clusters = ClusterLinks(result.links);
  ASSERT_EQ(clusters.size(), 10u);
  for (const Cluster& cluster : clusters) {
    ASSERT_EQ(cluster.size(), 2u);
    EXPECT_EQ(cluster[1].index, 9 - cluster[0].index);
  }
  EXPECT_THAT(result.ambiguity,
              ElementsAre(AmbiguityCount{kA, 3, 1, 10}, AmbiguityCount{kB, 3, 1, 10}));
}

TEST(TokenJoinTest, RuleTwoDistinctRecipesNeedsTwoRecipes) {
  TokenTable a(kA);
  TokenTable b(kB);
  // (A0, B0) share recipes 1 and 2; (A1, B1) share only recipe 1.
  a.Add(0, Tok(1, 10));
  a.Add(0, Tok(2, 10));
  b.Add(0, Tok(1, 10));
  b.Add(0, Tok(2, 10));
  a.Add(1, Tok(1, 11));
  a.Add(1, Tok(2, 11));
  b.Add(1, Tok(1, 11));
  b.Add(1, Tok(2, 12));
  LinkRule rule;
  rule.min_distinct_recipes = 2;
  TokenJoinResult result = Join({&a, &b}, rule);
  EXPECT_THAT(result.links, ElementsAre(LinksRecords(Ref(kA, 0), Ref(kB, 0))));
  EXPECT_EQ(result.pairs_below_rule, 1u);
}

TEST(TokenJoinTest, RuleAnyOfRecipesIgnoresOtherRecipes) {
  TokenTable a(kA);
  TokenTable b(kB);
  a.Add(0, Tok(3, 10));  // shares only recipe 3
  b.Add(0, Tok(3, 10));
  a.Add(1, Tok(2, 11));  // shares recipe 2
  b.Add(1, Tok(2, 11));
  LinkRule rule;
  rule.any_of_recipes = {1, 2};
  rule.min_distinct_recipes = 0;
  TokenJoinResult result = Join({&a, &b}, rule);
  EXPECT_THAT(result.links, ElementsAre(LinksRecords(Ref(kA, 1), Ref(kB, 1))));
  EXPECT_EQ(result.pairs_below_rule, 1u);
}

TEST(TokenJoinTest, RuleOneStrongRecipeOrTwoWeakOnes) {
  TokenTable a(kA);
  TokenTable b(kB);
  a.Add(0, Tok(4, 10));  // recipe 4 alone: linked
  b.Add(0, Tok(4, 10));
  a.Add(1, Tok(1, 11));  // recipes 1 and 3: linked
  a.Add(1, Tok(3, 11));
  b.Add(1, Tok(1, 11));
  b.Add(1, Tok(3, 11));
  a.Add(2, Tok(1, 12));  // recipe 1 alone: not linked
  b.Add(2, Tok(1, 12));
  LinkRule rule;
  rule.any_of_recipes = {4};
  rule.min_distinct_recipes = 2;
  TokenJoinResult result = Join({&a, &b}, rule);
  EXPECT_THAT(result.links, ElementsAre(LinksRecords(Ref(kA, 0), Ref(kB, 0)),
                                        LinksRecords(Ref(kA, 1), Ref(kB, 1))));
  EXPECT_EQ(result.pairs_below_rule, 1u);
}

TEST(TokenJoinTest, BlockingOnlyRecipesNeverLink) {
  schema::LinkageSchema schema;
  schema.token_recipes.push_back({1, "name_dob", {}, false});
  schema.token_recipes.push_back({2, "soundex_year", {}, true});
  LinkRule rule = DefaultLinkRule(schema);
  EXPECT_THAT(rule.ignored_recipes, ElementsAre(2));
  TokenTable a(kA);
  TokenTable b(kB);
  a.Add(0, Tok(2, 10));  // blocking token shared: no link
  b.Add(0, Tok(2, 10));
  a.Add(1, Tok(2, 20));  // and its ambiguity is not reported
  a.Add(2, Tok(2, 20));
  a.Add(3, Tok(1, 30));
  b.Add(3, Tok(1, 30));
  TokenJoinResult result = Join({&a, &b}, rule);
  EXPECT_THAT(result.links, ElementsAre(LinksRecords(Ref(kA, 3), Ref(kB, 3))));
  EXPECT_THAT(result.ambiguity, IsEmpty());
}

TEST(TokenJoinTest, ThreePartyChainFormsOneCluster) {
  TokenTable a(kA);
  TokenTable b(kB);
  TokenTable c(kC);
  a.Add(1, Tok(1, 10));
  b.Add(1, Tok(1, 10));
  b.Add(1, Tok(2, 20));
  c.Add(1, Tok(2, 20));
  TokenJoinResult result = Join({&c, &a, &b});
  EXPECT_THAT(result.links, ElementsAre(LinksRecords(Ref(kA, 1), Ref(kB, 1)),
                                        LinksRecords(Ref(kB, 1), Ref(kC, 1))));
  EXPECT_THAT(ClusterLinks(result.links),
              ElementsAre(ElementsAre(Ref(kA, 1), Ref(kB, 1), Ref(kC, 1))));
}

TEST(TokenJoinTest, ResultDoesNotDependOnUploadOrTableOrder) {
  std::mt19937 rng(7);
  std::vector<RecordToken> a_tokens;
  std::vector<RecordToken> b_tokens;
  for (uint32_t i = 0; i < 3000; ++i) {
    a_tokens.push_back({i, Tok(1 + i % 3, rng() % 2000)});
    b_tokens.push_back({i, Tok(1 + i % 3, rng() % 2000)});
  }
  TokenTable a1(kA);
  TokenTable b1(kB);
  a1.Add(a_tokens);
  b1.Add(b_tokens);
  std::shuffle(a_tokens.begin(), a_tokens.end(), rng);
  std::shuffle(b_tokens.begin(), b_tokens.end(), rng);
  TokenTable a2(kA);
  TokenTable b2(kB);
  a2.Add(a_tokens);
  b2.Add(b_tokens);
  TokenJoinResult first = Join({&a1, &b1});
  TokenJoinResult second = Join({&b2, &a2});
  ASSERT_FALSE(first.links.empty());
  ASSERT_EQ(first.links.size(), second.links.size());
  for (size_t i = 0; i < first.links.size(); ++i) {
    EXPECT_EQ(first.links[i].a, second.links[i].a);
    EXPECT_EQ(first.links[i].b, second.links[i].b);
  }
  EXPECT_EQ(first.ambiguity, second.ambiguity);
  EXPECT_EQ(first.ambiguous_token_matches, second.ambiguous_token_matches);
  EXPECT_TRUE(std::is_sorted(first.links.begin(), first.links.end(),
                             [](const ScoredPair& x, const ScoredPair& y) {
                               return std::tie(x.a, x.b) < std::tie(y.a, y.b);
                             }));
}

TEST(TokenJoinTest, RejectsTwoTablesOfOneParty) {
  TokenTable a(kA);
  TokenTable again(kA);
  std::vector<const TokenTable*> tables = {&a, &again};
  EXPECT_EQ(JoinTokens(tables, LinkRule{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LinkRuleTest, RejectsARuleThatCanNeverLink) {
  LinkRule rule;
  rule.min_distinct_recipes = 0;
  EXPECT_EQ(ValidateLinkRule(rule).code(), absl::StatusCode::kInvalidArgument);
  TokenTable a(kA);
  std::vector<const TokenTable*> tables = {&a};
  EXPECT_EQ(JoinTokens(tables, rule).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LinkRuleTest, RejectsARecipeThatIsBothLinkingAndIgnored) {
  LinkRule rule;
  rule.any_of_recipes = {1, 2};
  rule.ignored_recipes = {2};
  absl::Status status = ValidateLinkRule(rule);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("recipe 2"));
}

}  // namespace
}  // namespace fedlink::match
