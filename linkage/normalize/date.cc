// NormalizeDate and ValidateDateOptions: a small strptime subset with
// calendar validation, producing "YYYYMMDD".
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "linkage/normalize/fold.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/normalize/placeholders.h"
#include "linkage/sensitive.h"
#include "linkage/status_macros.h"

namespace fedlink::normalize {
namespace {

constexpr std::string_view kDefaultFormats[] = {"%Y%m%d", "%Y-%m-%d"};

constexpr std::string_view kMonthNames[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};

struct DateParts {
  int year = 0;
  int month = 0;
  int day = 0;
};

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool IsNumericDirective(char d) { return d == 'Y' || d == 'm' || d == 'd'; }

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  return (month == 2 && IsLeapYear(year)) ? 29 : kDays[month - 1];
}

absl::Status ValidateFormat(std::string_view format, size_t index) {
  int years = 0;
  int months = 0;
  int days = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 == format.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "date options: formats[", index, "] ends with a lone %"));
    }
    switch (format[++i]) {
      case 'Y':
        ++years;
        break;
      case 'm':
      case 'b':
        ++months;
        break;
      case 'd':
        ++days;
        break;
      case '%':
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            "date options: formats[", index, "] has unsupported directive %",
            std::string(1, format[i]), " (supported: %Y %m %d %b %%)"));
    }
  }
  if (years != 1 || months != 1 || days != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("date options: formats[", index,
                     "] needs exactly one year (%Y), one month (%m or %b) and "
                     "one day (%d)"));
  }
  return absl::OkStatus();
}

// Reads between min_digits and max_digits digits (as many as there are).
bool ReadNumber(std::string_view in, size_t* pos, int min_digits,
                int max_digits, int* value) {
  int n = 0;
  int v = 0;
  while (n < max_digits && *pos < in.size() && IsDigit(in[*pos])) {
    v = v * 10 + (in[*pos] - '0');
    ++*pos;
    ++n;
  }
  *value = v;
  return n >= min_digits;
}

bool ConsumeIgnoringCase(std::string_view in, size_t* pos,
                         std::string_view word) {
  if (in.size() - *pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (AsciiLower(in[*pos + i]) != word[i]) return false;
  }
  *pos += word.size();
  return true;
}

// An English month name, full ("September"), "Sept", or its first three
// letters ("Sep"), any case. The longest spelling wins.
bool ReadMonthName(std::string_view in, size_t* pos, int* month) {
  for (int m = 0; m < 12; ++m) {
    const std::string_view name = kMonthNames[m];
    if (ConsumeIgnoringCase(in, pos, name) ||
        (m == 8 && ConsumeIgnoringCase(in, pos, "sept")) ||
        ConsumeIgnoringCase(in, pos, name.substr(0, 3))) {
      *month = m + 1;
      return true;
    }
  }
  return false;
}

// True when all of `in` matches `format` (already validated). %m and %d take
// one or two digits, but exactly two when another numeric directive comes
// directly before or after ("%Y%m%d" needs 8 digits; "%d/%m/%Y" accepts
// "1/2/2000"). A space
// in the format matches one or more spaces or tabs; other literal characters
// match themselves, ignoring ASCII case.
bool MatchFormat(std::string_view format, std::string_view in,
                 DateParts* parts) {
  size_t pos = 0;
  bool after_numeric = false;  // the previous element was %Y, %m or %d
  for (size_t i = 0; i < format.size(); ++i) {
    const char f = format[i];
    if (f == '%' && format[i + 1] != '%') {
      const char directive = format[++i];
      const bool numeric_follows = i + 2 < format.size() &&
                                   format[i + 1] == '%' &&
                                   IsNumericDirective(format[i + 2]);
      const int min_digits = (after_numeric || numeric_follows) ? 2 : 1;
      after_numeric = IsNumericDirective(directive);
      bool ok = false;
      switch (directive) {
        case 'Y':
          ok = ReadNumber(in, &pos, 4, 4, &parts->year);
          break;
        case 'm':
          ok = ReadNumber(in, &pos, min_digits, 2, &parts->month);
          break;
        case 'd':
          ok = ReadNumber(in, &pos, min_digits, 2, &parts->day);
          break;
        case 'b':
          ok = ReadMonthName(in, &pos, &parts->month);
          break;
        default:
          ok = false;
          break;
      }
      if (!ok) return false;
      continue;
    }
    after_numeric = false;
    if (f == '%') ++i;  // "%%": a literal '%'
    if (f == ' ') {
      if (pos == in.size() || !IsBlank(in[pos])) return false;
      while (pos < in.size() && IsBlank(in[pos])) ++pos;
      continue;
    }
    if (pos == in.size() || AsciiLower(in[pos]) != AsciiLower(f)) return false;
    ++pos;
  }
  return pos == in.size();
}

