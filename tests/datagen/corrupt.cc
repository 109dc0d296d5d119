#include "tests/datagen/corrupt.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "tests/datagen/person.h"
#include "tests/datagen/text.h"

namespace fedlink::datagen {
namespace {

// QWERTY neighbours of each lower-case letter and of each digit (number row).
constexpr std::array<std::string_view, 26> kLetterNeighbours = {
    "qwsz",   "vghn",  "xdfv", "serfcx", "wrsd", "drtgvc", "ftyhbv", "gyujnb", "uojk",
    "huikmn", "jiolm", "kop",  "njk",    "bhjm", "ipkl",   "ol",     "wa",     "etdf",
    "awedxz", "ryfg",  "yihj", "cfgb",   "qeas", "zsdc",   "tugh",   "asx",
};
constexpr std::array<std::string_view, 10> kDigitNeighbours = {
    "9", "2", "13", "24", "35", "46", "57", "68", "79", "80",
};

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Neighbour(char c, Rng& rng) {
  if (IsDigit(c)) {
    const std::string_view n = kDigitNeighbours[static_cast<size_t>(c - '0')];
    return n[rng.Below(n.size())];
  }
  const bool upper = IsUpper(c);
  const char lower = upper ? static_cast<char>(c - 'A' + 'a') : c;
  const std::string_view n = kLetterNeighbours[static_cast<size_t>(lower - 'a')];
  const char picked = n[rng.Below(n.size())];
  return upper ? static_cast<char>(picked - 'a' + 'A') : picked;
}

bool IsAsciiAlnum(char c) { return IsLower(c) || IsUpper(c) || IsDigit(c); }

struct Span {
  size_t begin;
  size_t end;
};

Span CodePointAt(const std::string& text, size_t index) {
  const size_t begin = CodePointOffset(text, index);
  const size_t end =
      std::min(text.size(), begin + Utf8SequenceLength(static_cast<unsigned char>(text[begin])));
  return {begin, end};
}

bool Insert(std::string* text, size_t n, Rng& rng) {
  const size_t position = rng.Below(n + 1);
  const Span near = CodePointAt(*text, position == n ? n - 1 : position);
  const char reference = (*text)[near.begin];
  char inserted;
  if (IsAsciiAlnum(reference)) {
    inserted = rng.Chance(0.3) ? reference : Neighbour(reference, rng);  // doubled key or slip
  } else {
    inserted = static_cast<char>('a' + rng.Below(26));
  }
  text->insert(CodePointOffset(*text, position), 1, inserted);
  return true;
}

bool Delete(std::string* text, size_t n, Rng& rng) {
  if (n < 2) return false;
  const Span span = CodePointAt(*text, rng.Below(n));
  text->erase(span.begin, span.end - span.begin);
  return true;
}

bool Substitute(std::string* text, size_t n, Rng& rng) {
  const Span span = CodePointAt(*text, rng.Below(n));
  const char c = (*text)[span.begin];
  if (IsAsciiAlnum(c)) {
    (*text)[span.begin] = Neighbour(c, rng);
    return true;
  }
  const char base = AccentBase(std::string_view(*text).substr(span.begin, span.end - span.begin));
  if (base != 0) {
    text->replace(span.begin, span.end - span.begin, 1, base);
    return true;
  }
  if (n < 2) return false;
  text->erase(span.begin, span.end - span.begin);  // "O'Brien" → "OBrien"
  return true;
}

bool Transpose(std::string* text, size_t n, Rng& rng) {
  if (n < 2) return false;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const size_t i = rng.Below(n - 1);
    const Span first = CodePointAt(*text, i);
    const Span second = CodePointAt(*text, i + 1);
    if (std::string_view(*text).substr(first.begin, first.end - first.begin) ==
        std::string_view(*text).substr(second.begin, second.end - second.begin)) {
      continue;
    }
    std::rotate(text->begin() + static_cast<std::ptrdiff_t>(first.begin),
                text->begin() + static_cast<std::ptrdiff_t>(second.begin),
                text->begin() + static_cast<std::ptrdiff_t>(second.end));
    return true;
  }
  return false;
}

struct OcrConfusion {
  std::string_view from;
  std::string_view to;
};

constexpr OcrConfusion kOcrConfusions[] = {
    {"rn", "m"}, {"m", "rn"}, {"cl", "d"}, {"d", "cl"}, {"vv", "w"}, {"w", "vv"}, {"l", "1"},
    {"1", "l"},  {"I", "l"},  {"O", "0"},  {"0", "O"},  {"o", "0"},  {"S", "5"},  {"5", "S"},
    {"B", "8"},  {"8", "B"},  {"e", "c"},  {"c", "e"},  {"h", "b"},  {"u", "v"},  {"n", "h"},
    {"g", "q"},  {"Z", "2"},  {"2", "Z"},  {"G", "6"},  {"6", "G"},  {"i", "l"},
};

}  // namespace

