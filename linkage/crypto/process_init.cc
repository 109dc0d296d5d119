#include "linkage/crypto/process_init.h"

#include <openssl/crypto.h>

#include "linkage/crypto/ssl_error.h"

namespace fedlink::crypto {

absl::Status InitOpenSslForProcess() {
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) != 1) {
    return SslError("OPENSSL_init_crypto");
  }
  return absl::OkStatus();
}

}  // namespace fedlink::crypto
