#include <cmath>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::schema {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// A small valid schema each test breaks in one way.
LinkageSchema Small() {
  LinkageSchema s;
  s.fields = {{"first_name", FieldKind::kName},
              {"last_name", FieldKind::kName},
              {"dob", FieldKind::kDate},
              {"zip", FieldKind::kPostcode}};
  s.token_recipes = {
      {1, "names_dob",
       {{"last_name", Transform::kValue},
        {"first_name", Transform::kValue},
        {"dob", Transform::kValue}},
       false},
      {2, "soundex_names_dob",
       {{"last_name", Transform::kSoundex},
        {"first_name", Transform::kSoundex},
        {"dob", Transform::kValue}},
       false},
  };
  BloomParams bloom;
  bloom.fields = {{"first_name", Transform::kCompact, 20},
                  {"dob", Transform::kValue, 10}};
  s.bloom = bloom;
  return s;
}

std::string ErrorOf(const LinkageSchema& s) {
  absl::Status status = ValidateSchema(s);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

TEST(ValidateSchemaTest, AcceptsSmallAndDefaultSchemas) {
  EXPECT_TRUE(ValidateSchema(Small()).ok()) << ValidateSchema(Small());
  EXPECT_TRUE(ValidateSchema(DefaultLinkageSchema()).ok())
      << ValidateSchema(DefaultLinkageSchema());
}

TEST(ValidateSchemaTest, RejectsUnsupportedVersion) {
  LinkageSchema s = Small();
  s.version = 2;
  EXPECT_THAT(ErrorOf(s), HasSubstr("version: unsupported version 2"));
}

TEST(ValidateSchemaTest, RejectsSchemaWithoutFields) {
  LinkageSchema s;
  EXPECT_THAT(ErrorOf(s), HasSubstr("fields: no fields"));
}

TEST(ValidateSchemaTest, RejectsTooManyFields) {
  LinkageSchema s = Small();
  for (size_t i = 0; i < kMaxFields; ++i) {
    s.fields.push_back({"extra_" + std::to_string(i), FieldKind::kText});
  }
  EXPECT_THAT(ErrorOf(s), HasSubstr("fields: 260 fields (at most 256"));
}

TEST(ValidateSchemaTest, RejectsBadFieldNames) {
  for (const char* bad : {"First", "1st", "_x", "first-name", "first name",
                          "é"}) {
    LinkageSchema s = Small();
    s.fields.push_back({bad, FieldKind::kText});
    EXPECT_THAT(ErrorOf(s),
                AllOf(HasSubstr("fields[4].name: '"),
                      HasSubstr("is not a valid field name"),
                      HasSubstr("[a-z][a-z0-9_]*")))
        << bad;
  }
  LinkageSchema s = Small();
  s.fields.push_back({"", FieldKind::kText});
  EXPECT_THAT(ErrorOf(s), HasSubstr("fields[4].name: empty name"));
  s = Small();
  s.fields.push_back({std::string(kMaxNameLength + 1, 'a'), FieldKind::kText});
  EXPECT_THAT(ErrorOf(s), HasSubstr("fields[4].name: 'aaaa"));
}

TEST(ValidateSchemaTest, AcceptsLongestFieldName) {
  LinkageSchema s = Small();
  s.fields.push_back({std::string(kMaxNameLength, 'a'), FieldKind::kText});
  EXPECT_TRUE(ValidateSchema(s).ok());
}

TEST(ValidateSchemaTest, RejectsDuplicateFieldName) {
  LinkageSchema s = Small();
  s.fields.push_back({"dob", FieldKind::kText});
  EXPECT_THAT(ErrorOf(s), HasSubstr("fields[4].name: 'dob' is already the "
                                    "name of fields[2]"));
}

TEST(ValidateSchemaTest, RejectsOutOfRangeKind) {
  LinkageSchema s = Small();
  s.fields[3].kind = static_cast<FieldKind>(42);
  EXPECT_THAT(ErrorOf(s), AllOf(HasSubstr("fields[3].kind: unknown kind #42"),
                                HasSubstr("allowed: name, date")));
}

TEST(ValidateSchemaTest, RejectsRecipeIdZeroAndDuplicates) {
  LinkageSchema s = Small();
  s.token_recipes[1].id = 0;
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[1].id: id 0 is not "
                                    "allowed (ids are 1 to 65535)"));
  s = Small();
  s.token_recipes[1].id = 1;
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[1].id: id 1 is already "
                                    "used by token_recipes[0]"));
}

