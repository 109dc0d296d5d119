#include "linkage/crypto/secret_bytes.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace fedlink::crypto {
namespace {

TEST(SecretBytesTest, CopiesAndComparesContent) {
  const std::vector<uint8_t> raw = {1, 2, 3, 4};
  SecretBytes a(raw);
  SecretBytes b = a;
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 4u);
  b.mutable_data()[3] = 5;
  EXPECT_FALSE(a == b);
}

TEST(SecretBytesTest, DifferentSizesAreUnequal) {
  EXPECT_FALSE(SecretBytes(std::vector<uint8_t>{1, 2}) ==
               SecretBytes(std::vector<uint8_t>{1, 2, 3}));
}

TEST(SecretBytesTest, MoveLeavesSourceEmpty) {
  SecretBytes a(std::vector<uint8_t>{9, 9});
  SecretBytes b = std::move(a);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
}

TEST(SecretBytesTest, RandomBytesDiffer) {
  auto a = SecretBytes::Random(32);
  auto b = SecretBytes::Random(32);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_FALSE(*a == *b);
}

TEST(SecretBytesTest, GoogleTestPrintsOnlyTheSize) {
  SecretBytes s(std::vector<uint8_t>{'k', 'e', 'y'});
  EXPECT_EQ(::testing::PrintToString(s), "[secret 3 bytes]");
}

}  // namespace
}  // namespace fedlink::crypto
