#include "agent/cli/jobs_command.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "agent/admin/admin_client.h"
#include "agent/cli/admin_socket_option.h"
#include "agent/daemon/job_record.h"
#include "google/protobuf/util/json_util.h"
#include "linkage/crypto/sha256.h"
#include "linkage/status_macros.h"
#include "proto/runtime/peer_identity.h"

namespace fedlink::agent::cli {
namespace {

std::string Hex(const std::string& bytes) {
  return crypto::ToHex(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           bytes.size()));
}

absl::StatusOr<std::string> FromHex(const std::string& hex) {
  if (hex.size() != 64) {
    return absl::InvalidArgumentError("--spec-sha256: must be 64 hexadecimal digits");
  }
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = digit(hex[i]);
    const int lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError("--spec-sha256: must be 64 hexadecimal digits");
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%SZ", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

// Cuts `text` to `width` characters for a table cell (one line).
std::string Cell(std::string text, size_t width) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  return text;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string Json(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

absl::StatusOr<std::string> StewardName(const JobsCommandOptions& options) {
  std::string name = options.steward;
  if (name.empty()) {
    if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) {
      name = pw->pw_name;
    }
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  if (!proto::IsValidName(name)) {
    return absl::InvalidArgumentError(
        "--steward: give the deciding person's name ([a-z0-9][a-z0-9._-]*, 1..64 bytes)");
  }
  return name;
}

}  // namespace

std::string JobsTable(const std::vector<v1::AgentJob>& jobs) {
  if (jobs.empty()) return "no jobs\n";
  std::vector<std::vector<std::string>> rows = {
      {"JOB", "STATE", "ANALYST", "RECEIVED", "POLICY", "TITLE"}};
  for (const v1::AgentJob& job : jobs) {
    std::string policy = "-";
    if (job.state() == v1::AGENT_JOB_STATE_PENDING_DECISION) {
      policy = job.policy_violations_size() == 0
                   ? "approvable"
                   : absl::StrCat(job.policy_violations_size(), " violation",
                                  job.policy_violations_size() == 1 ? "" : "s");
    }
    rows.push_back({job.job_id(), std::string(daemon::AgentJobStateName(job.state())),
                    job.analyst(), Time(job.received_at()), policy,
                    Cell(job.spec().title(), 48)});
  }
  return Table(rows);
}

std::string JobDetails(const v1::AgentJob& job) {
  const v1::JobSpec& spec = job.spec();
  std::string out;
  absl::StrAppend(&out, "job:          ", job.job_id(), "\n");
  absl::StrAppend(&out, "state:        ", std::string(daemon::AgentJobStateName(job.state())), "\n");
  absl::StrAppend(&out, "spec sha256:  ", Hex(job.job_spec_sha256()), "\n");
  absl::StrAppend(&out, "analyst:      ", job.analyst(), "\n");
  absl::StrAppend(&out, "received:     ", Time(job.received_at()), "\n");
  absl::StrAppend(&out, "title:        ", spec.title(), "\n");
  absl::StrAppend(&out, "purpose:      ", spec.purpose(), "\n");
  absl::StrAppend(&out, "IRB:          ", spec.irb_reference(), "\n");
  absl::StrAppend(&out, "DSA:          ", spec.data_sharing_agreement(), "\n");
  absl::StrAppend(&out, "expires:      ", Time(spec.expires_at()), "\n");
  absl::StrAppend(&out, "method:       ", v1::LinkageMethod_Name(spec.method()), "\n");
  absl::StrAppend(&out, "output:       ", v1::OutputMode_Name(spec.output_mode()), "\n");
  absl::StrAppend(&out, "parties:\n");
  for (const v1::Party& party : spec.parties()) {
    std::vector<std::string> conditions;
    for (const v1::CohortCondition& c : party.cohort().all_of()) {
      conditions.push_back(absl::StrCat(c.column(), " ", v1::Comparison_Name(c.comparison())));
    }
    absl::StrAppend(&out, "  ", party.agency(), ": columns [",
                    absl::StrJoin(party.columns(), ", "), "], cohort [",
                    absl::StrJoin(conditions, "; "), "]\n");
  }
  if (job.state() == v1::AGENT_JOB_STATE_PENDING_DECISION) {
    if (job.policy_violations_size() == 0) {
      absl::StrAppend(&out, "policy:       approvable (no rule broken)\n");
    } else {
      absl::StrAppend(&out, "policy:       cannot be approved:\n");
      for (const std::string& v : job.policy_violations()) absl::StrAppend(&out, "  - ", v, "\n");
    }
  }
  if (job.has_decision()) {
    const v1::SignedDecision& d = job.decision();
    absl::StrAppend(&out, "decision:     ", d.verdict() == v1::VERDICT_APPROVE ? "approved" : "denied",
                    " by ", d.steward(), " at ",
                    absl::FormatTime("%Y-%m-%d %H:%M:%SZ",
                                     absl::FromUnixMillis(static_cast<int64_t>(d.decided_at_unix_ms())),
                                     absl::UTCTimeZone()),
                    d.reason().empty() ? "" : absl::StrCat(" (", d.reason(), ")"), "\n");
  }
  if (job.cohort_size() > 0 || job.records_uploaded() > 0) {
    absl::StrAppend(&out, "cohort:       ", job.cohort_size(), " records, ",
                    job.records_uploaded(), " uploaded\n");
  }
  if (job.rows_released() > 0) absl::StrAppend(&out, "released:     ", job.rows_released(), " rows\n");
  if (!job.failure_reason().empty()) absl::StrAppend(&out, "last error:   ", job.failure_reason(), "\n");
  return out;
}

absl::Status RunJobsCommand(const JobsCommandOptions& options, std::ostream& out) {
  const std::string& action = options.action;
  if (action != "pending" && action != "list" && action != "show" && action != "approve" &&
      action != "deny") {
    return absl::InvalidArgumentError(
        "jobs: unknown action (allowed: pending, list, show, approve, deny)");
  }
  const bool needs_id = action == "show" || action == "approve" || action == "deny";
  if (needs_id && options.job_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("jobs ", action, ": give the job id"));
  }
  if (action == "deny" && options.reason.empty()) {
    return absl::InvalidArgumentError("jobs deny: --reason is required (it is sent to the analyst)");
  }
  FEDLINK_ASSIGN_OR_RETURN(std::string socket, ResolveAdminSocket(options.socket, options.config));
  std::unique_ptr<admin::AdminClient> client = admin::AdminClient::ForSocket(socket);

  if (action == "pending" || action == "list") {
    std::vector<v1::AgentJobState> states;
    if (action == "pending") states.push_back(v1::AGENT_JOB_STATE_PENDING_DECISION);
    FEDLINK_ASSIGN_OR_RETURN(std::vector<v1::AgentJob> jobs, client->ListJobs(states));
    if (options.json) {
      v1::AgentListJobsResponse response;
      for (v1::AgentJob& job : jobs) *response.add_jobs() = std::move(job);
      out << Json(response);
    } else {
      out << JobsTable(jobs);
    }
    return absl::OkStatus();
  }
  if (action == "show") {
    FEDLINK_ASSIGN_OR_RETURN(v1::AgentJob job, client->ShowJob(options.job_id));
    out << (options.json ? Json(job) : JobDetails(job));
    return absl::OkStatus();
  }
  FEDLINK_ASSIGN_OR_RETURN(std::string steward, StewardName(options));
  v1::DecideRequest request;
  request.set_job_id(options.job_id);
  request.set_verdict(action == "approve" ? v1::VERDICT_APPROVE : v1::VERDICT_DENY);
  request.set_reason(options.reason);
  request.set_steward(steward);
  if (!options.spec_sha256.empty()) {
    FEDLINK_ASSIGN_OR_RETURN(std::string sha, FromHex(options.spec_sha256));
    request.set_job_spec_sha256(sha);
  } else {
    FEDLINK_ASSIGN_OR_RETURN(v1::AgentJob job, client->ShowJob(options.job_id));
    request.set_job_spec_sha256(job.job_spec_sha256());
  }
  FEDLINK_ASSIGN_OR_RETURN(v1::DecideResponse response, client->Decide(request));
  if (options.json) {
    out << Json(response);
  } else {
    out << "job " << options.job_id << ": " << (action == "approve" ? "approved" : "denied")
        << " by " << response.decision().steward() << "; signed decision "
        << (response.delivered() ? "delivered to the coordinator"
                                 : "queued (sent when the coordinator is reachable)")
        << "\n";
  }
  return absl::OkStatus();
}

}  // namespace fedlink::agent::cli
