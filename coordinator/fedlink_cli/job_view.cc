#include "coordinator/fedlink_cli/job_view.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "coordinator/fedlink_cli/quality_report_view.h"

namespace fedlink::cli {
namespace {

std::string WithoutPrefix(std::string name, std::string_view prefix) {
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return name;
}

// "-" in text, null in JSON, for a time that was never set.
bool IsSet(const google::protobuf::Timestamp& time) { return time.seconds() != 0; }

std::string TimeText(const google::protobuf::Timestamp& time) {
  if (!IsSet(time)) return "-";
  return absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

nlohmann::ordered_json TimeJson(const google::protobuf::Timestamp& time) {
  if (!IsSet(time)) return nullptr;
  return TimeText(time);
}

std::string DecisionName(v1::Verdict verdict) {
  if (verdict == v1::VERDICT_UNSPECIFIED) return "pending";
  return absl::AsciiStrToLower(WithoutPrefix(v1::Verdict_Name(verdict), "VERDICT_"));
}

}  // namespace

std::string JobStateName(v1::JobState state) {
  return WithoutPrefix(v1::JobState_Name(state), "JOB_STATE_");
}

std::string JobStateAdvice(const v1::Job& job) {
  switch (job.state()) {
    case v1::JOB_STATE_SUBMITTED:
    case v1::JOB_STATE_PENDING_APPROVAL:
      return "not approved yet: waiting for every agency's steward";
    case v1::JOB_STATE_DENIED:
      return absl::StrCat("denied: ", job.state_reason());
    case v1::JOB_STATE_FAILED:
      return absl::StrCat("failed: ", job.state_reason());
    case v1::JOB_STATE_CANCELLED:
      return absl::StrCat("cancelled: ", job.state_reason());
    case v1::JOB_STATE_PURGED:
      return "purged: results and job data were destroyed (only the audit trail remains)";
    case v1::JOB_STATE_COMPLETE:
      return "complete: fetch with `fedlink job results`";
    default:
      return "in progress";
  }
}

std::string FormatJob(const v1::Job& job) {
  std::string out = absl::StrCat(
      "job ", job.job_id(), ": ", JobStateName(job.state()), " — ", JobStateAdvice(job),
      "\n  title: ", job.spec().title(), "\n  submitted: ", TimeText(job.submitted_at()),
      "  updated: ", TimeText(job.updated_at()), "  expires: ", TimeText(job.spec().expires_at()),
      "\n");
  absl::StrAppend(&out, absl::StrFormat("  %-20s %-9s %-12s %-8s %-11s %-8s %s\n", "AGENCY",
                                        "DECISION", "RECORDS", "UPLOAD", "ASSIGNMENTS", "CHUNKS",
                                        "PURGED"));
  for (const v1::PartyProgress& party : job.parties()) {
    absl::StrAppend(
        &out, absl::StrFormat("  %-20s %-9s %-12d %-8s %-11d %-8s %s\n", party.agency(),
                              DecisionName(party.verdict()), party.records_uploaded(),
                              party.upload_complete() ? "done" : "-", party.assignments(),
                              absl::StrCat(party.payload_chunks(),
                                           party.payload_complete() ? "" : "+"),
                              party.purge_acknowledged() ? "yes" : "-"));
    if (party.verdict() == v1::VERDICT_DENY && !party.decision_reason().empty()) {
      absl::StrAppend(&out, "    reason: ", party.decision_reason(), "\n");
    }
  }
  if (job.has_quality()) {
    absl::StrAppend(&out, "  quality report:\n", FormatQualityReport(job.quality(), "    "));
  }
  return out;
}

nlohmann::ordered_json JobJson(const v1::Job& job) {
  nlohmann::ordered_json out;
  out["job_id"] = job.job_id();
  out["state"] = JobStateName(job.state());
  out["advice"] = JobStateAdvice(job);
  out["state_reason"] = job.state_reason();
  out["title"] = job.spec().title();
  out["submitted_at"] = TimeJson(job.submitted_at());
  out["updated_at"] = TimeJson(job.updated_at());
  out["expires_at"] = TimeJson(job.spec().expires_at());
  nlohmann::ordered_json parties = nlohmann::ordered_json::array();
  for (const v1::PartyProgress& party : job.parties()) {
    nlohmann::ordered_json p;
    p["agency"] = party.agency();
    p["decision"] = DecisionName(party.verdict());
    p["decision_reason"] = party.decision_reason();
    p["records_uploaded"] = party.records_uploaded();
    p["upload_complete"] = party.upload_complete();
    p["assignments"] = party.assignments();
    p["payload_chunks"] = party.payload_chunks();
    p["payload_complete"] = party.payload_complete();
    p["purge_acknowledged"] = party.purge_acknowledged();
    parties.push_back(std::move(p));
  }
  out["parties"] = std::move(parties);
  out["quality"] = job.has_quality() ? QualityReportJson(job.quality()) : nullptr;
  return out;
}

std::string FormatJobList(const std::vector<v1::JobSummary>& jobs) {
  std::string out = absl::StrFormat("%-34s %-17s %-25s %s\n", "JOB", "STATE", "SUBMITTED", "TITLE");
  for (const v1::JobSummary& job : jobs) {
    absl::StrAppend(&out, absl::StrFormat("%-34s %-17s %-25s %s\n", job.job_id(),
                                          JobStateName(job.state()),
                                          TimeText(job.submitted_at()), job.title()));
  }
  return out;
}

nlohmann::ordered_json JobListJson(const std::vector<v1::JobSummary>& jobs) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const v1::JobSummary& job : jobs) {
    nlohmann::ordered_json j;
    j["job_id"] = job.job_id();
    j["state"] = JobStateName(job.state());
    j["state_reason"] = job.state_reason();
    j["title"] = job.title();
    j["output_mode"] =
        absl::AsciiStrToLower(WithoutPrefix(v1::OutputMode_Name(job.output_mode()), "OUTPUT_MODE_"));
    nlohmann::ordered_json parties = nlohmann::ordered_json::array();
    for (int i = 0; i < job.agencies_size(); ++i) {
      nlohmann::ordered_json party;
      party["agency"] = job.agencies(i);
      if (i < job.records_per_party_size()) party["records_uploaded"] = job.records_per_party(i);
      parties.push_back(std::move(party));
    }
    j["parties"] = std::move(parties);
    j["clusters"] = job.clusters();
    j["submitted_at"] = TimeJson(job.submitted_at());
    j["updated_at"] = TimeJson(job.updated_at());
    j["expires_at"] = TimeJson(job.expires_at());
    list.push_back(std::move(j));
  }
  nlohmann::ordered_json out;
  out["jobs"] = std::move(list);
  return out;
}

}  // namespace fedlink::cli
