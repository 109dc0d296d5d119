// NormalizeName and CompactName on real-looking names.
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/normalize/phonetic.h"

namespace fedlink::normalize {
namespace {

// The normalised value, or nullopt for missing; an error fails the test.
std::optional<std::string> Name(std::string_view raw) {
  MaybeValue result = NormalizeName(raw);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok() || !result->has_value()) return std::nullopt;
  return std::string((*result)->Expose());
}

TEST(NormalizeNameTest, DropsApostrophes) {
  EXPECT_EQ(Name("O'Brien"), "obrien");
  EXPECT_EQ(Name("O’Brien"), "obrien");
  EXPECT_EQ(Name("O`Brien"), "obrien");
  EXPECT_EQ(Name("d'Artagnan"), "dartagnan");
  EXPECT_EQ(Name("Kaʻiulani"), "kaiulani");
}

TEST(NormalizeNameTest, TurnsHyphensIntoSpaces) {
  EXPECT_EQ(Name("García-López"), "garcia lopez");
  EXPECT_EQ(Name("Jean-Luc"), "jean luc");
  EXPECT_EQ(Name("Smith--Jones"), "smith jones");
}

TEST(NormalizeNameTest, CollapsesAndTrimsWhiteSpace) {
  EXPECT_EQ(Name(" de la  Cruz "), "de la cruz");
  EXPECT_EQ(Name("Van der Berg"), "van der berg");
  EXPECT_EQ(Name("Mary\tAnne\nSmith"), "mary anne smith");
  EXPECT_EQ(Name("Ana\u00A0María"), "ana maria");  // no-break space
}

TEST(NormalizeNameTest, FoldsCaseAndAccents) {
  EXPECT_EQ(Name("MacDonald"), "macdonald");
  EXPECT_EQ(Name("MACDONALD"), "macdonald");
  EXPECT_EQ(Name("Nguyễn"), "nguyen");
  EXPECT_EQ(Name("Zoë"), "zoe");
  EXPECT_EQ(Name("Søren"), "soren");
  EXPECT_EQ(Name("Łukasz"), "lukasz");
  EXPECT_EQ(Name("François"), "francois");
}

// Spelling conventions are not guessed; the phonetic codes bridge them.
TEST(NormalizeNameTest, KeepsUmlautAndItsTranscriptionApart) {
  EXPECT_EQ(Name("Müller"), "muller");
  EXPECT_EQ(Name("MUELLER"), "mueller");
  EXPECT_EQ(Soundex(*Name("Müller")), Soundex(*Name("MUELLER")));
  EXPECT_EQ(Nysiis(*Name("Müller")), Nysiis(*Name("MUELLER")));
}

TEST(NormalizeNameTest, TreatsDotsAndDigitsAsSeparators) {
  EXPECT_EQ(Name("J.R."), "j r");
  EXPECT_EQ(Name("J. R. R. Tolkien"), "j r r tolkien");
  EXPECT_EQ(Name("Henry 3rd"), "henry rd");
  EXPECT_EQ(Name("J0hn"), "j hn");
}

TEST(NormalizeNameTest, KeepsOtherScripts) {
  EXPECT_EQ(Name("Иванов-Петров"), "иванов петров");
  // Hangul syllables decompose into their jamo under NFKD.
  EXPECT_EQ(Name("김 민준"),
            "\u1100\u1175\u11B7 \u1106\u1175\u11AB\u110C\u116E\u11AB");
}

TEST(NormalizeNameTest, BlankIsMissing) {
  EXPECT_EQ(Name(""), std::nullopt);
  EXPECT_EQ(Name("   "), std::nullopt);
  EXPECT_EQ(Name("\t\r\n"), std::nullopt);
  EXPECT_EQ(Name("\u00A0\u3000"), std::nullopt);  // Unicode spaces only
}

TEST(NormalizeNameTest, PlaceholdersAreMissing) {
  EXPECT_EQ(Name("-"), std::nullopt);
  EXPECT_EQ(Name("?"), std::nullopt);
  EXPECT_EQ(Name("..."), std::nullopt);
  EXPECT_EQ(Name("N/A"), std::nullopt);
  EXPECT_EQ(Name(" n/a "), std::nullopt);
  EXPECT_EQ(Name("UNKNOWN"), std::nullopt);
  EXPECT_EQ(Name("Not Known"), std::nullopt);
  EXPECT_EQ(Name("not-stated"), std::nullopt);
}

TEST(NormalizeNameTest, ConservativeAboutPlaceholders) {
  EXPECT_EQ(Name("None"), "none");
  EXPECT_EQ(Name("Baby"), "baby");
  EXPECT_EQ(Name("X"), "x");
  EXPECT_EQ(Name("N A"), "n a");
  EXPECT_EQ(Name("Unknownson"), "unknownson");
}

TEST(NormalizeNameTest, DigitsWithoutLettersAreInvalid) {
  EXPECT_EQ(NormalizeName("12345").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeName("0").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NormalizeNameTest, MalformedUtf8IsInvalid) {
  EXPECT_EQ(NormalizeName("Garc\xC3").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeName("\xED\xA0\x80").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CompactNameTest, RemovesSpacesHyphensAndApostrophes) {
  EXPECT_EQ(CompactName("de la cruz"), "delacruz");
  EXPECT_EQ(CompactName("garcia lopez"), "garcialopez");
  EXPECT_EQ(CompactName("van der berg"), "vanderberg");
  EXPECT_EQ(CompactName("o'brien-smith"), "obriensmith");
  EXPECT_EQ(CompactName(""), "");
}

TEST(CompactNameTest, SpacedAndUnspacedSpellingsMeet) {
  EXPECT_EQ(CompactName(*Name("Van der Berg")),
            CompactName(*Name("Vanderberg")));
  EXPECT_EQ(CompactName(*Name("De La Cruz")), CompactName(*Name("DeLaCruz")));
  EXPECT_EQ(CompactName(*Name("Jean-Luc")), CompactName(*Name("Jean Luc")));
}

TEST(CompactNameTest, IntoReplacesPreviousContents) {
  std::string out = "previous value";
  CompactNameInto("mary anne", &out);
  EXPECT_EQ(out, "maryanne");
}

}  // namespace
}  // namespace fedlink::normalize
