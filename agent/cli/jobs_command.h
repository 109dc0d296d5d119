// The data steward's commands, talking to the running daemon over its admin
// socket (never opening the store):
//   fedlink-agent jobs pending            jobs waiting for a decision
//   fedlink-agent jobs list               every job this agent knows
//   fedlink-agent jobs show ID            the spec, the policy verdict, the
//                                         decision and progress
//   fedlink-agent jobs approve ID [--reason R]
//   fedlink-agent jobs deny ID --reason R
// with --socket PATH, or --config agent.yaml (its admin.socket), or the
// default socket. --output json prints the protobuf JSON form instead of
// tables.
// approve/deny sign over the spec hash `show` printed: --spec-sha256 pins
// it (a spec that differs is refused); without it the current hash is used.
// The steward is named by --steward or the login name.
#ifndef FEDLINK_AGENT_CLI_JOBS_COMMAND_H_
#define FEDLINK_AGENT_CLI_JOBS_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fedlink/v1/agent_admin.pb.h"

namespace fedlink::agent::cli {

struct JobsCommandOptions {
  // pending | list | show | approve | deny
  std::string action;
  std::string job_id;
  std::string reason;
  std::string steward;
  // Hex SHA-256 of the reviewed spec (approve/deny), optional.
  std::string spec_sha256;
  std::string socket;
  std::string config;
  bool json = false;
};

// Runs the command, printing to `out`. InvalidArgument for a bad action,
// a missing job id, a denial without a reason, a steward name that is not
// [a-z0-9][a-z0-9._-]*, a malformed --spec-sha256; the daemon's errors
// (Unavailable when it is not running, FailedPrecondition listing the
// policy violations of a job that cannot be approved, …).
absl::Status RunJobsCommand(const JobsCommandOptions& options, std::ostream& out);

// Renderings, for tests.
std::string JobsTable(const std::vector<v1::AgentJob>& jobs);
std::string JobDetails(const v1::AgentJob& job);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_JOBS_COMMAND_H_
