// The agency's Ed25519 signing key on disk: it signs the agency's approval
// decisions, so the coordinator cannot forge one. The private key is an
// unencrypted PKCS#8 PEM file readable only by the agent's user (as
// `openssl genpkey -algorithm ed25519` writes); the public key sits next to
// it as a SubjectPublicKeyInfo PEM file for the operator to register with
// the coordinator.
#ifndef FEDLINK_AGENT_STORE_SIGNING_KEY_FILE_H_
#define FEDLINK_AGENT_STORE_SIGNING_KEY_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "linkage/crypto/ed25519.h"

namespace fedlink::agent {

inline constexpr size_t kMaxSigningKeyFileBytes = 16 * 1024;

// The private key in `path`. Errors of ReadPrivateFile (private_files.h:
// NotFound, PermissionDenied for a symlink, another owner or a mode looser
// than 0600, InvalidArgument above kMaxSigningKeyFileBytes) and
// InvalidArgument if the file holds no unencrypted Ed25519 PEM private key
// (naming the path, never the contents). Thread-safe.
[[nodiscard]] absl::StatusOr<crypto::Ed25519PrivateKey> LoadSigningKey(
    const std::string& path);

// Makes sure `private_path` holds a signing key and `public_path` its public
// key, creating what is missing (a fresh key from the CSPRNG; both files
// mode 0600, written with WriteNewPrivateFile, so never replacing a file).
// An existing private key is loaded, not replaced, so that an interrupted
// `init` can be run again. Returns the key. FailedPrecondition if an
// existing public key file does not match the private key; errors of
// LoadSigningKey and WriteNewPrivateFile; Internal if OpenSSL fails. Not
// safe to run concurrently for the same paths.
[[nodiscard]] absl::StatusOr<crypto::Ed25519PrivateKey> EnsureSigningKey(
    const std::string& private_path, const std::string& public_path);

}  // namespace fedlink::agent

#endif  // FEDLINK_AGENT_STORE_SIGNING_KEY_FILE_H_
