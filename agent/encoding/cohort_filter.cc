#include "agent/encoding/cohort_filter.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace fedlink::agent::encoding {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// "cohort.all_of[i] (column 'c')": columns are identifiers by the wire
// syntax, but a filter may come from elsewhere, so the name is cut short
// rather than trusted to be.
std::string Where(size_t index, std::string_view column) {
  return absl::StrCat("cohort.all_of[", index, "] (column '",
                      std::string(column.substr(0, kMaxCohortValueBytes)),
                      "')");
}

absl::Status Invalid(size_t index, std::string_view column,
                     std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(Where(index, column), ": ", std::string(problem)));
}

// How many values a comparison takes, as "what" for messages.
struct Arity {
  size_t min;
  size_t max;
  std::string_view what;
};

std::optional<Arity> ArityOf(v1::Comparison comparison) {
  switch (comparison) {
    case v1::COMPARISON_EQUAL:
    case v1::COMPARISON_NOT_EQUAL:
    case v1::COMPARISON_LESS:
    case v1::COMPARISON_LESS_OR_EQUAL:
    case v1::COMPARISON_GREATER:
    case v1::COMPARISON_GREATER_OR_EQUAL:
      return Arity{1, 1, "exactly one value"};
    case v1::COMPARISON_IN:
    case v1::COMPARISON_NOT_IN:
      return Arity{1, kMaxCohortValues, "one or more values"};
    case v1::COMPARISON_PRESENT:
    case v1::COMPARISON_ABSENT:
      return Arity{0, 0, "no value"};
    default:
      return std::nullopt;
  }
}

bool KnownValueType(v1::ValueType type) {
  return type == v1::VALUE_TYPE_TEXT || type == v1::VALUE_TYPE_NUMBER ||
         type == v1::VALUE_TYPE_DATE;
}

// Whether `order` (<0, 0, >0: record value vs the condition's single value)
// satisfies a one-value comparison.
bool OrderSatisfies(v1::Comparison comparison, int order) {
  switch (comparison) {
    case v1::COMPARISON_EQUAL:
      return order == 0;
    case v1::COMPARISON_NOT_EQUAL:
      return order != 0;
    case v1::COMPARISON_LESS:
      return order < 0;
    case v1::COMPARISON_LESS_OR_EQUAL:
      return order <= 0;
    case v1::COMPARISON_GREATER:
      return order > 0;
    case v1::COMPARISON_GREATER_OR_EQUAL:
      return order >= 0;
    default:
      return false;
  }
}

int CompareText(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Evaluates `comparison` of a record value against a condition's sorted,
// distinct `values`, where order(x) is <0, 0, >0 as the record value is
// less than, equal to, greater than x.
template <typename T, typename Order>
bool Evaluate(v1::Comparison comparison, const std::vector<T>& values,
              Order order) {
  if (comparison == v1::COMPARISON_IN || comparison == v1::COMPARISON_NOT_IN) {
    const auto it = std::partition_point(
        values.begin(), values.end(), [&](const T& x) { return order(x) > 0; });
    const bool found = it != values.end() && order(*it) == 0;
    return comparison == v1::COMPARISON_IN ? found : !found;
  }
  return OrderSatisfies(comparison, order(values.front()));
}

}  // namespace

std::optional<DecimalNumber> ParseDecimalNumber(std::string_view text) {
  DecimalNumber number;
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    number.negative = text[i] == '-';
    ++i;
  }
  const size_t integer_begin = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  std::string_view integer = text.substr(integer_begin, i - integer_begin);
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    ++i;
    const size_t fraction_begin = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    fraction = text.substr(fraction_begin, i - fraction_begin);
  }
  if (i != text.size() || (integer.empty() && fraction.empty())) {
    return std::nullopt;
  }
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  number.integer_digits = integer;
  number.fraction_digits = fraction;
  if (integer.empty() && fraction.empty()) number.negative = false;  // -0
  return number;
}

