// `fedlink-agent quality --data-dir D [--output json]`: the data-quality report of
// the last completed ingest (computed while it ran and kept, sealed, in the
// store: agent/ingest/README.md "Data-quality report"), with the number of
// records now in the store and a warning if a later ingest was interrupted.
// Counts, column names and reason codes only: no identifier or attribute
// value.
//
// JSON form ("fedlink-agent-quality" version 1):
//   {"format": "fedlink-agent-quality", "version": 1,
//    "records_in_store": 5000,
//    "last_ingest": {...IngestSummaryToJson, with "quality_report"} | null,
//    "interrupted_ingest": {...checkpoint} | null}
#ifndef FEDLINK_AGENT_CLI_QUALITY_COMMAND_H_
#define FEDLINK_AGENT_CLI_QUALITY_COMMAND_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/store/record_store.h"
#include "nlohmann/json.hpp"

namespace fedlink::agent::cli {

struct QualityCommandOptions {
  std::string data_dir;
  bool json = false;
};

// The JSON form above, read from `store`. DataLoss if a stored entry is
// damaged; RocksDB errors. Thread-safe.
absl::StatusOr<nlohmann::json> StoredQuality(const RecordStore& store);

// The text form (a summary and QualityReportText's table). InvalidArgument
// if `quality` lacks the documented shape.
absl::StatusOr<std::string> StoredQualityText(const nlohmann::json& quality);

// Prints the report to `out`. Errors of OpenAgentStore and StoredQuality.
absl::Status RunQualityCommand(const QualityCommandOptions& options,
                               std::ostream& out);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_QUALITY_COMMAND_H_