absl::Status CheckCalendar(const DateParts& parts, const DateOptions& options) {
  if (parts.year < options.min_year || parts.year > options.max_year) {
    return absl::InvalidArgumentError(
        absl::StrCat("date: year outside the accepted range ", options.min_year,
                     "..", options.max_year));
  }
  if (parts.month < 1 || parts.month > 12) {
    return absl::InvalidArgumentError("date: month out of range 1..12");
  }
  if (parts.day < 1 || parts.day > DaysInMonth(parts.year, parts.month)) {
    return absl::InvalidArgumentError(
        "date: day does not exist in that month and year");
  }
  return absl::OkStatus();
}

std::string FormatYyyymmdd(const DateParts& parts) {
  std::string out(8, '0');
  int y = parts.year;
  for (int i = 3; i >= 0; --i, y /= 10)
    out[i] = static_cast<char>('0' + y % 10);
  out[4] = static_cast<char>('0' + parts.month / 10);
  out[5] = static_cast<char>('0' + parts.month % 10);
  out[6] = static_cast<char>('0' + parts.day / 10);
  out[7] = static_cast<char>('0' + parts.day % 10);
  return out;
}

// The placeholder rules of placeholders.h for a trimmed, non-empty date.
absl::StatusOr<bool> IsMissingDate(std::string_view trimmed) {
  if (internal::IsNotApplicable(trimmed)) return true;
  size_t letters = 0;
  size_t zeros = 0;
  size_t nines = 0;
  size_t digits = 0;
  bool ascii = true;
  for (char c : trimmed) {
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (IsAsciiLetter(c)) ++letters;
    if (IsDigit(c)) {
      ++digits;
      zeros += c == '0';
      nines += c == '9';
    }
  }
  if (ascii && letters == 0 && digits > 0)
    return zeros == digits || nines == digits;
  // Words, punctuation only, or non-ASCII text: fold to decide.
  std::string folded;
  internal::FoldCounts counts;
  FEDLINK_RETURN_IF_ERROR(internal::FoldInto(
      trimmed, internal::FoldMode::kAlnum, "date", &folded, &counts));
  const SensitiveString value(std::move(folded));  // wiped on exit
  return value.empty() || internal::IsPlaceholderPhrase(value.Expose());
}

}  // namespace

absl::Status ValidateDateOptions(const DateOptions& options) {
  if (options.min_year < 1 || options.max_year > 9999 ||
      options.min_year > options.max_year) {
    return absl::InvalidArgumentError(absl::StrCat(
        "date options: year range ", options.min_year, "..", options.max_year,
        " must satisfy 1 <= min_year <= max_year <= 9999"));
  }
  for (size_t i = 0; i < options.formats.size(); ++i) {
    FEDLINK_RETURN_IF_ERROR(ValidateFormat(options.formats[i], i));
  }
  return absl::OkStatus();
}

MaybeValue NormalizeDate(std::string_view raw, const DateOptions& options) {
  FEDLINK_RETURN_IF_ERROR(ValidateDateOptions(options));
  std::string_view trimmed = internal::TrimAsciiWhitespace(raw);
  if (trimmed.empty()) return std::optional<SensitiveString>();
  // Non-ASCII input is folded first, so that full-width digits and Unicode
  // spaces parse like their ASCII forms.
  SensitiveString folded;
  if (!IsAscii(trimmed)) {
    std::string storage;
    internal::FoldCounts counts;
    FEDLINK_RETURN_IF_ERROR(internal::FoldInto(
        trimmed, internal::FoldMode::kKeepAll, "date", &storage, &counts));
    folded = SensitiveString(std::move(storage));
    trimmed = internal::TrimAsciiWhitespace(folded.Expose());
    if (trimmed.empty()) return std::optional<SensitiveString>();
  }
  FEDLINK_ASSIGN_OR_RETURN(const bool missing, IsMissingDate(trimmed));
  if (missing) return std::optional<SensitiveString>();

  const bool use_defaults = options.formats.empty();
  const size_t format_count =
      use_defaults ? std::size(kDefaultFormats) : options.formats.size();
  absl::Status first_calendar_error;
  for (size_t i = 0; i < format_count; ++i) {
    const std::string_view format = use_defaults
                                        ? kDefaultFormats[i]
                                        : std::string_view(options.formats[i]);
    DateParts parts;
    if (!MatchFormat(format, trimmed, &parts)) continue;
    absl::Status calendar = CheckCalendar(parts, options);
    if (calendar.ok()) {
      return std::optional<SensitiveString>(
          SensitiveString(FormatYyyymmdd(parts)));
    }
    if (first_calendar_error.ok()) first_calendar_error = calendar;
  }
  if (!first_calendar_error.ok()) return first_calendar_error;
  return absl::InvalidArgumentError(absl::StrCat(
      "date: matches none of the ", format_count, " configured formats"));
}

}  // namespace fedlink::normalize
