// Phonetic codes over normalised, compact names (lower-case a–z; any other
// character is ignored). An input without letters gives an empty code.
// Pure and thread-safe.
#ifndef FEDLINK_LINKAGE_NORMALIZE_PHONETIC_H_
#define FEDLINK_LINKAGE_NORMALIZE_PHONETIC_H_

#include <string>
#include <string_view>

namespace fedlink::normalize {

// American Soundex (the census rules, with the H/W rule): "robert" → "r163",
// "tymczak" → "t522", "pfister" → "p236". Always one letter + 3 digits.
std::string Soundex(std::string_view name);

// NYSIIS (New York State Identification and Intelligence System), the
// original algorithm, code truncated to 6 characters: "macintosh" → "mcant".
std::string Nysiis(std::string_view name);

}  // namespace fedlink::normalize

#endif  // FEDLINK_LINKAGE_NORMALIZE_PHONETIC_H_
