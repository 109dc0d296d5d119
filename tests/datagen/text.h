// Small UTF-8 helpers for the corruption functions: code-point boundaries,
// case mapping and accent stripping for the Latin letters (incl. Vietnamese)
// that occur in the name tables. Not general Unicode: letters outside the
// table are left as they are. All functions are pure and thread-safe.
#ifndef FEDLINK_TESTS_DATAGEN_TEXT_H_
#define FEDLINK_TESTS_DATAGEN_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace fedlink::datagen {

// Byte length of the UTF-8 sequence that starts with `lead` (1 for ASCII and
// for stray continuation bytes, so scanning always advances).
size_t Utf8SequenceLength(unsigned char lead);

// Number of code points in `text`.
size_t CodePointCount(std::string_view text);

// Byte offset of code point number `index` (text.size() when index equals the
// count).
size_t CodePointOffset(std::string_view text, size_t index);

// The first code point of `text` (empty for empty text).
std::string_view FirstCodePoint(std::string_view text);

bool HasNonAscii(std::string_view text);

// True when every non-ASCII code point of `text` is in the accent table, so
// that StripAccents yields pure ASCII and case mapping is complete.
bool AllLettersKnown(std::string_view text);

// Each replaces in place and returns whether anything changed.
bool StripAccents(std::string* text);  // "Nguyễn" → "Nguyen"
bool ToUpperCase(std::string* text);   // "García" → "GARCÍA"
bool ToLowerCase(std::string* text);   // "García" → "garcía"

// The ASCII letter a table letter folds to ('é' → 'e', 'Đ' → 'D'), or 0 when
// the code point at the start of `code_point` is not in the table.
char AccentBase(std::string_view code_point);

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_TEXT_H_
