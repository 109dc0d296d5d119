#include "linkage/document/quote_name.h"

#include <cstddef>
#include <cstdio>

namespace fedlink::document {

std::string QuoteName(std::string_view name) {
  // Names are at most 64 bytes everywhere in the contract; longer input is
  // shown cut, which is enough to find it.
  constexpr size_t kMaxShown = 64;
  std::string out = "'";
  for (size_t i = 0; i < name.size() && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out.append(escaped);
    }
  }
  if (name.size() > kMaxShown) out.append("...");
  out.push_back('\'');
  return out;
}

}  // namespace fedlink::document
