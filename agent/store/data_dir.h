// The agent's data directory: what `fedlink-agent init` creates and every
// other command opens. Layout (all inside one directory of mode 0700):
//   at_rest.key         32-byte key sealing the record store (0600)
//   signing_key.pem     the agency's Ed25519 signing key, PKCS#8 PEM (0600)
//   signing_key.pub.pem its public key, for registration (0600)
//   linkage_secret.key  the secret shared by the agencies, imported (0600)
//   store/              the RocksDB record store
#ifndef FEDLINK_AGENT_STORE_DATA_DIR_H_
#define FEDLINK_AGENT_STORE_DATA_DIR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fedlink::agent {

struct DataDirLayout {
  std::string root;
  std::string at_rest_key;
  std::string signing_key;
  std::string signing_public_key;
  std::string linkage_secret;
  std::string store;
};

// The paths inside `root`; touches nothing.
DataDirLayout LayoutOf(const std::string& root);

// Creates the data directory `root` (mode 0700; its parent must exist), the
// agency's Ed25519 signing key (kept if one is already there, so that an
// interrupted init can be completed) and a fresh at-rest key. An existing
// private directory without an at-rest key is accepted (an operator may
// pre-create it on a dedicated volume). AlreadyExists if the at-rest key
// already exists (the directory is initialised: running init again must
// never replace the key that seals the data); PermissionDenied if `root`
// exists but is not a directory, or is not private (see CheckPrivate in
// private_files.h); NotFound if the parent is missing; Internal if a system
// call fails. Not safe to run concurrently for the same `root`.
[[nodiscard]] absl::StatusOr<DataDirLayout> InitDataDir(
    const std::string& root);

// The layout of an initialised data directory, after checking that `root`
// is a private directory owned by this user. NotFound if it does not exist;
// PermissionDenied as for InitDataDir. The key files are checked when they
// are loaded (key_file.h). Thread-safe.
[[nodiscard]] absl::StatusOr<DataDirLayout> OpenDataDir(
    const std::string& root);

// Copies the linkage secret from `source` (which must pass the checks of
// LoadKeyFile: private, 32 raw bytes or 64 hex digits) to
// layout.linkage_secret. AlreadyExists if a linkage secret was imported
// before (replacing it would silently change every future encoding:
// remove the old file deliberately first). Errors of LoadKeyFile and
// WriteKeyFile otherwise. Thread-safe.
[[nodiscard]] absl::Status ImportLinkageSecret(const std::string& source,
                                               const DataDirLayout& layout);

}  // namespace fedlink::agent

#endif  // FEDLINK_AGENT_STORE_DATA_DIR_H_
