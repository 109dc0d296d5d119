// NormalizeName and CompactName.
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

MaybeValue NormalizeName(std::string_view raw) {
  if (internal::IsNotApplicable(raw)) return std::optional<SensitiveString>();
  std::string folded;
  internal::FoldCounts counts;
  absl::Status status = internal::FoldInto(raw, internal::FoldMode::kNameWords,
                                           "name", &folded, &counts);
  if (!status.ok()) return status;
  // Held as a SensitiveString from here on so that every exit wipes it.
  SensitiveString value(std::move(folded));
  if (counts.letters == 0) {
    if (counts.digits > 0) {
      return absl::InvalidArgumentError("name: has digits but no letters");
    }
    return std::optional<SensitiveString>();  // blank or punctuation only
  }
  if (internal::IsPlaceholderPhrase(value.Expose())) {
    return std::optional<SensitiveString>();
  }
  return std::optional<SensitiveString>(std::move(value));
}

void CompactNameInto(std::string_view normalized_name, std::string* out) {
  out->clear();
  out->reserve(normalized_name.size());
  for (char c : normalized_name) {
    if (c != ' ' && c != '-' && c != '\'') out->push_back(c);
  }
}

std::string CompactName(std::string_view normalized_name) {
  std::string out;
  CompactNameInto(normalized_name, &out);
  return out;
}

}  // namespace fedlink::normalize
