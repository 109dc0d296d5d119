#include "linkage/normalize/placeholders.h"

#include <cstddef>
#include <string_view>

namespace fedlink::normalize::internal {
namespace {

bool IsAsciiWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// Folded spellings without spaces: "Not Known", "not-known" and "NOTKNOWN"
// all fold to these.
constexpr std::string_view kPlaceholderPhrases[] = {
    "unknown", "notknown", "notstated", "notrecorded", "notavailable",
};

bool EqualsIgnoringSpaces(std::string_view folded, std::string_view phrase) {
  size_t j = 0;
  for (char c : folded) {
    if (c == ' ') continue;
    if (j == phrase.size() || phrase[j] != c) return false;
    ++j;
  }
  return j == phrase.size();
}

// Length of the UTF-8 sequence that starts with `lead`; 1 for a byte that
// cannot start one (the input is already validated, so that does not occur).
size_t Utf8SequenceLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

}  // namespace

std::string_view TrimAsciiWhitespace(std::string_view raw) {
  size_t begin = 0;
  size_t end = raw.size();
  while (begin < end && IsAsciiWhitespace(raw[begin])) ++begin;
  while (end > begin && IsAsciiWhitespace(raw[end - 1])) --end;
  return raw.substr(begin, end - begin);
}

bool IsNotApplicable(std::string_view raw) {
  const std::string_view trimmed = TrimAsciiWhitespace(raw);
  return trimmed.size() == 3 && (trimmed[0] == 'n' || trimmed[0] == 'N') &&
         trimmed[1] == '/' && (trimmed[2] == 'a' || trimmed[2] == 'A');
}

bool IsPlaceholderPhrase(std::string_view folded) {
  for (std::string_view phrase : kPlaceholderPhrases) {
    if (EqualsIgnoringSpaces(folded, phrase)) return true;
  }
  return false;
}

bool IsRepeatedCharacter(std::string_view folded) {
  if (folded.empty()) return false;
  const size_t unit = Utf8SequenceLength(static_cast<unsigned char>(folded[0]));
  if (unit > folded.size() || folded.size() % unit != 0) return false;
  const std::string_view first = folded.substr(0, unit);
  for (size_t i = unit; i < folded.size(); i += unit) {
    if (folded.substr(i, unit) != first) return false;
  }
  return true;
}

}  // namespace fedlink::normalize::internal
