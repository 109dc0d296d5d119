// Internal to linkage/normalize: what counts as "no value" beyond a blank.
// Kept deliberately short — a rule here turns real data into missing data on
// every agency at once, so only values that cannot be a real identifier are
// listed:
//   * blank or whitespace-only (any Unicode white space);
//   * punctuation or symbols only ("-", "?", "--/--/----");
//   * "n/a" in any case;
//   * the phrases "unknown", "not known", "not stated", "not recorded",
//     "not available" (any case, spacing or punctuation);
//   * for identifiers and postcodes: one character repeated ("000000000",
//     "XXXX", a lone "0");
//   * for dates: every digit 0, or every digit 9 ("00/00/0000", "99999999").
// Not placeholders: "none", "nmn", "baby boy", "x", sequential ids such as
// "123456789" — they are plausible in some field of some agency.
#ifndef FEDLINK_LINKAGE_NORMALIZE_PLACEHOLDERS_H_
#define FEDLINK_LINKAGE_NORMALIZE_PLACEHOLDERS_H_

#include <string_view>

namespace fedlink::normalize::internal {

// `raw` without leading and trailing ASCII white space.
std::string_view TrimAsciiWhitespace(std::string_view raw);

// True for "n/a", any case, surrounded by any ASCII white space.
bool IsNotApplicable(std::string_view raw);

// True when the folded value (lower case; spaces anywhere are ignored) is
// one of the placeholder phrases above.
bool IsPlaceholderPhrase(std::string_view folded);

// True when the value is one UTF-8 character, possibly repeated.
bool IsRepeatedCharacter(std::string_view folded);

}  // namespace fedlink::normalize::internal

#endif  // FEDLINK_LINKAGE_NORMALIZE_PLACEHOLDERS_H_
