// NormalizeSex, NormalizePostcode, NormalizeIdentifier, NormalizeText and the
// NormalizeField dispatch.
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::normalize {
namespace {

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

// The normalised value, or nullopt for missing; an error fails the test.
std::optional<std::string> Value(const MaybeValue& result) {
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok() || !result->has_value()) return std::nullopt;
  return std::string((*result)->Expose());
}

TEST(NormalizeSexTest, MapsMaleCodesAndWords) {
  for (std::string_view raw : {"M", "m", " M ", "Male", "MALE", "man"}) {
    EXPECT_EQ(Value(NormalizeSex(raw)), "m") << raw;
  }
}

TEST(NormalizeSexTest, MapsFemaleCodesAndWords) {
  for (std::string_view raw : {"F", "f", "Female", "FEMALE ", "woman", "W"}) {
    EXPECT_EQ(Value(NormalizeSex(raw)), "f") << raw;
  }
}

TEST(NormalizeSexTest, MapsExplicitUnknownAndOtherToU) {
  for (std::string_view raw :
       {"U", "unknown", "Not Known", "not stated", "X", "O", "Other", "I",
        "Indeterminate", "unspecified"}) {
    EXPECT_EQ(Value(NormalizeSex(raw)), "u") << raw;
  }
}

TEST(NormalizeSexTest, BlankAndNotApplicableAreMissing) {
  for (std::string_view raw : {"", "  ", "\t", "-", "?", "N/A", "n/a"}) {
    EXPECT_EQ(Value(NormalizeSex(raw)), std::nullopt) << raw;
  }
}

TEST(NormalizeSexTest, RejectsNumericCodes) {
  for (std::string_view raw : {"1", "2", "0", "9", " 1 "}) {
    EXPECT_EQ(NormalizeSex(raw).status().code(), kInvalid) << raw;
  }
}

TEST(NormalizeSexTest, RejectsUnrecognisedValues) {
  for (std::string_view raw : {"mf", "males", "boy", "H", "M1", "Frau"}) {
    EXPECT_EQ(NormalizeSex(raw).status().code(), kInvalid) << raw;
  }
  EXPECT_EQ(NormalizeSex("M\xC3").status().code(), kInvalid);
}

TEST(NormalizeSexTest, FoldsAccentsAndFullWidthForms) {
  EXPECT_EQ(Value(NormalizeSex("Ｍ")), "m");
  EXPECT_EQ(Value(NormalizeSex("Fémale")), "f");
}

TEST(NormalizePostcodeTest, KeepsLettersAndDigitsOnly) {
  EXPECT_EQ(Value(NormalizePostcode("SW1A 1AA")), "sw1a1aa");
  EXPECT_EQ(Value(NormalizePostcode("sw1a1aa")), "sw1a1aa");
  EXPECT_EQ(Value(NormalizePostcode(" 2600 ")), "2600");
  EXPECT_EQ(Value(NormalizePostcode("90210-1234")), "902101234");
  EXPECT_EQ(Value(NormalizePostcode("K1A 0B1")), "k1a0b1");
  EXPECT_EQ(Value(NormalizePostcode("0200")), "0200");  // leading zero kept
}

TEST(NormalizePostcodeTest, BlanksAndPlaceholdersAreMissing) {
  for (std::string_view raw :
       {"", "   ", "-", "0000", "99999", "XXXX", "0", "N/A", "unknown"}) {
    EXPECT_EQ(Value(NormalizePostcode(raw)), std::nullopt) << raw;
  }
}

TEST(NormalizeIdentifierTest, DropsDashesSpacesAndDots) {
  EXPECT_EQ(Value(NormalizeIdentifier("123-45-6789")), "123456789");
  EXPECT_EQ(Value(NormalizeIdentifier("123 45 6789")), "123456789");
  EXPECT_EQ(Value(NormalizeIdentifier(" AB.12.34.56.C ")), "ab123456c");
  EXPECT_EQ(Value(NormalizeIdentifier("S1234567D")), "s1234567d");
  EXPECT_EQ(Value(NormalizeIdentifier("１２３-４５")), "12345");  // full width
}

TEST(NormalizeIdentifierTest, RepeatedCharacterIsAPlaceholder) {
  for (std::string_view raw : {"000000000", "000-00-0000", "999999999", "1",
                               "xxxxxx", "XXX-XX-XXXX", "ééé"}) {
    EXPECT_EQ(Value(NormalizeIdentifier(raw)), std::nullopt) << raw;
  }
}

TEST(NormalizeIdentifierTest, ConservativeAboutPlaceholders) {
  EXPECT_EQ(Value(NormalizeIdentifier("123456789")), "123456789");
  EXPECT_EQ(Value(NormalizeIdentifier("00")), std::nullopt);
  EXPECT_EQ(Value(NormalizeIdentifier("001")), "001");
  EXPECT_EQ(Value(NormalizeIdentifier("None")), "none");
}

TEST(NormalizeIdentifierTest, BlanksAndPunctuationAreMissing) {
  for (std::string_view raw : {"", " ", "\t\t", "---", "N/A", "Not recorded"}) {
    EXPECT_EQ(Value(NormalizeIdentifier(raw)), std::nullopt) << raw;
  }
}

TEST(NormalizeIdentifierTest, MalformedUtf8IsInvalid) {
  EXPECT_EQ(NormalizeIdentifier("123\xC0\xAF").status().code(), kInvalid);
  EXPECT_EQ(NormalizeIdentifier("\xED\xA0\x80-123").status().code(), kInvalid);
}

TEST(NormalizeTextTest, KeepsWordsWithSingleSpaces) {
  EXPECT_EQ(Value(NormalizeText("  Stanley   Street ")), "stanley street");
  EXPECT_EQ(Value(NormalizeText("St. Kilda's Rd, No.4")), "st kilda s rd no 4");
  EXPECT_EQ(Value(NormalizeText("Rue de l’Église")), "rue de l eglise");
}

TEST(NormalizeTextTest, BlanksAndPlaceholdersAreMissing) {
  for (std::string_view raw : {"", "  ", "--", "n/a", "Not Available"}) {
    EXPECT_EQ(Value(NormalizeText(raw)), std::nullopt) << raw;
  }
  EXPECT_EQ(Value(NormalizeText("0")), "0");  // text keeps repeated characters
}

TEST(NormalizeFieldTest, DispatchesOnFieldKind) {
  using schema::FieldKind;
  EXPECT_EQ(Value(NormalizeField(FieldKind::kName, "O'Brien")), "obrien");
  EXPECT_EQ(Value(NormalizeField(FieldKind::kDate, "2000-02-29")), "20000229");
  EXPECT_EQ(Value(NormalizeField(FieldKind::kSex, "Female")), "f");
  EXPECT_EQ(Value(NormalizeField(FieldKind::kPostcode, "SW1A 1AA")), "sw1a1aa");
  EXPECT_EQ(Value(NormalizeField(FieldKind::kIdentifier, "123-45-6789")),
            "123456789");
  EXPECT_EQ(Value(NormalizeField(FieldKind::kText, "St. Kilda")), "st kilda");
}

TEST(NormalizeFieldTest, PassesDateOptionsToDates) {
  DateOptions dmy;
  dmy.formats = {"%d/%m/%Y"};
  EXPECT_EQ(Value(NormalizeField(schema::FieldKind::kDate, "29/02/2000", dmy)),
            "20000229");
  EXPECT_EQ(
      NormalizeField(schema::FieldKind::kDate, "29/02/2000").status().code(),
      kInvalid);
}

TEST(NormalizeFieldTest, RejectsUnknownKind) {
  EXPECT_EQ(
      NormalizeField(static_cast<schema::FieldKind>(99), "x").status().code(),
      kInvalid);
}

}  // namespace
}  // namespace fedlink::normalize
