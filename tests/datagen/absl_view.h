// Debian's Abseil 20220623 has its own absl::string_view, distinct from
// std::string_view, and absl::StrCat/StrFormat do not take the latter. Av()
// converts at those call sites.
#ifndef FEDLINK_TESTS_DATAGEN_ABSL_VIEW_H_
#define FEDLINK_TESTS_DATAGEN_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace fedlink::datagen {

inline absl::string_view Av(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_ABSL_VIEW_H_
