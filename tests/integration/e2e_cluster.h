// A whole fedlink deployment on 127.0.0.1 for end-to-end tests: the real
// `fedlink-coordinator serve` and one real `fedlink-agent serve` per agency
// as child processes, mutual TLS from deploy/pki.sh, temporary data
// directories, and the real command lines an operator, a data steward and
// an analyst type (`fedlink-agent init|ingest|jobs …`, `fedlink keys|job …`).
//
// Everything lives in one temporary directory (removed by the destructor
// unless FEDLINK_E2E_KEEP=1 is set, for debugging a failure):
//
//   pki/                      deploy/pki.sh output (CA, coordinator "coord",
//                             agent/<agency>, analyst/alice, operator/ops,
//                             auditor/audrey)
//   linkage_secret.hex        the agencies' shared linkage secret (0600)
//   coordinator/              coordinator.yaml, keys/<agency>.pub,
//                             data/ (RocksDB and key files), coordinator.log
//   agencies/<id>/            agent.yaml, policy.yaml, ingest-schema.yaml,
//                             data/ (`fedlink-agent init`), run/admin.sock,
//                             agent.log, CSV files given to Ingest
//   analyst/                  client.yaml, analyst.key(.pub), job YAMLs,
//                             linkage schemas, results
//   commands/NNN.{out,err}    stdout and stderr of every command run
//
// Daemon logs are appended across restarts, so a restart test sees the
// whole history in one file. Process control (Start*/Stop*/Kill*) is what
// crash and restart tests need: kill -9 the coordinator or an agent at any
// point with KillCoordinator()/KillAgent(), start it again, and wait for
// the job state with WaitForJob().
//
// Binaries: FEDLINK_AGENT_BINARY, FEDLINK_COORDINATOR_BINARY and
// FEDLINK_CLI_BINARY (compile definitions set by tests/CMakeLists.txt for
// the e2e_cluster library). Not thread-safe: one test thread drives it.
#ifndef FEDLINK_TESTS_INTEGRATION_E2E_CLUSTER_H_
#define FEDLINK_TESTS_INTEGRATION_E2E_CLUSTER_H_

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fedlink/v1/agent_admin.pb.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "fedlink/v1/job.pb.h"

namespace fedlink::e2e {

// What one agency brings to the cluster.
struct AgencyOptions {
  AgencyOptions(std::string agency_id, std::string schema_yaml,
                std::vector<std::string> attributes = {})
      : id(std::move(agency_id)),
        ingest_schema_yaml(std::move(schema_yaml)),
        allowed_attributes(std::move(attributes)) {}

  std::string id;  // [a-z0-9][a-z0-9._-]*: agency id and agent certificate name
  // The ingest schema (YAML text) `Ingest` uses and agent.yaml names.
  std::string ingest_schema_yaml;
  // The policy's attributes.allow and attributes.max_sensitivity.
  std::vector<std::string> allowed_attributes;
  std::string max_sensitivity = "internal";
  // The policy's min_cell_count (unset: the policy default, 10).
  std::optional<uint32_t> min_cell_count;
};

struct ClusterOptions {
  std::vector<AgencyOptions> agencies;
  // coordinator.yaml aggregate.min_cell_count and retention.grace_hours.
  uint32_t min_cell_count = 10;
  uint32_t grace_hours = 168;
  // agent.yaml encoding.max_records_per_batch: small, so that an upload
  // takes several batches (what resume-after-crash tests need).
  uint32_t max_records_per_batch = 256;
  uint32_t encoding_threads = 2;
  // Log level of the agents ("info": what operators run).
  std::string agent_log_level = "info";
};

// The result of one command.
struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or not started
  std::string out;
  std::string err;
  // For assertion messages.
  std::string Describe() const;
};

// A job spec as `fedlink job submit` reads it (job_spec_yaml.h).
struct JobParty {
  JobParty(std::string agency_id, std::vector<std::string> requested_columns = {},
           std::string cohort_filter = "")
      : agency(std::move(agency_id)),
        columns(std::move(requested_columns)),
        cohort(std::move(cohort_filter)) {}

