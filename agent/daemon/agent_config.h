// The agent daemon's configuration file (`fedlink-agent serve --config
// agent.yaml`): who the agency is, where its data and keys live, how to reach
// the coordinator, where the local admin socket is, how to log and how to
// back off between reconnects, and where its metrics are served. The
// commented example is
// deploy/examples/agent.yaml.
//
// Relative paths in the file are resolved against the file's directory, so a
// configuration directory can be moved as a whole.
#ifndef FEDLINK_AGENT_DAEMON_AGENT_CONFIG_H_
#define FEDLINK_AGENT_DAEMON_AGENT_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/daemon/backoff.h"

namespace fedlink::agent::daemon {

inline constexpr uint32_t kAgentConfigVersion = 1;
inline constexpr size_t kMaxAgentConfigBytes = 1 << 20;

enum class LogFormat { kText, kJson };

struct AgentConfig {
  // This agency's id: the name in its agent certificate and its policy.
  std::string agency;
  // The data directory `fedlink-agent init` created.
  std::string data_dir;
  // The approval policy (agent/policy) and the ingest schema whose attribute
  // sensitivity classes the policy is checked against.
  std::string policy_file;
  std::string ingest_schema_file;

  // host:port of the coordinator, and this agent's mTLS material.
  std::string coordinator_address;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // Optional directory of CRLs (OpenSSL hashed layout).
  std::string crl_directory;
  // Optional: the coordinator's audit-log Ed25519 public key (PEM), pinned
  // here. When set, the agent keeps its local audit log (agent/audit):
  // jobs received, decisions, releases, purges and the coordinator's signed
  // tree heads (receipts), checked against this key.
  std::string coordinator_tree_head_key_file;

  // The admin socket (a UNIX-domain socket path) and its file mode: 0600
  // (only the agent's user) or 0660 (also the socket directory's group, e.g.
  // the stewards).
  std::string admin_socket;
  uint32_t admin_socket_mode = 0600;

  LogFormat log_format = LogFormat::kText;
  // spdlog level name: trace, debug, info, warn, error.
  std::string log_level = "info";

  // The HTTP metrics endpoint (/metrics, /healthz, /readyz) as <IP>:<port>;
  // empty: not served (the agent then opens no port at all).
  std::string metrics_listen;

  BackoffPolicy reconnect;

  // Encoding threads (0: one per hardware thread) and the largest batch.
  int encode_threads = 0;
  uint32_t max_records_per_batch = 65536;
};

// Parses the YAML text of a configuration. `source_name` names it in errors
// and `base_dir` resolves relative paths. InvalidArgument
// "<source_name>:<line>:<col>: <key>: <problem>" for malformed YAML, an
// unknown or repeated key (with the allowed keys), a missing required key, a
// wrong type, a value outside its allowed set or range (listing the allowed
// values: log.format json|text, admin.mode 0600|0660, …), or an agency that
// is not a NAME. Never throws. Thread-safe.
absl::StatusOr<AgentConfig> ParseAgentConfigYaml(std::string_view yaml,
                                                 std::string_view source_name,
                                                 std::string_view base_dir);

// Reads `path` (at most kMaxAgentConfigBytes) and parses it with the file's
// directory as base. NotFound / PermissionDenied naming the path when it
// cannot be read; InvalidArgument when it is too large or as
// ParseAgentConfigYaml. Thread-safe.
absl::StatusOr<AgentConfig> LoadAgentConfigFile(const std::string& path);

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_AGENT_CONFIG_H_
