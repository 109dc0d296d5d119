// fedlink — the analysts' and auditors' command line (DESIGN.md §8).
// main() only parses options, loads the client configuration and calls the
// command functions of fedlink::cli_lib.
#include <initializer_list>
#include <iostream>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop

#include "coordinator/fedlink_cli/analyst_keys.h"
#include "coordinator/fedlink_cli/audit_commands.h"
#include "absl/strings/str_cat.h"
#include "coordinator/fedlink_cli/client_config.h"
#include "coordinator/fedlink_cli/coordinator_commands.h"
#include "coordinator/fedlink_cli/exit_codes.h"
#include "coordinator/fedlink_cli/job_spec_yaml.h"
#include "linkage/crypto/process_init.h"

namespace {

using fedlink::cli::ClientConfig;

struct GlobalOptions {
  std::string config_file;
  std::string coordinator;
  std::string cert;
  std::string key;
  std::string ca;
};

// The configuration file (explicit --config must exist; the default may be
// absent), then the command-line overrides.
absl::StatusOr<ClientConfig> ResolveConfig(const GlobalOptions& options) {
  ClientConfig config;
  const std::string path = options.config_file.empty() ? fedlink::cli::DefaultClientConfigPath()
                                                       : options.config_file;
  if (!path.empty()) {
    absl::StatusOr<ClientConfig> loaded = fedlink::cli::LoadClientConfig(path);
    if (loaded.ok()) {
      config = *std::move(loaded);
    } else if (!options.config_file.empty() || !absl::IsNotFound(loaded.status())) {
      return loaded.status();
    }
  }
  if (!options.coordinator.empty()) config.coordinator = options.coordinator;
  if (!options.cert.empty()) config.cert_file = options.cert;
  if (!options.key.empty()) config.key_file = options.key;
  if (!options.ca.empty()) config.ca_file = options.ca;
  return config;
}

// "Example:" (or "Examples:") and the invocations, as every command's --help
// ends.
void SetExamples(CLI::App* command, std::initializer_list<std::string> lines) {
  std::string text = lines.size() == 1 ? "Example:\n" : "Examples:\n";
  for (const std::string& line : lines) absl::StrAppend(&text, "  ", line, "\n");
  command->footer(text);
}

// --output table|json, for the commands whose output scripts read.
void AddOutputOption(CLI::App* command, std::string* output) {
  command->add_option("--output", *output, "output format: table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
}

}  // namespace

int main(int argc, char** argv) {
  if (const absl::Status openssl = fedlink::crypto::InitOpenSslForProcess(); !openssl.ok()) {
    std::cerr << "fedlink: " << openssl.message() << "\n";
    return fedlink::cli::kExitError;
  }
  CLI::App app{"fedlink: submit linkage jobs, fetch results, verify the coordinator's audit log"};
  app.set_version_flag("--version", "fedlink " FEDLINK_VERSION);
  app.require_subcommand(1);
  // Global options may also follow the subcommands (inherited by them).
  app.fallthrough();
  GlobalOptions global;
  app.add_option("--config", global.config_file,
                 "client configuration (default ~/.config/fedlink/client.yaml)");
  app.add_option("--coordinator", global.coordinator, "coordinator HOST:PORT");
  app.add_option("--cert", global.cert, "your certificate (PEM)");
  app.add_option("--key", global.key, "your certificate's private key (PEM)");
  app.add_option("--ca", global.ca, "the deployment CA certificate (PEM)");

  // A job id as the coordinator assigns them, for the examples.
  const std::string job_example = "j3f1c9a2e7b6d40158c2e9f0a1b3d5c7e";
  // --output of whichever command runs (one per invocation).
  std::string output = "table";
  const auto json = [&output] { return output == "json"; };
  int exit_code = fedlink::cli::kExitOk;
  auto with_config = [&](auto&& run) {
    return [&, run] {
      absl::StatusOr<ClientConfig> config = ResolveConfig(global);
      if (!config.ok()) {
        std::cerr << "fedlink: " << config.status().message() << "\n";
        exit_code = fedlink::cli::kExitError;
        return;
      }
      exit_code = run(*config);
    };
  };

  // ------------------------------------------------------------ audit
  CLI::App* audit = app.add_subcommand("audit", "the coordinator's audit log");
  audit->require_subcommand(1);
  SetExamples(audit, {"fedlink audit verify",
                      "fedlink audit log --job " + job_example + " --output json",
                      "fedlink audit denials --since 2026-12-01",
                      "fedlink audit export --out audit-2026-12.fla"});

  struct {
    std::string state;
    std::string archive;
  } verify_options;
  CLI::App* verify = audit->add_subcommand(
      "verify", "recompute the Merkle tree, check every signed head, consistency with the saved "
                "head and the agencies' decision signatures");
  verify->add_option("--state", verify_options.state,
                     "file holding the last verified head (default: audit.state in the config)");
  verify->add_option("--archive", verify_options.archive,
                     "verify an export file offline instead of the live log");
  AddOutputOption(verify, &output);
  SetExamples(verify, {"fedlink audit verify --config auditor.yaml",
                       "fedlink audit verify --archive audit-2026-12.fla --output json"});
  verify->callback(with_config([&](const ClientConfig& config) {
    const std::string state =
        verify_options.state.empty() ? config.audit_state_file : verify_options.state;
    if (!verify_options.archive.empty()) {
      return fedlink::cli::VerifyArchiveCommand(verify_options.archive, config, state, std::cout,
                                                std::cerr, json());
    }
    return fedlink::cli::VerifyLiveLogCommand(config, state, std::cout, std::cerr, json());
  }));

  struct {
    std::string job;
    std::string since;
    std::string archive;
  } log_options;
  auto entry_listing = [&](bool denials) {
    return with_config([&, denials](const ClientConfig& config) {
      fedlink::cli::EntryFilter filter{log_options.job, 0, denials};
      if (!log_options.since.empty()) {
        absl::StatusOr<uint64_t> since = fedlink::cli::ParseSince(log_options.since);
        if (!since.ok()) {
          std::cerr << "fedlink: " << since.status().message() << "\n";
          return fedlink::cli::kExitError;
        }
        filter.since_unix_ms = *since;
      }
      if (!log_options.archive.empty()) {
        return fedlink::cli::PrintArchiveEntries(log_options.archive, filter, json(), std::cout,
                                                 std::cerr);
      }
      return fedlink::cli::PrintLiveEntriesCommand(config, filter, json(), std::cout, std::cerr);
    });
  };
  for (const bool denials : {false, true}) {
    CLI::App* listing =
        denials ? audit->add_subcommand("denials", "denied jobs, refused calls and certificates")
                : audit->add_subcommand("log", "show audit entries (table or JSON lines)");
    listing->add_option("--job", log_options.job, "only entries of this job");
    listing->add_option("--since", log_options.since,
                        "only entries at or after (RFC 3339, date or Unix ms)");
    listing->add_option("--output", output,
                        "output format: table (default) or json (one object per line)")
        ->check(CLI::IsMember({"table", "json"}));
    listing->add_option("--archive", log_options.archive, "read an export file instead");
    if (denials) {
      SetExamples(listing, {"fedlink audit denials --since 2026-12-01T06:00:00Z",
                            "fedlink audit denials --archive audit-2026-12.fla --output json"});
    } else {
      SetExamples(listing,
                  {"fedlink audit log --job " + job_example + " --since 2026-12-01",
                   "fedlink audit log --output json | jq -c 'select(.outcome == \"refused\")'"});
    }
    listing->callback(entry_listing(denials));
  }

  std::string export_out;
  CLI::App* export_command =
      audit->add_subcommand("export", "write the signed log to an archive file");
  export_command->add_option("--out", export_out, "archive file to write")->required();
  SetExamples(export_command, {"fedlink audit export --out audit-2026-12.fla"});
  export_command->callback(with_config([&](const ClientConfig& config) {
    return fedlink::cli::ExportLiveLogCommand(config, export_out, std::cout, std::cerr);
  }));

  // ------------------------------------------------------------ job
  CLI::App* job = app.add_subcommand("job", "linkage jobs (analysts)");
  job->require_subcommand(1);
  SetExamples(job, {"fedlink job submit job.yaml", "fedlink job list",
                    "fedlink job status " + job_example,
                    "fedlink job results " + job_example + " --key analyst.key --out linked.csv"});

  std::string job_file;
  std::string request_id;
  bool dry_run = false;
  CLI::App* submit = job->add_subcommand("submit", "submit a job spec (YAML)");
  submit->add_option("job_yaml", job_file, "job spec file")->required();
  submit->add_option("--request-id", request_id, "idempotency key for retries");
  submit->add_flag("--dry-run", dry_run, "check the file and print the spec; send nothing");
  AddOutputOption(submit, &output);
  SetExamples(submit, {"fedlink job submit job.yaml --dry-run",
                       "fedlink job submit job.yaml --request-id study-42-v1 --output json"});
  submit->callback(with_config([&](const ClientConfig& config) {
    absl::StatusOr<fedlink::v1::JobSpec> spec = fedlink::cli::LoadJobSpecYaml(job_file);
    if (!spec.ok()) {
      std::cerr << "fedlink: " << spec.status().message() << "\n";
      return fedlink::cli::kExitError;
    }
    if (dry_run) {
      std::cout << fedlink::cli::DescribeJobSpec(*spec);
      return fedlink::cli::kExitOk;
    }
    return fedlink::cli::SubmitJobCommand(config, *spec, request_id, std::cout, std::cerr, json());
  }));

  std::string job_id;
  CLI::App* status = job->add_subcommand("status", "one job in detail, or all your jobs");
  status->add_option("job_id", job_id, "job id (omit to list)");
  AddOutputOption(status, &output);
  SetExamples(status, {"fedlink job status " + job_example,
                       "fedlink job status " + job_example + " --output json | jq .quality.clusters"});
  status->callback(with_config([&](const ClientConfig& config) {
    if (job_id.empty()) return fedlink::cli::JobListCommand(config, std::cout, std::cerr, json());
    return fedlink::cli::JobStatusCommand(config, job_id, std::cout, std::cerr, json());
  }));
  CLI::App* list = job->add_subcommand("list", "your jobs");
  AddOutputOption(list, &output);
  SetExamples(list, {"fedlink job list", "fedlink job list --output json | jq -r '.jobs[].job_id'"});
  list->callback(with_config([&](const ClientConfig& config) {
    return fedlink::cli::JobListCommand(config, std::cout, std::cerr, json());
  }));

  std::string cancel_reason;
  CLI::App* cancel = job->add_subcommand("cancel", "cancel a job (its data is destroyed)");
  cancel->add_option("job_id", job_id, "job id")->required();
  cancel->add_option("--reason", cancel_reason, "why (kept in the audit log)");
  AddOutputOption(cancel, &output);
  SetExamples(cancel, {"fedlink job cancel " + job_example + " --reason \"study withdrawn\""});
  cancel->callback(with_config([&](const ClientConfig& config) {
    return fedlink::cli::CancelJobCommand(config, job_id, cancel_reason, std::cout, std::cerr,
                                          json());
  }));

  // ------------------------------------------------------------ keys
  CLI::App* keys = app.add_subcommand("keys", "the analyst's X25519 key pair for results");
  keys->require_subcommand(1);
  SetExamples(keys, {"fedlink keys init --out ~/.config/fedlink/analyst.key"});
  std::string private_key_out = "analyst.key";
  std::string public_key_out;
  CLI::App* keys_init = keys->add_subcommand("init", "create a key pair (never overwrites)");
  keys_init->add_option("--out", private_key_out, "private key file (0600)")->capture_default_str();
  keys_init->add_option("--public-out", public_key_out, "public key file (default: <out>.pub)");
  SetExamples(keys_init, {"fedlink keys init --out ~/.config/fedlink/analyst.key"});
  keys_init->callback([&] {
    const std::string public_path =
        public_key_out.empty() ? private_key_out + ".pub" : public_key_out;
    absl::Status written = fedlink::cli::WriteAnalystKeyPair(private_key_out, public_path);
    if (!written.ok()) {
      std::cerr << "fedlink: " << written.message() << "\n";
      exit_code = fedlink::cli::kExitError;
      return;
    }
    std::cout << "private key: " << private_key_out << " (keep it; mode 0600)\npublic key: "
              << public_path << " (analyst_key.public_key in job specs)\n";
  });

  std::string results_out;
  std::string results_key;
  CLI::App* results = job->add_subcommand(
      "results", "fetch, decrypt and join the linked rows (or print the aggregate table)");
  results->add_option("job_id", job_id, "job id")->required();
  results->add_option("--out", results_out, "CSV file to write (microdata jobs)");
  results->add_option("--key", results_key,
                      "your analyst X25519 private key (PEM; microdata and breakdowns by category)");
  AddOutputOption(results, &output);
  SetExamples(results,
              {"fedlink job results " + job_example + " --key analyst.key --out linked.csv",
               "fedlink job results " + job_example + " --output json    # an aggregate job"});
  results->callback(with_config([&](const ClientConfig& config) {
    return fedlink::cli::JobResultsCommand(config, job_id, results_out, results_key, std::cout,
                                           std::cerr, json());
  }));

  // Set last: subcommands copy their parent's footer when added.
  app.footer(absl::StrCat("Examples:\n  fedlink job submit job.yaml\n"
                          "  fedlink --config auditor.yaml audit verify\n"
                          "Run `fedlink COMMAND --help` for a command's options and examples.\n\n",
                          fedlink::cli::kExitCodesHelp));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11's own codes (105, 106, ...) would say nothing to a script.
    return app.exit(error) == 0 ? fedlink::cli::kExitOk : fedlink::cli::kExitError;
  }
  return exit_code;
}
