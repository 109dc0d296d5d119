#include "agent/cli/ingest_via_daemon.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agent/admin/admin_client.h"
#include "agent/cli/ingest_output.h"
#include "agent/ingest/row_validator.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::cli {

std::vector<ingest::Problem> ProblemsFromDaemonReason(std::string_view reason) {
  std::vector<ingest::Problem> problems;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(reason.data(), reason.size()), "; ",
                      absl::SkipEmpty())) {
    // "column: code" or "code"; a column name may itself hold ": ", a code
    // never does.
    const size_t colon = part.rfind(": ");
    const absl::string_view code =
        colon == absl::string_view::npos ? part : part.substr(colon + 2);
    ingest::Problem problem;
    if (colon != absl::string_view::npos) {
      problem.column = std::string(part.substr(0, colon));
    }
    if (std::optional<ingest::Reason> known =
            ingest::ReasonFromCode(std::string_view(code.data(), code.size()))) {
      problem.reason = *known;
    } else {
      problem.reason = ingest::Reason::kInvalidValue;
      problem.detail = absl::StrCat("the agent daemon reported '", code, "'");
    }
    problems.push_back(std::move(problem));
  }
  return problems;
}

absl::StatusOr<ingest::IngestSummary> IngestViaDaemon(
    const DaemonIngestRequest& request, ingest::QuarantineSink* quarantine,
    ProgressDisplay* display) {
  v1::IngestStart start;
  start.set_source_name(request.source_name);
  FEDLINK_ASSIGN_OR_RETURN(*start.mutable_schema_yaml(),
                           ingest::ReadIngestSchemaFile(request.schema_path));
  start.set_schema_source_name(IngestSourceName(request.schema_path));
  start.set_total_bytes(request.total_bytes);

  ingest::IngestSummary summary;
  summary.source = request.source_name;
  uint64_t bytes_read = 0;
  admin::IngestEventHandlers handlers;
  handlers.on_progress = [&](const v1::IngestProgress& p) {
    bytes_read = p.bytes_read();
    display->Update(
        ingest::IngestProgress{.bytes_read = p.bytes_read(),
                               .total_bytes = request.total_bytes,
                               .rows_read = p.rows_read(),
                               .rows_committed = p.rows_committed(),
                               .rows_quarantined = p.rows_quarantined(),
                               .batches_committed = 0},
        absl::Now());
  };
  handlers.on_quarantined = [&](const v1::QuarantinedRow& row) {
    const std::vector<ingest::Problem> problems =
        ProblemsFromDaemonReason(row.reason());
    // Counted per reason code as a local ingest counts them.
    std::vector<ingest::Reason> counted;
    for (const ingest::Problem& p : problems) {
      if (std::find(counted.begin(), counted.end(), p.reason) !=
          counted.end()) {
        continue;
      }
      counted.push_back(p.reason);
      ++summary.rejections[std::string(ingest::ReasonCode(p.reason))];
    }
    return quarantine->Write(ingest::QuarantinedRow{
        .line = row.line(),
        .raw = row.raw(),
        .raw_truncated = row.raw_truncated(),
        .problems = problems});
  };

  std::unique_ptr<admin::AdminClient> client =
      admin::AdminClient::ForSocket(request.socket);
  FEDLINK_ASSIGN_OR_RETURN(const v1::IngestSummary done,
                           client->Ingest(start, request.input, handlers));
  FEDLINK_RETURN_IF_ERROR(quarantine->Flush());
  summary.bytes_read = std::max(bytes_read, request.total_bytes);
  summary.rows_read = done.rows_read();
  summary.rows_inserted = done.rows_inserted();
  summary.rows_updated = done.rows_updated();
  summary.rows_committed = done.rows_inserted() + done.rows_updated();
  summary.rows_quarantined = done.rows_quarantined();
  summary.batches_committed = done.batches_committed();
  FEDLINK_ASSIGN_OR_RETURN(const v1::AgentStatus status, client->Status());
  summary.records_in_store = status.records();
  return summary;
}

}  // namespace fedlink::agent::cli
