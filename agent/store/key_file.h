// Key files of the agent: the at-rest key that seals the record store, and
// the linkage secret the participating agencies share out of band. Both are
// 32 bytes, owned by the agent's user and readable by nobody else.
//
// File format: exactly 32 raw bytes (as `openssl rand -out FILE 32` writes),
// or 64 hexadecimal digits optionally followed by one newline (as
// `openssl rand -hex 32 > FILE` writes). CreateKeyFile writes raw bytes.
#ifndef FEDLINK_AGENT_STORE_KEY_FILE_H_
#define FEDLINK_AGENT_STORE_KEY_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::agent {

inline constexpr size_t kKeyFileKeyBytes = 32;

// Reads the key in `path`. `label` says which key it is in error messages
// ("at-rest key", "linkage secret"). Errors name the label and the path,
// never key bytes:
//   NotFound          the file does not exist;
//   PermissionDenied  it is a symbolic link or not a regular file, is owned
//                     by another user than this process's effective user,
//                     or its mode grants any access to group or others (the
//                     message gives the mode in octal and the chmod fix);
//   InvalidArgument   the contents are neither 32 raw bytes nor 64 hex
//                     digits (+ newline) (the message gives the size only);
//   Internal          a system call failed (with errno text).
// Thread-safe.
[[nodiscard]] absl::StatusOr<crypto::SecretBytes> LoadKeyFile(
    const std::string& path, std::string_view label);

// Writes `key` to the new file `path`, mode 0600, with WriteNewPrivateFile
// (private_files.h): temporary file (O_EXCL, 0600), fsync, link(2) under
// `path` (never replacing a file, unlike rename(2)), directory fsync; a crash
// leaves no key file or the complete one. AlreadyExists if `path` exists (a
// key is never overwritten: the data sealed under it would be lost);
// InvalidArgument if `key` is not 32 bytes; Internal if a system call fails.
// Thread-safe.
[[nodiscard]] absl::Status WriteKeyFile(const std::string& path,
                                        const crypto::SecretBytes& key,
                                        std::string_view label);

// A fresh random 32-byte key from the CSPRNG, written with WriteKeyFile and
// returned. Errors as WriteKeyFile, plus Internal if the CSPRNG fails.
[[nodiscard]] absl::StatusOr<crypto::SecretBytes> CreateKeyFile(
    const std::string& path, std::string_view label);

}  // namespace fedlink::agent

#endif  // FEDLINK_AGENT_STORE_KEY_FILE_H_
