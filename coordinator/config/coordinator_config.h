// coordinator.yaml: what one coordinator serves and whom it knows.
//
//   version: 1
//   listen: 127.0.0.1:7443              # host:port
//   data_dir: /var/lib/fedlink/coordinator
//   log_format: text                     # text | json
//   metrics:                             # optional; absent: no metrics endpoint
//     listen: 127.0.0.1:9464             # <IP>:<port> of the HTTP /metrics,
//                                        # /healthz and /readyz endpoint
//   tls:
//     ca: pki/ca.crt                     # deployment CA (only trust anchor)
//     cert: pki/coordinator/coord.crt    # this coordinator's certificate
//     key: pki/coordinator/coord.key     # its private key (mode 0600)
//     crl_dir: pki/crl                   # optional: CRLs (openssl rehash layout)
//   audit_key: keys/audit.pem            # optional: Ed25519 tree-head key
//                                        # (default <data_dir>/audit-signing-key.pem,
//                                        # created on first start)
//   aggregate:
//     min_cell_count: 10                 # suppression threshold floor (>= 1)
//   retention:
//     grace_hours: 168                   # keep job data this long after it ends
//   agencies:
//     - id: edu                          # agency id (NAME syntax)
//       display_name: Department of Education
//       agent: edu                       # agent certificate name (default: id)
//       decision_key: keys/edu.pub       # PEM Ed25519 public key of its decisions
//       min_cell_count: 11               # optional: the agency's stricter floor
//   analysts:
//     - name: alice
//       display_name: Alice Analyst
//       training_expires: 2027-06-30     # submissions refused after this day (UTC)
//
// Relative paths are read from the config file's directory. Unknown or
// repeated keys are errors; every error names the file, line, column and
// key, and lists the allowed values where there is a fixed set.
#ifndef FEDLINK_COORDINATOR_CONFIG_COORDINATOR_CONFIG_H_
#define FEDLINK_COORDINATOR_CONFIG_COORDINATOR_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "linkage/crypto/ed25519.h"
#include "proto/runtime/tls_credentials.h"

namespace fedlink::coordinator {

inline constexpr uint32_t kDefaultMinCellCount = 10;

enum class LogFormat { kText, kJson };

struct AgencyEntry {
  std::string id;
  std::string display_name;
  // The name in the agency's agent certificate (fedlink://agent/<name>).
  std::string agent_certificate_name;
  crypto::Ed25519PublicKey decision_key;
  // 0: none beyond the coordinator's floor.
  uint32_t min_cell_count = 0;
};

struct AnalystEntry {
  std::string name;
  std::string display_name;
  absl::Time training_expires_at;
};

// The registries, replaced as a whole on reload.
struct Registry {
  std::map<std::string, AgencyEntry> agencies;  // by agency id
  std::map<std::string, AnalystEntry> analysts;  // by name

  // The agency whose agent certificate carries `certificate_name`, or null.
  const AgencyEntry* AgencyForAgent(std::string_view certificate_name) const;
};

struct CoordinatorConfig {
  std::string source_path;  // the file it was read from (for messages)
  std::string listen_address;
  std::string data_dir;
  LogFormat log_format = LogFormat::kText;
  // The metrics endpoint's <IP>:<port>; empty: not served.
  std::string metrics_listen;
  proto::TlsFiles tls;
  proto::TlsOptions tls_options;
  std::string audit_key_file;  // empty: <data_dir>/audit-signing-key.pem
  uint32_t min_cell_count = kDefaultMinCellCount;
  absl::Duration retention_grace = absl::Hours(168);
  Registry registry;
};

// Parses coordinator.yaml text; `path` names it in errors and anchors
// relative paths (decision keys are read from files). InvalidArgument
// "<path>:<line>:<col>: <key>: <problem>" for the first problem found;
// NotFound / FailedPrecondition for a decision key file that cannot be read.
// Thread-safe.
absl::StatusOr<CoordinatorConfig> ParseCoordinatorConfig(std::string_view yaml,
                                                         const std::string& path);

// Reads and parses the file. NotFound if it cannot be read. Thread-safe.
absl::StatusOr<CoordinatorConfig> LoadCoordinatorConfig(const std::string& path);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_CONFIG_COORDINATOR_CONFIG_H_
