// Field normalisers: raw identifier text → the canonical form every agency
// produces for the same value. Each returns
//   * a value          — the normalised form,
//   * std::nullopt     — the value is missing (blank, or a known placeholder),
//   * an error status  — the input is invalid (bad UTF-8, impossible date…);
//                        InvalidArgument whose message says why but never
//                        repeats the input (it may be an identifier).
// All functions are pure and thread-safe.
//
// Folding (every text normaliser): Unicode NFKD, combining marks stripped in
// every script, Unicode case folding, default-ignorable code points (soft
// hyphen, zero-width joiner…) removed (utf8proc, Unicode 15). Ten Latin
// letters that NFKD does not decompose are transliterated: æ→ae ð→d ø→o
// þ→th đ→d ħ→h ı→i ł→l œ→oe ŧ→t. Letters of other scripts stay, folded, as
// UTF-8 ("Иван" → "иван"; their marks go too: "й" → "и"). Digits are decimal
// digits of any script; compatibility forms become ASCII ("２" → "2"), others
// stay as they are.
// Language-specific spellings are not guessed: "Müller" → "muller", which
// differs from "mueller" (the phonetic codes of both are equal).
//
// Missing (std::nullopt) for every field: blank or white space only;
// punctuation or symbols only ("-", "?", "--/--/----"); "n/a" in any case; the
// phrases "unknown", "not known", "not stated", "not recorded",
// "not available" in any case and spacing (NormalizeSex maps the phrases to
// "u" instead, see there). Identifiers and postcodes made of one repeated
// character, and dates whose digits are all 0 or all 9, are missing too.
// Nothing else is: "none", "baby", "123456789" are values.
#ifndef FEDLINK_LINKAGE_NORMALIZE_NORMALIZERS_H_
#define FEDLINK_LINKAGE_NORMALIZE_NORMALIZERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/sensitive.h"

namespace fedlink::normalize {

using MaybeValue = absl::StatusOr<std::optional<SensitiveString>>;

// Unicode NFKD, combining marks stripped, case-folded, with the
// transliterations above: "García" → "garcia", "Nguyễn" → "nguyen",
// "ß" → "ss". Every other character is kept as folded (spaces, punctuation,
// control characters), except that apostrophe look-alikes (` ´ ‘ ’ ʼ ʻ ′)
// become '. Pure-ASCII input is only lower-cased. InvalidArgument on
// malformed UTF-8 (truncated or overlong sequences, surrogates, code points
// past U+10FFFF).
absl::StatusOr<std::string> FoldUnicode(std::string_view utf8);

// Person names: folded, apostrophes dropped, every other run of non-letters
// (hyphens, dots, spaces, digits) becomes one space, trimmed.
// "O'Brien" → "obrien", "García-López" → "garcia lopez", " de la  Cruz" →
// "de la cruz", "J.R." → "j r". InvalidArgument for malformed UTF-8 and for a
// value with digits but no letters ("12345").
MaybeValue NormalizeName(std::string_view raw);

// The name without spaces, hyphens and apostrophes: "de la cruz" →
// "delacruz". Meant for NormalizeName's output; bytes other than those three
// are copied unchanged.
std::string CompactName(std::string_view normalized_name);

// CompactName into *out (cleared first); reuses out's capacity, so a caller
// that keeps `out` allocates nothing in steady state.
void CompactNameInto(std::string_view normalized_name, std::string* out);

struct DateOptions {
  // Input formats tried in order; the first that matches the whole value
  // (ASCII white space around it ignored) and gives a real calendar date
  // wins. Directives: %Y (exactly 4 digits), %m and %d (1–2 digits; exactly
  // 2 when directly next to another of %Y %m %d, so "%Y%m%d" needs 8
  // digits), %b (English month name, "Sept", or 3-letter abbreviation, any
  // case), %% (a literal %). Each format has one year, one month (%m or %b)
  // and one day. A space matches one or more spaces or tabs; other
  // characters match themselves, ignoring ASCII case. Two-digit years (%y)
  // are not supported: the century of a birth date cannot be guessed.
  // Empty means the default {"%Y%m%d", "%Y-%m-%d"}.
  std::vector<std::string> formats;
  int min_year = 1850;  // earlier years are rejected as invalid
  int max_year = 2100;  // later years are rejected as invalid
};

// InvalidArgument naming the offending format (by index) when `options`
// breaks a rule above, or when not 1 <= min_year <= max_year <= 9999. Call
// it once when the options are configured; NormalizeDate checks them again
// and fails every value with the same error otherwise. Thread-safe.
absl::Status ValidateDateOptions(const DateOptions& options);

// Dates → "YYYYMMDD" after calendar validation (29 Feb only in leap years,
// Gregorian rules: 1900 is not one, 2000 is). InvalidArgument when no format
// matches, when the month or day does not exist, or when the year is outside
// [min_year, max_year]; when several formats match, the error of the first
// one is returned.
MaybeValue NormalizeDate(std::string_view raw, const DateOptions& options = {});

// Sex → "m", "f" or "u" (explicit unknown / other). Accepts, after folding:
// m, male, man → "m"; f, female, woman, w → "f"; u, unknown, not known,
// not stated, unspecified, x, o, other, i, indeterminate → "u". Numeric codes
// (1/2, 0/1, 9…) are InvalidArgument: their meaning differs between
// agencies, so they must be mapped before linkage. Anything else is
// InvalidArgument.
MaybeValue NormalizeSex(std::string_view raw);

// Postcodes: letters and digits only, folded ("SW1A 1AA" → "sw1a1aa").
MaybeValue NormalizePostcode(std::string_view raw);

// Free identifiers (SSN, student id): letters and digits only, folded
// ("123-45-6789" → "123456789"); values made of one repeated character
// ("000000000") are placeholders → missing.
MaybeValue NormalizeIdentifier(std::string_view raw);

// Other text: folded, letters/digits, runs of anything else → one space.
MaybeValue NormalizeText(std::string_view raw);

// Dispatches on the schema's field kind; `date` applies to kDate only.
MaybeValue NormalizeField(schema::FieldKind kind, std::string_view raw,
                          const DateOptions& date = {});

}  // namespace fedlink::normalize

#endif  // FEDLINK_LINKAGE_NORMALIZE_NORMALIZERS_H_
