#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "agent/encoding/cohort_filter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent::encoding {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

StoredRecord Record(
    std::initializer_list<std::pair<std::string, std::string>> attributes) {
  StoredRecord record;
  record.local_id = SensitiveString("id-1");
  record.identifiers.push_back({"last_name", SensitiveString("smith")});
  for (const auto& [name, value] : attributes) {
    record.attributes.push_back({name, SensitiveString(value)});
  }
  return record;
}

v1::CohortCondition Condition(std::string column, v1::Comparison comparison,
                              v1::ValueType compare_as,
                              std::vector<std::string> values = {}) {
  v1::CohortCondition condition;
  condition.set_column(std::move(column));
  condition.set_comparison(comparison);
  condition.set_compare_as(compare_as);
  for (std::string& value : values) condition.add_values(std::move(value));
  return condition;
}

v1::CohortFilter Filter(std::initializer_list<v1::CohortCondition> conditions) {
  v1::CohortFilter filter;
  for (const v1::CohortCondition& c : conditions) *filter.add_all_of() = c;
  return filter;
}

CohortFilter Compile(std::initializer_list<v1::CohortCondition> conditions) {
  absl::StatusOr<CohortFilter> filter =
      CohortFilter::Compile(Filter(conditions));
  EXPECT_TRUE(filter.ok()) << filter.status();
  return *std::move(filter);
}

// One condition on column "x", evaluated against x = `value` (nullopt: the
// record has no x).
bool One(v1::Comparison comparison, v1::ValueType type,
         std::vector<std::string> values, std::optional<std::string> value) {
  CohortFilter filter =
      Compile({Condition("x", comparison, type, std::move(values))});
  StoredRecord record =
      value.has_value() ? Record({{"x", *value}}) : Record({});
  return filter.Matches(record);
}

constexpr auto kText = v1::VALUE_TYPE_TEXT;
constexpr auto kNumber = v1::VALUE_TYPE_NUMBER;
constexpr auto kDate = v1::VALUE_TYPE_DATE;

TEST(CohortFilterTest, NoConditionSelectsEveryRecord) {
  CohortFilter filter = Compile({});
  EXPECT_EQ(filter.condition_count(), 0u);
  EXPECT_TRUE(filter.Matches(Record({})));
  EXPECT_TRUE(filter.Matches(Record({{"grade", "3"}})));
}

TEST(CohortFilterTest, TextEqualityIsBytewise) {
  EXPECT_TRUE(One(v1::COMPARISON_EQUAL, kText, {"Yes"}, "Yes"));
  EXPECT_FALSE(One(v1::COMPARISON_EQUAL, kText, {"Yes"}, "yes"));
  EXPECT_FALSE(One(v1::COMPARISON_EQUAL, kText, {"Yes"}, "Yes "));
  EXPECT_TRUE(One(v1::COMPARISON_NOT_EQUAL, kText, {"Yes"}, "No"));
  EXPECT_FALSE(One(v1::COMPARISON_NOT_EQUAL, kText, {"Yes"}, "Yes"));
}

TEST(CohortFilterTest, TextOrderIsBytewise) {
  // 'B' (0x42) sorts before 'a' (0x61); a prefix sorts first.
  EXPECT_TRUE(One(v1::COMPARISON_LESS, kText, {"a"}, "B"));
  EXPECT_TRUE(One(v1::COMPARISON_LESS, kText, {"ab"}, "a"));
  EXPECT_FALSE(One(v1::COMPARISON_GREATER, kText, {"ab"}, "a"));
  EXPECT_TRUE(One(v1::COMPARISON_GREATER_OR_EQUAL, kText, {"ab"}, "ab"));
  EXPECT_TRUE(One(v1::COMPARISON_LESS_OR_EQUAL, kText, {"ab"}, "ab"));
}

