// NormalizePostcode, NormalizeIdentifier and NormalizeText: fold, keep
// letters and digits, apply the placeholder rules of placeholders.h.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "linkage/normalize/fold.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/normalize/placeholders.h"
#include "linkage/sensitive.h"

namespace fedlink::normalize {
namespace {

enum class RepeatedCharacter { kIsPlaceholder, kIsValue };

MaybeValue FoldField(std::string_view raw, internal::FoldMode mode,
                     const char* what, RepeatedCharacter repeated) {
  if (internal::IsNotApplicable(raw)) return std::optional<SensitiveString>();
  std::string folded;
  internal::FoldCounts counts;
  absl::Status status = internal::FoldInto(raw, mode, what, &folded, &counts);
  if (!status.ok()) return status;
  SensitiveString value(std::move(folded));  // wiped on every exit
  if (value.empty() || internal::IsPlaceholderPhrase(value.Expose()) ||
      (repeated == RepeatedCharacter::kIsPlaceholder &&
       internal::IsRepeatedCharacter(value.Expose()))) {
    return std::optional<SensitiveString>();
  }
  return std::optional<SensitiveString>(std::move(value));
}

}  // namespace

MaybeValue NormalizePostcode(std::string_view raw) {
  return FoldField(raw, internal::FoldMode::kAlnum, "postcode",
                   RepeatedCharacter::kIsPlaceholder);
}

MaybeValue NormalizeIdentifier(std::string_view raw) {
  return FoldField(raw, internal::FoldMode::kAlnum, "identifier",
                   RepeatedCharacter::kIsPlaceholder);
}

MaybeValue NormalizeText(std::string_view raw) {
  return FoldField(raw, internal::FoldMode::kWords, "text",
                   RepeatedCharacter::kIsValue);
}

}  // namespace fedlink::normalize
