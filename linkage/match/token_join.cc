#include "linkage/match/token_join.h"

#include <algorithm>
#include <bitset>
#include <limits>
#include <memory>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace fedlink::match {
namespace {

using RecipeSet = std::bitset<std::numeric_limits<uint16_t>::max() + 1>;

// One shared token between two records: a.party < b.party.
struct Evidence {
  RecordRef a;
  RecordRef b;
  uint16_t recipe;
};

bool EvidenceLess(const Evidence& x, const Evidence& y) {
  return std::tie(x.a, x.b, x.recipe) < std::tie(y.a, y.b, y.recipe);
}

std::unique_ptr<RecipeSet> SetOf(const std::vector<uint16_t>& ids) {
  auto set = std::make_unique<RecipeSet>();
  for (uint16_t id : ids) set->set(id);
  return set;
}

// Appends the evidence between two parties' tables; `low` has the smaller
// party id.
void JoinPair(const TokenTable& low, const TokenTable& high, const RecipeSet& ignored,
              std::vector<Evidence>& evidence, uint64_t& ambiguous_matches) {
  auto keep = [&ignored](uint16_t recipe) { return !ignored.test(recipe); };
  auto record = [&](const TokenHolder& low_holder, const TokenHolder& high_holder) {
    if (low_holder.ambiguous || high_holder.ambiguous) {
      ++ambiguous_matches;
      return;
    }
    evidence.push_back(Evidence{RecordRef{low.party(), low_holder.record},
                                RecordRef{high.party(), high_holder.record},
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
  absl::Status valid = ValidateLinkRule(rule);
  if (!valid.ok()) return valid;
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
  for (size_t i = 0; i < sorted.size(); ++i) {
    for (size_t j = i + 1; j < sorted.size(); ++j) {
      JoinPair(*sorted[i], *sorted[j], *ignored, evidence, result.ambiguous_token_matches);
    }
  }
  std::sort(evidence.begin(), evidence.end(), EvidenceLess);

  // Each run of equal (a, b) is one candidate link; its recipes are sorted.
  for (size_t start = 0; start < evidence.size();) {
    size_t end = start;
    uint32_t distinct = 0;
    bool sufficient_recipe = false;
    for (; end < evidence.size() && evidence[end].a == evidence[start].a &&
           evidence[end].b == evidence[start].b;
         ++end) {
      if (end == start || evidence[end].recipe != evidence[end - 1].recipe) ++distinct;
      sufficient_recipe = sufficient_recipe || sufficient->test(evidence[end].recipe);
    }
    if (sufficient_recipe ||
        (rule.min_distinct_recipes > 0 && distinct >= rule.min_distinct_recipes)) {
      result.links.push_back(ScoredPair{evidence[start].a, evidence[start].b, 1.0});
    } else {
      ++result.pairs_below_rule;
    }
    start = end;
  }
  return result;
}

}  // namespace fedlink::match