TEST(CohortFilterTest, MissingValueMeetsOnlyAbsent) {
  for (v1::Comparison comparison :
       {v1::COMPARISON_EQUAL, v1::COMPARISON_NOT_EQUAL, v1::COMPARISON_LESS,
        v1::COMPARISON_GREATER_OR_EQUAL}) {
    EXPECT_FALSE(One(comparison, kText, {"a"}, std::nullopt)) << comparison;
    EXPECT_FALSE(One(comparison, kText, {"a"}, "")) << comparison;
  }
  EXPECT_FALSE(One(v1::COMPARISON_NOT_IN, kText, {"a", "b"}, std::nullopt));
  EXPECT_TRUE(One(v1::COMPARISON_ABSENT, kText, {}, std::nullopt));
  EXPECT_TRUE(One(v1::COMPARISON_ABSENT, kText, {}, ""));
  EXPECT_FALSE(One(v1::COMPARISON_ABSENT, kText, {}, "x"));
  EXPECT_TRUE(One(v1::COMPARISON_PRESENT, kNumber, {}, "not a number"));
  EXPECT_FALSE(One(v1::COMPARISON_PRESENT, kText, {}, ""));
  EXPECT_FALSE(One(v1::COMPARISON_PRESENT, kText, {}, std::nullopt));
}

TEST(CohortFilterTest, InAndNotInUseEveryValue) {
  const std::vector<std::string> values = {"k", "3", "12", "3", "PK"};
  for (const char* in : {"k", "3", "12", "PK"}) {
    EXPECT_TRUE(One(v1::COMPARISON_IN, kText, values, in)) << in;
    EXPECT_FALSE(One(v1::COMPARISON_NOT_IN, kText, values, in)) << in;
  }
  for (const char* out : {"K", "4", "1", "", "PK "}) {
    if (*out == '\0') continue;  // blank: absent, covered above
    EXPECT_FALSE(One(v1::COMPARISON_IN, kText, values, out)) << out;
    EXPECT_TRUE(One(v1::COMPARISON_NOT_IN, kText, values, out)) << out;
  }
}

TEST(CohortFilterTest, NumbersCompareExactly) {
  EXPECT_TRUE(One(v1::COMPARISON_EQUAL, kNumber, {"3.5"}, "3.50"));
  EXPECT_TRUE(One(v1::COMPARISON_EQUAL, kNumber, {"0"}, "-0.000"));
  EXPECT_TRUE(One(v1::COMPARISON_EQUAL, kNumber, {"+7"}, "007"));
  EXPECT_TRUE(One(v1::COMPARISON_EQUAL, kNumber, {".5"}, "0.5"));
  EXPECT_TRUE(One(v1::COMPARISON_GREATER, kNumber, {"9"}, "10"));  // not text
  EXPECT_TRUE(One(v1::COMPARISON_LESS, kNumber, {"-1.5"}, "-2"));
  EXPECT_TRUE(One(v1::COMPARISON_LESS, kNumber, {"0.5"}, "0.05"));
  EXPECT_TRUE(One(v1::COMPARISON_GREATER, kNumber, {"-0.1"}, "0"));
  // Beyond double precision: 2^53 + 1 vs 2^53.
  EXPECT_TRUE(One(v1::COMPARISON_GREATER, kNumber, {"9007199254740992"},
                  "9007199254740993"));
  EXPECT_TRUE(One(v1::COMPARISON_LESS, kNumber,
                  {"0.30000000000000000000000000001"}, "0.3"));
  EXPECT_TRUE(One(v1::COMPARISON_IN, kNumber, {"1", "2.0", "30"}, "2"));
  EXPECT_FALSE(One(v1::COMPARISON_IN, kNumber, {"1", "2.0", "30"}, "3"));
  EXPECT_TRUE(One(v1::COMPARISON_NOT_IN, kNumber, {"1", "2.0", "30"}, "3"));
}

TEST(CohortFilterTest, UnreadableValueNeverMatches) {
  for (v1::Comparison comparison :
       {v1::COMPARISON_EQUAL, v1::COMPARISON_NOT_EQUAL, v1::COMPARISON_LESS,
        v1::COMPARISON_GREATER}) {
    EXPECT_FALSE(One(comparison, kNumber, {"5"}, "n/a")) << comparison;
    EXPECT_FALSE(One(comparison, kNumber, {"5"}, "1e3")) << comparison;
    EXPECT_FALSE(One(comparison, kNumber, {"5"}, " 5")) << comparison;
    EXPECT_FALSE(One(comparison, kDate, {"2020-01-01"}, "2020-02-30"))
        << comparison;
    EXPECT_FALSE(One(comparison, kDate, {"2020-01-01"}, "01/02/2020"))
        << comparison;
  }
  EXPECT_FALSE(One(v1::COMPARISON_NOT_IN, kNumber, {"5"}, "five"));
}

