// The cohort filter of a job: which of the agency's records take part. A
// fedlink.v1.CohortFilter (job.proto) is a list of conditions on attribute
// columns, all of which must hold; it is compiled once per job (comparisons
// and value types checked, condition values parsed and sorted, columns
// de-duplicated) and then evaluated against every stored record.
//
// Semantics, per condition on column c:
//   * PRESENT holds when the record has a non-empty value for c, ABSENT when
//     it has none (no such attribute, or an empty one). compare_as is not
//     used by either.
//   * Every other comparison is false for a record without a value for c,
//     and false when the value cannot be read as compare_as (a NUMBER
//     condition on "n/a", a DATE condition on "2020-02-30"): as in SQL, an
//     unknown comparison never selects a record, NOT_EQUAL and NOT_IN
//     included.
//   * TEXT compares the stored bytes (byte-wise lexicographic order).
//     NUMBER reads decimal numbers: an optional sign, digits, an optional
//     fraction ("-12", "3.50", ".5"; no exponent, no spaces), compared
//     exactly (no floating point: "3.5" = "3.50", "-0" = "0"). DATE reads
//     ISO dates YYYY-MM-DD (years 0001..9999, real calendar days), the form
//     ingest stores date attributes in.
// Condition values are parsed the same way when the filter is compiled; a
// value that does not parse is an error there, not "never matches".
//
// Errors name the condition index, its column and the value index, never a
// value: condition values are an analyst's criteria, not agency data, but
// they can still be sensitive (a cohort of one postcode), and record values
// are never looked at outside Matches.
#ifndef FEDLINK_AGENT_ENCODING_COHORT_FILTER_H_
#define FEDLINK_AGENT_ENCODING_COHORT_FILTER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "agent/store/stored_record.h"
#include "fedlink/v1/job.pb.h"

namespace fedlink::agent::encoding {

// Wire limits of CohortFilter / CohortCondition (job.proto), enforced again
// here because the filter may come from anywhere.
inline constexpr size_t kMaxCohortConditions = 32;
inline constexpr size_t kMaxCohortValues = 1024;
inline constexpr size_t kMaxCohortValueBytes = 256;

// An exact decimal number as NUMBER comparisons read it: sign, integer
// digits without leading zeros, fraction digits without trailing zeros.
// Zero is {false, "", ""}.
struct DecimalNumber {
  bool negative = false;
  std::string_view integer_digits;
  std::string_view fraction_digits;
};

// Parses `text` as above (the views point into `text`); nullopt if it is not
// a decimal number. Thread-safe.
std::optional<DecimalNumber> ParseDecimalNumber(std::string_view text);
// <0, 0, >0 as a is less than, equal to, greater than b. Thread-safe.
int CompareDecimalNumbers(const DecimalNumber& a, const DecimalNumber& b);
// YYYY-MM-DD → YYYY*10000 + MM*100 + DD (so that order is date order);
// nullopt unless it is a real calendar date in years 0001..9999.
// Thread-safe.
std::optional<int32_t> ParseIsoDate(std::string_view text);

class CohortFilter {
 public:
  // Compiles `filter`. `known_columns`, when given, are the attribute
  // columns the agency holds (its ingest schema's attribute names); a
  // condition on any other column is then FailedPrecondition (the job asks
  // for a column this agency does not have). InvalidArgument, as
  // "cohort.all_of[i] (column 'c'): <problem>", when there are more than
  // kMaxCohortConditions conditions, or a condition has an empty or
  // over-long column name, an unspecified or unknown comparison or value
  // type, the wrong number of values for its comparison (one for EQUAL …
  // GREATER_OR_EQUAL, one or more for IN and NOT_IN, none for PRESENT and
  // ABSENT), more than kMaxCohortValues values, a value over
  // kMaxCohortValueBytes, or a value that is not a number / date under
  // NUMBER / DATE (the message gives the value's index). Thread-safe.
  static absl::StatusOr<CohortFilter> Compile(
      const v1::CohortFilter& filter,
      const absl::flat_hash_set<std::string>* known_columns = nullptr);

  CohortFilter(CohortFilter&&) noexcept = default;
  CohortFilter& operator=(CohortFilter&&) noexcept = default;

  // Whether `record` meets every condition (true for a filter without
  // conditions). Thread-safe (const, no shared scratch).
  bool Matches(const StoredRecord& record) const {
    return !FirstUnmetCondition(record).has_value();
  }

  // The index of the first condition `record` does not meet, nullopt if it
  // meets them all; for cohort statistics ("excluded by condition 2").
  // Thread-safe.
  std::optional<size_t> FirstUnmetCondition(const StoredRecord& record) const;

  size_t condition_count() const { return conditions_.size(); }
  // The column of condition `i` (< condition_count()).
  const std::string& column(size_t i) const {
    return columns_[conditions_[i].column_slot];
  }

 private:
  struct OwnedDecimal {
    bool negative = false;
    std::string integer_digits;
    std::string fraction_digits;
    DecimalNumber View() const {
      return {negative, integer_digits, fraction_digits};
    }
  };
  struct Condition {
    size_t column_slot = 0;  // into columns_
    v1::Comparison comparison = v1::COMPARISON_UNSPECIFIED;
    v1::ValueType compare_as = v1::VALUE_TYPE_UNSPECIFIED;
    // The condition's values in ascending order of compare_as, duplicates
    // removed; only the member for compare_as is filled.
    std::vector<std::string> texts;
    std::vector<OwnedDecimal> numbers;
    std::vector<int32_t> dates;
  };

  CohortFilter() = default;

  static bool Holds(const Condition& condition, const SensitiveString* value);

  std::vector<std::string> columns_;  // distinct columns, first-use order
  std::vector<Condition> conditions_;
};

}  // namespace fedlink::agent::encoding

#endif  // FEDLINK_AGENT_ENCODING_COHORT_FILTER_H_
