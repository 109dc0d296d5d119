// `fedlink keys init`: the analyst's X25519 key pair for HPKE results. The
// private key never leaves the analyst's machine; the public key goes into
// job specs (job_spec_yaml.h analyst_key.public_key).
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_ANALYST_KEYS_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_ANALYST_KEYS_H_

#include <string>

#include "absl/status/status.h"

namespace fedlink::cli {

// Generates a key pair and writes the private key (PKCS#8 PEM, created with
// mode 0600) and the public key (PEM). AlreadyExists if either file exists
// (a key is never overwritten: results sealed to it would be lost);
// Unavailable naming the path if a file cannot be written; Internal if
// OpenSSL fails. Thread-safe for distinct paths.
absl::Status WriteAnalystKeyPair(const std::string& private_key_path,
                                 const std::string& public_key_path);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_ANALYST_KEYS_H_
