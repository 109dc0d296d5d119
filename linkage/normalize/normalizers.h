// Field normalisers: raw identifier text → the canonical form every agency
// produces for the same value. Each returns
//   * a value          — the normalised form,
//   * std::nullopt     — the value is missing (blank, or a known placeholder),
//   * an error status  — the input is invalid (bad UTF-8, impossible date…);
//                        InvalidArgument whose message says why but never
//                        repeats the input (it may be an identifier).
// All functions are pure and thread-safe.
#ifndef FEDLINK_LINKAGE_NORMALIZE_NORMALIZERS_H_
#define FEDLINK_LINKAGE_NORMALIZE_NORMALIZERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/sensitive.h"

namespace fedlink::normalize {

using MaybeValue = absl::StatusOr<std::optional<SensitiveString>>;

// Unicode NFKD, combining marks stripped, case-folded: "García" → "garcia",
// "Nguyễn" → "nguyen", "ß" → "ss". InvalidArgument on malformed UTF-8.
absl::StatusOr<std::string> FoldUnicode(std::string_view utf8);

// Person names: folded, apostrophes dropped, every other run of non-letters
// (hyphens, dots, spaces, digits) becomes one space, trimmed.
// "O'Brien" → "obrien", "García-López" → "garcia lopez", " de la  Cruz" →
// "de la cruz".
MaybeValue NormalizeName(std::string_view raw);

// The name without spaces: "de la cruz" → "delacruz".
std::string CompactName(std::string_view normalized_name);

struct DateOptions {
  // strftime-like input formats tried in order: %Y (4 digits), %m, %d (1–2
  // digits), %b (month name or 3-letter abbreviation), other characters
  // literal. Default: {"%Y%m%d", "%Y-%m-%d"}.
  std::vector<std::string> formats;
  int min_year = 1850;  // earlier years are rejected as invalid
  int max_year = 2100;
};

// Dates → "YYYYMMDD" after calendar validation (29 Feb only in leap years).
MaybeValue NormalizeDate(std::string_view raw, const DateOptions& options = {});

// Sex → "m", "f" or "u" (explicit unknown / other); accepts common codes and
// words (M, male, F, female, W, 1/2 are NOT guessed: numeric codes are invalid).
MaybeValue NormalizeSex(std::string_view raw);

// Postcodes: letters and digits only, folded ("SW1A 1AA" → "sw1a1aa").
MaybeValue NormalizePostcode(std::string_view raw);

// Free identifiers (SSN, student id): letters and digits only, folded; values
// made of one repeated character ("000000000") are placeholders → missing.
MaybeValue NormalizeIdentifier(std::string_view raw);

// Other text: folded, letters/digits, single spaces.
MaybeValue NormalizeText(std::string_view raw);

// Dispatches on the schema's field kind; `date` applies to kDate only.
MaybeValue NormalizeField(schema::FieldKind kind, std::string_view raw,
                          const DateOptions& date = {});

}  // namespace fedlink::normalize

#endif  // FEDLINK_LINKAGE_NORMALIZE_NORMALIZERS_H_
