// Calendar dates and the small strftime-like format language the generator
// writes and the linkage normaliser reads (linkage/normalize/normalizers.h):
// %Y four-digit year, %m and %d two-digit month and day (parsing also accepts
// one digit), %b three-letter English month abbreviation, %% a percent sign,
// any other character literal.
#ifndef FEDLINK_TESTS_DATAGEN_DATE_H_
#define FEDLINK_TESTS_DATAGEN_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fedlink::datagen {

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..DaysInMonth

  friend bool operator==(const Date&, const Date&) = default;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);
bool IsValidDate(const Date& date);

// Days since 1970-01-01 (negative before) and back, proleptic Gregorian.
int64_t DaysFromCivil(const Date& date);
Date CivilFromDays(int64_t days);

// OK when `format` uses only the directives above and contains %Y, %m or %b,
// and %d; InvalidArgument naming the problem otherwise.
absl::Status ValidateDateFormat(std::string_view format);

// Appends `date` written in `format` (which must be valid) to *out.
void AppendDate(const Date& date, std::string_view format, std::string* out);

// Parses `text` in `format`; nullopt unless the whole text matches and the
// date exists in the calendar (29 Feb only in leap years). Thread-safe.
std::optional<Date> ParseDate(std::string_view text, std::string_view format);

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_DATE_H_