TEST(ValidateSchemaTest, AcceptsLargestRecipeId) {
  LinkageSchema s = Small();
  s.token_recipes[1].id = 65535;
  EXPECT_TRUE(ValidateSchema(s).ok());
}

TEST(ValidateSchemaTest, RejectsEmptyOrDuplicateRecipeName) {
  LinkageSchema s = Small();
  s.token_recipes[1].name = "";
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[1].name: empty name"));
  s = Small();
  s.token_recipes[1].name = "names_dob";
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[1].name: 'names_dob' is "
                                    "already the name of token_recipes[0]"));
  s = Small();
  s.token_recipes[1].name = " padded";
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[1].name: ' padded' is not "
                                    "a valid recipe name"));
  s = Small();
  s.token_recipes[1].name = "tab\there";
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[1].name: 'tab\\x09here'"));
}

TEST(ValidateSchemaTest, AcceptsPunctuationInRecipeName) {
  LinkageSchema s = Small();
  s.token_recipes[1].name = "soundex(last)+soundex(first)+dob";
  EXPECT_TRUE(ValidateSchema(s).ok());
}

TEST(ValidateSchemaTest, RejectsEmptyRecipe) {
  LinkageSchema s = Small();
  s.token_recipes[1].parts.clear();
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[1].parts: 0 parts (a "
                                    "recipe has 1 to 16 parts)"));
}

TEST(ValidateSchemaTest, RejectsUnknownFieldInRecipeAndListsDeclaredFields) {
  LinkageSchema s = Small();
  s.token_recipes[1].parts[1].field = "middle_name";
  EXPECT_THAT(ErrorOf(s),
              HasSubstr("token_recipes[1].parts[1]: unknown field "
                        "'middle_name' (declared fields: first_name, "
                        "last_name, dob, zip)"));
}

TEST(ValidateSchemaTest, RejectsTransformThatDoesNotSuitTheKind) {
  LinkageSchema s = Small();
  s.token_recipes[0].parts[0].transform = Transform::kYear;
  EXPECT_THAT(ErrorOf(s),
              HasSubstr("token_recipes[0].parts[0]: transform 'year' does not "
                        "apply to field 'last_name' of kind name (allowed for "
                        "name: value, compact, initial, soundex, nysiis)"));
  s = Small();
  s.token_recipes[0].parts[2].transform = Transform::kSoundex;
  EXPECT_THAT(ErrorOf(s),
              HasSubstr("token_recipes[0].parts[2]: transform 'soundex' does "
                        "not apply to field 'dob' of kind date (allowed for "
                        "date: value, compact, year)"));
  s = Small();
  s.token_recipes[0].parts[0].transform = static_cast<Transform>(9);
  EXPECT_THAT(ErrorOf(s),
              HasSubstr("token_recipes[0].parts[0]: unknown transform #9"));
}

TEST(TransformAppliesToTest, FollowsTheKindTable) {
  EXPECT_TRUE(TransformAppliesTo(Transform::kYear, FieldKind::kDate));
  EXPECT_FALSE(TransformAppliesTo(Transform::kYear, FieldKind::kText));
  EXPECT_TRUE(TransformAppliesTo(Transform::kNysiis, FieldKind::kText));
  EXPECT_FALSE(TransformAppliesTo(Transform::kInitial, FieldKind::kSex));
  EXPECT_FALSE(TransformAppliesTo(Transform::kSoundex,
                                  FieldKind::kIdentifier));
  EXPECT_TRUE(TransformAppliesTo(Transform::kCompact, FieldKind::kPostcode));
  EXPECT_TRUE(TransformAppliesTo(Transform::kValue, FieldKind::kSex));
}

TEST(ValidateSchemaTest, RejectsRepeatedPartWithinRecipe) {
  LinkageSchema s = Small();
  s.token_recipes[0].parts.push_back({"last_name", Transform::kValue});
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[0].parts[3]: repeats "
                                    "parts[0] (last_name;"));
}

