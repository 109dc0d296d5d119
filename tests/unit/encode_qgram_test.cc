#include "linkage/encode/qgrams.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace fedlink::encode {
namespace {

constexpr char32_t M = kBoundaryMarker;

std::vector<std::u32string> G(std::initializer_list<std::u32string> grams) {
  return grams;
}

TEST(QgramTest, PaddedBigramsOfTwoLettersAreThree) {
  EXPECT_EQ(Qgrams("ab", 2, true), G({{M, U'a'}, U"ab", {U'b', M}}));
}

TEST(QgramTest, PaddedTrigramsUseTwoMarkersEachSide) {
  EXPECT_EQ(Qgrams("abc", 3, true),
            G({{M, M, U'a'}, {M, U'a', U'b'}, U"abc", {U'b', U'c', M},
               {U'c', M, M}}));
}

TEST(QgramTest, UnpaddedBigramsAreInnerWindowsOnly) {
  EXPECT_EQ(Qgrams("abc", 2, false), G({U"ab", U"bc"}));
}

TEST(QgramTest, UnpaddedValueShorterThanQIsOneShortQgram) {
  EXPECT_EQ(Qgrams("a", 2, false), G({U"a"}));
  EXPECT_EQ(Qgrams("ab", 4, false), G({U"ab"}));
}

TEST(QgramTest, PaddedSingleLetterGivesTwoBigrams) {
  EXPECT_EQ(Qgrams("a", 2, true), G({{M, U'a'}, {U'a', M}}));
}

TEST(QgramTest, UnigramsNeedNoPadding) {
  EXPECT_EQ(Qgrams("abc", 1, true), G({U"a", U"b", U"c"}));
}

TEST(QgramTest, EmptyValueHasNoQgramsEvenWhenPadded) {
  EXPECT_TRUE(Qgrams("", 2, true).empty());
  EXPECT_TRUE(Qgrams("", 2, false).empty());
  std::vector<uint32_t> seq = {7};
  EXPECT_EQ(AppendQgramSequence("", 2, true, &seq), 0u);
  EXPECT_EQ(seq, std::vector<uint32_t>({7}));
}

TEST(QgramTest, SpacesAreCharacters) {
  EXPECT_EQ(Qgrams("a b", 2, false), G({U"a ", U" b"}));
}

TEST(QgramTest, QgramsAreOverCodePointsNotBytes) {
  // "né": 3 bytes, 2 code points → 3 padded bigrams, the middle one "n é".
  EXPECT_EQ(Qgrams("n\xC3\xA9", 2, true),
            G({{M, U'n'}, U"n\u00E9", {U'\u00E9', M}}));
  // Three-byte (CJK) and four-byte (musical symbol) characters.
  EXPECT_EQ(Qgrams("\xE7\x8E\x8B\xF0\x9D\x84\x9E", 2, false),
            G({U"\u738B\U0001D11E"}));
  // Cyrillic "иван" has 4 code points → 3 unpadded bigrams.
  EXPECT_EQ(Qgrams("\xD0\xB8\xD0\xB2\xD0\xB0\xD0\xBD", 2, false).size(), 3u);
}

TEST(QgramTest, DecodesEveryUtf8Length) {
  std::vector<uint32_t> cps;
  AppendCodePoints("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", &cps);
  EXPECT_EQ(cps, std::vector<uint32_t>({U'a', 0xE9, 0x20AC, 0x1F600}));
}

TEST(QgramTest, MalformedBytesMapOutsideUnicodeOneByOne) {
  std::vector<uint32_t> cps;
  // Lone lead byte, overlong NUL, UTF-16 surrogate, beyond U+10FFFF,
  // truncated 3-byte sequence at the end.
  AppendCodePoints("\xC3x", &cps);
  EXPECT_EQ(cps, std::vector<uint32_t>({kInvalidByteBase + 0xC3, U'x'}));
  cps.clear();
  AppendCodePoints("\xC0\x80", &cps);
  EXPECT_EQ(cps, std::vector<uint32_t>(
                     {kInvalidByteBase + 0xC0, kInvalidByteBase + 0x80}));
  cps.clear();
  AppendCodePoints("\xED\xA0\x80", &cps);
  EXPECT_EQ(cps.size(), 3u);
  EXPECT_EQ(cps[0], kInvalidByteBase + 0xED);
  cps.clear();
  AppendCodePoints("\xF4\x90\x80\x80", &cps);
  EXPECT_EQ(cps.size(), 4u);
  cps.clear();
  AppendCodePoints("a\xE2\x82", &cps);
  EXPECT_EQ(cps, std::vector<uint32_t>(
                     {U'a', kInvalidByteBase + 0xE2, kInvalidByteBase + 0x82}));
}

TEST(QgramTest, MalformedInputNeverCollidesWithWellFormedInput) {
  std::vector<uint32_t> bad, good;
  AppendCodePoints("\xC3", &bad);
  AppendCodePoints("\xC3\x83", &good);  // "Ã", whose code point is 0xC3
  EXPECT_NE(bad, good);
  for (uint32_t cp : bad) EXPECT_GT(cp, 0x10FFFFu);
  EXPECT_NE(bad[0], kBoundaryMarker);
}

TEST(QgramTest, CountAndLengthOfSequences) {
  EXPECT_EQ(QgramCount(0, 2), 0u);
  EXPECT_EQ(QgramCount(1, 2), 1u);
  EXPECT_EQ(QgramCount(4, 2), 3u);
  EXPECT_EQ(QgramCount(4, 4), 1u);
  EXPECT_EQ(QgramLength(1, 2), 1u);
  EXPECT_EQ(QgramLength(9, 3), 3u);
}

}  // namespace
}  // namespace fedlink::encode