TEST(CohortFilterTest, DatesCompareByCalendar) {
  EXPECT_TRUE(One(v1::COMPARISON_GREATER_OR_EQUAL, kDate, {"2019-09-01"},
                  "2019-09-01"));
  EXPECT_TRUE(One(v1::COMPARISON_LESS, kDate, {"2019-09-01"}, "2019-08-31"));
  EXPECT_TRUE(One(v1::COMPARISON_GREATER, kDate, {"1999-12-31"}, "2000-01-01"));
  EXPECT_TRUE(One(v1::COMPARISON_EQUAL, kDate, {"2000-02-29"}, "2000-02-29"));
  EXPECT_TRUE(One(v1::COMPARISON_IN, kDate, {"2001-01-01", "2002-02-02"},
                  "2002-02-02"));
}

TEST(CohortFilterTest, EveryConditionMustHold) {
  CohortFilter filter = Compile({
      Condition("year", v1::COMPARISON_GREATER_OR_EQUAL, kNumber, {"2018"}),
      Condition("year", v1::COMPARISON_LESS, kNumber, {"2021"}),
      Condition("consent", v1::COMPARISON_EQUAL, kText, {"Y"}),
  });
  EXPECT_EQ(filter.condition_count(), 3u);
  EXPECT_EQ(filter.column(1), "year");
  EXPECT_EQ(filter.column(2), "consent");
  EXPECT_TRUE(filter.Matches(Record({{"year", "2019"}, {"consent", "Y"}})));
  EXPECT_EQ(
      filter.FirstUnmetCondition(Record({{"year", "2017"}, {"consent", "Y"}})),
      0u);
  EXPECT_EQ(
      filter.FirstUnmetCondition(Record({{"consent", "Y"}, {"year", "2021"}})),
      1u);
  EXPECT_EQ(
      filter.FirstUnmetCondition(Record({{"year", "2020"}, {"consent", "N"}})),
      2u);
  EXPECT_EQ(filter.FirstUnmetCondition(Record({{"year", "2020"}})), 2u);
  EXPECT_EQ(
      filter.FirstUnmetCondition(Record({{"year", "2020"}, {"consent", "Y"}})),
      std::nullopt);
}

TEST(CohortFilterTest, ConditionsReadAttributesNotIdentifiers) {
  // Record() holds identifier last_name = "smith": a condition names an
  // attribute column, and there is none of that name.
  EXPECT_FALSE(
      Compile({Condition("last_name", v1::COMPARISON_EQUAL, kText, {"smith"})})
          .Matches(Record({})));
}

// The compile error for a filter whose condition 1 (on column "grade") is
// `bad`; condition 0 is fine.
absl::Status CompileError(const v1::CohortCondition& bad) {
  return CohortFilter::Compile(
             Filter({Condition("year", v1::COMPARISON_PRESENT, kText), bad}))
      .status();
}

TEST(CohortFilterTest, CompileRefusesMalformedConditions) {
  const std::string secret = "Zyxwvut-4471";  // must never be echoed
  struct Case {
    v1::CohortCondition condition;
    const char* message;
  } cases[] = {
      {Condition("grade", v1::COMPARISON_UNSPECIFIED, kText, {secret}),
       "comparison 0 is unspecified"},
      {Condition("grade", static_cast<v1::Comparison>(99), kText, {secret}),
       "comparison 99 is unspecified or unknown"},
      {Condition("grade", v1::COMPARISON_EQUAL, v1::VALUE_TYPE_UNSPECIFIED,
                 {secret}),
       "compare_as 0"},
      {Condition("grade", v1::COMPARISON_EQUAL, kText, {}),
       "0 values; the comparison takes exactly one value"},
      {Condition("grade", v1::COMPARISON_LESS, kText, {secret, secret}),
       "2 values; the comparison takes exactly one value"},
      {Condition("grade", v1::COMPARISON_IN, kText, {}),
       "takes one or more values"},
      {Condition("grade", v1::COMPARISON_ABSENT, kText, {secret}),
       "takes no value"},
      {Condition("grade", v1::COMPARISON_IN, kNumber, {"1", secret}),
       "values[1] is not a decimal number"},
      {Condition("grade", v1::COMPARISON_EQUAL, kDate, {"2021-02-29"}),
       "values[0] is not a calendar date"},
      {Condition("grade", v1::COMPARISON_EQUAL, kText, {std::string(257, 'a')}),
       "values[0] has 257 bytes, at most 256"},
      {Condition("", v1::COMPARISON_PRESENT, kText), "no column named"},
  };
  for (const Case& c : cases) {
    const absl::Status status = CompileError(c.condition);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(status.message(), HasSubstr("cohort.all_of[1]")) << c.message;
    EXPECT_THAT(status.message(), HasSubstr(c.message));
    EXPECT_THAT(status.message(), Not(HasSubstr(secret)));
    if (!c.condition.column().empty()) {
      EXPECT_THAT(status.message(), HasSubstr("(column 'grade')"));
    }
  }
}

