#include "agent/store/private_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fedlink::agent {
namespace {

// Closes a descriptor on every path out of a function.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, absl::Span<const uint8_t> bytes,
                      const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status Exists(const std::string& path, std::string_view label) {
  return absl::AlreadyExistsError(
      absl::StrCat(std::string(label), " ", path,
                   " already exists; refusing to replace it"));
}

}  // namespace

absl::Status ErrnoError(std::string_view operation, const std::string& path,
                        int errnum) {
  std::string message = absl::StrCat(std::string(operation), " ", path, ": ",
                                     std::strerror(errnum));
  if (errnum == ENOENT) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

absl::Status CheckPrivate(const struct stat& st, const std::string& path,
                          std::string_view label) {
  const uid_t me = geteuid();
  if (st.st_uid != me) {
    return absl::PermissionDeniedError(absl::StrCat(
        std::string(label), " ", path, " is owned by uid ", st.st_uid,
        ", not by uid ", me, " that runs the agent (chown it)"));
  }
  const mode_t mode = st.st_mode & 07777;
  if ((mode & 077) != 0) {
    const bool is_dir = S_ISDIR(st.st_mode);
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s %s has mode %04o; group and others must have no access "
        "(chmod %s %s)",
        std::string(label), path, mode, is_dir ? "700" : "600", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<crypto::SecretBytes> ReadPrivateFile(const std::string& path,
                                                    std::string_view label,
                                                    size_t max_bytes) {
  const std::string what(label);
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP) {
      return absl::PermissionDeniedError(absl::StrCat(
          what, " ", path, " is a symbolic link; configure the file itself"));
    }
    return ErrnoError(absl::StrCat("open ", what), path, errno);
  }
  FdCloser closer(fd);
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoError("fstat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return absl::PermissionDeniedError(
        absl::StrCat(what, " ", path, " is not a regular file"));
  }
  absl::Status status = CheckPrivate(st, path, what);
  if (!status.ok()) return status;

  // One byte more than allowed, to tell a file that is too long. The buffer
  // is a SecretBytes from the start so the contents are wiped wherever the
  // function returns.
  crypto::SecretBytes buffer = crypto::SecretBytes::Zeroed(max_bytes + 1);
  size_t size = 0;
  while (size < buffer.size()) {
    const ssize_t n =
        read(fd, buffer.mutable_data() + size, buffer.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read", path, errno);
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  if (size > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " ", path, " holds more than ", max_bytes, " bytes"));
  }
  return crypto::SecretBytes(buffer.span().subspan(0, size));
}

absl::Status WriteNewPrivateFile(const std::string& path,
                                 absl::Span<const uint8_t> bytes,
                                 std::string_view label) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) return Exists(path, label);
  std::string temp = absl::StrCat(path, ".tmp.XXXXXX");
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  const int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError(
        absl::StrCat("create temporary file for ", std::string(label)), path,
        errno);
  }
  temp.assign(name.data());

  absl::Status status = WriteAll(fd, bytes, temp);
  if (status.ok() && fsync(fd) != 0) status = ErrnoError("fsync", temp, errno);
  if (close(fd) != 0 && status.ok()) status = ErrnoError("close", temp, errno);
  if (status.ok() && link(temp.c_str(), path.c_str()) != 0) {
    status = errno == EEXIST
                 ? Exists(path, label)
                 : ErrnoError(absl::StrCat("publish ", std::string(label)),
                              path, errno);
  }
  // The temporary name goes in every case: after link(2) the file lives on
  // under `path`; after a failure no partial file may linger.
  if (unlink(temp.c_str()) != 0 && status.ok()) {
    status = ErrnoError("remove temporary file", temp, errno);
  }
  if (!status.ok()) return status;
  return SyncDirectory(DirectoryOf(path));
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status SyncDirectory(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open directory", dir, errno);
  FdCloser closer(fd);
  if (fsync(fd) != 0) return ErrnoError("fsync directory", dir, errno);
  return absl::OkStatus();
}

}  // namespace fedlink::agent