TEST(ValidateSchemaTest, AcceptsSameFieldWithDifferentTransforms) {
  LinkageSchema s = Small();
  s.token_recipes[0].parts.push_back({"last_name", Transform::kNysiis});
  EXPECT_TRUE(ValidateSchema(s).ok());
}

TEST(ValidateSchemaTest, RejectsDuplicateRecipeInSameOrAnotherOrder) {
  LinkageSchema s = Small();
  TokenRecipe copy = s.token_recipes[0];
  copy.id = 3;
  copy.name = "copy";
  copy.blocking_only = true;
  s.token_recipes.push_back(copy);
  EXPECT_THAT(ErrorOf(s), AllOf(HasSubstr("token_recipes[2]: same parts as "
                                          "token_recipes[0] ("),
                                Not(HasSubstr("another order"))));
  std::swap(s.token_recipes[2].parts[0], s.token_recipes[2].parts[2]);
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[2]: same parts as "
                                    "token_recipes[0] in another order"));
}

TEST(ValidateSchemaTest, RejectsTooManyRecipesAndParts) {
  LinkageSchema s = Small();
  s.token_recipes[0].parts.resize(kMaxRecipeParts + 1,
                                  {"zip", Transform::kValue});
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes[0].parts: 17 parts"));
  s = Small();
  for (uint16_t id = 3; id < 3 + kMaxTokenRecipes; ++id) {
    s.token_recipes.push_back(
        {id, "r" + std::to_string(id), {{"zip", Transform::kValue}}, false});
  }
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes: 1026 recipes (at most "
                                    "1024"));
}

TEST(ValidateSchemaTest, RejectsBadBloomLength) {
  for (uint32_t bits : {0u, 32u, 1000u, 8256u, 16384u}) {
    LinkageSchema s = Small();
    s.bloom->bits = bits;
    EXPECT_THAT(ErrorOf(s),
                HasSubstr("bloom.bits: " + std::to_string(bits) +
                          " bits is not allowed (a multiple of 64 from 64 to "
                          "8192)"));
  }
  for (uint32_t bits : {64u, 128u, 8192u}) {
    LinkageSchema s = Small();
    s.bloom->bits = bits;
    EXPECT_TRUE(ValidateSchema(s).ok()) << bits;
  }
}

TEST(ValidateSchemaTest, RejectsQOutsideOneToFour) {
  for (uint32_t q : {0u, 5u}) {
    LinkageSchema s = Small();
    s.bloom->q = q;
    EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.q: q = " + std::to_string(q) +
                                      " is not allowed (1 to 4)"));
  }
  LinkageSchema s = Small();
  s.bloom->q = 4;
  EXPECT_TRUE(ValidateSchema(s).ok());
}

TEST(ValidateSchemaTest, RejectsBloomWithoutFields) {
  LinkageSchema s = Small();
  s.bloom->fields.clear();
  EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.fields: no fields"));
}

TEST(ValidateSchemaTest, RejectsUnknownBloomFieldAndUnsuitableTransform) {
  LinkageSchema s = Small();
  s.bloom->fields[1].field = "birth_date";
  EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.fields[1].field: unknown field "
                                    "'birth_date'"));
  s = Small();
  s.bloom->fields[1].transform = Transform::kInitial;
  EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.fields[1].transform: transform "
                                    "'initial' does not apply to field 'dob'"));
}

TEST(ValidateSchemaTest, RejectsBloomKOutsideOneTo64) {
  for (uint32_t k : {0u, 65u}) {
    LinkageSchema s = Small();
    s.bloom->fields[0].k = k;
    EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.fields[0].k: k = " +
                                      std::to_string(k) +
                                      " is not allowed (1 to 64)"));
  }
}

TEST(ValidateSchemaTest, RejectsRepeatedBloomField) {
  LinkageSchema s = Small();
  s.bloom->fields.push_back({"first_name", Transform::kCompact, 5});
  EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.fields[2]: repeats "
                                    "bloom.fields[0] (compact(first_name); "
                                    "raise k"));
  s = Small();
  s.bloom->fields.push_back({"first_name", Transform::kSoundex, 5});
  EXPECT_TRUE(ValidateSchema(s).ok());
}