TEST(CohortFilterTest, CompileRefusesTooManyConditions) {
  v1::CohortFilter filter;
  for (int i = 0; i < 33; ++i) {
    *filter.add_all_of() = Condition("x", v1::COMPARISON_PRESENT, kText);
  }
  EXPECT_EQ(CohortFilter::Compile(filter).status().code(),
            absl::StatusCode::kInvalidArgument);
  filter.mutable_all_of()->RemoveLast();
  EXPECT_TRUE(CohortFilter::Compile(filter).ok());
}

TEST(CohortFilterTest, UnknownColumnIsRefusedWhenColumnsAreKnown) {
  const absl::flat_hash_set<std::string> known = {"grade", "year"};
  const v1::CohortFilter filter =
      Filter({Condition("grade", v1::COMPARISON_PRESENT, kText),
              Condition("school", v1::COMPARISON_EQUAL, kText, {"North"})});
  const absl::Status status = CohortFilter::Compile(filter, &known).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              HasSubstr("cohort.all_of[1] (column 'school')"));
  EXPECT_THAT(status.message(), Not(HasSubstr("North")));
  // Without the list, an unknown column is simply absent in every record.
  absl::StatusOr<CohortFilter> lenient = CohortFilter::Compile(filter);
  ASSERT_TRUE(lenient.ok());
  EXPECT_FALSE(lenient->Matches(Record({{"grade", "1"}})));
}

TEST(DecimalNumberTest, ParsesOnlyPlainDecimals) {
  for (const char* good : {"0", "-0", "+12", "12.", ".5", "-.5", "007.100"}) {
    EXPECT_TRUE(ParseDecimalNumber(good).has_value()) << good;
  }
  for (const char* bad : {"", "-", "+", ".", "1e5", " 1", "1 ", "1,5", "0x1",
                          "--1", "1.2.3", "١"}) {
    EXPECT_FALSE(ParseDecimalNumber(bad).has_value()) << bad;
  }
  const std::optional<DecimalNumber> n = ParseDecimalNumber("-007.100");
  ASSERT_TRUE(n.has_value());
  EXPECT_TRUE(n->negative);
  EXPECT_EQ(n->integer_digits, "7");
  EXPECT_EQ(n->fraction_digits, "1");
  const std::optional<DecimalNumber> zero = ParseDecimalNumber("-0.0");
  ASSERT_TRUE(zero.has_value());
  EXPECT_FALSE(zero->negative);
  EXPECT_EQ(CompareDecimalNumbers(*zero, *ParseDecimalNumber("0")), 0);
}

TEST(IsoDateTest, AcceptsRealCalendarDaysOnly) {
  EXPECT_EQ(ParseIsoDate("2000-02-29"), 20000229);
  EXPECT_EQ(ParseIsoDate("0001-01-01"), 10101);
  EXPECT_EQ(ParseIsoDate("9999-12-31"), 99991231);
  for (const char* bad :
       {"1900-02-29", "2021-02-29", "2021-04-31", "2021-13-01", "2021-00-10",
        "2021-01-00", "0000-01-01", "2021-1-01", "2021/01/01", "20210101",
        "2021-01-01 ", "２０２１-01-01"}) {
    EXPECT_FALSE(ParseIsoDate(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace fedlink::agent::encoding
