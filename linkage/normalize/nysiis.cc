// NYSIIS as R. L. Taft published it in "Name Search Techniques" (New York
// State Identification and Intelligence System, 1970), in the step
// numbering that NIST's Dictionary of Algorithms and Data Structures and
// Wikipedia reproduce:
//   1. Prefixes: MAC → MCC, KN → NN, K → C, PH and PF → FF, SCH → SSS.
//   2. Suffixes: EE and IE → Y; DT, RT, RD, NT and ND → D.
//   3. The code starts with the first letter of the (rewritten) name.
//   4–6. Scan from the second letter, rewriting the name in place, exactly
//      one rule per position: EV → AF, other vowels → A; Q → G, Z → S,
//      M → N; K → N before N, else C; SCH → SSS; PH → FF; H → the preceding
//      letter when the preceding or the following letter is not a vowel;
//      W → the preceding letter when that is a vowel. The (rewritten)
//      letter is appended unless it equals the last letter of the code.
//   7. Drop a final S; 8. final AY → Y; 9. drop a final A.
// The code is then cut to six letters (Taft's key length). Steps 7–9 never
// remove the first letter. Vowels are A E I O U; Y is a consonant here.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "linkage/normalize/phonetic.h"

namespace fedlink::normalize {
namespace {

constexpr size_t kNysiisLength = 6;
// Steps 7–9 shorten the code by at most two letters ("…AS", "…AYS"), so once
// the code has this many letters its first six are final.
constexpr size_t kEnoughLetters = kNysiisLength + 3;

bool IsVowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

char Letter(char c) {
  if (c >= 'a' && c <= 'z') return c;
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return 0;
}

// Steps 1–2 on the letters s[0..n); returns the new length.
size_t RewriteEnds(char* s, size_t n) {
  const char a = s[0];
  const char b = n > 1 ? s[1] : 0;
  const char c = n > 2 ? s[2] : 0;
  if (a == 'm' && b == 'a' && c == 'c') {
    s[1] = 'c';
  } else if (a == 'k') {
    s[0] = b == 'n' ? 'n' : 'c';
  } else if (a == 'p' && (b == 'h' || b == 'f')) {
    s[0] = 'f';
    s[1] = 'f';
  } else if (a == 's' && b == 'c' && c == 'h') {
    s[1] = 's';
    s[2] = 's';
  }
  if (n < 2) return n;
  const char y = s[n - 2];
  const char z = s[n - 1];
  if (z == 'e' && (y == 'e' || y == 'i')) {
    s[n - 2] = 'y';
    return n - 1;
  }
  if ((z == 't' && (y == 'd' || y == 'r' || y == 'n')) ||
      (z == 'd' && (y == 'r' || y == 'n'))) {
    s[n - 2] = 'd';
    return n - 1;
  }
  return n;
}

// Step 5 at position i (i >= 1): rewrites s[i] (and for EV, SCH, PH the
// letters after it).
void RewriteAt(char* s, size_t n, size_t i) {
  const char c = s[i];
  const char prev = s[i - 1];
  const char next = i + 1 < n ? s[i + 1] : 0;
  if (IsVowel(c)) {
    s[i] = 'a';
    if (c == 'e' && next == 'v') s[i + 1] = 'f';
  } else if (c == 'q') {
    s[i] = 'g';
  } else if (c == 'z') {
    s[i] = 's';
  } else if (c == 'm') {
    s[i] = 'n';
  } else if (c == 'k') {
    s[i] = next == 'n' ? 'n' : 'c';
  } else if (c == 's' && next == 'c' && i + 2 < n && s[i + 2] == 'h') {
    s[i + 1] = 's';
    s[i + 2] = 's';
  } else if (c == 'p' && next == 'h') {
    s[i] = 'f';
    s[i + 1] = 'f';
  } else if (c == 'h' && (!IsVowel(prev) || !IsVowel(next))) {
    s[i] = prev;
  } else if (c == 'w' && IsVowel(prev)) {
    s[i] = prev;
  }
}

}  // namespace

std::string Nysiis(std::string_view name) {
  // The name's letters, rewritten in place. Names of up to 64 letters (all
  // real ones) need no heap.
  std::array<char, 64> stack_letters;
  std::string heap_letters;
  size_t n = 0;
  for (char c : name) n += Letter(c) != 0;
  if (n == 0) return std::string();
  char* s = stack_letters.data();
  if (n > stack_letters.size()) {
    heap_letters.resize(n);
    s = heap_letters.data();
  }
  size_t k = 0;
  for (char c : name) {
    if (const char letter = Letter(c); letter != 0) s[k++] = letter;
  }

  n = RewriteEnds(s, n);
  std::array<char, kEnoughLetters> code;
  size_t length = 0;
  code[length++] = s[0];
  for (size_t i = 1; i < n && length < kEnoughLetters; ++i) {
    RewriteAt(s, n, i);
    if (s[i] != code[length - 1]) code[length++] = s[i];
  }

  if (length > 1 && code[length - 1] == 's') --length;
  if (length > 2 && code[length - 2] == 'a' && code[length - 1] == 'y') {
    code[length - 2] = 'y';
    --length;
  }
  if (length > 1 && code[length - 1] == 'a') --length;
  return std::string(code.data(),
                     length < kNysiisLength ? length : kNysiisLength);
}

}  // namespace fedlink::normalize
