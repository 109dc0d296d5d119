// The built-in schema. deploy/examples/linkage-schema.yaml is its YAML form
// and a test keeps the two equal; linkage/schema/README.md explains the
// choices.
#include <utility>
#include <vector>

#include "linkage/schema/linkage_schema.h"

namespace fedlink::schema {
namespace {

TokenRecipe Recipe(uint16_t id, std::string name, std::vector<TokenPart> parts,
                   bool blocking_only = false) {
  TokenRecipe recipe;
  recipe.id = id;
  recipe.name = std::move(name);
  recipe.parts = std::move(parts);
  recipe.blocking_only = blocking_only;
  return recipe;
}

}  // namespace

LinkageSchema DefaultLinkageSchema() {
  using T = Transform;
  LinkageSchema schema;
  schema.version = kLinkageSchemaVersion;
  schema.fields = {
      {"first_name", FieldKind::kName}, {"middle_name", FieldKind::kName},
      {"last_name", FieldKind::kName},  {"dob", FieldKind::kDate},
      {"sex", FieldKind::kSex},         {"postcode", FieldKind::kPostcode},
      {"ssn", FieldKind::kIdentifier},
  };
  schema.token_recipes = {
      // Exact agreement on the core demographics.
      Recipe(1, "last_first_dob_sex",
             {{"last_name", T::kValue}, {"first_name", T::kValue},
              {"dob", T::kValue}, {"sex", T::kValue}}),
      // Spelling variants of either name (Smith/Smyth, Katherine/Catherine).
      Recipe(2, "soundex_last_first_dob_sex",
             {{"last_name", T::kSoundex}, {"first_name", T::kSoundex},
              {"dob", T::kValue}, {"sex", T::kValue}}),
      // Nicknames and shortened first names (Kate/Katherine); no sex, so a
      // missing or miscoded sex does not lose the pair.
      Recipe(3, "last_first_initial_dob",
             {{"last_name", T::kValue}, {"first_name", T::kInitial},
              {"dob", T::kValue}}),
      // Identifier-based links, robust to any name change.
      Recipe(4, "ssn_dob", {{"ssn", T::kValue}, {"dob", T::kValue}}),
      // A typo in the date of birth; the first initial (stable across
      // marriage, unlike the surname) guards against a mistyped SSN that
      // happens to be someone else's.
      Recipe(5, "ssn_first_initial",
             {{"ssn", T::kValue}, {"first_name", T::kInitial}}),
      // Blocking only: candidate pairs for Bloom comparison.
      Recipe(10, "block_soundex_last_birth_year",
             {{"last_name", T::kSoundex}, {"dob", T::kYear}},
             /*blocking_only=*/true),
      Recipe(11, "block_soundex_first_dob",
             {{"first_name", T::kSoundex}, {"dob", T::kValue}},
             /*blocking_only=*/true),
      Recipe(12, "block_last_first_postcode",
             {{"last_name", T::kValue}, {"first_name", T::kValue},
              {"postcode", T::kValue}},
             /*blocking_only=*/true),
  };

  BloomParams bloom;
  bloom.bits = 1024;
  bloom.q = 2;
  bloom.padded = true;
  // Weights favour the discriminating, usually present fields. With typical
  // lengths (names ~7 bigrams, dob 9, ssn 10, postcode 6) about 720 bit
  // positions are set per record, half of the 1024 bits: the fill at which a
  // Bloom filter carries the most information.
  bloom.fields = {
      {"first_name", T::kCompact, 20}, {"middle_name", T::kCompact, 10},
      {"last_name", T::kCompact, 20},  {"dob", T::kValue, 20},
      {"sex", T::kValue, 10},          {"postcode", T::kValue, 10},
      {"ssn", T::kValue, 10},
  };
  schema.bloom = std::move(bloom);
  return schema;
}

}  // namespace fedlink::schema
