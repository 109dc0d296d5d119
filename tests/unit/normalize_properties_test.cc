// Properties over many generated inputs (fixed seed, so deterministic):
// arbitrary bytes never crash a normaliser, present values are non-empty
// and well formed, normalising twice changes nothing, and phonetic codes
// have their fixed shapes.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/normalize/phonetic.h"

namespace fedlink::normalize {
namespace {

// Pieces that random inputs are glued from: ASCII of every class, valid
// multi-byte letters, marks, spaces and ignorables, and malformed sequences.
const std::vector<std::string>& Pieces() {
  static const auto* pieces = new std::vector<std::string>{
      "a",
      "Z",
      "m",
      "Q",
      "0",
      "7",
      " ",
      "  ",
      "\t",
      "-",
      "'",
      "`",
      ".",
      "/",
      ",",
      "%",
      "\u00E9",
      "\u00C5",
      "\u00DF",
      "\u00F8",
      "\u0142",
      "\u00E6",
      "\u0301",
      "\u0308",
      "\u00A0",
      "\u3000",
      "\u00AD",
      "\u200D",
      "\u2019",
      "\u00B7",
      "\uFF21",
      "\uFF11",
      "\u0439",
      "\u03A3",
      "\u738B",
      "\uAE40",
      "\u0663",
      "\u2163",
      "\u00BD",
      "\uFB01",
      "\xC3",
      "\xC0\xAF",
      "\xED\xA0\x80",
      "\xF4\x90\x80\x80",
      "\x80",
      "\xFF",
  };
  return *pieces;
}

std::vector<std::string> GeneratedInputs() {
  std::mt19937 rng(20240229);
  std::uniform_int_distribution<size_t> length(0, 12);
  std::uniform_int_distribution<size_t> piece(0, Pieces().size() - 1);
  std::vector<std::string> inputs;
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    for (size_t n = length(rng); n > 0; --n) input += Pieces()[piece(rng)];
    inputs.push_back(std::move(input));
  }
  return inputs;
}

bool WellFormedWords(std::string_view value) {
  return !value.empty() && value.front() != ' ' && value.back() != ' ' &&
         value.find("  ") == std::string_view::npos;
}

using Normaliser = MaybeValue (*)(std::string_view);

void ExpectIdempotentAndWellFormed(Normaliser normalise, bool spaces_allowed) {
  for (const std::string& input : GeneratedInputs()) {
    const MaybeValue first = normalise(input);
    if (!first.ok() || !first->has_value()) continue;
    const std::string value((*first)->Expose());
    ASSERT_TRUE(WellFormedWords(value)) << testing::PrintToString(input);
    if (!spaces_allowed) {
      ASSERT_EQ(value.find(' '), std::string::npos)
          << testing::PrintToString(input);
    }
    const MaybeValue second = normalise(value);
    ASSERT_TRUE(second.ok()) << testing::PrintToString(input);
    ASSERT_TRUE(second->has_value()) << testing::PrintToString(input);
    ASSERT_EQ((*second)->Expose(), value) << testing::PrintToString(input);
  }
}

TEST(NormalizePropertiesTest, NameIsIdempotentAndWellFormed) {
  ExpectIdempotentAndWellFormed(&NormalizeName, true);
}

TEST(NormalizePropertiesTest, TextIsIdempotentAndWellFormed) {
  ExpectIdempotentAndWellFormed(&NormalizeText, true);
}

TEST(NormalizePropertiesTest, IdentifierIsIdempotentAndWellFormed) {
  ExpectIdempotentAndWellFormed(&NormalizeIdentifier, false);
}

TEST(NormalizePropertiesTest, PostcodeIsIdempotentAndWellFormed) {
  ExpectIdempotentAndWellFormed(&NormalizePostcode, false);
}

TEST(NormalizePropertiesTest, SexAndDateGiveOnlyTheirShapes) {
  for (const std::string& input : GeneratedInputs()) {
    const MaybeValue sex = NormalizeSex(input);
    if (sex.ok() && sex->has_value()) {
      const std::string_view code = (*sex)->Expose();
      ASSERT_TRUE(code == "m" || code == "f" || code == "u");
    }
    const MaybeValue date = NormalizeDate(input);
    if (date.ok() && date->has_value()) {
      const std::string_view value = (*date)->Expose();
      ASSERT_EQ(value.size(), 8u);
      ASSERT_EQ(value.find_first_not_of("0123456789"), std::string_view::npos);
    }
  }
}

TEST(NormalizePropertiesTest, PhoneticCodesHaveFixedShapes) {
  for (const std::string& input : GeneratedInputs()) {
    const std::string soundex = Soundex(input);
    if (!soundex.empty()) {
      ASSERT_EQ(soundex.size(), 4u);
      ASSERT_TRUE(soundex[0] >= 'a' && soundex[0] <= 'z');
      ASSERT_EQ(soundex.find_first_not_of("0123456", 1), std::string::npos);
    }
    const std::string nysiis = Nysiis(input);
    ASSERT_LE(nysiis.size(), 6u);
    ASSERT_EQ(nysiis.find_first_not_of("abcdefghijklmnopqrstuvwxyz"),
              std::string::npos);
    ASSERT_EQ(soundex.empty(), nysiis.empty());
  }
}

}  // namespace
}  // namespace fedlink::normalize
