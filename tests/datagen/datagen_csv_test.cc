#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/datagen/csv.h"

namespace fedlink::datagen {
namespace {

std::string Field(std::string_view value) {
  std::string out;
  AppendCsvField(value, &out);
  return out;
}

TEST(CsvTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(Field("O'Brien"), "O'Brien");
  EXPECT_EQ(Field(" padded "), " padded ");
  EXPECT_EQ(Field(""), "");
  EXPECT_EQ(Field("Business, Management"), "\"Business, Management\"");
  EXPECT_EQ(Field("William \"Bill\""), "\"William \"\"Bill\"\"\"");
  EXPECT_EQ(Field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(Field("cr\r"), "\"cr\r\"");
}

TEST(CsvTest, RoundTripsAwkwardFields) {
  const std::vector<std::vector<std::string>> rows = {
      {"id", "name", "note"},
      {"1", "William \"Bill\"", "$5,000-$9,999"},
      {"2", "", "line\r\nbreak"},
      {"3", "Nguyễn", ""},
  };
  for (std::string_view line_end : {"\r\n", "\n"}) {
    std::string text;
    for (const auto& row : rows) AppendCsvRow(row, line_end, &text);
    const auto parsed = ParseCsv(text, line_end);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, rows);
  }
}

TEST(CsvTest, RejectsMalformedInput) {
  EXPECT_FALSE(ParseCsv("a,b\r\n1,2", "\r\n").ok());           // last record unterminated
  EXPECT_FALSE(ParseCsv("a,b\r\n1\r\n", "\r\n").ok());         // field count
  EXPECT_FALSE(ParseCsv("a,b\r\n1,x\"y\r\n", "\r\n").ok());    // stray quote
  EXPECT_FALSE(ParseCsv("a,b\r\n\"1\"x,2\r\n", "\r\n").ok());  // text after quote
  EXPECT_FALSE(ParseCsv("a,b\r\n\"1,2\r\n", "\r\n").ok());     // unterminated quote
  EXPECT_FALSE(ParseCsv("a,b\n1,2\n", "\r\n").ok());           // wrong line end
  EXPECT_FALSE(ParseCsv("a,b\r\n1,2\n3,4\r\n", "\r\n").ok());  // bare LF
  const auto error = ParseCsv("a,b\r\n1,2\r\n3\r\n", "\r\n");
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.status().message().find("record 3"), std::string::npos) << error.status();
}

TEST(CsvTest, EmptyTrailingFieldIsKept) {
  const auto parsed = ParseCsv("a,b\r\n1,\r\n", "\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)[1], (std::vector<std::string>{"1", ""}));
}

}  // namespace
}  // namespace fedlink::datagen
