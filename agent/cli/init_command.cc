#include "agent/cli/init_command.h"

#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/cli/agent_store_access.h"
#include "agent/store/data_dir.h"
#include "agent/store/key_file.h"
#include "agent/store/record_store.h"
#include "linkage/status_macros.h"
#include "proto/runtime/message_limits.h"

namespace fedlink::agent::cli {
namespace {

constexpr char kSecretLabel[] = "linkage secret";

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

absl::Status CheckAgencyName(const std::string& agency) {
  if (agency.size() > 64 || !proto::IsNameSyntax(agency)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--agency: not a valid agency name (allowed: 1..64 bytes of "
        "[a-z0-9][a-z0-9._-]*, the name in the agency's agent certificate)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunInitCommand(const InitCommandOptions& options,
                            std::ostream& out) {
  FEDLINK_RETURN_IF_ERROR(CheckAgencyName(options.agency));
  // The secret is checked first, so that a wrong file creates nothing.
  FEDLINK_ASSIGN_OR_RETURN(const crypto::SecretBytes secret,
                           LoadKeyFile(options.linkage_secret, kSecretLabel));

  bool changed = false;
  DataDirLayout layout = LayoutOf(options.data_dir);
  if (!Exists(layout.at_rest_key)) {
    FEDLINK_ASSIGN_OR_RETURN(layout, InitDataDir(options.data_dir));
    changed = true;
    out << "created data directory " << layout.root << " (mode 0700)\n"
        << "  at-rest key      " << layout.at_rest_key << "\n"
        << "  signing key      " << layout.signing_key << "\n"
        << "  public key       " << layout.signing_public_key
        << "  (register it with the coordinator)\n";
  } else {
    FEDLINK_ASSIGN_OR_RETURN(layout, OpenDataDir(options.data_dir));
  }

  if (!Exists(layout.linkage_secret)) {
    FEDLINK_RETURN_IF_ERROR(
        ImportLinkageSecret(options.linkage_secret, layout));
    changed = true;
    out << "  linkage secret   " << layout.linkage_secret << "  (imported from "
        << options.linkage_secret << ")\n";
  } else {
    FEDLINK_ASSIGN_OR_RETURN(
        const crypto::SecretBytes existing,
        LoadKeyFile(layout.linkage_secret, kSecretLabel));
    if (!(existing == secret)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", layout.root,
          " already holds a different linkage secret than ",
          options.linkage_secret,
          "; it is never replaced (every encoding depends on it)"));
    }
  }

  FEDLINK_ASSIGN_OR_RETURN(crypto::SecretBytes at_rest_key,
                           LoadKeyFile(layout.at_rest_key, "at-rest key"));
  const bool store_existed = Exists(layout.store + "/CURRENT");
  RecordStoreOptions store_options;
  store_options.create_if_missing = true;
  FEDLINK_ASSIGN_OR_RETURN(
      std::unique_ptr<RecordStore> store,
      RecordStore::Open(layout.store, std::move(at_rest_key), store_options));
  if (!store_existed) {
    changed = true;
    out << "  record store     " << layout.store << "  (encrypted at rest)\n";
  }
  FEDLINK_ASSIGN_OR_RETURN(const std::optional<std::string> agency,
                           StoredAgency(*store));
  if (!agency.has_value()) {
    FEDLINK_RETURN_IF_ERROR(store->PutMeta(kAgencyMeta, options.agency));
    changed = true;
    out << "  agency           " << options.agency << "\n";
  } else if (*agency != options.agency) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", layout.root,
                     " was initialised for agency '", *agency, "', not '",
                     options.agency, "'"));
  }
  if (!changed) {
    return absl::AlreadyExistsError(
        absl::StrCat("data directory ", layout.root,
                     " is already initialised for agency '", options.agency,
                     "'; nothing was changed"));
  }
  out << "data directory " << layout.root << " is ready\n";
  return absl::OkStatus();
}

}  // namespace fedlink::agent::cli
