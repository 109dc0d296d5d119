// fedlink-agent: the agency agent's command line. This file only declares
// the subcommands and their flags and hands them to agent/cli/, one file
// per command:
//   init          agent/cli/init_command.h
//   ingest        agent/cli/ingest_command.h
//   quality       agent/cli/quality_command.h
//   check-config  agent/cli/check_config_command.h
//   serve, jobs   the daemon and the steward's commands (agent/cli/serve*,
//                 agent/cli/jobs*): added in AddDaemonCommands below.
// Exit status: 0 success, 1 the command failed (message on stderr; for
// check-config: problems were found), 2 bad usage (CLI11's).
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "CLI/CLI.hpp"
#pragma GCC diagnostic pop

#include "absl/status/status.h"
#include "agent/cli/check_config_command.h"
#include "agent/cli/ingest_command.h"
#include "agent/cli/init_command.h"
#include "agent/cli/jobs_command.h"
#include "agent/cli/progress_display.h"
#include "agent/cli/quality_command.h"
#include "agent/cli/serve_command.h"

namespace {

using fedlink::agent::cli::CheckConfigOptions;
using fedlink::agent::cli::IngestCommandOptions;
using fedlink::agent::cli::InitCommandOptions;
using fedlink::agent::cli::QualityCommandOptions;

// The command chosen on the command line, run after parsing.
using Command = std::function<absl::Status()>;

void AddInit(CLI::App& app, InitCommandOptions* options, Command* command) {
  CLI::App* sub = app.add_subcommand(
      "init",
      "Create the data directory: at-rest key, Ed25519 signing key, the "
      "imported linkage secret and the encrypted record store");
  sub->add_option("--data-dir", options->data_dir, "Data directory to create")
      ->required();
  sub->add_option("--agency", options->agency,
                  "This agency's name ([a-z0-9][a-z0-9._-]*), as in its "
                  "agent certificate")
      ->required();
  sub->add_option("--linkage-secret", options->linkage_secret,
                  "File with the linkage secret the agencies share (mode "
                  "0600; 32 raw bytes or 64 hex digits)")
      ->required();
  sub->callback([options, command] {
    *command = [options] {
      return fedlink::agent::cli::RunInitCommand(*options, std::cout);
    };
  });
}

void AddIngest(CLI::App& app, IngestCommandOptions* options, Command* command) {
  CLI::App* sub = app.add_subcommand(
      "ingest", "Load a CSV export into the record store (upsert by local id)");
  sub->add_option("file", options->input, "CSV file (RFC 4180)")->required();
  sub->add_option("--schema", options->schema, "Ingest schema (YAML)")
      ->required();
  sub->add_option("--data-dir", options->data_dir,
                  "Initialised data directory")
      ->required();
  sub->add_option("--quarantine", options->quarantine,
                  "Write rejected rows to this new file (mode 0600; as "
                  "sensitive as the input)");
  sub->add_option("--batch-size", options->batch_size,
                  "Records per atomic commit")
      ->check(CLI::Range(size_t{1}, fedlink::agent::ingest::kMaxIngestBatchSize));
  // When the daemon holds the store, the ingest goes through its socket.
  sub->add_option("--socket", options->socket,
                  "The agent daemon's admin socket (used when the daemon "
                  "holds the store)");
  sub->add_option("--config", options->config,
                  "The daemon's agent.yaml, for its admin socket");
  // Hidden: the crash test stops the process after this batch
  // (agent/cli/ingest_command.h).
  sub->add_option("--test-pause-after-batches",
                  options->test_pause_after_batches)
      ->group("");
  sub->callback([options, command] {
    options->progress_terminal =
        fedlink::agent::cli::IsTerminal(STDERR_FILENO);
    *command = [options] {
      return fedlink::agent::cli::RunIngestCommand(*options, std::cout,
                                                   std::cerr);
    };
  });
}

void AddQuality(CLI::App& app, QualityCommandOptions* options, Command* command) {
  CLI::App* sub = app.add_subcommand(
      "quality", "Data-quality report of the last ingest (no values)");
  sub->add_option("--data-dir", options->data_dir,
                  "Initialised data directory")
      ->required();
  sub->add_flag("--json", options->json, "JSON instead of a table");
  sub->callback([options, command] {
    *command = [options] {
      return fedlink::agent::cli::RunQualityCommand(*options, std::cout);
    };
  });
}

void AddCheckConfig(CLI::App& app, CheckConfigOptions* options, Command* command) {
  CLI::App* sub = app.add_subcommand(
      "check-config",
      "Validate agent.yaml, ingest schemas, the policy and a data "
      "directory");
  sub->add_option("--config", options->config,
                  "The daemon's agent.yaml (also checks the files it names)");
  sub->add_option("--schema", options->schemas, "Ingest schema (repeatable)");
  sub->add_option("--policy", options->policy, "Agency approval policy");
  sub->add_option("--data-dir", options->data_dir, "Data directory");
  sub->callback([options, command] {
    *command = [options] {
      return fedlink::agent::cli::RunCheckConfigCommand(*options, std::cout);
    };
  });
}

// The daemon's commands (`serve`, `jobs pending|show|approve|deny`) are
// added here by their owner, in the same pattern.
void AddDaemonCommands(CLI::App& app, Command* command) {
  using fedlink::agent::cli::JobsCommandOptions;
  using fedlink::agent::cli::ServeCommandOptions;
  auto serve = std::make_shared<ServeCommandOptions>();
  CLI::App* serve_sub = app.add_subcommand(
      "serve",
      "Run the agent daemon: watch the coordinator for work, serve the admin "
      "socket (until SIGTERM/SIGINT)");
  serve_sub->add_option("--config", serve->config, "The daemon's agent.yaml")
      ->required();
  serve_sub->callback([serve, command] {
    *command = [serve] { return fedlink::agent::cli::RunServeCommand(*serve); };
  });

  auto jobs = std::make_shared<JobsCommandOptions>();
  CLI::App* jobs_sub = app.add_subcommand(
      "jobs", "The steward's jobs, through the running daemon: pending, list, "
              "show ID, approve ID, deny ID --reason R");
  jobs_sub->add_option("action", jobs->action, "pending | list | show | approve | deny")
      ->required()
      ->check(CLI::IsMember({"pending", "list", "show", "approve", "deny"}));
  jobs_sub->add_option("job_id", jobs->job_id, "The job (show, approve, deny)");
  jobs_sub->add_option("--reason", jobs->reason,
                       "Why (required to deny; sent to the analyst)");
  jobs_sub->add_option("--steward", jobs->steward,
                       "Who decides (default: the login name)");
  jobs_sub->add_option("--spec-sha256", jobs->spec_sha256,
                       "Hash of the spec you reviewed, as `jobs show` printed it");
  CLI::Option* socket = jobs_sub->add_option(
      "--socket", jobs->socket, "The daemon's admin socket");
  jobs_sub->add_option("--config", jobs->config, "Take the socket from agent.yaml")
      ->excludes(socket);
  jobs_sub->add_flag("--json", jobs->json, "JSON instead of tables");
  jobs_sub->callback([jobs, command] {
    *command = [jobs] {
      return fedlink::agent::cli::RunJobsCommand(*jobs, std::cout);
    };
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fedlink-agent: an agency's federated record-linkage agent"};
  app.require_subcommand(1);
  Command command;
  InitCommandOptions init;
  IngestCommandOptions ingest;
  QualityCommandOptions quality;
  CheckConfigOptions check_config;
  AddInit(app, &init, &command);
  AddIngest(app, &ingest, &command);
  AddQuality(app, &quality, &command);
  AddCheckConfig(app, &check_config, &command);
  AddDaemonCommands(app, &command);
  CLI11_PARSE(app, argc, argv);

  const absl::Status status = command();
  if (!status.ok()) {
    std::cerr << "fedlink-agent: error: " << status.message() << std::endl;
    return 1;
  }
  return 0;
}
