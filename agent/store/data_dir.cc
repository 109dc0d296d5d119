#include "agent/store/data_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "agent/store/key_file.h"
#include "agent/store/private_files.h"
#include "agent/store/signing_key_file.h"

namespace fedlink::agent {
namespace {

constexpr char kDataDirLabel[] = "data directory";

// PermissionDenied unless `root` is a real directory (not a symlink to one)
// that only this user can use.
absl::Status CheckDirectory(const std::string& root) {
  struct stat st;
  if (lstat(root.c_str(), &st) != 0) {
    return ErrnoError(absl::StrCat("stat ", kDataDirLabel), root, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::PermissionDeniedError(absl::StrCat(
        kDataDirLabel, " ", root, " exists and is not a directory"));
  }
  return CheckPrivate(st, root, kDataDirLabel);
}

}  // namespace

DataDirLayout LayoutOf(const std::string& root) {
  std::string base = root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return DataDirLayout{
      .root = base,
      .at_rest_key = absl::StrCat(base, "/at_rest.key"),
      .signing_key = absl::StrCat(base, "/signing_key.pem"),
      .signing_public_key = absl::StrCat(base, "/signing_key.pub.pem"),
      .linkage_secret = absl::StrCat(base, "/linkage_secret.key"),
      .store = absl::StrCat(base, "/store"),
  };
}

absl::StatusOr<DataDirLayout> InitDataDir(const std::string& root) {
  const DataDirLayout layout = LayoutOf(root);
  bool created = false;
  if (mkdir(layout.root.c_str(), 0700) == 0) {
    created = true;
    // mkdir's mode passes through the umask; set it exactly.
    if (chmod(layout.root.c_str(), 0700) != 0) {
      return ErrnoError("chmod", layout.root, errno);
    }
  } else if (errno != EEXIST) {
    return ErrnoError(absl::StrCat("create ", kDataDirLabel), layout.root,
                      errno);
  }
  absl::Status status = CheckDirectory(layout.root);
  if (!status.ok()) return status;

  struct stat st;
  if (lstat(layout.at_rest_key.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(kDataDirLabel, " ", layout.root,
                     " is already initialised (it has an at-rest key)"));
  }
  absl::StatusOr<crypto::Ed25519PrivateKey> signing_key =
      EnsureSigningKey(layout.signing_key, layout.signing_public_key);
  if (!signing_key.ok()) return signing_key.status();
  absl::StatusOr<crypto::SecretBytes> key =
      CreateKeyFile(layout.at_rest_key, "at-rest key");
  if (!key.ok()) return key.status();
  if (created) {
    status = SyncDirectory(DirectoryOf(layout.root));
    if (!status.ok()) return status;
  }
  return layout;
}

absl::StatusOr<DataDirLayout> OpenDataDir(const std::string& root) {
  DataDirLayout layout = LayoutOf(root);
  absl::Status status = CheckDirectory(layout.root);
  if (!status.ok()) return status;
  return layout;
}

absl::Status ImportLinkageSecret(const std::string& source,
                                 const DataDirLayout& layout) {
  absl::StatusOr<crypto::SecretBytes> secret =
      LoadKeyFile(source, "linkage secret");
  if (!secret.ok()) return secret.status();
  return WriteKeyFile(layout.linkage_secret, *secret, "linkage secret");
}

}  // namespace fedlink::agent
