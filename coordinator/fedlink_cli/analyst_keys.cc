#include "coordinator/fedlink_cli/analyst_keys.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/x25519.h"

namespace fedlink::cli {
namespace {

// Creates `path` exclusively with `mode` and writes all of `data`.
absl::Status WriteNewFile(const std::string& path, const void* data, size_t size, mode_t mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return absl::AlreadyExistsError(absl::StrCat(path, ": already exists"));
    return absl::UnavailableError(absl::StrCat(path, ": cannot create"));
  }
  const char* bytes = static_cast<const char*>(data);
  size_t written = 0;
  while (written < size) {
    const ssize_t n = write(fd, bytes + written, size - written);
    if (n <= 0) {
      close(fd);
      unlink(path.c_str());
      return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(path.c_str());
    return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteAnalystKeyPair(const std::string& private_key_path,
                                 const std::string& public_key_path) {
  for (const std::string* path : {&private_key_path, &public_key_path}) {
    std::error_code error;
    if (std::filesystem::exists(*path, error)) {
      return absl::AlreadyExistsError(absl::StrCat(*path, ": already exists (not overwritten)"));
    }
  }
  absl::StatusOr<crypto::X25519PrivateKey> key = crypto::X25519PrivateKey::Generate();
  if (!key.ok()) return key.status();
  absl::StatusOr<crypto::SecretBytes> private_pem = key->ToPem();
  if (!private_pem.ok()) return private_pem.status();
  absl::StatusOr<std::string> public_pem = key->public_key().ToPem();
  if (!public_pem.ok()) return public_pem.status();
  absl::Status status =
      WriteNewFile(private_key_path, private_pem->data(), private_pem->size(), 0600);
  if (!status.ok()) return status;
  status = WriteNewFile(public_key_path, public_pem->data(), public_pem->size(), 0644);
  if (!status.ok()) unlink(private_key_path.c_str());  // no half pair
  return status;
}

}  // namespace fedlink::cli
