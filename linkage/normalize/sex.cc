// NormalizeSex: a closed English vocabulary, nothing guessed.
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "linkage/normalize/fold.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/normalize/placeholders.h"
#include "linkage/sensitive.h"

namespace fedlink::normalize {
namespace {

struct SexWord {
  std::string_view folded;
  const char* code;
};

// Folded spellings (so "Female", "FEMALE" and "female " all match). "w" is
// the German and Dutch code for women (weiblich, vrouw); "x" the ICAO
// passport code for unspecified; "i" indeterminate; "o" other.
constexpr SexWord kSexWords[] = {
    {"m", "m"},
    {"male", "m"},
    {"man", "m"},
    {"f", "f"},
    {"female", "f"},
    {"woman", "f"},
    {"w", "f"},
    {"u", "u"},
    {"unknown", "u"},
    {"not known", "u"},
    {"not stated", "u"},
    {"unspecified", "u"},
    {"x", "u"},
    {"o", "u"},
    {"other", "u"},
    {"i", "u"},
    {"indeterminate", "u"},
};

}  // namespace

MaybeValue NormalizeSex(std::string_view raw) {
  if (internal::IsNotApplicable(raw)) return std::optional<SensitiveString>();
  std::string folded;
  internal::FoldCounts counts;
  absl::Status status = internal::FoldInto(raw, internal::FoldMode::kWords,
                                           "sex", &folded, &counts);
  if (!status.ok()) return status;
  const SensitiveString value(std::move(folded));  // wiped on every exit
  if (value.empty()) return std::optional<SensitiveString>();
  for (const SexWord& word : kSexWords) {
    if (value.Expose() == word.folded) {
      return std::optional<SensitiveString>(SensitiveString(word.code));
    }
  }
  if (counts.letters == 0) {
    // 1/2, 0/1, 1/2/9… mean different things at different agencies.
    return absl::InvalidArgumentError(
        "sex: numeric codes are not accepted (their meaning differs between "
        "agencies); map them to m/f/u before linkage");
  }
  return absl::InvalidArgumentError("sex: not a recognised code or word");
}

}  // namespace fedlink::normalize
