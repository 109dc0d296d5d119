// The `fedlink` client configuration: where the coordinator is, the
// caller's mTLS files, and what an auditor pins (the coordinator's log key,
// the agencies' decision keys). Read from ~/.config/fedlink/client.yaml or
// --config; command-line options override single fields.
//
//   coordinator: coord.example.org:7443
//   ca: ca.pem
//   cert: alice.pem
//   key: alice.key
//   audit:
//     log_key: coordinator-audit.pub.pem     # Ed25519 PUBLIC KEY (pinned)
//     log_id: coordinator                    # default "coordinator"
//     state: audit-state.pb                  # last verified head
//     agency_keys:                           # stewards' decision keys
//       health-dept: health-decision.pub.pem
//
// Relative paths are relative to the configuration file's folder.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_CLIENT_CONFIG_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_CLIENT_CONFIG_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fedlink::cli {

struct ClientConfig {
  std::string coordinator;  // host:port
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string audit_log_key_file;
  std::string audit_log_id = "coordinator";
  std::string audit_state_file;
  std::map<std::string, std::string> agency_key_files;  // agency → PEM file
};

inline constexpr size_t kMaxClientConfigBytes = 64 * 1024;

// Parses `yaml` (the text of `source_name`, whose folder is `base_dir`); an
// empty text is the default configuration. InvalidArgument
// "source:line:col: key: message" for malformed YAML, an unknown or repeated
// key (listing the allowed ones), a value that is not text, or more than
// kMaxClientConfigBytes. Thread-safe.
absl::StatusOr<ClientConfig> ParseClientConfig(std::string_view yaml,
                                               std::string_view source_name,
                                               std::string_view base_dir);

// Reads and parses `path`. NotFound if it does not exist, PermissionDenied
// if it cannot be read, else as ParseClientConfig. Thread-safe.
absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& path);

// ~/.config/fedlink/client.yaml ($XDG_CONFIG_HOME honoured); empty if no
// home directory is known. Thread-safe.
std::string DefaultClientConfigPath();

// Whole-file read; NotFound / Unavailable naming the path. Thread-safe.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_CLIENT_CONFIG_H_
