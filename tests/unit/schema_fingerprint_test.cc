#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::schema {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The fingerprint of DefaultLinkageSchema(). Agencies compare fingerprints
// across versions of fedlink: if this changes, the canonical form or the
// default schema changed, and that must be a deliberate, announced change.
constexpr char kDefaultFingerprint[] =
    "7de54e8380784e2ec46c7a66be5e7417c934d677cb2fce738c236b4ff285dd15";

TEST(FingerprintTest, DefaultSchemaHasTheGoldenFingerprint) {
  EXPECT_EQ(FingerprintHex(DefaultLinkageSchema()), kDefaultFingerprint);
}

TEST(FingerprintTest, IsSha256OfTheCanonicalForm) {
  const LinkageSchema s = DefaultLinkageSchema();
  EXPECT_EQ(Fingerprint(s), crypto::Sha256(CanonicalSerialization(s)));
  EXPECT_EQ(FingerprintHex(s), crypto::ToHex(Fingerprint(s)));
}

TEST(CanonicalSerializationTest, IsVersionedLengthPrefixedKeyValueText) {
  LinkageSchema s;
  s.fields = {{"dob", FieldKind::kDate}};
  s.token_recipes = {{7, "by dob", {{"dob", Transform::kYear}}, false}};
  EXPECT_EQ(CanonicalSerialization(s),
            "fedlink.linkage_schema.canonical/1\n"
            "version=1\n"
            "fields.count=1\n"
            "fields[0].name=3:dob\n"
            "fields[0].kind=date\n"
            "token_recipes.count=1\n"
            "token_recipes[0].id=7\n"
            "token_recipes[0].name=6:by dob\n"
            "token_recipes[0].blocking_only=false\n"
            "token_recipes[0].parts.count=1\n"
            "token_recipes[0].parts[0].field=3:dob\n"
            "token_recipes[0].parts[0].transform=year\n"
            "bloom.present=false\n"
            "end\n");
}

TEST(CanonicalSerializationTest, WritesProbabilitiesAsExactBitPatterns) {
  LinkageSchema s = DefaultLinkageSchema();
  s.bloom->hardening.blip_flip_probability = 0.1;
  EXPECT_THAT(CanonicalSerialization(s),
              HasSubstr("bloom.hardening.blip_flip_probability="
                        "f64:3fb999999999999a\n"));
  EXPECT_THAT(CanonicalSerialization(DefaultLinkageSchema()),
              StartsWith("fedlink.linkage_schema.canonical/1\n"));
}

TEST(CanonicalSerializationTest, StringsCannotForgeOtherEntries) {
  // A recipe name that spells out further lines must not collide with a
  // schema that really has them.
  LinkageSchema plain;
  plain.fields = {{"a", FieldKind::kText}};
  plain.token_recipes = {{1, "x", {{"a", Transform::kValue}}, false}};
  LinkageSchema forged = plain;
  forged.token_recipes[0].name =
      "x\ntoken_recipes[0].blocking_only=false";
  EXPECT_NE(CanonicalSerialization(plain), CanonicalSerialization(forged));
  LinkageSchema shifted = plain;
  shifted.fields[0].name = "a";
  shifted.token_recipes[0].name = "1:x";
  EXPECT_NE(Fingerprint(plain), Fingerprint(shifted));
}

TEST(FingerprintTest, EqualSchemasHaveEqualFingerprints) {
  EXPECT_EQ(FingerprintHex(DefaultLinkageSchema()),
            FingerprintHex(DefaultLinkageSchema()));
}

TEST(FingerprintTest, NegativeZeroBlipIsZero) {
  LinkageSchema s = DefaultLinkageSchema();
  s.bloom->hardening.blip_flip_probability = -0.0;
  EXPECT_EQ(FingerprintHex(s), kDefaultFingerprint);
}

TEST(FingerprintTest, FieldLevelLengthCountsOnlyWhenFieldLevelIsOn) {
  LinkageSchema s = DefaultLinkageSchema();
  s.bloom->field_level_bits = 1024;
  EXPECT_EQ(FingerprintHex(s), kDefaultFingerprint);
  s.bloom->field_level = true;
  LinkageSchema t = s;
  t.bloom->field_level_bits = 512;
  EXPECT_NE(FingerprintHex(s), FingerprintHex(t));
}

