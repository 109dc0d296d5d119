// The RPC-driven commands of `fedlink`: one mTLS channel to the coordinator
// (the caller's certificate says who they are and in which role), then the
// auditor's and analyst's calls. Each returns an exit code (exit_codes.h:
// kExitError for a configuration the call cannot start with,
// kExitUnreachable when the coordinator cannot be reached, kExitFailed when
// it refuses) and writes results to `out` (with `json`, one JSON object),
// errors to `err`.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_COORDINATOR_COMMANDS_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_COORDINATOR_COMMANDS_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "coordinator/fedlink_cli/audit_commands.h"
#include "coordinator/fedlink_cli/client_config.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "fedlink/v1/job.pb.h"

namespace fedlink::cli {

// A stub over mutual TLS with the configured files. FailedPrecondition
// naming the missing setting (coordinator, ca, cert, key); errors of
// proto::MakeChannelCredentials (unreadable or expired files).
// Thread-safe.
absl::StatusOr<std::unique_ptr<v1::Coordinator::Stub>> ConnectToCoordinator(
    const ClientConfig& config);

// `fedlink audit verify`: the latest signed head, every entry up to it, the
// offline verifier (with the saved head from `state_path`), then the
// verdict; on success the head is saved to `state_path` (if not empty).
int VerifyLiveLogCommand(const ClientConfig& config, const std::string& state_path,
                         std::ostream& out, std::ostream& err, bool json = false);

// `fedlink audit log|denials`: the entries matching `filter` (the job and
// time filters are also sent to the coordinator).
int PrintLiveEntriesCommand(const ClientConfig& config, const EntryFilter& filter, bool json,
                            std::ostream& out, std::ostream& err);

// `fedlink audit export --out FILE`: the signed log (entries up to the
// latest head, and that head) as an audit archive.
int ExportLiveLogCommand(const ClientConfig& config, const std::string& out_path,
                         std::ostream& out, std::ostream& err);

// `fedlink job submit`: sends the spec; prints the job id and state
// ({"job_id", "state"} as JSON).
int SubmitJobCommand(const ClientConfig& config, const v1::JobSpec& spec,
                     const std::string& request_id, std::ostream& out, std::ostream& err,
                     bool json = false);

// `fedlink job status ID`: the job with per-party progress and its quality
// report (job_view.h FormatJob / JobJson).
int JobStatusCommand(const ClientConfig& config, const std::string& job_id, std::ostream& out,
                     std::ostream& err, bool json = false);

// `fedlink job list` (and `job status` without an id): the caller's jobs
// (job_view.h FormatJobList / JobListJson), every page.
int JobListCommand(const ClientConfig& config, std::ostream& out, std::ostream& err,
                   bool json = false);

// `fedlink job cancel ID`: prints the job's new state ({"job_id", "state"}
// as JSON).
int CancelJobCommand(const ClientConfig& config, const std::string& job_id,
                     const std::string& reason, std::ostream& out, std::ostream& err,
                     bool json = false);

// `fedlink job results ID --out linked.csv --key analyst.key [--output json]`:
// fetches the job's results; for microdata, opens every party's ROWS chunks
// with the analyst's X25519 private key (PEM file) and writes the joined CSV
// (results_table.h, file mode 0600); for aggregate jobs prints the table
// and the quality report (as one JSON object with `json`: AggregateTableJson
// plus "quality"), a breakdown by category with the labels of its
// CATEGORY_LEGEND chunks, opened with the same key. Clear refusals for jobs
// that are not complete (pending approval, denied with the reason, expired
// or purged, someone else's).
int JobResultsCommand(const ClientConfig& config, const std::string& job_id,
                      const std::string& out_path, const std::string& key_path,
                      std::ostream& out, std::ostream& err, bool json = false);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_COORDINATOR_COMMANDS_H_
