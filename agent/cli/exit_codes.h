// The exit codes of `fedlink-agent`, and the text that --help and
// agent/cli/README.md show for them. Commands return an absl::Status;
// main() turns it into one of these.
#ifndef FEDLINK_AGENT_CLI_EXIT_CODES_H_
#define FEDLINK_AGENT_CLI_EXIT_CODES_H_

#include "absl/status/status.h"

namespace fedlink::agent::cli {

inline constexpr int kExitOk = 0;
// The command failed or was refused (its message, on stderr, says why):
// an input file that does not parse, check-config found problems, the
// daemon refused a decision, init finds a different secret, ….
inline constexpr int kExitFailed = 1;
// The command line does not parse: unknown command or option, a missing
// argument or a value out of range (CLI11's message on stderr).
inline constexpr int kExitUsage = 2;
// Something the command needs is busy or out of reach: the daemon's admin
// socket does not answer, or the record store is held by another process
// or failed an I/O. Trying again (or through the daemon) may succeed.
inline constexpr int kExitUnavailable = 3;

inline constexpr char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  the command failed or was refused (the message on stderr says why)\n"
    "  2  bad command line (unknown command or option, missing argument)\n"
    "  3  the agent daemon is not reachable, or the record store is busy\n"
    "     (held by another process) or failed an I/O";

// kExitOk for OK, kExitUnavailable for Unavailable, kExitFailed otherwise.
int ExitCodeFor(const absl::Status& status);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_EXIT_CODES_H_
