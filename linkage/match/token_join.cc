#include "linkage/match/token_join.h"

#include <algorithm>
#include <bitset>
#include <limits>
#include <memory>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "linkage/match/candidates.h"
#include "linkage/match/radix_sort.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

using RecipeSet = std::bitset<std::numeric_limits<uint16_t>::max() + 1>;

// One token shared by record a of the lower party and record b of the
// higher party of a pair of parties.
struct Evidence {
  CandidatePair records;
  uint16_t recipe;
};

std::unique_ptr<RecipeSet> SetOf(const std::vector<uint16_t>& ids) {
  auto set = std::make_unique<RecipeSet>();
  for (uint16_t id : ids) set->set(id);
  return set;
}

// Collects the tokens `low` and `high` (low.party() < high.party()) share
// and that neither holds ambiguously.
void CollectEvidence(const TokenTable& low, const TokenTable& high, const RecipeSet& ignored,
                     std::vector<Evidence>& evidence, uint64_t& ambiguous_matches) {
  auto keep = [&ignored](uint16_t recipe) { return !ignored.test(recipe); };
  auto record = [&](const TokenHolder& low_holder, const TokenHolder& high_holder) {
    if (low_holder.ambiguous || high_holder.ambiguous) {
      ++ambiguous_matches;
      return;
    }
    evidence.push_back(Evidence{CandidatePair::Of(low_holder.record, high_holder.record),
                                low_holder.recipe_id});
  };
  if (low.distinct_tokens() <= high.distinct_tokens()) {
    low.ForEachShared(high, keep, record);
  } else {
    high.ForEachShared(low, keep, [&](const TokenHolder& mine, const TokenHolder& theirs) {
      record(theirs, mine);
    });
  }
}

// Turns the sorted evidence of one pair of parties into links. Each run of
// equal records is one candidate link; a run holds one entry per shared
// token, a handful, so counting distinct recipes by looking back within the
// run is cheap.
void AppendLinks(const std::vector<Evidence>& evidence, PartyId low, PartyId high,
                 const LinkRule& rule, const RecipeSet& sufficient, TokenJoinResult& result) {
  for (size_t start = 0; start < evidence.size();) {
    size_t end = start;
    uint32_t distinct = 0;
    bool sufficient_recipe = false;
    for (; end < evidence.size() && evidence[end].records == evidence[start].records; ++end) {
      uint16_t recipe = evidence[end].recipe;
      bool seen = false;
      for (size_t k = start; k < end && !seen; ++k) seen = evidence[k].recipe == recipe;
      if (!seen) ++distinct;
      sufficient_recipe = sufficient_recipe || sufficient.test(recipe);
    }
    if (sufficient_recipe ||
        (rule.min_distinct_recipes > 0 && distinct >= rule.min_distinct_recipes)) {
      const CandidatePair& records = evidence[start].records;
      result.links.push_back(
          ScoredPair{RecordRef{low, records.a()}, RecordRef{high, records.b()}, 1.0});
    } else {
      ++result.pairs_below_rule;
    }
    start = end;
  }
}

}  // namespace

absl::Status ValidateLinkRule(const LinkRule& rule) {
  if (rule.any_of_recipes.empty() && rule.min_distinct_recipes == 0) {
    return absl::InvalidArgumentError(
        "link rule: no any_of_recipes and min_distinct_recipes 0, so nothing can link");
  }
  for (uint16_t id : rule.any_of_recipes) {
    if (std::find(rule.ignored_recipes.begin(), rule.ignored_recipes.end(), id) !=
        rule.ignored_recipes.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "link rule: recipe ", id, " is in both any_of_recipes and ignored_recipes"));
    }
  }
  return absl::OkStatus();
}

LinkRule DefaultLinkRule(const schema::LinkageSchema& schema) {
  LinkRule rule;
  for (const schema::TokenRecipe& recipe : schema.token_recipes) {
    if (recipe.blocking_only) rule.ignored_recipes.push_back(recipe.id);
  }
  return rule;
}

absl::StatusOr<TokenJoinResult> JoinTokens(std::span<const TokenTable* const> tables,
                                           const LinkRule& rule) {
  FEDLINK_RETURN_IF_ERROR(ValidateLinkRule(rule));
  std::vector<const TokenTable*> sorted(tables.begin(), tables.end());
  std::sort(sorted.begin(), sorted.end(), [](const TokenTable* x, const TokenTable* y) {
    return x->party() < y->party();
  });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->party() == sorted[i - 1]->party()) {
      return absl::InvalidArgumentError(
          absl::StrCat("token join: two tables for party ", sorted[i]->party()));
    }
  }
  std::unique_ptr<RecipeSet> ignored = SetOf(rule.ignored_recipes);
  std::unique_ptr<RecipeSet> sufficient = SetOf(rule.any_of_recipes);

  TokenJoinResult result;
  for (const TokenTable* table : sorted) {
    for (const AmbiguityCount& count : table->Ambiguity()) {
      if (!ignored->test(count.recipe_id)) result.ambiguity.push_back(count);
    }
  }

  std::vector<Evidence> evidence;
  std::vector<Evidence> scratch;
  for (size_t i = 0; i < sorted.size(); ++i) {
    for (size_t j = i + 1; j < sorted.size(); ++j) {
      evidence.clear();
      // At most one entry per token of the smaller table; reserving address
      // space costs nothing until it is written, and saves regrowth copies.
      evidence.reserve(std::min(sorted[i]->distinct_tokens(), sorted[j]->distinct_tokens()));
      CollectEvidence(*sorted[i], *sorted[j], *ignored, evidence,
                      result.ambiguous_token_matches);
      RadixSort(&evidence, &scratch, [](const Evidence& e) { return e.records.key; });
      AppendLinks(evidence, sorted[i]->party(), sorted[j]->party(), rule, *sufficient,
                  result);
    }
  }
  // Links come grouped by pair of parties; with three or more parties the
  // groups interleave in (a, b) order.
  if (sorted.size() > 2) {
    std::sort(result.links.begin(), result.links.end(),
              [](const ScoredPair& x, const ScoredPair& y) {
                return std::tie(x.a, x.b) < std::tie(y.a, y.b);
              });
  }
  return result;
}

}  // namespace fedlink::match
