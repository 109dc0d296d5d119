#include "tests/datagen/text.h"

#include <algorithm>

namespace fedlink::datagen {
namespace {

struct AccentLetter {
  std::string_view lower;
  std::string_view upper;
  char base;  // lower-case ASCII letter
};

// Lower and upper forms have the same UTF-8 length, so case mapping can
// rewrite in place.
constexpr AccentLetter kAccentLetters[] = {
    {"à", "À", 'a'}, {"á", "Á", 'a'}, {"â", "Â", 'a'}, {"ã", "Ã", 'a'}, {"ä", "Ä", 'a'},
    {"å", "Å", 'a'}, {"ç", "Ç", 'c'}, {"è", "È", 'e'}, {"é", "É", 'e'}, {"ê", "Ê", 'e'},
    {"ë", "Ë", 'e'}, {"ì", "Ì", 'i'}, {"í", "Í", 'i'}, {"î", "Î", 'i'}, {"ï", "Ï", 'i'},
    {"ñ", "Ñ", 'n'}, {"ò", "Ò", 'o'}, {"ó", "Ó", 'o'}, {"ô", "Ô", 'o'}, {"õ", "Õ", 'o'},
    {"ö", "Ö", 'o'}, {"ù", "Ù", 'u'}, {"ú", "Ú", 'u'}, {"û", "Û", 'u'}, {"ü", "Ü", 'u'},
    {"ý", "Ý", 'y'}, {"ÿ", "Ÿ", 'y'}, {"ă", "Ă", 'a'}, {"đ", "Đ", 'd'}, {"ũ", "Ũ", 'u'},
    {"ơ", "Ơ", 'o'}, {"ư", "Ư", 'u'}, {"ạ", "Ạ", 'a'}, {"ả", "Ả", 'a'}, {"ấ", "Ấ", 'a'},
    {"ầ", "Ầ", 'a'}, {"ẩ", "Ẩ", 'a'}, {"ẫ", "Ẫ", 'a'}, {"ậ", "Ậ", 'a'}, {"ắ", "Ắ", 'a'},
    {"ằ", "Ằ", 'a'}, {"ẳ", "Ẳ", 'a'}, {"ẵ", "Ẵ", 'a'}, {"ặ", "Ặ", 'a'}, {"ẹ", "Ẹ", 'e'},
    {"ẻ", "Ẻ", 'e'}, {"ẽ", "Ẽ", 'e'}, {"ế", "Ế", 'e'}, {"ề", "Ề", 'e'}, {"ể", "Ể", 'e'},
    {"ễ", "Ễ", 'e'}, {"ệ", "Ệ", 'e'}, {"ỉ", "Ỉ", 'i'}, {"ị", "Ị", 'i'}, {"ọ", "Ọ", 'o'},
    {"ỏ", "Ỏ", 'o'}, {"ố", "Ố", 'o'}, {"ồ", "Ồ", 'o'}, {"ổ", "Ổ", 'o'}, {"ỗ", "Ỗ", 'o'},
    {"ộ", "Ộ", 'o'}, {"ớ", "Ớ", 'o'}, {"ờ", "Ờ", 'o'}, {"ở", "Ở", 'o'}, {"ỡ", "Ỡ", 'o'},
    {"ợ", "Ợ", 'o'}, {"ụ", "Ụ", 'u'}, {"ủ", "Ủ", 'u'}, {"ứ", "Ứ", 'u'}, {"ừ", "Ừ", 'u'},
    {"ử", "Ử", 'u'}, {"ữ", "Ữ", 'u'}, {"ự", "Ự", 'u'}, {"ỳ", "Ỳ", 'y'}, {"ỵ", "Ỵ", 'y'},
    {"ỷ", "Ỷ", 'y'}, {"ỹ", "Ỹ", 'y'},
};

struct Found {
  const AccentLetter* letter = nullptr;
  bool upper = false;
};

Found FindAccent(std::string_view code_point) {
  for (const AccentLetter& letter : kAccentLetters) {
    if (code_point == letter.lower) return {&letter, false};
    if (code_point == letter.upper) return {&letter, true};
  }
  return {};
}

enum class CaseTarget { kUpper, kLower };

bool MapCase(std::string* text, CaseTarget target) {
  bool changed = false;
  for (size_t i = 0; i < text->size();) {
    const unsigned char c = static_cast<unsigned char>((*text)[i]);
    const size_t length = std::min(Utf8SequenceLength(c), text->size() - i);
    if (c < 0x80) {
      if (target == CaseTarget::kUpper && c >= 'a' && c <= 'z') {
        (*text)[i] = static_cast<char>(c - 'a' + 'A');
        changed = true;
      } else if (target == CaseTarget::kLower && c >= 'A' && c <= 'Z') {
        (*text)[i] = static_cast<char>(c - 'A' + 'a');
        changed = true;
      }
    } else {
      const Found found = FindAccent(std::string_view(*text).substr(i, length));
      if (found.letter != nullptr && found.upper != (target == CaseTarget::kUpper)) {
        const std::string_view replacement =
            target == CaseTarget::kUpper ? found.letter->upper : found.letter->lower;
        text->replace(i, length, replacement);
        changed = true;
        i += replacement.size();
        continue;
      }
    }
    i += length;
  }
  return changed;
}

}  // namespace

size_t Utf8SequenceLength(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0 && lead < 0xF0) return 3;
  if (lead >= 0xC0 && lead < 0xE0) return 2;
  return 1;
}

size_t CodePointCount(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();
       i += Utf8SequenceLength(static_cast<unsigned char>(text[i]))) {
    ++count;
  }
  return count;
}

size_t CodePointOffset(std::string_view text, size_t index) {
  size_t i = 0;
  while (index > 0 && i < text.size()) {
    i += Utf8SequenceLength(static_cast<unsigned char>(text[i]));
    --index;
  }
  return std::min(i, text.size());
}

std::string_view FirstCodePoint(std::string_view text) {
  if (text.empty()) return text;
  return text.substr(
      0, std::min(Utf8SequenceLength(static_cast<unsigned char>(text[0])), text.size()));
}

bool HasNonAscii(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

bool AllLettersKnown(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t length = std::min(Utf8SequenceLength(c), text.size() - i);
    if (c >= 0x80 && FindAccent(text.substr(i, length)).letter == nullptr) return false;
    i += length;
  }
  return true;
}

char AccentBase(std::string_view code_point) {
  const Found found = FindAccent(FirstCodePoint(code_point));
  if (found.letter == nullptr) return 0;
  return found.upper ? static_cast<char>(found.letter->base - 'a' + 'A') : found.letter->base;
}

bool StripAccents(std::string* text) {
  bool changed = false;
  for (size_t i = 0; i < text->size();) {
    const unsigned char c = static_cast<unsigned char>((*text)[i]);
    const size_t length = std::min(Utf8SequenceLength(c), text->size() - i);
    if (c >= 0x80) {
      const char base = AccentBase(std::string_view(*text).substr(i, length));
      if (base != 0) {
        text->replace(i, length, 1, base);
        changed = true;
        i += 1;
        continue;
      }
    }
    i += length;
  }
  return changed;
}

bool ToUpperCase(std::string* text) { return MapCase(text, CaseTarget::kUpper); }
bool ToLowerCase(std::string* text) { return MapCase(text, CaseTarget::kLower); }

}  // namespace fedlink::datagen
