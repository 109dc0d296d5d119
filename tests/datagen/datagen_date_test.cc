#include "gtest/gtest.h"
#include "tests/datagen/date.h"

namespace fedlink::datagen {
namespace {

TEST(DateTest, DaysFromCivilKnownValues) {
  EXPECT_EQ(DaysFromCivil(Date{1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil(Date{2000, 3, 1}), 11017);
  EXPECT_EQ(DaysFromCivil(Date{1969, 12, 31}), -1);
  EXPECT_EQ(DaysFromCivil(Date{1900, 1, 1}), -25567);
}

TEST(DateTest, CivilFromDaysInvertsDaysFromCivil) {
  for (int64_t days = -40000; days <= 40000; days += 7) {
    const Date date = CivilFromDays(days);
    ASSERT_TRUE(IsValidDate(date));
    ASSERT_EQ(DaysFromCivil(date), days);
  }
}

TEST(DateTest, LeapYearRules) {
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
}

TEST(DateTest, WritesEachDirective) {
  std::string out;
  AppendDate(Date{1999, 3, 7}, "%Y%m%d|%m/%d/%Y|%d-%b-%Y|%Y-%m-%d|100%%", &out);
  EXPECT_EQ(out, "19990307|03/07/1999|07-Mar-1999|1999-03-07|100%");
}

TEST(DateTest, ParsesWhatItWritesInEveryFormat) {
  for (const char* format : {"%Y%m%d", "%m/%d/%Y", "%d-%b-%Y", "%Y-%m-%d", "%d.%m.%Y"}) {
    for (int64_t days = -20000; days <= 20000; days += 37) {
      const Date date = CivilFromDays(days);
      std::string text;
      AppendDate(date, format, &text);
      const auto parsed = ParseDate(text, format);
      ASSERT_TRUE(parsed.has_value()) << format << " " << text;
      ASSERT_EQ(*parsed, date) << format << " " << text;
    }
  }
}

TEST(DateTest, ParseRejectsImpossibleAndMalformedDates) {
  EXPECT_FALSE(ParseDate("02/30/2001", "%m/%d/%Y"));
  EXPECT_FALSE(ParseDate("2023-02-29", "%Y-%m-%d"));
  EXPECT_TRUE(ParseDate("2024-02-29", "%Y-%m-%d"));
  EXPECT_FALSE(ParseDate("13/01/2001", "%m/%d/%Y"));
  EXPECT_FALSE(ParseDate("1999030", "%Y%m%d"));  // day 0
  EXPECT_FALSE(ParseDate("19990307 ", "%Y%m%d"));
  EXPECT_FALSE(ParseDate("07-Mxr-1999", "%d-%b-%Y"));
  EXPECT_FALSE(ParseDate("", "%Y%m%d"));
  EXPECT_TRUE(ParseDate("7-mar-1999", "%d-%b-%Y"));
}

TEST(DateTest, ValidateDateFormatNamesTheProblem) {
  EXPECT_TRUE(ValidateDateFormat("%d-%b-%Y").ok());
  EXPECT_FALSE(ValidateDateFormat("%Y-%m").ok());
  EXPECT_FALSE(ValidateDateFormat("%Y-%m-%q").ok());
  EXPECT_FALSE(ValidateDateFormat("%Y%m%d%").ok());
  EXPECT_NE(ValidateDateFormat("%Y-%m-%q").message().find("%q"), std::string::npos);
}

}  // namespace
}  // namespace fedlink::datagen
