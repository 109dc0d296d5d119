#include "linkage/sensitive.h"

#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "gtest/gtest.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink {
namespace {

template <typename T>
concept Streamable = requires(std::ostream& os, const T& value) { os << value; };

// The privacy promise starts with the types: identifier values and keys can
// neither be streamed into a log nor turned into a string implicitly.
static_assert(!Streamable<SensitiveString>);
static_assert(!std::is_convertible_v<SensitiveString, std::string>);
static_assert(!std::is_convertible_v<SensitiveString, std::string_view>);
static_assert(!Streamable<crypto::SecretBytes>);
static_assert(!std::is_convertible_v<crypto::SecretBytes, std::string>);

TEST(SensitiveStringTest, ExposeGivesTheBytes) {
  SensitiveString name("garcia");
  EXPECT_EQ(name.Expose(), "garcia");
  EXPECT_EQ(name.size(), 6u);
  EXPECT_EQ(name, SensitiveString("garcia"));
  EXPECT_FALSE(name == SensitiveString("garcio"));
}

TEST(SensitiveStringTest, GoogleTestPrintsRedacted) {
  EXPECT_EQ(::testing::PrintToString(SensitiveString("obrien")), "[redacted]");
}

// The first 16 bytes of a live SensitiveString's character buffer: all of
// libstdc++'s inline buffer (15 characters and the terminator), where a short
// value that was moved out lingers, or the start of a heap buffer (the tests
// below only read heap buffers of 16 characters or more).
std::string_view First16Bytes(const SensitiveString& s) {
  return std::string_view(s.Expose().data(), 16);
}

TEST(SensitiveStringTest, MovingAShortValueLeavesNoCopyBehind) {
  // Short values sit in std::string's inline buffer, which a move copies
  // (writing the moved-from string's terminator over the first byte only).
  SensitiveString source("smith");
  SensitiveString moved(std::move(source));
  EXPECT_EQ(moved.Expose(), "smith");
  EXPECT_EQ(First16Bytes(source).find("mith"), std::string_view::npos);

  SensitiveString assigned("x");
  assigned = std::move(moved);
  EXPECT_EQ(assigned.Expose(), "smith");
  EXPECT_EQ(First16Bytes(moved).find("mith"), std::string_view::npos);
}

TEST(SensitiveStringTest, AssigningAShorterValueClearsTheLongerOnesTail) {
  SensitiveString value("alexandria-jones");  // on the heap
  value = SensitiveString("li");
  EXPECT_EQ(value.Expose(), "li");
  EXPECT_EQ(First16Bytes(value).find("jones"), std::string_view::npos);
  const SensitiveString other("ng");
  SensitiveString copied("montgomery");
  copied = other;
  EXPECT_EQ(copied.Expose(), "ng");
  EXPECT_EQ(First16Bytes(copied).find("gomery"), std::string_view::npos);
}

TEST(WipeStringTest, ZeroesTheWholeBufferAndEmptiesIt) {
  std::string text = "a value longer than the inline buffer";
  text.resize(3);  // the rest stays in the buffer, beyond size()
  const char* buffer = text.data();
  const size_t capacity = text.capacity();
  WipeString(text);
  EXPECT_TRUE(text.empty());
  ASSERT_EQ(text.data(), buffer);  // the same buffer, kept for reuse
  EXPECT_EQ(std::string_view(buffer, capacity), std::string(capacity, '\0'));
}

}  // namespace
}  // namespace fedlink
