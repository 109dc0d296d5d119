#include "agent/cli/check_config_command.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "agent/cli/agent_store_access.h"
#include "agent/daemon/agent_config.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/policy/agent_policy.h"
#include "agent/store/key_file.h"
#include "agent/store/signing_key_file.h"

namespace fedlink::agent::cli {
namespace {

// One result per item checked: printed as it comes (text), or kept for
// the one JSON object printed at the end.
class Results {
 public:
  Results(std::ostream* out, bool json) : out_(out), json_(json) {}
  void Ok(const std::string& what) {
    if (json_) {
      items_.push_back({{"item", what}, {"ok", true}});
    } else {
      *out_ << "ok     " << what << "\n";
    }
  }
  void Error(const std::string& what, const absl::Status& status) {
    ++failures_;
    if (json_) {
      items_.push_back({{"item", what}, {"ok", false}, {"error", std::string(status.message())}});
    } else {
      *out_ << "error  " << what << ": " << status.message() << "\n";
    }
  }
  // JSON: {"ok": no failures, "problems": N, "items": [{"item", "ok",
  // "error" (failures only)}]}.
  void Finish() {
    if (!json_) return;
    nlohmann::ordered_json report;
    report["ok"] = failures_ == 0;
    report["problems"] = failures_;
    report["items"] = items_;
    *out_ << report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  }
  int failures() const { return failures_; }

 private:
  std::ostream* out_;
  bool json_;
  nlohmann::ordered_json items_ = nlohmann::ordered_json::array();
  int failures_ = 0;
};

void CheckSchema(const std::string& path, Results* results) {
  absl::StatusOr<ingest::IngestSchema> schema =
      ingest::LoadIngestSchemaFile(path);
  if (!schema.ok()) {
    results->Error(absl::StrCat("ingest schema ", path), schema.status());
    return;
  }
  results->Ok(absl::StrCat("ingest schema ", path, " (local id, ",
                           schema->identifiers.size(), " identifiers, ",
                           schema->attributes.size(), " attributes, ",
                           schema->ignore_columns.size(), " ignored)"));
}

std::optional<std::string> CheckPolicy(const std::string& path,
                                       Results* results) {
  absl::StatusOr<policy::AgentPolicy> loaded =
      policy::LoadAgentPolicyFile(path);
  if (!loaded.ok()) {
    results->Error(absl::StrCat("policy ", path), loaded.status());
    return std::nullopt;
  }
  results->Ok(absl::StrCat("policy ", path, " (agency ", loaded->agency, ", ",
                           loaded->partners.size(), " partners, ",
                           loaded->analysts.size(), " analysts, ",
                           loaded->columns.size(), " columns)"));
  return loaded->agency;
}

// The daemon's configuration; fills in what it names that `options` does
// not give, and returns its agency.
std::optional<std::string> CheckAgentConfig(CheckConfigOptions* options,
                                            Results* results) {
  absl::StatusOr<daemon::AgentConfig> config =
      daemon::LoadAgentConfigFile(options->config);
  if (!config.ok()) {
    results->Error(absl::StrCat("agent config ", options->config),
                   config.status());
    return std::nullopt;
  }
  results->Ok(absl::StrCat("agent config ", options->config, " (agency ",
                           config->agency, ")"));
  if (options->schemas.empty() && !config->ingest_schema_file.empty()) {
    options->schemas.push_back(config->ingest_schema_file);
  }
  if (options->policy.empty()) options->policy = config->policy_file;
  if (options->data_dir.empty()) options->data_dir = config->data_dir;
  return config->agency;
}

void CheckDataDir(const std::string& data_dir,
                  const std::optional<std::string>& policy_agency,
                  Results* results) {
  const std::string what = absl::StrCat("data directory ", data_dir);
  absl::StatusOr<OpenedStore> opened = OpenAgentStore(data_dir, {});
  if (!opened.ok()) {
    results->Error(what, opened.status());
    return;
  }
  const DataDirLayout& layout = opened->layout;
  bool ok = true;
  absl::StatusOr<crypto::SecretBytes> secret =
      LoadKeyFile(layout.linkage_secret, "linkage secret");
  if (!secret.ok()) {
    results->Error(what, secret.status());
    ok = false;
  }
  absl::StatusOr<crypto::Ed25519PrivateKey> signing =
      LoadSigningKey(layout.signing_key);
  if (!signing.ok()) {
    results->Error(what, signing.status());
    ok = false;
  }
  absl::StatusOr<std::optional<std::string>> agency =
      StoredAgency(*opened->store);
  if (!agency.ok()) {
    results->Error(what, agency.status());
    return;
  }
  if (!agency->has_value()) {
    results->Error(what, absl::FailedPreconditionError(
                             "no agency recorded: run `fedlink-agent init` "
                             "again to complete it"));
    return;
  }
  if (policy_agency.has_value() && **agency != *policy_agency) {
    results->Error(what, absl::FailedPreconditionError(absl::StrCat(
                             "initialised for agency '", **agency,
                             "' but the policy's agency is '", *policy_agency,
                             "'")));
    return;
  }
  if (ok) results->Ok(absl::StrCat(what, " (agency ", **agency, ")"));
}

}  // namespace

absl::Status RunCheckConfigCommand(const CheckConfigOptions& given,
                                   std::ostream& out) {
  CheckConfigOptions options = given;
  if (options.config.empty() && options.schemas.empty() &&
      options.policy.empty() && options.data_dir.empty()) {
    return absl::InvalidArgumentError(
        "nothing to check: give --config FILE, --schema FILE, --policy FILE "
        "and/or --data-dir DIR");
  }
  Results results(&out, options.json);
  std::optional<std::string> config_agency;
  if (!options.config.empty()) {
    config_agency = CheckAgentConfig(&options, &results);
  }
  for (const std::string& schema : options.schemas) {
    CheckSchema(schema, &results);
  }
  std::optional<std::string> policy_agency;
  if (!options.policy.empty()) {
    policy_agency = CheckPolicy(options.policy, &results);
    if (policy_agency.has_value() && config_agency.has_value() &&
        *policy_agency != *config_agency) {
      results.Error(
          absl::StrCat("policy ", options.policy),
          absl::FailedPreconditionError(absl::StrCat(
              "its agency '", *policy_agency, "' is not the agent config's '",
              *config_agency, "'")));
    }
  }
  if (!policy_agency.has_value()) policy_agency = config_agency;
  if (!options.data_dir.empty()) {
    CheckDataDir(options.data_dir, policy_agency, &results);
  }
  results.Finish();
  if (results.failures() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(results.failures(), " configuration problem",
                     results.failures() == 1 ? "" : "s", " found (",
                     options.json ? "\"ok\": false items" : "above", ")"));
  }
  return absl::OkStatus();
}

}  // namespace fedlink::agent::cli
