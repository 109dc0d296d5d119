#include "proto/metrics/listen_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

#include "absl/strings/str_cat.h"

namespace fedlink::metrics {
namespace {

constexpr char kAllowed[] = "(allowed: <IPv4>:<port> or [<IPv6>]:<port>, e.g. 127.0.0.1:9464)";

absl::Status Invalid(std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(problem), " ", kAllowed));
}

}  // namespace

absl::Status CheckListenAddress(std::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Invalid("not <address>:<port>");
  std::string_view host = address.substr(0, colon);
  const std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 1 || port > 65535) {
    return Invalid("the port must be a number in 1..65535");
  }
  unsigned char parsed[16];
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return Invalid("an IPv6 address needs [ ]");
    const std::string inner(host.substr(1, host.size() - 2));
    if (inet_pton(AF_INET6, inner.c_str(), parsed) != 1) return Invalid("not an IPv6 address");
    return absl::OkStatus();
  }
  if (inet_pton(AF_INET, std::string(host).c_str(), parsed) != 1) {
    return Invalid("the host must be an IP address");
  }
  return absl::OkStatus();
}

}  // namespace fedlink::metrics
