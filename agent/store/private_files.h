// POSIX helpers for files only the agent's user may touch (key files, the
// data directory): ownership and mode checks with operator-readable errors,
// reading without following symlinks, crash-safe creation that never
// replaces an existing file, directory fsync.
#ifndef FEDLINK_AGENT_STORE_PRIVATE_FILES_H_
#define FEDLINK_AGENT_STORE_PRIVATE_FILES_H_

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::agent {

// Internal "<operation> <path>: <strerror(errnum)>"; NotFound for ENOENT.
absl::Status ErrnoError(std::string_view operation, const std::string& path,
                        int errnum);

// PermissionDenied unless `st` (of `path`, described as `label`) is owned by
// this process's effective user and grants nothing to group or others. The
// message names the label, the path, the owner or the mode in octal, and the
// chmod/chown fix.
absl::Status CheckPrivate(const struct stat& st, const std::string& path,
                          std::string_view label);

// The contents of the private file `path` (at most `max_bytes`), as secret
// bytes. Errors name `label` and the path, never contents: NotFound;
// PermissionDenied if it is a symbolic link (not followed: its target's
// permissions are somebody else's business), not a regular file, or fails
// CheckPrivate; InvalidArgument if it holds more than `max_bytes`; Internal
// if a system call fails. Thread-safe.
absl::StatusOr<crypto::SecretBytes> ReadPrivateFile(const std::string& path,
                                                    std::string_view label,
                                                    size_t max_bytes);

// Creates `path` holding `bytes`, mode 0600, crash-safely: the bytes go to a
// temporary file in the same directory (mkostemp: O_EXCL, 0600), which is
// fsynced and published under `path` with link(2), which, unlike rename(2),
// never replaces an existing file; then the directory is fsynced. A crash
// leaves no file or the complete one (and perhaps a stray
// "<path>.tmp.XXXXXX"). AlreadyExists if `path` exists; Internal if a
// system call fails. Thread-safe.
absl::Status WriteNewPrivateFile(const std::string& path,
                                 absl::Span<const uint8_t> bytes,
                                 std::string_view label);

// The directory part of `path` ("." if it has none).
std::string DirectoryOf(const std::string& path);

// fsync(2) of directory `dir`, so that entries created in it survive a
// crash. Internal on failure.
absl::Status SyncDirectory(const std::string& dir);

}  // namespace fedlink::agent

#endif  // FEDLINK_AGENT_STORE_PRIVATE_FILES_H_
