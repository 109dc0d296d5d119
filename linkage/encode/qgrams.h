// q-grams over Unicode code points, the units a Bloom-filter encoding (CLK)
// hashes. "ab" with q = 2 and padding gives ␂a, ab, b␃ — three q-grams, where
// the boundary marker is kBoundaryMarker on both sides.
//
// Values are decoded from UTF-8 to code points first, so "né" has the
// bigrams "n é", not a bigram splitting the two bytes of "é". The decoding is
// injective even for malformed UTF-8 (each byte of an invalid sequence maps to
// its own value outside Unicode), so two different byte strings never give
// the same q-grams; normalised input is valid UTF-8 and never takes that path.
#ifndef FEDLINK_LINKAGE_ENCODE_QGRAMS_H_
#define FEDLINK_LINKAGE_ENCODE_QGRAMS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fedlink::encode {

// Not a Unicode scalar value (those end at U+10FFFF), so it cannot collide
// with a character of the input.
inline constexpr uint32_t kBoundaryMarker = 0x110000;
// Byte b of a malformed UTF-8 sequence decodes to kInvalidByteBase + b.
inline constexpr uint32_t kInvalidByteBase = 0x110100;

// Appends the code points of `utf8` to *out (it is not cleared, and its
// capacity is reused). Never fails; see the note on malformed input above.
// Thread-safe.
void AppendCodePoints(std::string_view utf8, std::vector<uint32_t>* out);

// Appends the sequence the q-grams of `utf8` are windows of: with `padded`,
// q-1 boundary markers, the code points, q-1 markers; otherwise just the code
// points. An empty value appends nothing (it is a missing value, and padding
// alone must not make it contribute). Returns the number appended.
size_t AppendQgramSequence(std::string_view utf8, uint32_t q, bool padded,
                           std::vector<uint32_t>* out);

// Number of q-grams of a q-gram sequence of `length` code points: every
// window of q consecutive code points, or — when the sequence is non-empty
// but shorter than q (an unpadded value shorter than q) — the whole sequence
// as a single shorter q-gram, so that a short value still contributes.
inline size_t QgramCount(size_t length, uint32_t q) {
  if (length == 0) return 0;
  return length >= q ? length - q + 1 : 1;
}

// Length of each q-gram of such a sequence: q, or the whole sequence.
inline size_t QgramLength(size_t length, uint32_t q) {
  return length >= q ? q : length;
}

// The q-grams of `utf8` as UTF-32 strings, kBoundaryMarker included. For
// tests and tools; the encoder works on AppendQgramSequence's buffer instead.
std::vector<std::u32string> Qgrams(std::string_view utf8, uint32_t q,
                                   bool padded);

}  // namespace fedlink::encode

#endif  // FEDLINK_LINKAGE_ENCODE_QGRAMS_H_