TEST(ValidateSchemaTest, RejectsBlipOutsideZeroToHalf) {
  for (double p : {-0.01, 0.5, 1.0, std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity()}) {
    LinkageSchema s = Small();
    s.bloom->hardening.blip_flip_probability = p;
    EXPECT_THAT(ErrorOf(s),
                HasSubstr("bloom.hardening.blip_flip_probability: out of "
                          "range (at least 0 and below 0.5"))
        << p;
  }
  LinkageSchema s = Small();
  s.bloom->hardening.blip_flip_probability = 0.4999;
  EXPECT_TRUE(ValidateSchema(s).ok());
}

TEST(ValidateSchemaTest, RejectsXorFoldOfAnOddNumberOfWords) {
  LinkageSchema s = Small();
  s.bloom->bits = 960;
  s.bloom->hardening.xor_fold = true;
  EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.hardening.xor_fold: needs an even "
                                    "number of 64-bit words but bloom.bits is "
                                    "960"));
  s.bloom->bits = 1024;
  EXPECT_TRUE(ValidateSchema(s).ok());
  s.bloom->field_level = true;
  s.bloom->field_level_bits = 448;
  EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.field_level_bits is 448"));
}

TEST(ValidateSchemaTest, RejectsBadFieldLevelLength) {
  LinkageSchema s = Small();
  s.bloom->field_level = true;
  s.bloom->field_level_bits = 500;
  EXPECT_THAT(ErrorOf(s), HasSubstr("bloom.field_level_bits: 500 bits is not "
                                    "allowed (a multiple of 64"));
}

TEST(ValidateSchemaTest, RejectsSchemaThatEncodesNothing) {
  LinkageSchema s = Small();
  s.bloom.reset();
  s.token_recipes.clear();
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes: no recipes and no bloom "
                                    "section"));
  s = Small();
  s.bloom.reset();
  for (TokenRecipe& r : s.token_recipes) r.blocking_only = true;
  EXPECT_THAT(ErrorOf(s), HasSubstr("token_recipes: every recipe is "
                                    "blocking_only and there is no bloom"));
}

TEST(ValidateSchemaTest, AcceptsTokensOnlyOrBloomOnly) {
  LinkageSchema s = Small();
  s.bloom.reset();
  EXPECT_TRUE(ValidateSchema(s).ok());
  s = Small();
  s.token_recipes.clear();
  EXPECT_TRUE(ValidateSchema(s).ok());
}

TEST(ValidateSchemaTest, ReportsEveryProblemUpToTen) {
  LinkageSchema s = Small();
  s.version = 7;
  s.bloom->q = 9;
  EXPECT_EQ(ErrorOf(s),
            "version: unsupported version 7 (this build reads version 1); "
            "bloom.q: q = 9 is not allowed (1 to 4)");
  for (int i = 0; i < 12; ++i) s.fields.push_back({"Bad", FieldKind::kText});
  const std::string message = ErrorOf(s);
  EXPECT_THAT(message, HasSubstr("; and 4 more problems"));
  EXPECT_THAT(message, Not(HasSubstr("bloom.q")));
}

TEST(SchemaNamesTest, NamesRoundTrip) {
  for (FieldKind kind :
       {FieldKind::kName, FieldKind::kDate, FieldKind::kSex,
        FieldKind::kPostcode, FieldKind::kIdentifier, FieldKind::kText}) {
    EXPECT_EQ(FieldKindFromName(FieldKindName(kind)), kind);
  }
  for (Transform t : {Transform::kValue, Transform::kCompact,
                      Transform::kInitial, Transform::kSoundex,
                      Transform::kNysiis, Transform::kYear}) {
    EXPECT_EQ(TransformFromName(TransformName(t)), t);
  }
  EXPECT_EQ(FieldKindFromName("Name"), std::nullopt);
  EXPECT_EQ(TransformFromName("invalid"), std::nullopt);
  EXPECT_EQ(FieldKindName(static_cast<FieldKind>(99)), "invalid");
}

TEST(LinkageSchemaTest, FieldIndexFindsByName) {
  const LinkageSchema s = Small();
  EXPECT_EQ(s.FieldIndex("dob"), 2u);
  EXPECT_EQ(s.FieldIndex("middle_name"), std::nullopt);
}

}  // namespace
}  // namespace fedlink::schema
