#include "proto/runtime/abandon_reason.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace fedlink::proto {

std::string AbandonReasonName(v1::AbandonReason reason) {
  constexpr std::string_view kPrefix = "ABANDON_REASON_";
  const std::string& name = v1::AbandonReason_Name(reason);
  if (name.size() <= kPrefix.size()) return absl::StrCat("reason ", static_cast<int>(reason));
  return absl::AsciiStrToLower(name.substr(kPrefix.size()));
}

std::string AbandonDetail(absl::string_view message) {
  std::string detail;
  detail.reserve(std::min(message.size(), kMaxAbandonDetailBytes));
  for (const char c : message) {
    if (detail.size() == kMaxAbandonDetailBytes) break;
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F) {
      detail.push_back(c);
    } else {
      detail.push_back(byte < 0x20 ? ' ' : '?');
    }
  }
  return detail;
}

}  // namespace fedlink::proto
