// American Soundex, as the US National Archives describe it for the census
// indexes: keep the first letter; code the rest b f p v → 1,
// c g j k q s x z → 2, d t → 3, l → 4, m n → 5, r → 6; a e i o u y separate
// equal codes, h and w do not ("Ashcraft" → a261); letters with the same
// code as the letter before (the first letter included: "Pfister" → p236)
// are coded once; pad with zeros or cut to three digits.
#include <string>
#include <string_view>

#include "linkage/normalize/phonetic.h"

namespace fedlink::normalize {
namespace {

constexpr char kVowel = '0';   // a e i o u y: separates equal codes
constexpr char kSilent = '.';  // h w: transparent

// Code of a lower-case ASCII letter.
char SoundexCode(char c) {
  static constexpr char kCodes[27] = "01230120022455012623010202";
  switch (c) {
    case 'h':
    case 'w':
      return kSilent;
    default:
      return kCodes[c - 'a'];
  }
}

// Lower-case ASCII letter, or 0 for anything else.
char Letter(char c) {
  if (c >= 'a' && c <= 'z') return c;
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return 0;
}

}  // namespace

std::string Soundex(std::string_view name) {
  std::string code;
  size_t i = 0;
  char first = 0;
  while (i < name.size() && first == 0) first = Letter(name[i++]);
  if (first == 0) return code;
  code.push_back(first);
  char last = SoundexCode(first);
  for (; i < name.size() && code.size() < 4; ++i) {
    const char c = Letter(name[i]);
    if (c == 0) continue;
    const char digit = SoundexCode(c);
    if (digit == kSilent) continue;
    if (digit != kVowel && digit != last) code.push_back(digit);
    last = digit;
  }
  code.resize(4, '0');
  return code;
}

}  // namespace fedlink::normalize
