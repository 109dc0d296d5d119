// fedlink-agent: the agency agent's command line. This file only declares
// the subcommands and their flags and hands them to agent/cli/, one file
// per command:
//   init          agent/cli/init_command.h
//   ingest        agent/cli/ingest_command.h
//   quality       agent/cli/quality_command.h
//   check-config  agent/cli/check_config_command.h
//   serve, jobs   the daemon and the steward's commands (agent/cli/serve*,
//                 agent/cli/jobs*): added in AddDaemonCommands below.
//   audit export  agent/cli/audit_command.h (through the daemon)
// Exit status: agent/cli/exit_codes.h (also shown by --help).
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
#include "absl/strings/str_cat.h"
#include "agent/cli/audit_command.h"
#include "agent/cli/check_config_command.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/ingest_command.h"
#include "agent/cli/init_command.h"
#include "agent/cli/jobs_command.h"
#include "agent/cli/progress_display.h"
#include "agent/cli/quality_command.h"
#include "agent/cli/serve_command.h"
#include "agent/daemon/agent_daemon.h"
#include "linkage/crypto/process_init.h"

namespace {

using fedlink::agent::cli::CheckConfigOptions;
using fedlink::agent::cli::IngestCommandOptions;
using fedlink::agent::cli::InitCommandOptions;
using fedlink::agent::cli::QualityCommandOptions;

// The command chosen on the command line, run after parsing.
using Command = std::function<absl::Status()>;

// A job id as the coordinator assigns them, for the examples.
constexpr char kJobExample[] = "j3f1c9a2e7b6d40158c2e9f0a1b3d5c7e";
// The spec hash `jobs show` prints, for the examples.
constexpr char kSpecHashExample[] =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// "Example:" (or "Examples:") and the invocations, as every command's --help
// ends.
void SetExamples(CLI::App* command, const std::vector<std::string>& lines) {
  std::string text = lines.size() == 1 ? "Example:\n" : "Examples:\n";
  for (const std::string& line : lines) absl::StrAppend(&text, "  ", line, "\n");
  command->footer(text);
}

// --output table|json: sets `json`.
void AddOutputOption(CLI::App* command, bool* json) {
  command
      ->add_option_function<std::string>(
          "--output", [json](const std::string& format) { *json = format == "json"; },
          "Output format: table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
}

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
  SetExamples(sub, {"fedlink-agent init --data-dir /var/lib/fedlink-agent --agency edu "
                    "--linkage-secret /etc/fedlink/linkage.secret"});
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
  SetExamples(sub, {"fedlink-agent ingest students-2026.csv --schema k12-schema.yaml "
                    "--data-dir /var/lib/fedlink-agent --quarantine rejected.csv",
                    "fedlink-agent ingest students-2026.csv --schema k12-schema.yaml "
                    "--data-dir /var/lib/fedlink-agent --config /etc/fedlink/agent.yaml"});
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
  AddOutputOption(sub, &options->json);
  SetExamples(sub, {"fedlink-agent quality --data-dir /var/lib/fedlink-agent",
                    "fedlink-agent quality --data-dir /var/lib/fedlink-agent --output json"});
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
  AddOutputOption(sub, &options->json);
  SetExamples(sub, {"fedlink-agent check-config --config /etc/fedlink/agent.yaml",
                    "fedlink-agent check-config --schema k12-schema.yaml --policy policy.yaml "
                    "--data-dir /var/lib/fedlink-agent --output json"});
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
  SetExamples(serve_sub, {"fedlink-agent serve --config /etc/fedlink/agent.yaml"});
  serve_sub->callback([serve, command] {
    *command = [serve] { return fedlink::agent::cli::RunServeCommand(*serve); };
  });

  // `jobs ACTION`: one subcommand per action, all run by RunJobsCommand.
  auto jobs = std::make_shared<JobsCommandOptions>();
  CLI::App* jobs_sub = app.add_subcommand(
      "jobs", "The steward's jobs, through the running daemon: pending, list, "
              "show ID, approve ID, deny ID --reason R");
  jobs_sub->require_subcommand(1);
  SetExamples(jobs_sub, {"fedlink-agent jobs pending --config /etc/fedlink/agent.yaml",
                         absl::StrCat("fedlink-agent jobs show ", kJobExample),
                         absl::StrCat("fedlink-agent jobs approve ", kJobExample,
                                      " --spec-sha256 ", kSpecHashExample)});
  struct Action {
    const char* name;
    const char* description;
    std::vector<std::string> examples;
  };
  const Action actions[] = {
      {"pending", "Jobs waiting for your decision",
       {"fedlink-agent jobs pending --config /etc/fedlink/agent.yaml",
        "fedlink-agent jobs pending --socket /run/fedlink/agent.sock --output json"}},
      {"list", "Every job this agent knows",
       {"fedlink-agent jobs list --config /etc/fedlink/agent.yaml"}},
      {"show", "A job's spec, its policy check, the decision and progress",
       {absl::StrCat("fedlink-agent jobs show ", kJobExample, " --config /etc/fedlink/agent.yaml"),
        absl::StrCat("fedlink-agent jobs show ", kJobExample, " --output json")}},
      {"approve", "Approve a job: sign over the spec you reviewed and send the decision",
       {absl::StrCat("fedlink-agent jobs approve ", kJobExample,
                     " --spec-sha256 ", kSpecHashExample, " --steward jdoe")}},
      {"deny", "Deny a job, with a reason the analyst reads",
       {absl::StrCat("fedlink-agent jobs deny ", kJobExample,
                     " --reason \"asks for home_address, outside our policy\"")}}};
  for (const Action& action : actions) {
    const std::string name = action.name;
    CLI::App* sub = jobs_sub->add_subcommand(name, action.description);
    const bool needs_id = name == "show" || name == "approve" || name == "deny";
    const bool decides = name == "approve" || name == "deny";
    if (needs_id) sub->add_option("job_id", jobs->job_id, "The job")->required();
    if (decides) {
      CLI::Option* reason = sub->add_option(
          "--reason", jobs->reason,
          name == "deny" ? "Why (sent to the analyst)" : "Why (optional; sent to the analyst)");
      if (name == "deny") reason->required();
      sub->add_option("--steward", jobs->steward, "Who decides (default: the login name)");
      sub->add_option("--spec-sha256", jobs->spec_sha256,
                      "Hash of the spec you reviewed, as `jobs show` printed it");
    }
    CLI::Option* socket = sub->add_option("--socket", jobs->socket,
                                          "The daemon's admin socket (default "
                                          "/run/fedlink/agent.sock)");
    sub->add_option("--config", jobs->config, "Take the socket from agent.yaml")
        ->excludes(socket);
    AddOutputOption(sub, &jobs->json);
    SetExamples(sub, action.examples);
    sub->callback([jobs, command, name] {
      jobs->action = name;
      *command = [jobs] { return fedlink::agent::cli::RunJobsCommand(*jobs, std::cout); };
    });
  }
}

// `audit export`: the local audit log as an archive, through the daemon.
void AddAudit(CLI::App& app, Command* command) {
  auto options = std::make_shared<fedlink::agent::cli::AuditExportOptions>();
  CLI::App* audit = app.add_subcommand(
      "audit", "The agency's local audit log, through the running daemon: export");
  audit->require_subcommand(1);
  SetExamples(audit, {"fedlink-agent audit export --out edu-audit.fla "
                      "--config /etc/fedlink/agent.yaml"});
  CLI::App* export_sub = audit->add_subcommand(
      "export", "Write the signed local audit log as an archive for `fedlink audit verify`");
  export_sub->add_option("--out", options->out, "The archive file to write")->required();
  CLI::Option* socket = export_sub->add_option(
      "--socket", options->socket, "The daemon's admin socket (default /run/fedlink/agent.sock)");
  export_sub->add_option("--config", options->config, "Take the socket from agent.yaml")
      ->excludes(socket);
  SetExamples(export_sub, {"fedlink-agent audit export --out edu-audit.fla "
                           "--config /etc/fedlink/agent.yaml",
                           "fedlink-agent audit export --out edu-audit.fla "
                           "--socket /run/fedlink/agent.sock"});
  export_sub->callback([options, command] {
    *command = [options] {
      return fedlink::agent::cli::RunAuditExportCommand(*options, std::cout);
    };
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (const absl::Status openssl = fedlink::crypto::InitOpenSslForProcess(); !openssl.ok()) {
    std::cerr << "fedlink-agent: error: " << openssl.message() << std::endl;
    return fedlink::agent::cli::kExitFailed;
  }
  CLI::App app{"fedlink-agent: an agency's federated record-linkage agent"};
  app.set_version_flag("--version", std::string(fedlink::agent::daemon::kAgentSoftwareVersion));
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
  AddAudit(app, &command);
  // Set last: subcommands copy their parent's footer when added.
  app.footer(absl::StrCat(
      "Examples:\n  fedlink-agent ingest students.csv --schema k12-schema.yaml "
      "--data-dir /var/lib/fedlink-agent\n"
      "  fedlink-agent jobs pending --config /etc/fedlink/agent.yaml\n"
      "Run `fedlink-agent COMMAND --help` for a command's options and examples.\n\n",
      fedlink::agent::cli::kExitCodesHelp));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11's own codes (105, 106, ...) would say nothing to a script.
    return app.exit(error) == 0 ? fedlink::agent::cli::kExitOk : fedlink::agent::cli::kExitUsage;
  }

  const absl::Status status = command();
  if (!status.ok()) {
    std::cerr << "fedlink-agent: error: " << status.message() << std::endl;
  }
  return fedlink::agent::cli::ExitCodeFor(status);
}
