#include "linkage/encode/transform.h"

#include <cstddef>
#include <cstdint>

#include "linkage/normalize/phonetic.h"

namespace fedlink::encode {
namespace {

// `value` without spaces, into *out. Normalised values separate words with
// single ASCII spaces, so that is the only character removed.
void Compact(std::string_view value, std::string* out) {
  out->clear();
  for (char c : value) {
    if (c != ' ') out->push_back(c);
  }
}

// Byte length of the UTF-8 sequence at the start of `s`, or 0 if `s` is
// empty or does not start with a well-formed sequence. Normalised values are
// valid UTF-8; a malformed one has no initial rather than half a character.
size_t FirstCodePointLength(std::string_view s) {
  if (s.empty()) return 0;
  const auto lead = static_cast<uint8_t>(s[0]);
  size_t length;
  if (lead < 0x80) {
    length = 1;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
  } else {
    return 0;  // a continuation byte or an invalid lead byte
  }
  if (length > s.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((static_cast<uint8_t>(s[i]) & 0xc0) != 0x80) return 0;
  }
  return length;
}

bool IsYyyymmdd(std::string_view value) {
  if (value.size() != 8) return false;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

// Every branch leaves *out empty exactly when it returns false: an empty
// derived value is "no value", so no encoder ever hashes an empty field.
bool ApplyTransform(schema::Transform transform, std::string_view normalized,
                    std::string* out) {
  switch (transform) {
    case schema::Transform::kValue:
      out->assign(normalized);
      break;
    case schema::Transform::kCompact:
      Compact(normalized, out);
      break;
    case schema::Transform::kInitial: {
      // The first code point of the compact value is the first one after any
      // leading spaces.
      const size_t start = normalized.find_first_not_of(' ');
      out->clear();
      if (start == std::string_view::npos) return false;
      const std::string_view rest = normalized.substr(start);
      out->assign(rest.substr(0, FirstCodePointLength(rest)));
      break;
    }
    case schema::Transform::kSoundex:
    case schema::Transform::kNysiis: {
      // *out doubles as scratch for the compact value. The codes are at most
      // six characters, within std::string's small-buffer, so the returned
      // temporary does not allocate either.
      Compact(normalized, out);
      const std::string code = transform == schema::Transform::kSoundex
                                   ? normalize::Soundex(*out)
                                   : normalize::Nysiis(*out);
      out->assign(code);
      break;
    }
    case schema::Transform::kYear:
      out->clear();
      if (!IsYyyymmdd(normalized)) return false;
      out->assign(normalized.substr(0, 4));
      break;
    default:
      out->clear();
      return false;
  }
  return !out->empty();
}

}  // namespace fedlink::encode
