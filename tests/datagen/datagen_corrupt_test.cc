#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/datagen/corrupt.h"
#include "tests/datagen/person.h"
#include "tests/datagen/test_util.h"
#include "tests/datagen/text.h"

namespace fedlink::datagen {
namespace {

using ::fedlink::datagen::testing::IsValidUtf8;

// Damerau–Levenshtein (optimal string alignment) distance over code points.
size_t EditDistance(std::string_view a, std::string_view b) {
  const auto split = [](std::string_view text) {
    std::vector<std::string_view> out;
    for (size_t i = 0; i < text.size();) {
      const size_t n = Utf8SequenceLength(static_cast<unsigned char>(text[i]));
      out.push_back(text.substr(i, n));
      i += n;
    }
    return out;
  };
  const auto x = split(a), y = split(b);
  std::vector<std::vector<size_t>> d(x.size() + 1, std::vector<size_t>(y.size() + 1));
  for (size_t i = 0; i <= x.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= y.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    for (size_t j = 1; j <= y.size(); ++j) {
      const size_t cost = x[i - 1] == y[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[x.size()][y.size()];
}

const std::vector<std::string> kNames = {
    "Smith", "Nguyễn", "O'Brien", "García-López", "de la Cruz", "Li", "Ji-yeon", "Đặng", "A"};

TEST(CorruptTest, TypoIsOneEditAndKeepsUtf8) {
  Rng rng(1);
  for (int round = 0; round < 300; ++round) {
    for (const std::string& name : kNames) {
      std::string text = name;
      ASSERT_TRUE(ApplyTypo(&text, rng)) << name;
      EXPECT_NE(text, name);
      EXPECT_FALSE(text.empty());
      EXPECT_TRUE(IsValidUtf8(text)) << name << " -> " << text;
      EXPECT_EQ(EditDistance(name, text), 1u) << name << " -> " << text;
    }
  }
}

TEST(CorruptTest, TypoOnEmptyTextDoesNothing) {
  Rng rng(1);
  std::string text;
  EXPECT_FALSE(ApplyTypo(&text, rng));
  EXPECT_TRUE(text.empty());
}

TEST(CorruptTest, TypoSubstitutesKeyboardNeighbours) {
  // A one-letter text cannot lose or swap a letter, so every typo that keeps
  // its length is a substitution, which must be a key next to 'g'.
  Rng rng(2);
  for (int i = 0; i < 500; ++i) {
    std::string text = "g";
    ApplyTypo(&text, rng);
    if (text.size() == 1) {
      EXPECT_NE(std::string("ftyhbv").find(text[0]), std::string::npos) << text;
    }
  }
}

TEST(CorruptTest, OcrErrorUsesKnownConfusions) {
  Rng rng(3);
  std::string text = "Bernard";
  ASSERT_TRUE(ApplyOcrError(&text, rng));
  EXPECT_NE(text, "Bernard");
  EXPECT_TRUE(IsValidUtf8(text));
  std::string nothing = "XYA";
  EXPECT_FALSE(ApplyOcrError(&nothing, rng));
  std::string digits = "22301";
  ASSERT_TRUE(ApplyOcrError(&digits, rng));
  EXPECT_TRUE(digits == "Z2301" || digits == "2Z301" || digits == "2230l" || digits == "223O1")
      << digits;
}

TEST(CorruptTest, WhitespaceAddsOneSpace) {
  Rng rng(4);
  for (int i = 0; i < 200; ++i) {
    std::string text = "Mary Beth";
    ASSERT_TRUE(ApplyWhitespace(&text, rng));
    EXPECT_EQ(text.size(), 10u);
    std::string without = text;
    without.erase(std::remove(without.begin(), without.end(), ' '), without.end());
    EXPECT_EQ(without, "MaryBeth");
  }
}

TEST(CorruptTest, CaseChangeKeepsLettersAndChangesCase) {
  Rng rng(5);
  for (int i = 0; i < 200; ++i) {
    std::string text = "McDonald";
    ASSERT_TRUE(ApplyCaseChange(&text, rng));
    EXPECT_NE(text, "McDonald");
    std::string lower = text;
    ToLowerCase(&lower);
    EXPECT_EQ(lower, "mcdonald");
  }
}

TEST(CorruptTest, DateSwapOnlyWhenStillValid) {
  Date date{1990, 4, 11};
  EXPECT_TRUE(ApplyDateSwap(&date));
  EXPECT_EQ(date, (Date{1990, 11, 4}));
  Date late{1990, 4, 23};
  EXPECT_FALSE(ApplyDateSwap(&late));
  Date same{1990, 5, 5};
  EXPECT_FALSE(ApplyDateSwap(&same));
}

TEST(CorruptTest, DateTypoKeepsAValidDateInRange) {
  Rng rng(6);
  int changed = 0;
  for (int i = 0; i < 2000; ++i) {
    const Date original = CivilFromDays(-15000 + static_cast<int64_t>(i) * 9);
    Date date = original;
    if (!ApplyDateTypo(&date, 2024, rng)) continue;
    ++changed;
    EXPECT_TRUE(IsValidDate(date));
    EXPECT_NE(date, original);
    EXPECT_GE(date.year, 1900);
    EXPECT_LE(date.year, 2024);
  }
  EXPECT_GT(changed, 1900);
}

TEST(CorruptTest, SsnTypoKeepsAValidSsn) {
  Rng rng(7);
  for (uint32_t ssn : {123456789u, 665991234u, 899999999u, 1010001u}) {
    ASSERT_TRUE(IsValidSsn(ssn)) << ssn;
    for (int i = 0; i < 200; ++i) {
      uint32_t changed = ssn;
      if (!ApplySsnTypo(&changed, rng)) continue;
      EXPECT_NE(changed, ssn);
      EXPECT_TRUE(IsValidSsn(changed)) << changed;
    }
  }
}

TEST(SsnTest, ValidityRules) {
  EXPECT_TRUE(IsValidSsn(123456789));
  EXPECT_FALSE(IsValidSsn(234567));     // area 000
  EXPECT_TRUE(IsValidSsn(1234567));     // area 001
  EXPECT_FALSE(IsValidSsn(666123456));  // area 666
  EXPECT_FALSE(IsValidSsn(912345678));  // area 9xx
  EXPECT_FALSE(IsValidSsn(123004567));  // group 00
  EXPECT_FALSE(IsValidSsn(123450000));  // serial 0000
  std::string out;
  AppendSsn(12345678, true, &out);
  EXPECT_EQ(out, "012-34-5678");
}

}  // namespace
}  // namespace fedlink::datagen
