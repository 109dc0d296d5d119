// The folding pass (fold.h) and FoldUnicode (normalizers.h).
#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "linkage/normalize/fold.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/sensitive.h"

namespace fedlink::normalize {
namespace internal {
namespace {

// NFKD (DECOMPOSE + COMPAT), marks stripped, case-folded, default-ignorable
// code points (soft hyphen, zero-width joiner, BOM…) removed.
constexpr utf8proc_option_t kFoldOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
    UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);

enum class CharClass { kLetter, kDigit, kApostrophe, kOther };

bool IsAscii(std::string_view text) {
  unsigned char any_high = 0;
  for (char c : text) any_high |= static_cast<unsigned char>(c);
  return (any_high & 0x80) == 0;
}

CharClass AsciiClass(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
    return CharClass::kLetter;
  if (c >= '0' && c <= '9') return CharClass::kDigit;
  if (c == '\'' || c == '`') return CharClass::kApostrophe;
  return CharClass::kOther;
}

// What the Unicode path makes of an ASCII character: case folding lowers
// A-Z, and MapApostrophes turns ` into '.
char AsciiFold(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c == '`' ? '\'' : c;
}

// Apostrophe look-alikes become U+0027 before utf8proc decomposes anything:
// the acute accent U+00B4 would otherwise decompose to a space plus a mark,
// and the modifier letters ʼ ʻ are letters (category Lm) that names such as
// O’Brien or Kaʻiulani write where ASCII data has ' or nothing.
utf8proc_int32_t MapApostrophes(utf8proc_int32_t cp, void* /*data*/) {
  switch (cp) {
    case 0x0060:  // ` grave accent
    case 0x00B4:  // ´ acute accent
    case 0x02BB:  // ʻ modifier letter turned comma (Hawaiian ʻokina)
    case 0x02BC:  // ʼ modifier letter apostrophe
    case 0x2018:  // ‘ left single quotation mark
    case 0x2019:  // ’ right single quotation mark
    case 0x201B:  // ‛ single high-reversed-9 quotation mark
    case 0x2032:  // ′ prime
      return 0x0027;
    default:
      return cp;
  }
}

// Latin letters that NFKD leaves alone because Unicode treats them as
// letters in their own right, not as a base letter plus a mark. Keys are the
// case-folded forms. The replacements are the usual ASCII spellings, so that
// "Søren" and "Soren", "Łukasz" and "Lukasz" fold alike. ß and ẞ need no entry:
// case folding already gives "ss".
struct Transliteration {
  utf8proc_int32_t code_point;
  const char* ascii;  // one or two lower-case letters
};
constexpr Transliteration kTransliterations[] = {
    {0x00E6, "ae"},  // æ
    {0x00F0, "d"},   // ð eth
    {0x00F8, "o"},   // ø
    {0x00FE, "th"},  // þ thorn
    {0x0111, "d"},   // đ d with stroke
    {0x0127, "h"},   // ħ h with stroke
    {0x0131, "i"},   // ı dotless i
    {0x0142, "l"},   // ł l with stroke
    {0x0153, "oe"},  // œ
    {0x0167, "t"},   // ŧ t with stroke
};

const char* Transliterate(utf8proc_int32_t cp) {
  for (const Transliteration& t : kTransliterations) {
    if (t.code_point == cp) return t.ascii;
  }
  return nullptr;
}

CharClass UnicodeClass(utf8proc_int32_t cp) {
  if (cp == 0x00B7) return CharClass::kApostrophe;  // · Catalan "l·l"
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return CharClass::kLetter;
    case UTF8PROC_CATEGORY_ND:
      return CharClass::kDigit;
    default:
      return CharClass::kOther;
  }
}

// Writes classified characters to `out` as the mode says. A separator is
// emitted lazily, just before the next kept character, so the output is
// never trimmed after the fact. `Bytes` is a char (the ASCII path) or a
// std::string_view (one folded code point).
class Emitter {
 public:
  Emitter(FoldMode mode, std::string* out, FoldCounts* counts)
      : mode_(mode), out_(out), counts_(counts) {}

  template <typename Bytes>
  void Emit(CharClass cls, Bytes folded) {
    switch (cls) {
      case CharClass::kLetter:
        ++counts_->letters;
        Keep(folded);
        return;
      case CharClass::kDigit:
        ++counts_->digits;
        if (mode_ == FoldMode::kNameWords) {
          separator_pending_ = true;
        } else {
          Keep(folded);
        }
        return;
      case CharClass::kApostrophe:
        if (mode_ == FoldMode::kKeepAll) {
          Append(folded);
        } else if (mode_ == FoldMode::kWords) {
          separator_pending_ = true;
        }
        // kNameWords joins across apostrophes; kAlnum drops them.
        return;
      case CharClass::kOther:
        if (mode_ == FoldMode::kKeepAll) {
          Append(folded);
        } else if (mode_ != FoldMode::kAlnum) {
          separator_pending_ = true;
        }
        return;
    }
  }

