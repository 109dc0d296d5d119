#include "linkage/encode/qgrams.h"

namespace fedlink::encode {
namespace {

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Decodes one well-formed UTF-8 sequence (RFC 3629: shortest form, no
// surrogates, at most U+10FFFF) at s[i]. Returns its length, or 0 if the
// bytes there are not one.
size_t DecodeOne(std::string_view s, size_t i, uint32_t* cp) {
  const auto byte = [&](size_t j) { return static_cast<uint8_t>(s[j]); };
  const uint8_t b0 = byte(i);
  const size_t left = s.size() - i;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left < 2 || !IsContinuation(byte(i + 1))) return 0;
    *cp = (uint32_t{b0} & 0x1F) << 6 | (byte(i + 1) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !IsContinuation(byte(i + 1)) ||
        !IsContinuation(byte(i + 2))) {
      return 0;
    }
    const uint32_t v = (uint32_t{b0} & 0x0F) << 12 |
                       (uint32_t{byte(i + 1)} & 0x3F) << 6 |
                       (byte(i + 2) & 0x3F);
    if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !IsContinuation(byte(i + 1)) ||
        !IsContinuation(byte(i + 2)) || !IsContinuation(byte(i + 3))) {
      return 0;
    }
    const uint32_t v = (uint32_t{b0} & 0x07) << 18 |
                       (uint32_t{byte(i + 1)} & 0x3F) << 12 |
                       (uint32_t{byte(i + 2)} & 0x3F) << 6 |
                       (byte(i + 3) & 0x3F);
    if (v < 0x10000 || v > 0x10FFFF) return 0;
    *cp = v;
    return 4;
  }
  return 0;
}

}  // namespace

void AppendCodePoints(std::string_view utf8, std::vector<uint32_t>* out) {
  size_t i = 0;
  while (i < utf8.size()) {
    const uint8_t b = static_cast<uint8_t>(utf8[i]);
    if (b < 0x80) {  // ASCII: the common case for normalised identifiers
      out->push_back(b);
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t n = DecodeOne(utf8, i, &cp);
    if (n == 0) {
      // A lone byte of a malformed sequence: mapped outside Unicode, so the
      // decoding stays injective; decoding resumes at the next byte.
      out->push_back(kInvalidByteBase + b);
      ++i;
    } else {
      out->push_back(cp);
      i += n;
    }
  }
}

size_t AppendQgramSequence(std::string_view utf8, uint32_t q, bool padded,
                           std::vector<uint32_t>* out) {
  if (utf8.empty()) return 0;
  const size_t before = out->size();
  const size_t markers = (padded && q > 0) ? q - 1 : 0;
  out->insert(out->end(), markers, kBoundaryMarker);
  AppendCodePoints(utf8, out);
  out->insert(out->end(), markers, kBoundaryMarker);
  return out->size() - before;
}

std::vector<std::u32string> Qgrams(std::string_view utf8, uint32_t q,
                                   bool padded) {
  std::vector<uint32_t> seq;
  const size_t length = AppendQgramSequence(utf8, q, padded, &seq);
  const size_t count = QgramCount(length, q);
  const size_t width = QgramLength(length, q);
  std::vector<std::u32string> grams;
  grams.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    grams.emplace_back(seq.begin() + static_cast<std::ptrdiff_t>(i),
                       seq.begin() + static_cast<std::ptrdiff_t>(i + width));
  }
  return grams;
}

}  // namespace fedlink::encode
