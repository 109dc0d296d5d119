// How `fedlink job status` and `fedlink job results` show a job's
// linkage-quality report: a readable section (records and linked records
// per agency, clusters by parties and size, duplicates, ambiguous tokens,
// the histogram of accepted scores, threshold and suggestion) or one JSON
// object with the same content. The report holds counts only (no record,
// pseudonym, token or value), and so do both forms. Pure functions.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_QUALITY_REPORT_VIEW_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_QUALITY_REPORT_VIEW_H_

#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"
#include "fedlink/v1/results.pb.h"

namespace fedlink::cli {

// The report as text, every line prefixed with `indent`:
//   AGENCY      RECORDS   LINKED
//   edu              93       80  (86.0%)
//   clusters (research ids): 120
//   clusters by parties:
//     edu + highered                         40
//   cluster sizes: 2 records: 50, 3 records: 20
//   ...
//   accepted link scores (Dice; token links count as 1):
//     0.80-0.85  ##########  12
//   threshold: 0.80 configured; suggested 0.78 (the valley between the
//     modes at 0.62 and 0.93)
// Sections with nothing to say (no duplicates, no ambiguity, no scores) are
// left out. Thread-safe.
std::string FormatQualityReport(const v1::LinkageQualityReport& report,
                                absl::string_view indent = "");

// The same as JSON: {"records_per_party": [{"agency", "records", "linked"}],
// "clusters", "party_sets": [{"agencies": [...], "clusters"}],
// "cluster_sizes": [{"size", "clusters"}], "clusters_with_party_duplicates",
// "ambiguity": [{"agency", "recipe_id", "tokens", "occurrences"}],
// "ambiguous_token_matches", "accepted_scores": {"lo", "hi", "bins":
// [{"lo", "hi", "count"}]} | null, "threshold": {"configured", "suggested",
// "method" ("valley" | "not_bimodal" | "no_scores" | "unspecified"),
// "lower_mode", "upper_mode" (valley only)}}. Counts are JSON numbers.
// Thread-safe.
nlohmann::ordered_json QualityReportJson(const v1::LinkageQualityReport& report);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_QUALITY_REPORT_VIEW_H_
