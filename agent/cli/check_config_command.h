// `fedlink-agent check-config [--config agent.yaml] [--schema FILE]...
//  [--policy FILE] [--data-dir D]`: validates the operator's files without
// changing anything, and reports every problem found, not only the first:
//   --config    the daemon's configuration (agent/daemon/agent_config.h);
//               the ingest schema, policy and data directory it names are
//               then checked too (unless given explicitly), and its agency
//               must be the policy's and the data directory's;
//   --schema    an ingest schema (agent/ingest/README.md);
//   --policy    the agency's approval policy
//               (deploy/examples/agent-policy.yaml);
//   --data-dir  an initialised data directory: private, every key file
//               loads (mode, owner, size), the store opens with the at-rest
//               key; with --policy, the policy's agency must be the one the
//               directory was initialised for.
// Each error names the file, the line and column and the key, and the
// allowed values (the parsers' messages). Output: one "ok" or "error" line
// per item, or with --output json one object: {"ok", "problems", "items":
// [{"item", "ok", "error"}]} (file names, counts and parser messages; no
// data value).
#ifndef FEDLINK_AGENT_CLI_CHECK_CONFIG_COMMAND_H_
#define FEDLINK_AGENT_CLI_CHECK_CONFIG_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace fedlink::agent::cli {

struct CheckConfigOptions {
  std::string config;  // empty: not checked
  std::vector<std::string> schemas;
  std::string policy;    // empty: not checked
  std::string data_dir;  // empty: not checked
  bool json = false;     // --output json
};

// InvalidArgument if nothing was given to check or if any item failed (the
// message counts them; each problem was printed to `out`).
absl::Status RunCheckConfigCommand(const CheckConfigOptions& options,
                                   std::ostream& out);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_CHECK_CONFIG_COMMAND_H_
