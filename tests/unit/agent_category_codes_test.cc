#include "agent/encoding/category_codes.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent::encoding {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

crypto::SecretBytes Key(uint8_t b) { return crypto::SecretBytes(std::vector<uint8_t>(32, b)); }

std::vector<SensitiveString> Values(const std::vector<std::string>& texts) {
  std::vector<SensitiveString> values;
  for (const std::string& t : texts) values.emplace_back(t);
  return values;
}

std::vector<std::string> Schools(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(absl::StrCat("school-", i));
  return names;
}

// code → value, in code order.
std::vector<std::string> ByCode(const CategoryCodes& codes) {
  std::vector<std::string> labels;
  const v1::CategoryLegend legend = codes.Legend();
  for (const v1::CategoryLabel& label : legend.labels()) labels.push_back(label.label());
  return labels;
}

TEST(CategoryCodesTest, DistinctValuesGetCodesOneToN) {
  CategoryCollector collector("school");
  const std::vector<std::string> seen = {"public", "private", "public", "", "charter", "public"};
  for (const std::string& v : seen) {
    SensitiveString value(v);
    ASSERT_TRUE(collector.Add(&value).ok());
  }
  ASSERT_TRUE(collector.Add(nullptr).ok());  // a record without the column
  EXPECT_EQ(collector.distinct_values(), 3u);
  absl::StatusOr<CategoryCodes> codes = collector.Assign(Key(1));
  ASSERT_TRUE(codes.ok()) << codes.status();
  EXPECT_EQ(codes->size(), 3u);
  EXPECT_EQ(codes->column(), "school");
  std::set<uint32_t> assigned;
  for (const char* v : {"public", "private", "charter"}) {
    SensitiveString value(v);
    std::optional<uint32_t> code = codes->CodeOf(&value);
    ASSERT_TRUE(code.has_value());
    EXPECT_GE(*code, 1u);
    EXPECT_LE(*code, 3u);
    assigned.insert(*code);
  }
  EXPECT_EQ(assigned.size(), 3u);
  // Blank and missing values have no category; an unseen value no code.
  SensitiveString blank(""), unseen("home");
  EXPECT_EQ(codes->CodeOf(&blank), 0u);
  EXPECT_EQ(codes->CodeOf(nullptr), 0u);
  EXPECT_EQ(codes->CodeOf(&unseen), std::nullopt);
  // The legend maps each code back to its value.
  const v1::CategoryLegend legend = codes->Legend();
  EXPECT_EQ(legend.column(), "school");
  ASSERT_EQ(legend.labels_size(), 3);
  for (const v1::CategoryLabel& label : legend.labels()) {
    SensitiveString value(label.label());
    EXPECT_EQ(codes->CodeOf(&value), label.code());
  }
}

TEST(CategoryCodesTest, SameKeyAndValuesGiveSameCodesWhateverTheOrder) {
  std::vector<std::string> forward = Schools(50), backward(forward.rbegin(), forward.rend());
  absl::StatusOr<CategoryCodes> a = CategoryCodes::Assign("school", Values(forward), Key(7));
  absl::StatusOr<CategoryCodes> b = CategoryCodes::Assign("school", Values(backward), Key(7));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(ByCode(*a), ByCode(*b));
  // Restored from the legend (a resumed upload): the same codes again.
  absl::StatusOr<CategoryCodes> restored = CategoryCodes::FromLegend(a->Legend());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(ByCode(*restored), ByCode(*a));
}

TEST(CategoryCodesTest, CodesArePermutedDifferentlyPerJobAndRevealNoOrder) {
  const std::vector<std::string> values = Schools(20);
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  std::set<std::vector<std::string>> orders;
  int in_value_order = 0;
  for (uint8_t job = 1; job <= 8; ++job) {
    absl::StatusOr<CategoryCodes> codes = CategoryCodes::Assign("school", Values(values), Key(job));
    ASSERT_TRUE(codes.ok());
    const std::vector<std::string> order = ByCode(*codes);
    orders.insert(order);
    if (order == sorted) ++in_value_order;
  }
  // 8 keys, 20! orders: all different (a collision has probability ~1e-17).
  EXPECT_EQ(orders.size(), 8u);
  EXPECT_EQ(in_value_order, 0);
}

TEST(CategoryCodesTest, RefusesTooManyValuesAndTooLongValuesWithoutNamingThem) {
  CategoryCollector collector("postcode");
  for (size_t i = 0; i < kMaxCategoryCodes; ++i) {
    SensitiveString value(absl::StrCat("v", i));
    ASSERT_TRUE(collector.Add(&value).ok());
  }
  SensitiveString repeat("v7");
  EXPECT_TRUE(collector.Add(&repeat).ok());  // not a new value
  SensitiveString one_more("secret-value-65536");
  absl::Status refused = collector.Add(&one_more);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("postcode has more than 65535 distinct values"));
  EXPECT_THAT(refused.message(), Not(HasSubstr("secret-value")));

  CategoryCollector long_values("notes");
  SensitiveString too_long(std::string(kMaxCategoryLabelBytes + 1, 'x'));
  absl::Status long_refused = long_values.Add(&too_long);
  EXPECT_EQ(long_refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(long_refused.message(), HasSubstr("notes"));
  EXPECT_THAT(long_refused.message(), Not(HasSubstr("xxxx")));
}

TEST(CategoryCodesTest, LegendWithGapsOrRepeatsIsRefused) {
  v1::CategoryLegend legend;
  legend.set_column("school");
  v1::CategoryLabel* a = legend.add_labels();
  a->set_code(1);
  a->set_label("public");
  v1::CategoryLabel* b = legend.add_labels();
  b->set_code(3);  // 2 is missing
  b->set_label("private");
  EXPECT_EQ(CategoryCodes::FromLegend(legend).status().code(), absl::StatusCode::kInvalidArgument);
  b->set_code(2);
  b->set_label("public");  // two codes for one value
  EXPECT_EQ(CategoryCodes::FromLegend(legend).status().code(), absl::StatusCode::kInvalidArgument);
  b->set_label("private");
  EXPECT_TRUE(CategoryCodes::FromLegend(legend).ok());
}

}  // namespace
}  // namespace fedlink::agent::encoding
