#include "linkage/encode/transform.h"

#include <string>

#include "gtest/gtest.h"

namespace fedlink::encode {
namespace {

using schema::Transform;

// The derived value, or "<none>" when the transform has no value.
std::string Apply(Transform transform, std::string_view normalized) {
  std::string out = "stale";
  if (!ApplyTransform(transform, normalized, &out)) {
    EXPECT_TRUE(out.empty()) << "no value must leave the output empty";
    return "<none>";
  }
  return out;
}

TEST(TransformTest, ValueIsTheNormalisedValue) {
  EXPECT_EQ(Apply(Transform::kValue, "de la cruz"), "de la cruz");
  EXPECT_EQ(Apply(Transform::kValue, "19840229"), "19840229");
}

TEST(TransformTest, CompactRemovesSpaces) {
  EXPECT_EQ(Apply(Transform::kCompact, "de la cruz"), "delacruz");
  EXPECT_EQ(Apply(Transform::kCompact, "obrien"), "obrien");
}

TEST(TransformTest, EmptyResultIsNoValue) {
  EXPECT_EQ(Apply(Transform::kValue, ""), "<none>");
  EXPECT_EQ(Apply(Transform::kCompact, ""), "<none>");
  EXPECT_EQ(Apply(Transform::kCompact, "  "), "<none>");
  EXPECT_EQ(Apply(Transform::kInitial, ""), "<none>");
  EXPECT_EQ(Apply(Transform::kInitial, " "), "<none>");
}

TEST(TransformTest, InitialIsFirstCodePointOfCompactValue) {
  EXPECT_EQ(Apply(Transform::kInitial, "john"), "j");
  EXPECT_EQ(Apply(Transform::kInitial, " van der berg"), "v");
  EXPECT_EQ(Apply(Transform::kInitial, "\xc5\x82ukasz"), "\xc5\x82");      // ł
  EXPECT_EQ(Apply(Transform::kInitial, "\xe5\x8c\x97\xe4\xba\xac"), "\xe5\x8c\x97");  // 北京
  EXPECT_EQ(Apply(Transform::kInitial, "\xf0\x9f\x98\x80x"), "\xf0\x9f\x98\x80");
}

TEST(TransformTest, InitialOfMalformedUtf8IsNoValue) {
  EXPECT_EQ(Apply(Transform::kInitial, "\x80" "abc"), "<none>");  // continuation byte
  EXPECT_EQ(Apply(Transform::kInitial, "\xc5"), "<none>");         // truncated
  EXPECT_EQ(Apply(Transform::kInitial, "\xe5\x8c" "a"), "<none>");  // bad continuation
  EXPECT_EQ(Apply(Transform::kInitial, "\xff" "a"), "<none>");      // invalid lead
}

TEST(TransformTest, SoundexOfCompactValue) {
  EXPECT_EQ(Apply(Transform::kSoundex, "robert"), "r163");
  EXPECT_EQ(Apply(Transform::kSoundex, "tymczak"), "t522");
  // "de la cruz" is coded as "delacruz", not as "de".
  EXPECT_EQ(Apply(Transform::kSoundex, "de la cruz"), "d426");
}

TEST(TransformTest, NysiisOfCompactValue) {
  EXPECT_EQ(Apply(Transform::kNysiis, "macintosh"), "mcant");
  EXPECT_EQ(Apply(Transform::kNysiis, "mac intosh"), "mcant");
}

TEST(TransformTest, PhoneticCodeOfValueWithoutLettersIsNoValue) {
  EXPECT_EQ(Apply(Transform::kSoundex, "1234"), "<none>");
  EXPECT_EQ(Apply(Transform::kNysiis, "1234"), "<none>");
  EXPECT_EQ(Apply(Transform::kSoundex, " "), "<none>");
}

TEST(TransformTest, YearIsFirstFourDigitsOfYyyymmdd) {
  EXPECT_EQ(Apply(Transform::kYear, "19840229"), "1984");
  EXPECT_EQ(Apply(Transform::kYear, "20001231"), "2000");
}

TEST(TransformTest, YearOfNonDateIsNoValue) {
  EXPECT_EQ(Apply(Transform::kYear, "1984"), "<none>");
  EXPECT_EQ(Apply(Transform::kYear, "1984022"), "<none>");
  EXPECT_EQ(Apply(Transform::kYear, "198402291"), "<none>");
  EXPECT_EQ(Apply(Transform::kYear, "1984-02-"), "<none>");
  EXPECT_EQ(Apply(Transform::kYear, "smith jo"), "<none>");
}

// A caller that keeps its output string must not reallocate it.
TEST(TransformTest, ReusesTheOutputBuffer) {
  std::string out;
  out.reserve(64);
  const char* const buffer = out.data();
  const size_t capacity = out.capacity();
  for (Transform t : {Transform::kValue, Transform::kCompact, Transform::kInitial,
                      Transform::kSoundex, Transform::kNysiis, Transform::kYear}) {
    ApplyTransform(t, "19840229", &out);
    ApplyTransform(t, "de la cruz macintosh", &out);
    EXPECT_EQ(out.data(), buffer);
    EXPECT_EQ(out.capacity(), capacity);
  }
}

}  // namespace
}  // namespace fedlink::encode
