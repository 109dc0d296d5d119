// Corruption primitives: the errors data entry, scanning and legacy systems
// introduce. Each works on one value, draws from the caller's Rng, and
// returns whether it changed the value (false when the value offers no
// opportunity, e.g. no accent to strip). UTF-8 safe: edits happen on
// code-point boundaries. Thread-safe (no shared state).
#ifndef FEDLINK_TESTS_DATAGEN_CORRUPT_H_
#define FEDLINK_TESTS_DATAGEN_CORRUPT_H_

#include <cstdint>
#include <string>

#include "tests/datagen/date.h"
#include "tests/datagen/rng.h"

namespace fedlink::datagen {

// One keyboard slip: insert a neighbouring key, delete a character,
// substitute a QWERTY neighbour (an accented letter loses its accent, a
// punctuation mark is dropped) or transpose two adjacent characters. Never
// empties the text.
bool ApplyTypo(std::string* text, Rng& rng);

// One OCR confusion such as rn→m, m→rn, l→1, O→0, 5→S, cl→d.
bool ApplyOcrError(std::string* text, Rng& rng);

// An extra leading, trailing or inner space.
bool ApplyWhitespace(std::string* text, Rng& rng);

// Upper case, lower case, or lower case with only the first letter capital
// ("McDonald" → "Mcdonald").
bool ApplyCaseChange(std::string* text, Rng& rng);

// Day and month exchanged, when the day is 1..12 and differs from the month.
bool ApplyDateSwap(Date* date);

// One digit of the year (last two), month or day replaced so that the date
// stays valid and within [1900, reference year].
bool ApplyDateTypo(Date* date, int max_year, Rng& rng);

// One digit changed or two adjacent digits swapped, keeping a valid SSN.
bool ApplySsnTypo(uint32_t* ssn, Rng& rng);

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_CORRUPT_H_
