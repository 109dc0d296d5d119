// The agency auditor's command, through the running daemon (which holds the
// store):
//   fedlink-agent audit export --out FILE [--socket P | --config A]
// writes the local audit log (what the steward decided, what was released,
// the coordinator's signed heads) as an archive file that `fedlink audit
// verify --archive FILE` and `fedlink audit log --archive FILE` read, with
// the agency's signing_key.pub.pem pinned as audit.log_key and
// agent/<agency> as audit.log_id.
#ifndef FEDLINK_AGENT_CLI_AUDIT_COMMAND_H_
#define FEDLINK_AGENT_CLI_AUDIT_COMMAND_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace fedlink::agent::cli {

struct AuditExportOptions {
  std::string out;     // the archive file to write
  std::string socket;  // see admin_socket_option.h
  std::string config;
};

// Writes the archive to `options.out` (through a temporary file beside it,
// renamed once complete, so a failed export leaves no partial archive) and
// says on `out` what was written and how to verify it. InvalidArgument
// without --out; the daemon's errors (Unavailable when it is not running,
// FailedPrecondition when it keeps no audit log); Internal when the file
// cannot be written.
absl::Status RunAuditExportCommand(const AuditExportOptions& options, std::ostream& out);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_AUDIT_COMMAND_H_
