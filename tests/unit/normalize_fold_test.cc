// FoldUnicode and the folding shared by every text normaliser: NFKD, marks,
// case folding, transliteration, UTF-8 validation, and the ASCII fast path
// agreeing with the Unicode path.
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "linkage/normalize/normalizers.h"

namespace fedlink::normalize {
namespace {

std::string Fold(std::string_view utf8) {
  absl::StatusOr<std::string> folded = FoldUnicode(utf8);
  EXPECT_TRUE(folded.ok()) << folded.status();
  return folded.ok() ? *folded : std::string("<error>");
}

TEST(FoldUnicodeTest, LowerCasesAscii) {
  EXPECT_EQ(Fold("MacDonald"), "macdonald");
  EXPECT_EQ(Fold("O'BRIEN-Smith 3rd"), "o'brien-smith 3rd");
}

TEST(FoldUnicodeTest, StripsAccentsAfterDecomposition) {
  EXPECT_EQ(Fold("García-López"), "garcia-lopez");
  EXPECT_EQ(Fold("Nguyễn"), "nguyen");
  EXPECT_EQ(Fold("Zoë"), "zoe");
  EXPECT_EQ(Fold("MÜLLER"), "muller");
  EXPECT_EQ(Fold("Ångström"), "angstrom");
  EXPECT_EQ(Fold("Çağlar Şimşek"), "caglar simsek");
}

TEST(FoldUnicodeTest, PrecomposedAndDecomposedInputFoldAlike) {
  EXPECT_EQ(Fold("Zo\u00EB"), Fold("Zoe\u0308"));
  EXPECT_EQ(Fold("Nguy\u1EC5n"), Fold("Nguye\u0302\u0303n"));
}

TEST(FoldUnicodeTest, AppliesCaseFoldingAndCompatibilityForms) {
  EXPECT_EQ(Fold("Straße"), "strasse");
  EXPECT_EQ(Fold("STRAẞE"), "strasse");
  EXPECT_EQ(Fold("ﬁnn"), "finn");             // ligature
  EXPECT_EQ(Fold("ＪＯＨＮ１２"), "john12");  // full-width forms
  EXPECT_EQ(Fold("İstanbul"), "istanbul");    // dotted capital I
}

TEST(FoldUnicodeTest, TransliteratesLettersNfkdLeavesAlone) {
  EXPECT_EQ(Fold("Søren"), "soren");
  EXPECT_EQ(Fold("Łukasz Wałęsa"), "lukasz walesa");
  EXPECT_EQ(Fold("Đorđević"), "dordevic");
  EXPECT_EQ(Fold("Æbelø"), "aebelo");
  EXPECT_EQ(Fold("Œuvre"), "oeuvre");
  EXPECT_EQ(Fold("Þórður"), "thordur");
  EXPECT_EQ(Fold("Kılıç"), "kilic");
  EXPECT_EQ(Fold("Ħamrun"), "hamrun");
}

TEST(FoldUnicodeTest, KeepsLettersOfOtherScripts) {
  EXPECT_EQ(Fold("Иван"), "иван");
  // Marks are stripped in every script: й is и plus a breve under NFKD.
  EXPECT_EQ(Fold("Дмитрий"), "дмитрии");
  EXPECT_EQ(Fold("ΣΩΚΡΑΤΗΣ"), "σωκρατησ");  // final sigma folds to σ
  EXPECT_EQ(Fold("王小明"), "王小明");
}

TEST(FoldUnicodeTest, NormalisesApostropheLookAlikes) {
  EXPECT_EQ(Fold("O\u2019Brien"), "o'brien");
  EXPECT_EQ(Fold("O`Brien"), "o'brien");
  EXPECT_EQ(Fold("O\u00B4Brien"), "o'brien");
  EXPECT_EQ(Fold("O\u02BCBrien"), "o'brien");
}

TEST(FoldUnicodeTest, RemovesDefaultIgnorableCodePoints) {
  EXPECT_EQ(Fold("Mar\u00ADgaret"), "margaret");  // soft hyphen
  EXPECT_EQ(Fold("Ann\u200Da"), "anna");          // zero-width joiner
  EXPECT_EQ(Fold("\uFEFFSmith"), "smith");        // byte order mark
}

TEST(FoldUnicodeTest, RejectsMalformedUtf8) {
  const std::string_view kMalformed[] = {
      "Garc\xC3",                  // truncated two-byte sequence
      "Nguy\xE1\xBB",              // truncated three-byte sequence
      "\xF0\x9F\x98",              // truncated four-byte sequence
      "\xC0\xAF",                  // overlong '/'
      "\xC1\xBF",                  // overlong DEL
      "\xE0\x80\xAF",              // overlong three-byte '/'
      "\xF0\x80\x80\xAF",          // overlong four-byte '/'
      "\xED\xA0\x80",              // lone high surrogate U+D800
      "\xED\xBF\xBF",              // lone low surrogate U+DFFF
      "\xED\xA0\xBD\xED\xB8\x80",  // surrogate pair in CESU-8 form
      "\xF4\x90\x80\x80",          // U+110000, past the last code point
      "\x80Smith",                 // stray continuation byte
      "Sm\xFFith",                 // byte never used in UTF-8
  };
  for (std::string_view bad : kMalformed) {
    absl::StatusOr<std::string> folded = FoldUnicode(bad);
    EXPECT_EQ(folded.status().code(), absl::StatusCode::kInvalidArgument)
        << "input bytes: " << testing::PrintToString(std::string(bad));
  }
}

TEST(FoldUnicodeTest, AcceptsEmbeddedNulAndControlCharacters) {
  EXPECT_EQ(Fold(std::string_view("a\0b", 3)), std::string("a\0b", 3));
  EXPECT_EQ(Fold("A\tB\u00E9"), "a\tbe");
}

// The ASCII fast path must give exactly what utf8proc gives. Appending "é"
// forces the Unicode path and folds to a plain "e".
TEST(FoldUnicodeTest, AsciiFastPathAgreesWithUnicodePath) {
  for (int c = 1; c < 0x80; ++c) {
    const std::string input = std::string("Ab") + static_cast<char>(c) + "Z9";
    EXPECT_EQ(Fold(input + "\u00E9"), Fold(input) + "e") << "byte " << c;
  }
}

// The same for the normalisers' joining modes: a trailing no-break space
// forces the Unicode path and is a separator that trimming removes.
TEST(FoldUnicodeTest, AsciiFastPathAgreesWithUnicodePathInNormalisers) {
  using Normaliser = MaybeValue (*)(std::string_view);
  const Normaliser kNormalisers[] = {&NormalizeName, &NormalizeText,
                                     &NormalizeIdentifier, &NormalizePostcode};
  for (Normaliser normalise : kNormalisers) {
    for (int c = 1; c < 0x80; ++c) {
      const std::string input = std::string("O") + static_cast<char>(c) +
                                "Br 1" + static_cast<char>(c) + "en";
      const MaybeValue ascii = normalise(input);
      const MaybeValue unicode = normalise(input + "\u00A0");
      ASSERT_EQ(ascii.ok(), unicode.ok()) << "byte " << c;
      ASSERT_TRUE(ascii.ok()) << "byte " << c;
      EXPECT_EQ(*ascii, *unicode) << "byte " << c;
    }
  }
}

}  // namespace
}  // namespace fedlink::normalize
