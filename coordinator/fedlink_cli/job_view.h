// How `fedlink job status` and `fedlink job list` show jobs: one job with
// per-party progress and its linkage-quality report, or a table of the
// caller's jobs; as text or as JSON with the same content (no identifier or
// attribute value: the coordinator holds none). Pure functions.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_JOB_VIEW_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_JOB_VIEW_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fedlink/v1/job.pb.h"

namespace fedlink::cli {

// "JOB_STATE_PENDING_APPROVAL" → "PENDING_APPROVAL".
std::string JobStateName(v1::JobState state);

// What the analyst should do next or why the job stopped: "in progress",
// "denied: <reason>", "complete: fetch with `fedlink job results`", ….
std::string JobStateAdvice(const v1::Job& job);

// `job status ID`: state and advice, title, times, a table of the parties
// (decision, records, upload, assignments, chunks, purge) with denial
// reasons, and the quality report (quality_report_view.h) once matched.
std::string FormatJob(const v1::Job& job);

// The same as JSON: {"job_id", "state", "advice", "state_reason", "title",
// "submitted_at", "updated_at", "expires_at" (RFC 3339 or null),
// "parties": [{"agency", "decision" ("pending" | "approve" | "deny"),
// "decision_reason", "records_uploaded", "upload_complete", "assignments",
// "payload_chunks", "payload_complete", "purge_acknowledged"}],
// "quality": QualityReportJson | null}.
nlohmann::ordered_json JobJson(const v1::Job& job);

// `job list`: a header and one line per job (id, state, submitted, title).
std::string FormatJobList(const std::vector<v1::JobSummary>& jobs);

// The same as JSON: {"jobs": [{"job_id", "state", "state_reason", "title",
// "output_mode" ("linked_microdata" | "aggregate" | "unspecified"),
// "parties": [{"agency", "records_uploaded"}], "clusters", "submitted_at",
// "updated_at", "expires_at"}]}.
nlohmann::ordered_json JobListJson(const std::vector<v1::JobSummary>& jobs);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_JOB_VIEW_H_
