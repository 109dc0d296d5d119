// Every normaliser's error says why a value was rejected but never repeats
// the value, nor any part of it: it may be an identifier, and error
// messages reach logs and job reports.
#include <cctype>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "linkage/normalize/normalizers.h"

namespace fedlink::normalize {
namespace {

struct InvalidValue {
  std::string what;  // for the failure message
  std::function<MaybeValue()> normalise;
  std::string raw;
};

// True when `message` contains any run of `n` letters or digits of `raw`.
bool LeaksPartOf(std::string_view message, std::string_view raw, size_t n) {
  for (size_t i = 0; i + n <= raw.size(); ++i) {
    const std::string_view part = raw.substr(i, n);
    bool alnum = true;
    for (char c : part)
      alnum = alnum && std::isalnum(static_cast<unsigned char>(c));
    if (alnum && message.find(part) != std::string_view::npos) return true;
  }
  return false;
}

TEST(NormalizeErrorsTest, MessagesNeverContainTheInput) {
  DateOptions dmy;
  dmy.formats = {"%d/%m/%Y"};
  const std::vector<InvalidValue> kInvalid = {
      {"name digits", [] { return NormalizeName("987654321"); }, "987654321"},
      {"name utf8", [] { return NormalizeName("Mxyzptlk\xC3"); }, "Mxyzptlk"},
      {"date 30 Feb", [] { return NormalizeDate("19870230"); }, "19870230"},
      {"date 31 Apr", [dmy] { return NormalizeDate("31/04/1987", dmy); },
       "31/04/1987"},
      {"date month 13", [] { return NormalizeDate("1987-13-05"); },
       "1987-13-05"},
      {"date year", [] { return NormalizeDate("17770704"); }, "17770704"},
      {"date no format", [] { return NormalizeDate("Qwfp 7734"); },
       "Qwfp 7734"},
      {"date utf8", [] { return NormalizeDate("1987-06-0\xFF"); }, "1987-06-0"},
      {"sex word", [] { return NormalizeSex("Qzxv"); }, "Qzxv"},
      {"sex number", [] { return NormalizeSex("4417"); }, "4417"},
      {"sex utf8", [] { return NormalizeSex("Fjord\xED\xA0\x80"); }, "Fjord"},
      {"postcode utf8", [] { return NormalizePostcode("SW1A\xC0\xAF"); },
       "SW1A"},
      {"identifier utf8",
       [] { return NormalizeIdentifier("555-12-3456\xF4\x90\x80\x80"); },
       "555-12-3456"},
      {"text utf8", [] { return NormalizeText("Kilda Road\xE0\x80\xAF"); },
       "Kilda Road"},
  };
  for (const InvalidValue& value : kInvalid) {
    const MaybeValue result = value.normalise();
    ASSERT_FALSE(result.ok()) << value.what;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
        << value.what;
    const std::string message(result.status().message());
    EXPECT_FALSE(message.empty()) << value.what;
    EXPECT_FALSE(LeaksPartOf(message, value.raw, 3))
        << value.what << ": message '" << message << "'";
  }
}

TEST(NormalizeErrorsTest, LeakCheckFindsEmbeddedParts) {
  EXPECT_TRUE(LeaksPartOf("sex: bad code 4417", "4417", 3));
  EXPECT_TRUE(LeaksPartOf("date: 1987 is odd", "19870230", 3));
  EXPECT_FALSE(LeaksPartOf("date: day does not exist", "19870230", 3));
}

// A failing expectation prints the value under test; SensitiveString prints
// as [redacted] so that test logs stay clean too.
TEST(NormalizeErrorsTest, ValuesPrintRedacted) {
  const MaybeValue result = NormalizeName("O'Brien");
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ(testing::PrintToString(**result), "[redacted]");
}

}  // namespace
}  // namespace fedlink::normalize
