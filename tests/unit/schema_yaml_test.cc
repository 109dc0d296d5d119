#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::schema {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSmall[] = R"yaml(version: 1
fields:
  - {name: first_name, kind: name}
  - {name: last_name, kind: name}
  - {name: dob, kind: date}
token_recipes:
  - {id: 1, name: names_dob, parts: [last_name, first_name, dob]}
  - id: 2
    parts: [soundex(last_name), nysiis(first_name), year(dob)]
    blocking_only: true
bloom:
  fields:
    - {field: first_name, k: 20}
    - {field: dob, k: 10, transform: value}
)yaml";

std::string ErrorOf(const std::string& yaml) {
  absl::StatusOr<LinkageSchema> parsed = ParseLinkageSchemaYaml(yaml, "s.yaml");
  EXPECT_FALSE(parsed.ok());
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(SchemaYamlTest, ParsesFieldsRecipesAndBloomWithDefaults) {
  absl::StatusOr<LinkageSchema> parsed = ParseLinkageSchemaYaml(kSmall, "s");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const LinkageSchema& s = *parsed;
  EXPECT_EQ(s.version, 1u);
  ASSERT_EQ(s.fields.size(), 3u);
  EXPECT_EQ(s.fields[2], (FieldSpec{"dob", FieldKind::kDate}));
  ASSERT_EQ(s.token_recipes.size(), 2u);
  EXPECT_EQ(s.token_recipes[0],
            (TokenRecipe{1,
                         "names_dob",
                         {{"last_name", Transform::kValue},
                          {"first_name", Transform::kValue},
                          {"dob", Transform::kValue}},
                         false}));
  EXPECT_EQ(s.token_recipes[1],
            (TokenRecipe{2,
                         "token_2",  // the default name
                         {{"last_name", Transform::kSoundex},
                          {"first_name", Transform::kNysiis},
                          {"dob", Transform::kYear}},
                         true}));
  ASSERT_TRUE(s.bloom.has_value());
  BloomParams expected;  // the header's defaults
  expected.fields = {{"first_name", Transform::kCompact, 20},
                     {"dob", Transform::kValue, 10}};
  EXPECT_EQ(*s.bloom, expected);
  EXPECT_EQ(s.bloom->bits, 1024u);
  EXPECT_EQ(s.bloom->q, 2u);
  EXPECT_TRUE(s.bloom->padded);
}

TEST(SchemaYamlTest, BloomSectionIsOptional) {
  absl::StatusOr<LinkageSchema> parsed = ParseLinkageSchemaYaml(
      "version: 1\nfields: [{name: ssn, kind: identifier}]\n"
      "token_recipes: [{id: 4, name: ssn, parts: [ssn]}]\n",
      "s");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->bloom.has_value());
}

TEST(SchemaYamlTest, LayoutCommentsQuotingAndKeyOrderDoNotChangeTheSchema) {
  const std::string reordered = R"yaml(
# the same schema, written differently
bloom:   # bloom first
  fields: [{k: 20, field: "first_name"}, {transform: value, k: 10, field: dob}]
  bits: 1024
  padded: true
token_recipes: [
  {parts: [ last_name, 'first_name', dob ], name: "names_dob", id: 1},
  {blocking_only: true, id: 2,
   parts: ["soundex( last_name )", nysiis(first_name), year(dob)]}]
fields:
  - kind: name
    name: first_name
  - name: last_name
    kind: name
  - {kind: date, name: dob}
version: 1
)yaml";
  absl::StatusOr<LinkageSchema> a = ParseLinkageSchemaYaml(kSmall, "a");
  absl::StatusOr<LinkageSchema> b = ParseLinkageSchemaYaml(reordered, "b");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(FingerprintHex(*a), FingerprintHex(*b));
}

TEST(SchemaYamlTest, RejectsUnknownKeyWithPositionAndAllowedKeys) {
  std::string yaml = kSmall;
  yaml += "  bitz: 2048\n";
  EXPECT_EQ(ErrorOf(yaml),
            "s.yaml:15:3: bloom: unknown key 'bitz' (did you mean 'bits'? "
            "allowed: bits, q, padded, fields, hardening, field_level, "
            "field_level_bits)");
}

