#include "linkage/sensitive.h"

#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

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

}  // namespace
}  // namespace fedlink
