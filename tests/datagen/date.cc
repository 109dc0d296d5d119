#include "tests/datagen/date.h"

#include <array>
#include <cstddef>

#include "absl/strings/str_cat.h"

namespace fedlink::datagen {
namespace {

constexpr std::array<std::string_view, 12> kMonthAbbreviations = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void AppendDigits(int value, int width, std::string* out) {
  char buffer[8];
  for (int i = width - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buffer, static_cast<size_t>(width));
}

// Reads between min_digits and max_digits decimal digits at text[*pos].
std::optional<int> ReadNumber(std::string_view text, size_t* pos, int min_digits, int max_digits) {
  int value = 0;
  int count = 0;
  while (count < max_digits && *pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
    value = value * 10 + (text[*pos] - '0');
    ++*pos;
    ++count;
  }
  if (count < min_digits) return std::nullopt;
  return value;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::optional<int> ReadMonthName(std::string_view text, size_t* pos) {
  if (text.size() - *pos < 3) return std::nullopt;
  for (size_t m = 0; m < kMonthAbbreviations.size(); ++m) {
    const std::string_view abbreviation = kMonthAbbreviations[m];
    bool equal = true;
    for (size_t i = 0; i < 3; ++i) {
      if (AsciiLower(text[*pos + i]) != AsciiLower(abbreviation[i])) equal = false;
    }
    if (equal) {
      *pos += 3;
      return static_cast<int>(m) + 1;
    }
  }
  return std::nullopt;
}

}  // namespace

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<size_t>(month - 1)];
}

bool IsValidDate(const Date& date) {
  return date.year >= 1 && date.year <= 9999 && date.month >= 1 && date.month <= 12 &&
         date.day >= 1 && date.day <= DaysInMonth(date.year, date.month);
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(const Date& date) {
  const int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (date.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return Date{year, month, day};
}

absl::Status ValidateDateFormat(std::string_view format) {
  bool year = false, month = false, day = false;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 == format.size()) {
      return absl::InvalidArgumentError("date format ends with a lone '%'");
    }
    switch (format[++i]) {
      case 'Y':
        year = true;
        break;
      case 'm':
      case 'b':
        month = true;
        break;
      case 'd':
        day = true;
        break;
      case '%':
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat("date format has unknown directive '%",
                                                       std::string(1, format[i]),
                                                       "' (known: %Y %m %d %b %%)"));
    }
  }
  if (!year || !month || !day) {
    return absl::InvalidArgumentError(
        "date format needs a year (%Y), month (%m or %b) and day (%d)");
  }
  return absl::OkStatus();
}

void AppendDate(const Date& date, std::string_view format, std::string* out) {
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out->push_back(format[i]);
      continue;
    }
    switch (format[++i]) {
      case 'Y':
        AppendDigits(date.year, 4, out);
        break;
      case 'm':
        AppendDigits(date.month, 2, out);
        break;
      case 'd':
        AppendDigits(date.day, 2, out);
        break;
      case 'b':
        out->append(kMonthAbbreviations[static_cast<size_t>(date.month - 1)]);
        break;
      default:
        out->push_back(format[i]);
        break;
    }
  }
}

std::optional<Date> ParseDate(std::string_view text, std::string_view format) {
  Date date{0, 0, 0};
  size_t pos = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      if (pos >= text.size() || text[pos] != format[i]) return std::nullopt;
      ++pos;
      continue;
    }
    std::optional<int> value;
    switch (format[++i]) {
      case 'Y':
        value = ReadNumber(text, &pos, 4, 4);
        if (value) date.year = *value;
        break;
      case 'm':
        value = ReadNumber(text, &pos, 1, 2);
        if (value) date.month = *value;
        break;
      case 'd':
        value = ReadNumber(text, &pos, 1, 2);
        if (value) date.day = *value;
        break;
      case 'b':
        value = ReadMonthName(text, &pos);
        if (value) date.month = *value;
        break;
      default:
        value = 0;
        if (pos >= text.size() || text[pos] != format[i]) return std::nullopt;
        ++pos;
        break;
    }
    if (!value) return std::nullopt;
  }
  if (pos != text.size() || !IsValidDate(date)) return std::nullopt;
  return date;
}

}  // namespace fedlink::datagen