  std::string agency;
  std::vector<std::string> columns;
  // The party's cohort filter as a YAML flow list, e.g.
  // `[{column: program, comparison: equal, compare_as: text, values: [alpha]}]`;
  // empty: none.
  std::string cohort;
};
struct JobOptions {
  std::string title = "End-to-end test job";
  std::string method = "tokens_and_bloom";  // tokens | bloom | tokens_and_bloom
  std::string output = "linked_microdata";  // linked_microdata | aggregate
  // A linkage schema YAML file (copied next to the job file).
  std::filesystem::path linkage_schema;
  // Written for the bloom methods only (where the CLI requires it).
  std::optional<double> bloom_threshold = 0.8;
  std::optional<uint32_t> aggregate_min_cell_count;
  std::vector<JobParty> parties;
  std::chrono::hours expires_in{24 * 30};
};

class E2eCluster {
 public:
  // Makes the directory, the PKI, the shared linkage secret, runs
  // `fedlink-agent init` for every agency, writes every configuration file
  // and the analyst's key pair (`fedlink keys init`). Starts nothing.
  static absl::StatusOr<std::unique_ptr<E2eCluster>> Create(ClusterOptions options);
  // SIGKILLs every daemon still running; removes the directory.
  ~E2eCluster();
  E2eCluster(const E2eCluster&) = delete;
  E2eCluster& operator=(const E2eCluster&) = delete;

  // ---- paths ----
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path coordinator_dir() const { return root_ / "coordinator"; }
  std::filesystem::path coordinator_data_dir() const { return coordinator_dir() / "data"; }
  std::filesystem::path coordinator_log() const { return coordinator_dir() / "coordinator.log"; }
  std::filesystem::path agency_dir(const std::string& agency) const {
    return root_ / "agencies" / agency;
  }
  std::filesystem::path agent_data_dir(const std::string& agency) const {
    return agency_dir(agency) / "data";
  }
  std::filesystem::path agent_log(const std::string& agency) const {
    return agency_dir(agency) / "agent.log";
  }
  std::filesystem::path agent_socket(const std::string& agency) const {
    return agency_dir(agency) / "run" / "admin.sock";
  }
  std::filesystem::path analyst_dir() const { return root_ / "analyst"; }
  std::filesystem::path analyst_key() const { return analyst_dir() / "analyst.key"; }
  const std::vector<std::string>& agencies() const { return agency_ids_; }
  int coordinator_port() const { return port_; }

  // ---- daemons ----
  // Starts the coordinator and waits until an operator's GetStatus answers.
  absl::Status StartCoordinator(std::chrono::seconds timeout = std::chrono::seconds(60));
  // Sends `signal` and waits for the exit (SIGKILL after `timeout`).
  // Returns the exit code, or -signal if it died of one.
  absl::StatusOr<int> StopCoordinator(int signal = SIGTERM,
                                      std::chrono::seconds timeout = std::chrono::seconds(60));
  absl::StatusOr<int> KillCoordinator() { return StopCoordinator(SIGKILL); }
  bool coordinator_running() const { return coordinator_pid_ > 0; }

  // Starts the agency's agent; waits until its admin socket answers and,
  // when the coordinator is running, until the coordinator lists the
  // agency as connected.
  absl::Status StartAgent(const std::string& agency,
                          std::chrono::seconds timeout = std::chrono::seconds(60));
  absl::Status StartAllAgents();
  absl::StatusOr<int> StopAgent(const std::string& agency, int signal = SIGTERM,
                                std::chrono::seconds timeout = std::chrono::seconds(60));
  absl::StatusOr<int> KillAgent(const std::string& agency) { return StopAgent(agency, SIGKILL); }
  bool agent_running(const std::string& agency) const;

  // ---- commands (stdout/stderr also kept under commands/) ----
  CommandResult RunAgentCli(const std::vector<std::string>& args);
  // `fedlink --config analyst/client.yaml ARGS…` (alice's certificate).
  CommandResult RunAnalystCli(const std::vector<std::string>& args);
  // `fedlink --config auditor/client.yaml ARGS…` (audrey's certificate; the
  // configuration pins the coordinator's tree-head key and every agency's
  // decision key, for `fedlink audit verify`).
  CommandResult RunAuditorCli(const std::vector<std::string>& args);
  // `fedlink ARGS…` as given (for a --config of the test's own).
  CommandResult RunCli(const std::vector<std::string>& args);

  // Writes `csv` to agencies/<agency>/<file_name> and runs `fedlink-agent
  // ingest` with the agency's ingest schema (the agent must be stopped:
  // ingest opens the store itself).
  CommandResult Ingest(const std::string& agency, const std::string& csv,
                       const std::string& file_name = "input.csv");

