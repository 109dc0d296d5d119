// NormalizeDate: formats, calendar validation, year bounds, placeholders,
// and ValidateDateOptions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "linkage/normalize/normalizers.h"

namespace fedlink::normalize {
namespace {

DateOptions Formats(std::vector<std::string> formats) {
  DateOptions options;
  options.formats = std::move(formats);
  return options;
}

// The normalised value, or nullopt for missing; an error fails the test.
std::optional<std::string> Date(std::string_view raw,
                                const DateOptions& options = {}) {
  MaybeValue result = NormalizeDate(raw, options);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok() || !result->has_value()) return std::nullopt;
  return std::string((*result)->Expose());
}

absl::StatusCode DateError(std::string_view raw,
                           const DateOptions& options = {}) {
  return NormalizeDate(raw, options).status().code();
}

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

TEST(NormalizeDateTest, DefaultFormatsAreCompactAndIso) {
  EXPECT_EQ(Date("19151111"), "19151111");
  EXPECT_EQ(Date("1948-09-30"), "19480930");
  EXPECT_EQ(Date(" 1948-09-30\t"), "19480930");
}

TEST(NormalizeDateTest, AcceptsTwentyNinthFebruaryOnlyInLeapYears) {
  EXPECT_EQ(Date("20000229"), "20000229");  // divisible by 400
  EXPECT_EQ(Date("20240229"), "20240229");  // divisible by 4
  EXPECT_EQ(DateError("20010229"), kInvalid);
  EXPECT_EQ(DateError("19000229"), kInvalid);  // divisible by 100, not by 400
  EXPECT_EQ(DateError("21000229"), kInvalid);
}

TEST(NormalizeDateTest, RejectsDaysThatDoNotExist) {
  EXPECT_EQ(DateError("20000230"), kInvalid);  // 30 February, never
  EXPECT_EQ(DateError("20240230"), kInvalid);
  EXPECT_EQ(DateError("20000431"), kInvalid);  // 31 April
  EXPECT_EQ(DateError("20000631"), kInvalid);
  EXPECT_EQ(DateError("20000132"), kInvalid);
  EXPECT_EQ(DateError("20000100"), kInvalid);  // day 0
  EXPECT_EQ(Date("20000131"), "20000131");
  EXPECT_EQ(Date("20001231"), "20001231");
}

TEST(NormalizeDateTest, RejectsMonthsThatDoNotExist) {
  EXPECT_EQ(DateError("20001301"), kInvalid);
  EXPECT_EQ(DateError("20000001"), kInvalid);
  EXPECT_EQ(DateError("2000-13-01"), kInvalid);
}

TEST(NormalizeDateTest, DayMonthYearWithSlashes) {
  const DateOptions dmy = Formats({"%d/%m/%Y"});
  EXPECT_EQ(Date("29/02/2000", dmy), "20000229");
  EXPECT_EQ(Date("1/2/2000", dmy), "20000201");
  EXPECT_EQ(Date("01/12/1999", dmy), "19991201");
  EXPECT_EQ(DateError("31/04/2000", dmy), kInvalid);
  EXPECT_EQ(DateError("29/02/2001", dmy), kInvalid);
  EXPECT_EQ(DateError("2000-02-29", dmy), kInvalid);  // no format matches
  EXPECT_EQ(DateError("01/02/00", dmy), kInvalid);    // %Y needs four digits
  EXPECT_EQ(DateError("001/02/2000", dmy), kInvalid);
}

TEST(NormalizeDateTest, MonthDayYearWithSlashes) {
  const DateOptions mdy = Formats({"%m/%d/%Y"});
  EXPECT_EQ(Date("02/29/2000", mdy), "20000229");
  EXPECT_EQ(Date("12/31/1999", mdy), "19991231");
  EXPECT_EQ(DateError("31/12/1999", mdy), kInvalid);
}

TEST(NormalizeDateTest, MonthNames) {
  const DateOptions named = Formats({"%d %b %Y"});
  EXPECT_EQ(Date("29 Feb 2000", named), "20000229");
  EXPECT_EQ(Date("1 September 1999", named), "19990901");
  EXPECT_EQ(Date("3 Sept 2001", named), "20010903");
  EXPECT_EQ(Date("03 sep 2001", named), "20010903");
  EXPECT_EQ(Date("29  FEB\t2000", named), "20000229");  // runs of blanks
  EXPECT_EQ(DateError("29 Feb 2001", named), kInvalid);
  EXPECT_EQ(DateError("29 Fbr 2000", named), kInvalid);
  EXPECT_EQ(DateError("29Feb 2000", named), kInvalid);  // the space is required
  EXPECT_EQ(Date("5-may-1975", Formats({"%d-%b-%Y"})), "19750505");
}

TEST(NormalizeDateTest, AdjacentNumericDirectivesNeedTwoDigits) {
  EXPECT_EQ(DateError("2000111"), kInvalid);  // ambiguous: 1 Nov or 11 Jan
  EXPECT_EQ(DateError("20001-1"), kInvalid);
  // %m comes right after %Y: two digits; %d after a literal: one is enough.
  const DateOptions year_month = Formats({"%Y%m-%d"});
  EXPECT_EQ(Date("200012-1", year_month), "20001201");
  EXPECT_EQ(DateError("20001-01", year_month), kInvalid);
  EXPECT_EQ(DateError("200011011"), kInvalid);  // trailing digit
  EXPECT_EQ(Date("2000-1-1"), "20000101");      // separated: one digit is fine
}

TEST(NormalizeDateTest, TriesFormatsInOrder) {
  const DateOptions both = Formats({"%d/%m/%Y", "%m/%d/%Y"});
  EXPECT_EQ(Date("01/02/2000", both), "20000201");  // first format wins
  EXPECT_EQ(Date("12/31/2000", both), "20001231");  // only the second is a date
  EXPECT_EQ(DateError("31/31/2000", both), kInvalid);
}

TEST(NormalizeDateTest, RejectsTrailingAndLeadingGarbage) {
  EXPECT_EQ(DateError("20000229x"), kInvalid);
  EXPECT_EQ(DateError("x20000229"), kInvalid);
  EXPECT_EQ(DateError("2000-02-29T00:00"), kInvalid);
  EXPECT_EQ(DateError("tomorrow"), kInvalid);
}

TEST(NormalizeDateTest, EnforcesYearBounds) {
  EXPECT_EQ(Date("18500101"), "18500101");
  EXPECT_EQ(DateError("18491231"), kInvalid);
  EXPECT_EQ(Date("21001231"), "21001231");
  EXPECT_EQ(DateError("21010101"), kInvalid);
  DateOptions recent;
  recent.min_year = 1900;
  recent.max_year = 2025;
  EXPECT_EQ(DateError("18990101", recent), kInvalid);
  EXPECT_EQ(DateError("20260101", recent), kInvalid);
  EXPECT_EQ(Date("19000101", recent), "19000101");
}

TEST(NormalizeDateTest, BlanksAndPlaceholdersAreMissing) {
  EXPECT_EQ(Date(""), std::nullopt);
  EXPECT_EQ(Date("   "), std::nullopt);
  EXPECT_EQ(Date("\t\n"), std::nullopt);
  EXPECT_EQ(Date("\u00A0"), std::nullopt);
  EXPECT_EQ(Date("00000000"), std::nullopt);
  EXPECT_EQ(Date("99999999"), std::nullopt);
  EXPECT_EQ(Date("00/00/0000", Formats({"%d/%m/%Y"})), std::nullopt);
  EXPECT_EQ(Date("--/--/----"), std::nullopt);
  EXPECT_EQ(Date("N/A"), std::nullopt);
  EXPECT_EQ(Date("Unknown"), std::nullopt);
}

TEST(NormalizeDateTest, PartialZerosAreInvalidNotMissing) {
  EXPECT_EQ(DateError("20000000"), kInvalid);
  EXPECT_EQ(DateError("2000-00-00"), kInvalid);
  EXPECT_EQ(Date("0"), std::nullopt);  // every digit 0
}

TEST(NormalizeDateTest, FoldsNonAsciiDigitsAndSpaces) {
  EXPECT_EQ(Date("２０００－０２－２９"), "20000229");  // full-width forms
  EXPECT_EQ(Date("29\u00A0Feb\u00A02000", Formats({"%d %b %Y"})), "20000229");
  EXPECT_EQ(DateError("2000-02-2\xC3"), kInvalid);  // malformed UTF-8
  EXPECT_EQ(DateError("2000年02月29日"), kInvalid);
}

TEST(ValidateDateOptionsTest, AcceptsDefaultsAndSupportedDirectives) {
  EXPECT_TRUE(ValidateDateOptions(DateOptions{}).ok());
  EXPECT_TRUE(ValidateDateOptions(
                  Formats({"%d/%m/%Y", "%Y%m%d", "%d %b %Y", "%Y%%%m%%%d"}))
                  .ok());
}

TEST(ValidateDateOptionsTest, RejectsUnsupportedDirectives) {
  EXPECT_EQ(ValidateDateOptions(Formats({"%d/%m/%y"})).code(), kInvalid);
  EXPECT_EQ(ValidateDateOptions(Formats({"%Y-%m-%d", "%d.%m.%Y %H"})).code(),
            kInvalid);
  EXPECT_EQ(ValidateDateOptions(Formats({"%Y%m%d%"})).code(), kInvalid);
}

TEST(ValidateDateOptionsTest, RequiresOneYearMonthAndDay) {
  EXPECT_EQ(ValidateDateOptions(Formats({"%Y-%m"})).code(), kInvalid);
  EXPECT_EQ(ValidateDateOptions(Formats({"%Y-%m-%d-%d"})).code(), kInvalid);
  EXPECT_EQ(ValidateDateOptions(Formats({"%d %b %m %Y"})).code(), kInvalid);
  EXPECT_EQ(ValidateDateOptions(Formats({""})).code(), kInvalid);
}

TEST(ValidateDateOptionsTest, RejectsImpossibleYearRanges) {
  DateOptions options;
  options.min_year = 2000;
  options.max_year = 1999;
  EXPECT_EQ(ValidateDateOptions(options).code(), kInvalid);
  options.min_year = 0;
  options.max_year = 2000;
  EXPECT_EQ(ValidateDateOptions(options).code(), kInvalid);
  options.min_year = 1;
  options.max_year = 10000;
  EXPECT_EQ(ValidateDateOptions(options).code(), kInvalid);
}

TEST(NormalizeDateTest, InvalidOptionsFailEveryValue) {
  const absl::Status status =
      NormalizeDate("20000229", Formats({"%y%m%d"})).status();
  EXPECT_EQ(status.code(), kInvalid);
  EXPECT_NE(std::string(status.message()).find("formats[0]"),
            std::string::npos);
}

TEST(NormalizeDateTest, LiteralPercentSign) {
  EXPECT_EQ(Date("2000%02%29", Formats({"%Y%%%m%%%d"})), "20000229");
}

}  // namespace
}  // namespace fedlink::normalize
