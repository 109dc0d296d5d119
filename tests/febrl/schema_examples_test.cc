// The example schemas shipped in deploy/examples/: the documented default
// must be exactly DefaultLinkageSchema(), and the FEBRL one must fit the
// FEBRL files without using soc_sec_id.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "linkage/schema/linkage_schema.h"
#include "tests/support/febrl.h"

namespace fedlink::schema {
namespace {

// deploy/examples of the source tree (FEDLINK_SOURCE_DIR, set by CMake).
std::string ExamplePath(const std::string& name) {
  return (std::filesystem::path(FEDLINK_SOURCE_DIR) /
          "deploy" / "examples" / name)
      .lexically_normal()
      .string();
}

absl::StatusOr<LinkageSchema> LoadExample(const std::string& name) {
  const std::string path = ExamplePath(name);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return ParseLinkageSchemaYaml(text.str(), path);
}

TEST(SchemaExamplesTest, DefaultExampleIsTheBuiltInDefault) {
  absl::StatusOr<LinkageSchema> example = LoadExample("linkage-schema.yaml");
  ASSERT_TRUE(example.ok()) << example.status();
  EXPECT_EQ(*example, DefaultLinkageSchema());
  EXPECT_EQ(FingerprintHex(*example), FingerprintHex(DefaultLinkageSchema()));
}

TEST(SchemaExamplesTest, FebrlExampleUsesOnlyFebrlColumnsAndNoSocSecId) {
  absl::StatusOr<LinkageSchema> example =
      LoadExample("febrl-linkage-schema.yaml");
  ASSERT_TRUE(example.ok()) << example.status();
  std::ifstream in(testing::FebrlPath("dataset4a.csv"));
  std::string header;
  ASSERT_TRUE(std::getline(in, header));
  for (const FieldSpec& field : example->fields) {
    EXPECT_NE(field.name, "soc_sec_id");
    EXPECT_NE(header.find(field.name), std::string::npos) << field.name;
  }
  // Enough independent recipes for FEBRL4's damaged duplicates, and a CLK.
  size_t linking = 0;
  for (const TokenRecipe& recipe : example->token_recipes) {
    if (!recipe.blocking_only) ++linking;
  }
  EXPECT_GE(linking, 5u);
  ASSERT_TRUE(example->bloom.has_value());
  EXPECT_EQ(example->bloom->bits, 1024u);
  EXPECT_EQ(example->bloom->fields.size(), example->fields.size());
}

}  // namespace
}  // namespace fedlink::schema