bool ApplyTypo(std::string* text, Rng& rng) {
  const size_t n = CodePointCount(*text);
  if (n == 0) return false;
  static constexpr uint32_t kOperationWeights[] = {20, 25, 35, 20};
  static const WeightedTable operations{kOperationWeights};
  switch (operations.Pick(rng)) {
    case 0:
      return Insert(text, n, rng);
    case 1:
      return Delete(text, n, rng) || Substitute(text, n, rng);
    case 2:
      return Substitute(text, n, rng);
    default:
      return Transpose(text, n, rng) || Substitute(text, n, rng);
  }
}

bool ApplyOcrError(std::string* text, Rng& rng) {
  size_t matches = 0;
  for (size_t i = 0; i < text->size(); ++i) {
    for (const OcrConfusion& confusion : kOcrConfusions) {
      if (std::string_view(*text).substr(i, confusion.from.size()) == confusion.from) ++matches;
    }
  }
  if (matches == 0) return false;
  size_t chosen = rng.Below(matches);
  for (size_t i = 0; i < text->size(); ++i) {
    for (const OcrConfusion& confusion : kOcrConfusions) {
      if (std::string_view(*text).substr(i, confusion.from.size()) != confusion.from) continue;
      if (chosen-- == 0) {
        text->replace(i, confusion.from.size(), confusion.to);
        return true;
      }
    }
  }
  return false;
}

bool ApplyWhitespace(std::string* text, Rng& rng) {
  if (text->empty()) return false;
  const size_t n = CodePointCount(*text);
  switch (rng.Below(4)) {
    case 0:
      text->insert(text->begin(), ' ');
      return true;
    case 1: {
      const size_t space = text->find(' ');
      if (space != std::string::npos) {
        text->insert(space, 1, ' ');
        return true;
      }
      text->push_back(' ');
      return true;
    }
    case 2:
      if (n >= 4) {
        text->insert(CodePointOffset(*text, 2 + rng.Below(n - 3)), 1, ' ');
        return true;
      }
      text->push_back(' ');
      return true;
    default:
      text->push_back(' ');
      return true;
  }
}

bool ApplyCaseChange(std::string* text, Rng& rng) {
  const uint64_t choice = rng.Below(100);
  if (choice < 50) {
    if (ToUpperCase(text)) return true;
    return ToLowerCase(text);
  }
  if (choice < 85) {
    if (ToLowerCase(text)) return true;
    return ToUpperCase(text);
  }
  const std::string before = *text;
  ToLowerCase(text);
  for (char& c : *text) {
    if (IsLower(c)) {
      c = static_cast<char>(c - 'a' + 'A');
      break;
    }
    if (IsUpper(c)) break;
  }
  return *text != before;
}

bool ApplyDateSwap(Date* date) {
  if (date->day > 12 || date->day == date->month) return false;
  std::swap(date->day, date->month);
  return true;
}

bool ApplyDateTypo(Date* date, int max_year, Rng& rng) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    Date changed = *date;
    const uint64_t component = rng.Below(8);
    const int digit = static_cast<int>(rng.Below(10));
    if (component < 3) {  // year: units or tens digit
      const int place = rng.Chance(0.6) ? 1 : 10;
      const int current = (changed.year / place) % 10;
      changed.year += (digit - current) * place;
    } else if (component < 5) {
      const int place = rng.Chance(0.7) ? 1 : 10;
      const int current = (changed.month / place) % 10;
      changed.month += (digit - current) * place;
    } else {
      const int place = rng.Chance(0.7) ? 1 : 10;
      const int current = (changed.day / place) % 10;
      changed.day += (digit - current) * place;
    }
    if (changed != *date && IsValidDate(changed) && changed.year >= 1900 &&
        changed.year <= max_year) {
      *date = changed;
      return true;
    }
  }
  return false;
}

bool ApplySsnTypo(uint32_t* ssn, Rng& rng) {
  for (int attempt = 0; attempt < 6; ++attempt) {
    std::array<int, 9> digits;
    uint32_t value = *ssn;
    for (int i = 8; i >= 0; --i) {
      digits[static_cast<size_t>(i)] = static_cast<int>(value % 10);
      value /= 10;
    }
    if (rng.Chance(0.6)) {
      const size_t position = rng.Below(9);
      digits[position] = static_cast<int>(rng.Below(10));
    } else {
      const size_t position = rng.Below(8);
      std::swap(digits[position], digits[position + 1]);
    }
    uint32_t changed = 0;
    for (int d : digits) changed = changed * 10 + static_cast<uint32_t>(d);
    if (changed != *ssn && IsValidSsn(changed)) {
      *ssn = changed;
      return true;
    }
  }
  return false;
}

}  // namespace fedlink::datagen