  // Writes the job YAML, runs `fedlink job submit`; the job id.
  absl::StatusOr<std::string> SubmitJob(const JobOptions& job);
  // Waits until the agency's agent has the job, then runs `fedlink-agent
  // jobs approve|deny JOB --steward sam`.
  CommandResult Approve(const std::string& agency, const std::string& job_id);
  CommandResult Deny(const std::string& agency, const std::string& job_id,
                     const std::string& reason);
  CommandResult JobStatus(const std::string& job_id) {
    return RunAnalystCli({"job", "status", job_id});
  }
  CommandResult CancelJob(const std::string& job_id, const std::string& reason);
  // `fedlink job results JOB --out analyst/<out_name> --key analyst.key`.
  CommandResult Results(const std::string& job_id, const std::string& out_name = "linked.csv");

  // ---- state ----
  // The job as the analyst sees it (GetJob over mTLS).
  absl::StatusOr<v1::Job> GetJob(const std::string& job_id);
  // Polls GetJob until `done` holds; DeadlineExceeded naming the last state
  // (and FAILED/DENIED/CANCELLED reasons) otherwise. A final state that
  // `done` rejects ends the wait early.
  absl::StatusOr<v1::Job> WaitForJob(const std::string& job_id,
                                     const std::function<bool(const v1::Job&)>& done,
                                     std::chrono::seconds timeout = std::chrono::seconds(90));
  absl::StatusOr<v1::Job> WaitForJobState(const std::string& job_id, v1::JobState state,
                                          std::chrono::seconds timeout = std::chrono::seconds(90));
  // The job as the agency's steward sees it (`fedlink-agent jobs show
  // --output json`); NotFound while the agent does not know it.
  absl::StatusOr<v1::AgentJob> AgentJob(const std::string& agency, const std::string& job_id);
  absl::StatusOr<v1::AgentJob> WaitForAgentJob(
      const std::string& agency, const std::string& job_id,
      const std::function<bool(const v1::AgentJob&)>& done,
      std::chrono::seconds timeout = std::chrono::seconds(90));

  // A Coordinator stub over mTLS as `identity` ("analyst/alice",
  // "agent/edu", "operator/ops", "auditor/audrey": files under pki/).
  // `fresh_connection`: a channel of its own (no subchannel shared with
  // earlier stubs), for readiness polls that must not wait on a connection
  // attempt made before the coordinator was up.
  std::unique_ptr<v1::Coordinator::Stub> CoordinatorStub(const std::string& identity,
                                                         bool fresh_connection = false) const;

  // The last `max_bytes` of each daemon log (for failure messages).
  std::string LogTails(size_t max_bytes = 4000) const;

 private:
  explicit E2eCluster(ClusterOptions options) : options_(std::move(options)) {}
  absl::Status Setup();
  absl::Status WriteAgencyFiles(const AgencyOptions& agency);
  absl::Status WriteCoordinatorConfig();
  absl::Status WriteAnalystFiles();
  CommandResult Run(const std::string& binary, const std::vector<std::string>& args);
  const AgencyOptions* FindAgency(const std::string& agency) const;
  absl::Status WaitReady(pid_t& pid, const std::string& what, std::chrono::seconds timeout,
                         const std::function<bool()>& ready);

  ClusterOptions options_;
  std::filesystem::path root_;
  std::vector<std::string> agency_ids_;
  int port_ = 0;
  pid_t coordinator_pid_ = -1;
  std::map<std::string, pid_t> agent_pids_;
  int commands_run_ = 0;
  int jobs_written_ = 0;
};

// ---- helpers for tests ----

// Every regular file under `dir` (recursively) with its bytes.
std::vector<std::pair<std::filesystem::path, std::string>> ReadTree(
    const std::filesystem::path& dir);
std::string ReadFileBytes(const std::filesystem::path& path);
absl::Status WriteFileBytes(const std::filesystem::path& path, const std::string& bytes,
                            std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write);

// Where `needle` occurs in `haystack`, if `digits_bounded` only where the
// bytes on either side are not ASCII digits (a date of birth inside a
// longer number, such as a microsecond timestamp in a RocksDB LOG, is not
// a leak of it).
bool ContainsValue(const std::string& haystack, const std::string& needle, bool digits_bounded);

// A CSV field quoted as RFC 4180 requires.
std::string CsvField(const std::string& value);

// Reads an RFC 4180 CSV (as `fedlink job results` writes it): header and
// rows. InvalidArgument for a malformed file.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& text);

}  // namespace fedlink::e2e

#endif  // FEDLINK_TESTS_INTEGRATION_E2E_CLUSTER_H_
