// The exit codes of every `fedlink` command, and the text that --help and
// coordinator/fedlink_cli/README.md show for them.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_EXIT_CODES_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_EXIT_CODES_H_

namespace fedlink::cli {

inline constexpr int kExitOk = 0;
// The answer is no: the audit log did not verify, the coordinator refused
// the call (not allowed, unknown job, invalid spec), or the job has no
// results to fetch (not complete) or they could not be opened.
inline constexpr int kExitFailed = 1;
// Nothing was asked: a bad command line, client configuration, job spec,
// key, archive or state file, or an output file that cannot be written.
inline constexpr int kExitError = 2;
// The coordinator could not be reached or did not answer in time (gRPC
// UNAVAILABLE or DEADLINE_EXCEEDED): trying again later may succeed.
inline constexpr int kExitUnreachable = 3;

inline constexpr char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  failed or refused: the audit log did not verify, the coordinator refused\n"
    "     the call, or the job has no results (not complete) or they cannot be opened\n"
    "  2  usage or local error: command line, client configuration, job spec, key,\n"
    "     archive, state or output file\n"
    "  3  the coordinator could not be reached or did not answer in time";

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_EXIT_CODES_H_