TEST(SchemaYamlTest, RejectsUnknownKeysAtEveryLevel) {
  EXPECT_THAT(ErrorOf("version: 1\nfeilds: []\n"),
              HasSubstr("s.yaml:2:1: unknown key 'feilds' (did you mean "
                        "'fields'? allowed: version, fields, token_recipes, "
                        "bloom)"));
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: a, kind: text, "
                      "type: x}]\n"),
              HasSubstr("s.yaml:2:32: fields[0]: unknown key 'type' "
                        "(allowed: name, kind)"));
  std::string yaml = kSmall;
  yaml += "  hardening: {balance: true, blip: 0.1}\n";
  EXPECT_THAT(ErrorOf(yaml),
              HasSubstr("s.yaml:15:30: bloom.hardening: unknown key 'blip' "
                        "(allowed: balance, xor_fold, "
                        "blip_flip_probability)"));
}

TEST(SchemaYamlTest, RejectsMissingRequiredKeys) {
  EXPECT_THAT(ErrorOf("fields: []\n"),
              HasSubstr("s.yaml:1:1: missing required key 'version'"));
  EXPECT_THAT(ErrorOf("version: 1\n"),
              HasSubstr("s.yaml:1:1: missing required key 'fields'"));
  EXPECT_THAT(ErrorOf("version: 1\nfields:\n  - {name: a}\n"),
              HasSubstr("s.yaml:3:5: fields[0]: missing required key 'kind'"));
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: a, kind: text}]\n"
                      "token_recipes:\n  - {name: x, parts: [a]}\n"),
              HasSubstr("s.yaml:4:5: token_recipes[0]: missing required key "
                        "'id'"));
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: a, kind: text}]\n"
                      "bloom: {bits: 64}\n"),
              HasSubstr("s.yaml:3:8: bloom: missing required key 'fields'"));
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: a, kind: text}]\n"
                      "bloom: {fields: [{field: a}]}\n"),
              HasSubstr("bloom.fields[0]: missing required key 'k'"));
}

TEST(SchemaYamlTest, RejectsValuesOfTheWrongType) {
  const std::string head = "version: 1\nfields: [{name: a, kind: text}]\n";
  EXPECT_THAT(ErrorOf(head + "bloom: {bits: \"1024\", fields: [{field: a, "
                             "k: 1}]}\n"),
              HasSubstr("s.yaml:3:15: bloom.bits: expected a whole number "
                        "from 0 to 4294967295, got a quoted or tagged value"));
  EXPECT_THAT(ErrorOf(head + "bloom: {bits: -64, fields: [{field: a, k: 1}]}\n"),
              HasSubstr("bloom.bits: expected a whole number from 0 to "
                        "4294967295, got '-64'"));
  EXPECT_THAT(ErrorOf(head + "bloom: {fields: [{field: a, k: 1.5}]}\n"),
              HasSubstr("bloom.fields[0].k: expected a whole number from 0 "
                        "to 4294967295, got '1.5'"));
  EXPECT_THAT(ErrorOf(head + "bloom: {padded: yes, fields: [{field: a, "
                             "k: 1}]}\n"),
              HasSubstr("s.yaml:3:17: bloom.padded: expected true or false, "
                        "got 'yes'"));
  EXPECT_THAT(ErrorOf(head + "bloom: {fields: {field: a, k: 1}}\n"),
              HasSubstr("bloom.fields: expected a list, got a mapping"));
  EXPECT_THAT(ErrorOf(head + "token_recipes: [{id: 70000, parts: [a]}]\n"),
              HasSubstr("s.yaml:3:22: token_recipes[0].id: expected a whole "
                        "number from 0 to 65535, got '70000'"));
  EXPECT_THAT(ErrorOf(head + "token_recipes: [{id: 1, parts: a}]\n"),
              HasSubstr("token_recipes[0].parts: expected a list, got 'a'"));
  EXPECT_THAT(ErrorOf(head + "token_recipes: [{id: 1, parts: [[a]]}]\n"),
              HasSubstr("token_recipes[0].parts[0]: expected text, got a "
                        "list"));
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: a, kind: txt}]\n"),
              HasSubstr("s.yaml:2:26: fields[0].kind: unknown kind 'txt' "
                        "(did you mean 'text'? allowed: name, date, sex, postcode, identifier, "
                        "text)"));
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: , kind: text}]\n"),
              HasSubstr("fields[0].name: expected text, got nothing"));
  EXPECT_THAT(ErrorOf(head + "bloom:\n"),
              HasSubstr("bloom: expected a mapping for the bloom section, got "
                        "nothing"));
  EXPECT_THAT(ErrorOf(head + "bloom: {fields: [{field: a, k: 1}], "
                             "hardening: {blip_flip_probability: .nan}}\n"),
              HasSubstr("bloom.hardening.blip_flip_probability: expected a "
                        "decimal number such as 0.05, got '.nan'"));
}

