// Phonetic codes over normalised, compact names (ASCII letters, either
// case; any other byte, including UTF-8 letters of other scripts, is
// ignored). An input without ASCII letters gives an empty code. Codes are
// lower case. Neither function allocates for names of up to 64 letters.
// Pure and thread-safe.
#ifndef FEDLINK_LINKAGE_NORMALIZE_PHONETIC_H_
#define FEDLINK_LINKAGE_NORMALIZE_PHONETIC_H_

#include <string>
#include <string_view>

namespace fedlink::normalize {

// American Soundex (the census rules, with the H/W rule): "robert" → "r163",
// "tymczak" → "t522", "pfister" → "p236", "ashcraft" → "a261". Always one
// letter + 3 digits (or empty, see above).
std::string Soundex(std::string_view name);

// NYSIIS (New York State Identification and Intelligence System), the
// original 1970 algorithm by Taft (rules in nysiis.cc), code truncated to 6
// characters: "macintosh" → "mcant", "knight" → "nagt", "schmidt" → "snad".
std::string Nysiis(std::string_view name);

}  // namespace fedlink::normalize

#endif  // FEDLINK_LINKAGE_NORMALIZE_PHONETIC_H_
