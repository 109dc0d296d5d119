// Internal to linkage/normalize: the one folding pass every text normaliser
// uses. Unicode NFKD, marks stripped, case-folded (utf8proc), a few Latin
// letters transliterated, then the letters and digits joined as the mode says.
// Pure-ASCII input never reaches utf8proc: it is lower-cased byte by byte,
// which gives exactly what the Unicode path gives for ASCII.
#ifndef FEDLINK_LINKAGE_NORMALIZE_FOLD_H_
#define FEDLINK_LINKAGE_NORMALIZE_FOLD_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fedlink::normalize::internal {

// What survives folding and how the survivors are joined. "Letter" is any
// Unicode letter (categories L*), "digit" a decimal digit (Nd); everything
// else is "other". Apostrophes (' ` ’ ‘ ʼ ʻ ´ ′ and the middle dot ·) form
// their own class so that names can drop them.
enum class FoldMode {
  kKeepAll,    // every character kept, folded; apostrophe look-alikes → '
  kWords,      // letters and digits; each run of others → one space, trimmed
  kNameWords,  // letters; apostrophes dropped; each run of others (digits
               // included) → one space, trimmed
  kAlnum,      // letters and digits; everything else dropped
};

// What the folded input contained (counted before the mode drops anything).
struct FoldCounts {
  size_t letters = 0;  // code points
  size_t digits = 0;
};

// Replaces *out with the folded form of `utf8`. Writes to *out only once,
// with its capacity reserved up front, so no partial copies of the value are
// left behind by reallocation. `what` names the field kind for the error
// message ("name", "postcode"…). InvalidArgument "<what>: malformed UTF-8"
// for truncated or overlong sequences, surrogates and code points past
// U+10FFFF (the message never contains the input); ResourceExhausted if
// utf8proc cannot allocate. Thread-safe.
absl::Status FoldInto(std::string_view utf8, FoldMode mode, const char* what,
                      std::string* out, FoldCounts* counts);

}  // namespace fedlink::normalize::internal

#endif  // FEDLINK_LINKAGE_NORMALIZE_FOLD_H_