TEST(SchemaYamlTest, ReadsProbabilitiesExactly) {
  const std::string head =
      "version: 1\nfields: [{name: a, kind: text}]\n"
      "bloom: {fields: [{field: a, k: 1}], hardening: "
      "{blip_flip_probability: ";
  for (const auto& [text, value] :
       std::vector<std::pair<std::string, double>>{
           {"0", 0.0}, {"0.1", 0.1}, {"1e-2", 0.01}, {"+0.25", 0.25},
           {"0.49999999999999994", 0.49999999999999994}}) {
    absl::StatusOr<LinkageSchema> parsed =
        ParseLinkageSchemaYaml(head + text + "}}\n", "s");
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(parsed->bloom->hardening.blip_flip_probability, value) << text;
  }
}

TEST(SchemaYamlTest, RejectsRepeatedKey) {
  EXPECT_THAT(ErrorOf("version: 1\nfields: []\nversion: 1\n"),
              HasSubstr("s.yaml:3:1: key 'version' appears twice (first at "
                        "line 1)"));
}

TEST(SchemaYamlTest, RejectsNewerVersionBeforeLookingAtOtherKeys) {
  EXPECT_EQ(ErrorOf("version: 2\nfields: []\nshiny_new_section: {}\n"),
            "s.yaml:1:10: version: unsupported version 2 (this build reads "
            "version 1)");
}

TEST(SchemaYamlTest, ReportsMalformedYamlWithPosition) {
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: a, kind: text}\n"),
              AllOf(StartsWith("s.yaml:"), HasSubstr(": malformed YAML: ")));
  EXPECT_THAT(ErrorOf("version: 1\n  fields: x\n"),
              AllOf(StartsWith("s.yaml:2:"), HasSubstr("malformed YAML")));
  EXPECT_THAT(ErrorOf("version: \"\\q\"\n"),
              AllOf(StartsWith("s.yaml:1:"), HasSubstr("malformed YAML")));
}

TEST(SchemaYamlTest, RejectsEmptyAndMultipleDocumentsAndNonMappings) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("s.yaml:1:1: the document is empty"));
  EXPECT_THAT(ErrorOf("# only a comment\n"),
              HasSubstr("the document is empty"));
  EXPECT_THAT(ErrorOf(std::string(kSmall) + "---\nversion: 1\n"),
              HasSubstr("s.yaml:16:1: a second YAML document"));
  EXPECT_THAT(ErrorOf("- version: 1\n"),
              HasSubstr("s.yaml:1:1: expected a mapping for the document, got "
                        "a list"));
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: a, kind: text}]\n"
                      "{a: 1}: x\n"),
              HasSubstr("a key must be plain text, got a mapping"));
}

TEST(SchemaYamlTest, RejectsBadRecipeParts) {
  const std::string head =
      "version: 1\nfields: [{name: last_name, kind: name}]\n"
      "token_recipes:\n  - id: 1\n    parts: [";
  EXPECT_THAT(ErrorOf(head + "soundx(last_name)]\n"),
              HasSubstr("s.yaml:5:13: token_recipes[0].parts[0]: unknown "
                        "transform 'soundx' (did you mean 'soundex'? allowed: value, compact, "
                        "initial, soundex, nysiis, year)"));
  EXPECT_THAT(ErrorOf(head + "\"soundex(last_name\"]\n"),
              HasSubstr("token_recipes[0].parts[0]: cannot read part "
                        "'soundex(last_name' (write a field name"));
  EXPECT_THAT(ErrorOf(head + "\"soundex(initial(last_name))\"]\n"),
              HasSubstr("cannot read part"));
  EXPECT_THAT(ErrorOf(head + "soundex()]\n"), HasSubstr("no field named"));
}

TEST(SchemaYamlTest, PlacesValidationErrorsAtTheOffendingEntry) {
  const std::string yaml = R"yaml(version: 1
fields:
  - {name: first_name, kind: name}
  - {name: dob, kind: date}
token_recipes:
  - id: 1
    parts: [dob, middle_name]
  - {id: 1, name: again, parts: [year(first_name)]}
bloom:
  bits: 1000
  fields:
    - {field: dob, k: 10, transform: soundex}
)yaml";
  EXPECT_EQ(ErrorOf(yaml),
            "s.yaml:7:18: token_recipes[0].parts[1]: unknown field "
            "'middle_name' (declared fields: first_name, dob); "
            "s.yaml:8:10: token_recipes[1].id: id 1 is already used by "
            "token_recipes[0] (ids are unique); "
            "s.yaml:8:34: token_recipes[1].parts[0]: transform 'year' does "
            "not apply to field 'first_name' of kind name (allowed for name: "
            "value, compact, initial, soundex, nysiis); "
            "s.yaml:10:9: bloom.bits: 1000 bits is not allowed (a multiple "
            "of 64 from 64 to 8192); "
            "s.yaml:12:38: bloom.fields[0].transform: transform 'soundex' "
            "does not apply to field 'dob' of kind date (allowed for date: "
            "value, compact, year)");
}