 private:
  template <typename Bytes>
  void Keep(Bytes bytes) {
    if (separator_pending_ && !out_->empty()) out_->push_back(' ');
    separator_pending_ = false;
    Append(bytes);
  }
  void Append(char byte) { out_->push_back(byte); }
  void Append(std::string_view bytes) { out_->append(bytes); }

  FoldMode mode_;
  std::string* out_;
  FoldCounts* counts_;
  bool separator_pending_ = false;
};

void FoldAscii(std::string_view ascii, FoldMode mode, std::string* out,
               FoldCounts* counts) {
  out->reserve(ascii.size());
  Emitter emitter(mode, out, counts);
  for (char c : ascii) {
    emitter.Emit(AsciiClass(c), AsciiFold(c));
  }
}

// utf8proc returns malloc'ed memory; wipe it (it holds the folded value)
// before freeing.
struct Utf8procBufferDeleter {
  size_t size;
  void operator()(utf8proc_uint8_t* buffer) const {
    WipeBytes(buffer, size);
    std::free(buffer);
  }
};
using Utf8procBuffer = std::unique_ptr<utf8proc_uint8_t, Utf8procBufferDeleter>;

absl::Status FoldUnicodeInto(std::string_view utf8, FoldMode mode,
                             const char* what, std::string* out,
                             FoldCounts* counts) {
  utf8proc_uint8_t* raw_buffer = nullptr;
  const utf8proc_ssize_t length = utf8proc_map_custom(
      reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
      static_cast<utf8proc_ssize_t>(utf8.size()), &raw_buffer, kFoldOptions,
      &MapApostrophes, nullptr);
  if (length < 0) {
    if (length == UTF8PROC_ERROR_INVALIDUTF8) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": malformed UTF-8"));
    }
    if (length == UTF8PROC_ERROR_NOMEM || length == UTF8PROC_ERROR_OVERFLOW) {
      return absl::ResourceExhaustedError(
          absl::StrCat(what, ": value too large to fold"));
    }
    return absl::InternalError(
        absl::StrCat(what, ": utf8proc failed: ", utf8proc_errmsg(length)));
  }
  const Utf8procBuffer buffer(
      raw_buffer, Utf8procBufferDeleter{static_cast<size_t>(length)});

  // Every transliteration is no longer in ASCII than its two-byte UTF-8
  // source, so the folded length bounds the output.
  out->reserve(static_cast<size_t>(length));
  Emitter emitter(mode, out, counts);
  const utf8proc_uint8_t* const bytes = buffer.get();
  utf8proc_ssize_t pos = 0;
  while (pos < length) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n = utf8proc_iterate(bytes + pos, length - pos, &cp);
    if (n <= 0) {  // utf8proc's own output is valid UTF-8
      return absl::InternalError(
          absl::StrCat(what, ": utf8proc produced malformed UTF-8"));
    }
    const std::string_view folded(reinterpret_cast<const char*>(bytes + pos),
                                  static_cast<size_t>(n));
    pos += n;
    if (cp < 0x80) {
      emitter.Emit(AsciiClass(static_cast<char>(cp)), folded);
    } else if (const char* ascii = Transliterate(cp); ascii != nullptr) {
      emitter.Emit(CharClass::kLetter, std::string_view(ascii));
    } else {
      emitter.Emit(UnicodeClass(cp), folded);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FoldInto(std::string_view utf8, FoldMode mode, const char* what,
                      std::string* out, FoldCounts* counts) {
  out->clear();
  *counts = FoldCounts{};
  if (IsAscii(utf8)) {
    FoldAscii(utf8, mode, out, counts);
    return absl::OkStatus();
  }
  return FoldUnicodeInto(utf8, mode, what, out, counts);
}

}  // namespace internal

absl::StatusOr<std::string> FoldUnicode(std::string_view utf8) {
  std::string out;
  internal::FoldCounts counts;
  absl::Status status = internal::FoldInto(utf8, internal::FoldMode::kKeepAll,
                                           "text", &out, &counts);
  if (!status.ok()) return status;
  return out;
}

}  // namespace fedlink::normalize