// Every single change of meaning gives a new fingerprint, different from the
// default's and from every other change's.
TEST(FingerprintTest, EverySingleChangeChangesTheFingerprint) {
  using Mutation = std::pair<const char*, std::function<void(LinkageSchema&)>>;
  const std::vector<Mutation> mutations = {
      {"version", [](LinkageSchema& s) { s.version = 2; }},
      {"field name", [](LinkageSchema& s) { s.fields[0].name = "given_name"; }},
      {"field kind", [](LinkageSchema& s) { s.fields[0].kind = FieldKind::kText; }},
      {"field order",
       [](LinkageSchema& s) { std::swap(s.fields[0], s.fields[1]); }},
      {"field removed", [](LinkageSchema& s) { s.fields.pop_back(); }},
      {"field added",
       [](LinkageSchema& s) { s.fields.push_back({"x", FieldKind::kText}); }},
      {"recipe id", [](LinkageSchema& s) { s.token_recipes[0].id = 99; }},
      {"recipe name",
       [](LinkageSchema& s) { s.token_recipes[0].name = "renamed"; }},
      {"recipe blocking",
       [](LinkageSchema& s) { s.token_recipes[0].blocking_only = true; }},
      {"part transform",
       [](LinkageSchema& s) {
         s.token_recipes[0].parts[0].transform = Transform::kCompact;
       }},
      {"part field",
       [](LinkageSchema& s) {
         s.token_recipes[0].parts[0].field = "middle_name";
       }},
      {"part order",
       [](LinkageSchema& s) {
         std::swap(s.token_recipes[0].parts[0], s.token_recipes[0].parts[1]);
       }},
      {"part removed",
       [](LinkageSchema& s) { s.token_recipes[0].parts.pop_back(); }},
      {"recipe order",
       [](LinkageSchema& s) {
         std::swap(s.token_recipes[0], s.token_recipes[1]);
       }},
      {"recipe removed",
       [](LinkageSchema& s) { s.token_recipes.pop_back(); }},
      {"no bloom", [](LinkageSchema& s) { s.bloom.reset(); }},
      {"bits", [](LinkageSchema& s) { s.bloom->bits = 2048; }},
      {"q", [](LinkageSchema& s) { s.bloom->q = 3; }},
      {"padded", [](LinkageSchema& s) { s.bloom->padded = false; }},
      {"bloom k", [](LinkageSchema& s) { s.bloom->fields[0].k += 1; }},
      {"bloom transform",
       [](LinkageSchema& s) { s.bloom->fields[0].transform = Transform::kValue; }},
      {"bloom field",
       [](LinkageSchema& s) { s.bloom->fields[0].field = "middle_name"; }},
      {"bloom order",
       [](LinkageSchema& s) {
         std::swap(s.bloom->fields[0], s.bloom->fields[1]);
       }},
      {"bloom field removed",
       [](LinkageSchema& s) { s.bloom->fields.pop_back(); }},
      {"balance", [](LinkageSchema& s) { s.bloom->hardening.balance = true; }},
      {"xor_fold", [](LinkageSchema& s) { s.bloom->hardening.xor_fold = true; }},
      {"blip",
       [](LinkageSchema& s) { s.bloom->hardening.blip_flip_probability = 0.01; }},
      {"blip next double",
       [](LinkageSchema& s) {
         s.bloom->hardening.blip_flip_probability = std::nextafter(0.01, 1.0);
       }},
      {"field_level", [](LinkageSchema& s) { s.bloom->field_level = true; }},
      {"field_level bits",
       [](LinkageSchema& s) {
         s.bloom->field_level = true;
         s.bloom->field_level_bits = 1024;
       }},
  };
  std::set<std::string> seen = {kDefaultFingerprint};
  for (const auto& [name, mutate] : mutations) {
    LinkageSchema s = DefaultLinkageSchema();
    mutate(s);
    EXPECT_TRUE(seen.insert(FingerprintHex(s)).second)
        << name << " did not give a new fingerprint";
  }
}

}  // namespace
}  // namespace fedlink::schema
