#include "agent/store/signing_key_file.h"

#include <sys/stat.h>

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "agent/store/private_files.h"
#include "linkage/crypto/hmac.h"
#include "linkage/status_macros.h"

namespace fedlink::agent {
namespace {

constexpr char kPrivateLabel[] = "signing key file";
constexpr char kPublicLabel[] = "signing public key file";

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

absl::string_view AsView(const crypto::SecretBytes& bytes) {
  return absl::string_view(reinterpret_cast<const char*>(bytes.data()),
                           bytes.size());
}

}  // namespace

absl::StatusOr<crypto::Ed25519PrivateKey> LoadSigningKey(
    const std::string& path) {
  FEDLINK_ASSIGN_OR_RETURN(
      const crypto::SecretBytes pem,
      ReadPrivateFile(path, kPrivateLabel, kMaxSigningKeyFileBytes));
  absl::StatusOr<crypto::Ed25519PrivateKey> key =
      crypto::Ed25519PrivateKey::FromPem(AsView(pem));
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPrivateLabel, " ", path,
                     " holds no unencrypted Ed25519 PEM private key"));
  }
  return key;
}

absl::StatusOr<crypto::Ed25519PrivateKey> EnsureSigningKey(
    const std::string& private_path, const std::string& public_path) {
  std::optional<crypto::Ed25519PrivateKey> key;
  if (Exists(private_path)) {
    FEDLINK_ASSIGN_OR_RETURN(key, LoadSigningKey(private_path));
  } else {
    FEDLINK_ASSIGN_OR_RETURN(key, crypto::Ed25519PrivateKey::Generate());
    FEDLINK_ASSIGN_OR_RETURN(const crypto::SecretBytes pem, key->ToPem());
    FEDLINK_RETURN_IF_ERROR(
        WriteNewPrivateFile(private_path, pem.span(), kPrivateLabel));
  }
  if (Exists(public_path)) {
    FEDLINK_ASSIGN_OR_RETURN(
        const crypto::SecretBytes pem,
        ReadPrivateFile(public_path, kPublicLabel, kMaxSigningKeyFileBytes));
    absl::StatusOr<crypto::Ed25519PublicKey> existing =
        crypto::Ed25519PublicKey::FromPem(AsView(pem));
    if (!existing.ok() || *existing != key->public_key()) {
      return absl::FailedPreconditionError(
          absl::StrCat(kPublicLabel, " ", public_path, " does not match ",
                       private_path, "; remove it to have it written again"));
    }
  } else {
    FEDLINK_ASSIGN_OR_RETURN(const std::string pem, key->public_key().ToPem());
    FEDLINK_RETURN_IF_ERROR(
        WriteNewPrivateFile(public_path, crypto::AsBytes(pem), kPublicLabel));
  }
  return std::move(*key);
}

}  // namespace fedlink::agent
