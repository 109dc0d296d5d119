// The token join: records of different parties that share salted-hash
// tokens are linked, according to a configurable rule.
//
// Ambiguity rule (conservative): a token that two or more records of one
// party hold says nothing about which of them is the person, so it never
// links any record of that party. It still links records of two *other*
// parties that each hold it once. Ambiguous tokens are counted per party and
// recipe in the result, never merged into one large cluster.
//
// Links from different tokens can still disagree (A1–B1 through one recipe,
// A2–B1 through another). ClusterLinks (union_find.h) keeps such records in
// one connected cluster, and the quality report counts clusters that hold two
// records of one party; GreedyCluster (multiparty_clusterer.h) over the
// links enforces one record per party instead.
#ifndef FEDLINK_LINKAGE_MATCH_TOKEN_JOIN_H_
#define FEDLINK_LINKAGE_MATCH_TOKEN_JOIN_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linkage/match/token_table.h"
#include "linkage/match/types.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::match {

// When two records of different parties are linked. Only tokens held by
// exactly one record on each side count ("shared" below). A pair is linked
// when it shares a token of any recipe in `any_of_recipes`, or shares tokens
// of at least `min_distinct_recipes` distinct recipes (0 turns that test
// off). Tokens of `ignored_recipes` (blocking-only recipes) never count.
//   ≥1 token of any recipe (default):   {}, 1
//   ≥1 token of recipe 1 or 2:          {1, 2}, 0
//   ≥2 distinct recipes of any:         {}, 2
//   recipe 4 alone, or any two others:  {4}, 2
struct LinkRule {
  std::vector<uint16_t> any_of_recipes;
  uint32_t min_distinct_recipes = 1;
  std::vector<uint16_t> ignored_recipes;
};

// InvalidArgument when the rule can never link (no any_of recipe and
// min_distinct_recipes 0) or names a recipe both as linking and ignored.
absl::Status ValidateLinkRule(const LinkRule& rule);

// The default rule for a schema: one shared token of any recipe that is not
// blocking-only.
LinkRule DefaultLinkRule(const schema::LinkageSchema& schema);

struct TokenJoinResult {
  // Linked record pairs, score 1, a.party < b.party, ascending by (a, b).
  std::vector<ScoredPair> links;
  // Ambiguous tokens of every table, ascending by (party, recipe); ignored
  // recipes are left out.
  std::vector<AmbiguityCount> ambiguity;
  // Tokens present in two parties' tables but not used because at least one
  // side holds them for several records; counted once per pair of parties.
  uint64_t ambiguous_token_matches = 0;
  // Record pairs that shared tokens but not enough to satisfy the rule.
  uint64_t pairs_below_rule = 0;
};

// Joins the tables of two or more parties (any order; one table per party)
// under `rule`. Every pair of parties is joined by probing the larger table
// with the smaller one. Errors: InvalidArgument for an invalid rule or two
// tables of the same party. Thread-compatible: the tables must not change
// during the call.
absl::StatusOr<TokenJoinResult> JoinTokens(std::span<const TokenTable* const> tables,
                                           const LinkRule& rule);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_TOKEN_JOIN_H_