TEST(SchemaYamlTest, PlacesProblemsOfOmittedKeysAtTheEnclosingEntry) {
  // The default name "token_1" clashes with an explicit one; the implicit
  // name has no position of its own, so the recipe's is given.
  EXPECT_THAT(ErrorOf("version: 1\nfields: [{name: a, kind: text}]\n"
                      "token_recipes:\n"
                      "  - {id: 2, name: token_1, parts: [a]}\n"
                      "  - {id: 1, parts: [compact(a)]}\n"),
              HasSubstr("s.yaml:5:5: token_recipes[1].name: 'token_1' is "
                        "already the name of token_recipes[0]"));
}

TEST(SchemaYamlTest, RejectsOversizedInput) {
  const std::string big(kMaxSchemaYamlBytes + 1, ' ');
  EXPECT_THAT(ErrorOf(big), HasSubstr("s.yaml: 1048577 bytes (a linkage schema "
                                      "may have at most 1048576)"));
}

TEST(SchemaYamlTest, SurvivesDeepNesting) {
  EXPECT_THAT(ErrorOf("version: 1\nfields: " + std::string(100000, '[')),
              AllOf(StartsWith("s.yaml:"),
                    HasSubstr("malformed YAML: nested more than")));
  EXPECT_THAT(ErrorOf("version: 1\nfields: " + std::string(100000, '{')),
              StartsWith("s.yaml:"));
}

TEST(SchemaYamlTest, RejectsTooLongLists) {
  std::string yaml = "version: 1\nfields:\n";
  for (size_t i = 0; i <= kMaxFields; ++i) {
    yaml += "  - {name: f" + std::to_string(i) + ", kind: text}\n";
  }
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("s.yaml:3:3: fields: 257 entries (at "
                                       "most 256 are allowed)"));
}

TEST(SchemaYamlFormatTest, DefaultSchemaRoundTrips) {
  const LinkageSchema original = DefaultLinkageSchema();
  absl::StatusOr<std::string> yaml = FormatLinkageSchemaYaml(original);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  absl::StatusOr<LinkageSchema> parsed = ParseLinkageSchemaYaml(*yaml, "rt");
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << *yaml;
  EXPECT_EQ(*parsed, original);
  EXPECT_EQ(FingerprintHex(*parsed), FingerprintHex(original));
}

TEST(SchemaYamlFormatTest, EveryParameterRoundTrips) {
  LinkageSchema s = DefaultLinkageSchema();
  s.token_recipes[0].name = R"(quote " backslash \ hash # colon: {x}, [y])";
  s.token_recipes[1].name = "true";
  s.token_recipes[2].name = "123";
  s.bloom->bits = 2048;
  s.bloom->q = 3;
  s.bloom->padded = false;
  s.bloom->hardening = {true, true, 0.1 + 0.2};
  s.bloom->field_level = true;
  s.bloom->field_level_bits = 256;
  absl::StatusOr<std::string> yaml = FormatLinkageSchemaYaml(s);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  absl::StatusOr<LinkageSchema> parsed = ParseLinkageSchemaYaml(*yaml, "rt");
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << *yaml;
  EXPECT_EQ(*parsed, s);

  s.token_recipes.clear();
  s.bloom->hardening.blip_flip_probability = 1e-300;
  yaml = FormatLinkageSchemaYaml(s);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  parsed = ParseLinkageSchemaYaml(*yaml, "rt");
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << *yaml;
  EXPECT_EQ(*parsed, s);
}

TEST(SchemaYamlFormatTest, RefusesInvalidSchema) {
  LinkageSchema s = DefaultLinkageSchema();
  s.bloom->q = 0;
  absl::StatusOr<std::string> yaml = FormatLinkageSchemaYaml(s);
  ASSERT_FALSE(yaml.ok());
  EXPECT_THAT(yaml.status().message(), HasSubstr("bloom.q: q = 0"));
}

}  // namespace
}  // namespace fedlink::schema
