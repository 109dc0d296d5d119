#include "linkage/crypto/ssl_error.h"

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace fedlink::crypto {

std::string DrainSslErrors() {
  std::string out;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("no OpenSSL error recorded") : out;
}

absl::Status SslError(std::string_view function) {
  return absl::InternalError(
      absl::StrCat(std::string(function), " failed: ", DrainSslErrors()));
}

}  // namespace fedlink::crypto
