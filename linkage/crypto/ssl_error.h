// Maps an OpenSSL failure to an absl::Status that names the failing function
// and carries the drained OpenSSL error queue (which never contains key or
// message bytes: OpenSSL reports reasons, not data).
#ifndef FEDLINK_LINKAGE_CRYPTO_SSL_ERROR_H_
#define FEDLINK_LINKAGE_CRYPTO_SSL_ERROR_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fedlink::crypto {

// Pops every entry of this thread's OpenSSL error queue and joins them.
std::string DrainSslErrors();

// Internal error "<function> failed: <queue>". Thread-safe.
absl::Status SslError(std::string_view function);

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_SSL_ERROR_H_
