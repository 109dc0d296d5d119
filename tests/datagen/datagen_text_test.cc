#include <set>
#include <string>

#include "gtest/gtest.h"
#include "tests/datagen/tables.h"
#include "tests/datagen/text.h"

namespace fedlink::datagen {
namespace {

std::string Stripped(std::string text) {
  StripAccents(&text);
  return text;
}
std::string Upper(std::string text) {
  ToUpperCase(&text);
  return text;
}
std::string Lower(std::string text) {
  ToLowerCase(&text);
  return text;
}

TEST(TextTest, StripsSpanishAndVietnameseAccents) {
  EXPECT_EQ(Stripped("García-López"), "Garcia-Lopez");
  EXPECT_EQ(Stripped("Nguyễn Thị Thảo"), "Nguyen Thi Thao");
  EXPECT_EQ(Stripped("Đặng"), "Dang");
  EXPECT_EQ(Stripped("Ángel Muñoz"), "Angel Munoz");
  EXPECT_EQ(Stripped("O'Brien"), "O'Brien");
}

TEST(TextTest, MapsCaseIncludingAccentedLetters) {
  EXPECT_EQ(Upper("Nguyễn"), "NGUYỄN");
  EXPECT_EQ(Upper("de la Cruz"), "DE LA CRUZ");
  EXPECT_EQ(Lower("ÁNGEL ĐỨC"), "ángel đức");
  std::string ascii_upper = "SMITH";
  EXPECT_FALSE(ToUpperCase(&ascii_upper));
}

TEST(TextTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(CodePointCount("Nguyễn"), 6u);
  EXPECT_EQ(CodePointOffset("Nguyễn", 5), 7u);
  EXPECT_EQ(FirstCodePoint("Ángel"), "Á");
  EXPECT_EQ(FirstCodePoint(""), "");
}

// Every name the generator can write must be fully covered by the accent
// table, or stripping and case mapping would leave letters behind.
TEST(TablesTest, EveryNameUsesOnlyKnownLetters) {
  for (auto table : {FemaleGivenNames(), MaleGivenNames(), Surnames()}) {
    for (const NameEntry& entry : table) {
      EXPECT_TRUE(AllLettersKnown(entry.name)) << entry.name;
      std::string stripped(entry.name);
      StripAccents(&stripped);
      EXPECT_FALSE(HasNonAscii(stripped)) << entry.name;
    }
  }
  EXPECT_TRUE(AllLettersKnown("Thị"));
  EXPECT_TRUE(AllLettersKnown("Văn"));
}

TEST(TablesTest, NamesAreUniqueWithPositiveWeights) {
  for (auto table : {FemaleGivenNames(), MaleGivenNames(), Surnames()}) {
    std::set<std::string_view> seen;
    for (const NameEntry& entry : table) {
      EXPECT_GT(entry.weight, 0u) << entry.name;
      EXPECT_TRUE(seen.insert(entry.name).second) << "duplicate " << entry.name;
    }
  }
  EXPECT_GE(FemaleGivenNames().size() + MaleGivenNames().size(), 300u);
  EXPECT_GE(Surnames().size(), 300u);
}

TEST(TablesTest, TablesIncludeTheHardCases) {
  std::set<std::string_view> surnames;
  for (const NameEntry& entry : Surnames()) surnames.insert(entry.name);
  for (std::string_view hard : {"de la Cruz", "Nguyễn", "O'Brien", "García-López", "St. John"}) {
    EXPECT_TRUE(surnames.count(hard)) << hard;
  }
}

TEST(TablesTest, NicknamesBelongToListedGivenNames) {
  std::set<std::string_view> given;
  for (auto table : {FemaleGivenNames(), MaleGivenNames()}) {
    for (const NameEntry& entry : table) given.insert(entry.name);
  }
  for (std::string_view formal : NicknameFormalNames()) {
    EXPECT_TRUE(given.count(formal)) << formal;
    EXPECT_FALSE(NicknamesOf(formal).empty()) << formal;
  }
  ASSERT_EQ(NicknamesOf("William").size(), 4u);
  EXPECT_EQ(NicknamesOf("William")[0], "Bill");
  EXPECT_TRUE(NicknamesOf("Zhiwei").empty());
}

TEST(TablesTest, LocalitiesHaveValidZipRanges) {
  for (const Locality& locality : Localities()) {
    EXPECT_LE(locality.zip_low, locality.zip_high) << locality.name;
    EXPECT_GE(locality.zip_low, 20100u) << locality.name;  // Virginia: 201xx–246xx
    EXPECT_LE(locality.zip_high, 24699u) << locality.name;
    EXPECT_FALSE(locality.school_division.empty()) << locality.name;
  }
}

}  // namespace
}  // namespace fedlink::datagen
