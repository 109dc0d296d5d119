#include "agent/cli/quality_command.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/cli/agent_store_access.h"
#include "agent/ingest/ingest_pipeline.h"
#include "agent/ingest/quality_report.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::cli {

absl::StatusOr<nlohmann::json> StoredQuality(const RecordStore& store) {
  FEDLINK_ASSIGN_OR_RETURN(const uint64_t records, store.CountRecords());
  FEDLINK_ASSIGN_OR_RETURN(std::optional<nlohmann::json> last,
                           ingest::LoadLastIngest(store));
  FEDLINK_ASSIGN_OR_RETURN(std::optional<nlohmann::json> checkpoint,
                           ingest::LoadIngestCheckpoint(store));
  nlohmann::json quality;
  quality["format"] = "fedlink-agent-quality";
  quality["version"] = 1;
  quality["records_in_store"] = records;
  quality["last_ingest"] =
      last.has_value() ? std::move(*last) : nlohmann::json(nullptr);
  // A checkpoint still "running" belongs to an ingest that did not finish
  // (interrupted, or failed after committing some batches).
  const bool interrupted = checkpoint.has_value() &&
                           checkpoint->value("state", "") != "complete";
  quality["interrupted_ingest"] =
      interrupted ? std::move(*checkpoint) : nlohmann::json(nullptr);
  return quality;
}

absl::StatusOr<std::string> StoredQualityText(const nlohmann::json& quality) {
  if (!quality.is_object() || !quality.contains("records_in_store")) {
    return absl::InvalidArgumentError("not a fedlink-agent-quality report");
  }
  std::string out = absl::StrCat(
      "records in store: ", quality.at("records_in_store").dump(), "\n");
  const nlohmann::json& interrupted = quality.value(
      "interrupted_ingest", nlohmann::json(nullptr));
  if (interrupted.is_object()) {
    absl::StrAppend(
        &out, "WARNING: the ingest of ", interrupted.value("source", "?"),
        " started ", interrupted.value("started_at", "?"),
        " did not finish: it committed ",
        interrupted.value("batches", uint64_t{0}), " batches (",
        interrupted.value("rows_committed", uint64_t{0}),
        " rows, input up to line ", interrupted.value("last_line", uint64_t{0}),
        "); re-run it (records are upserted)\n");
  }
  const nlohmann::json& last =
      quality.value("last_ingest", nlohmann::json(nullptr));
  if (!last.is_object()) {
    absl::StrAppend(&out, "no ingest has completed yet: run `fedlink-agent "
                          "ingest FILE.csv --schema SCHEMA.yaml`\n");
    return out;
  }
  absl::StrAppend(&out, "last ingest: ", last.value("source", "?"),
                  ", finished ", last.value("finished_at", "?"), "\n\n");
  if (!last.contains("quality_report")) {
    return absl::InvalidArgumentError("last ingest has no quality report");
  }
  FEDLINK_ASSIGN_OR_RETURN(
      std::string table,
      ingest::QualityReportText(last.at("quality_report")));
  absl::StrAppend(&out, table);
  return out;
}

absl::Status RunQualityCommand(const QualityCommandOptions& options,
                               std::ostream& out) {
  FEDLINK_ASSIGN_OR_RETURN(OpenedStore opened,
                           OpenAgentStore(options.data_dir, {}));
  FEDLINK_ASSIGN_OR_RETURN(const nlohmann::json quality,
                           StoredQuality(*opened.store));
  if (options.json) {
    out << quality.dump(2) << "\n";
    return absl::OkStatus();
  }
  FEDLINK_ASSIGN_OR_RETURN(const std::string text, StoredQualityText(quality));
  out << text;
  return absl::OkStatus();
}

}  // namespace fedlink::agent::cli