int CompareDecimalNumbers(const DecimalNumber& a, const DecimalNumber& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  // Compare magnitudes, then flip for negatives.
  int magnitude = 0;
  if (a.integer_digits.size() != b.integer_digits.size()) {
    magnitude = a.integer_digits.size() < b.integer_digits.size() ? -1 : 1;
  } else {
    magnitude = CompareText(a.integer_digits, b.integer_digits);
    // Fractions without trailing zeros compare correctly as strings: a
    // prefix is the smaller number ("5" < "51").
    if (magnitude == 0) {
      magnitude = CompareText(a.fraction_digits, b.fraction_digits);
    }
  }
  return a.negative ? -magnitude : magnitude;
}

std::optional<int32_t> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  int32_t parts[3] = {0, 0, 0};
  const size_t begins[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (size_t k = 0; k < lengths[p]; ++k) {
      const char c = text[begins[p] + k];
      if (!IsDigit(c)) return std::nullopt;
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  const int32_t year = parts[0], month = parts[1], day = parts[2];
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return year * 10000 + month * 100 + day;
}

absl::StatusOr<CohortFilter> CohortFilter::Compile(
    const v1::CohortFilter& filter,
    const absl::flat_hash_set<std::string>* known_columns) {
  if (static_cast<size_t>(filter.all_of_size()) > kMaxCohortConditions) {
    return absl::InvalidArgumentError(
        absl::StrCat("cohort.all_of: ", filter.all_of_size(),
                     " conditions, at most ", kMaxCohortConditions));
  }
  CohortFilter compiled;
  for (int index = 0; index < filter.all_of_size(); ++index) {
    const size_t i = static_cast<size_t>(index);
    const v1::CohortCondition& in = filter.all_of(index);
    const std::string& column = in.column();
    if (column.empty()) return Invalid(i, column, "no column named");
    if (column.size() > kMaxCohortValueBytes) {
      return Invalid(i, column,
                     absl::StrCat("column name of ", column.size(),
                                  " bytes, at most ", kMaxCohortValueBytes));
    }
    if (known_columns != nullptr && !known_columns->contains(column)) {
      return absl::FailedPreconditionError(
          absl::StrCat(Where(i, column),
                       ": this agency holds no attribute column of that name"));
    }
    const std::optional<Arity> arity = ArityOf(in.comparison());
    if (!arity.has_value()) {
      return Invalid(
          i, column,
          absl::StrCat("comparison ", static_cast<int>(in.comparison()),
                       " is unspecified or unknown"));
    }
    if (!KnownValueType(in.compare_as())) {
      return Invalid(
          i, column,
          absl::StrCat("compare_as ", static_cast<int>(in.compare_as()),
                       " is unspecified or unknown"));
    }
    const size_t count = static_cast<size_t>(in.values_size());
    if (count < arity->min || count > arity->max) {
      return Invalid(
          i, column,
          absl::StrCat(count, " values; the comparison takes ",
                       std::string(arity->what),
                       count > kMaxCohortValues
                           ? absl::StrCat(", at most ", kMaxCohortValues)
                           : std::string()));
    }

    Condition condition;
    condition.comparison = in.comparison();
    condition.compare_as = in.compare_as();
    const auto slot =
        std::find(compiled.columns_.begin(), compiled.columns_.end(), column);
    condition.column_slot =
        static_cast<size_t>(slot - compiled.columns_.begin());
    if (slot == compiled.columns_.end()) compiled.columns_.push_back(column);

    for (size_t v = 0; v < count; ++v) {
      const std::string& value = in.values(static_cast<int>(v));
      if (value.size() > kMaxCohortValueBytes) {
        return Invalid(i, column,
                       absl::StrCat("values[", v, "] has ", value.size(),
                                    " bytes, at most ", kMaxCohortValueBytes));
      }
      switch (condition.compare_as) {
        case v1::VALUE_TYPE_NUMBER: {
          const std::optional<DecimalNumber> number = ParseDecimalNumber(value);
          if (!number.has_value()) {
            return Invalid(i, column,
                           absl::StrCat("values[", v,
                                        "] is not a decimal number (digits "
                                        "with an optional sign and fraction)"));
          }
          condition.numbers.push_back(OwnedDecimal{
              number->negative, std::string(number->integer_digits),
              std::string(number->fraction_digits)});
          break;
        }
        case v1::VALUE_TYPE_DATE: {
          const std::optional<int32_t> date = ParseIsoDate(value);
          if (!date.has_value()) {
            return Invalid(i, column,
                           absl::StrCat("values[", v,
                                        "] is not a calendar date YYYY-MM-DD"));
          }
          condition.dates.push_back(*date);
          break;
        }
        default:
          condition.texts.push_back(value);
          break;
      }
    }
    // Sorted and distinct, for binary search in IN / NOT_IN.
    std::sort(condition.texts.begin(), condition.texts.end());
    condition.texts.erase(
        std::unique(condition.texts.begin(), condition.texts.end()),
        condition.texts.end());
    std::sort(condition.dates.begin(), condition.dates.end());
    condition.dates.erase(
        std::unique(condition.dates.begin(), condition.dates.end()),
        condition.dates.end());
    auto less = [](const OwnedDecimal& a, const OwnedDecimal& b) {
      return CompareDecimalNumbers(a.View(), b.View()) < 0;
    };
    auto same = [](const OwnedDecimal& a, const OwnedDecimal& b) {
      return CompareDecimalNumbers(a.View(), b.View()) == 0;
    };
    std::sort(condition.numbers.begin(), condition.numbers.end(), less);
    condition.numbers.erase(
        std::unique(condition.numbers.begin(), condition.numbers.end(), same),
        condition.numbers.end());
    compiled.conditions_.push_back(std::move(condition));
  }
  return compiled;
}

bool CohortFilter::Holds(const Condition& condition,
                         const SensitiveString* value) {
  const bool present = value != nullptr && !value->empty();
  if (condition.comparison == v1::COMPARISON_PRESENT) return present;
  if (condition.comparison == v1::COMPARISON_ABSENT) return !present;
  if (!present) return false;
  const std::string_view text = value->Expose();
  switch (condition.compare_as) {
    case v1::VALUE_TYPE_TEXT:
      return Evaluate(
          condition.comparison, condition.texts,
          [&](const std::string& x) { return CompareText(text, x); });
    case v1::VALUE_TYPE_NUMBER: {
      const std::optional<DecimalNumber> number = ParseDecimalNumber(text);
      if (!number.has_value()) return false;
      return Evaluate(condition.comparison, condition.numbers,
                      [&](const OwnedDecimal& x) {
                        return CompareDecimalNumbers(*number, x.View());
                      });
    }
    case v1::VALUE_TYPE_DATE: {
      const std::optional<int32_t> date = ParseIsoDate(text);
      if (!date.has_value()) return false;
      return Evaluate(condition.comparison, condition.dates,
                      [&](int32_t x) { return (*date > x) - (*date < x); });
    }
    default:
      return false;
  }
}

std::optional<size_t> CohortFilter::FirstUnmetCondition(
    const StoredRecord& record) const {
  // Each distinct column is looked up once per record, when first needed.
  std::array<const SensitiveString*, kMaxCohortConditions> values{};
  std::array<bool, kMaxCohortConditions> resolved{};
  for (size_t i = 0; i < conditions_.size(); ++i) {
    const Condition& condition = conditions_[i];
    const size_t slot = condition.column_slot;
    if (!resolved[slot]) {
      values[slot] = record.FindAttribute(columns_[slot]);
      resolved[slot] = true;
    }
    if (!Holds(condition, values[slot])) return i;
  }
  return std::nullopt;
}

}  // namespace fedlink::agent::encoding
