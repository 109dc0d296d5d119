// The data-quality report of one ingested file, accumulated row by row.
//
// Per mapped column: how many values were present, missing (blank or a
// placeholder such as "n/a"), placeholders among the missing, invalid (with
// counts per reason code), distinct values (see distinct_counter.h: exact up
// to 4096, then a HyperLogLog estimate), and suspicious values. Per file:
// rows read, accepted and rejected, rejections per reason, duplicate local
// ids. Suspicious values, all judged on the normalised value:
//   future_date       a date identifier after the report's as-of date
//   age_over_120      a date-of-birth more than 120 years before it
//   default_date      1900-01-01, 1970-01-01 and the like (suspicious_values.h)
//   placeholder_name  a stand-in name ("test", "fnu"…), or a name column
//                     whose text meant "no value" ("unknown", "n/a")
//   placeholder_ssn   123-45-6789 and the like, or one repeated digit
//                     (000-00-0000)
//   impossible_ssn    a nine-digit SSN never issued (area 000/666/9xx…)
//
// The report holds and prints counts, percentages, column and reason names
// only: no value of any row, not even one of the suspicious ones. Memory
// does not grow with the number of rows.
#ifndef FEDLINK_AGENT_INGEST_QUALITY_REPORT_H_
#define FEDLINK_AGENT_INGEST_QUALITY_REPORT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/ingest/distinct_counter.h"
#include "agent/ingest/row_validator.h"
#include "nlohmann/json.hpp"

namespace fedlink::agent::ingest {

// The report's clock, injected so that tests are deterministic; production
// passes std::chrono::system_clock::now.
using Clock = std::function<std::chrono::system_clock::time_point()>;

enum class Suspicion {
  kFutureDate,
  kAgeOver120,
  kDefaultDate,
  kPlaceholderName,
  kPlaceholderSsn,
  kImpossibleSsn,
};

// "future_date", "age_over_120", "default_date", "placeholder_name",
// "placeholder_ssn", "impossible_ssn".
std::string_view SuspicionCode(Suspicion suspicion);

struct ColumnQuality {
  BoundColumn binding;
  std::string kind;  // role ("dob"), "local_id", or attribute type
  uint64_t present = 0;
  uint64_t missing = 0;
  uint64_t placeholder = 0;  // part of missing
  uint64_t invalid = 0;
  std::map<Reason, uint64_t> invalid_reasons;
  std::map<Suspicion, uint64_t> suspicious;
  DistinctCounter distinct;  // of present (normalised) values
};

class QualityReport {
 public:
  // Columns are taken from `validator`; the clock is read now, for the
  // as-of date of future_date and age_over_120, and again by ToJson.
  QualityReport(const RowValidator& validator, Clock clock);

  // Counts one validated row (accepted or not). Not thread-safe.
  void Add(const ValidatedRow& row);

  // Counts `rows` that Add counted as accepted and that the ingest rejected
  // afterwards because an earlier row of the file has their local id (the
  // store finds those, see ingest_pipeline.h): they move from accepted to
  // rejected, under duplicate_local_id. Their values stay counted in the
  // columns, as every parsed row's are. Not thread-safe.
  void AddDuplicateLocalIds(uint64_t rows);

  // The report as JSON, format "fedlink-quality-report" version 1 (keys in
  // agent/ingest/README.md). Thread-compatible.
  nlohmann::json ToJson() const;

  // The report as a text table, for a terminal. Thread-compatible.
  std::string ToText() const;

  uint64_t rows_read() const { return rows_read_; }
  uint64_t rows_accepted() const { return rows_accepted_; }
  uint64_t rows_rejected() const { return rows_read_ - rows_accepted_; }
  uint64_t duplicate_local_ids() const { return duplicate_local_ids_; }
  const std::vector<ColumnQuality>& columns() const { return columns_; }

 private:
  void CheckSuspicious(const ColumnQuality& column, const ValidatedRow& row,
                       size_t k, std::map<Suspicion, uint64_t>* out) const;

  Clock clock_;
  std::string as_of_;                  // YYYYMMDD
  std::string age_limit_;              // YYYYMMDD, 120 years before as_of_
  std::string as_of_display_;          // YYYY-MM-DD
  std::vector<IdentifierRole> roles_;  // per column (identifiers only)
  std::vector<schema::FieldKind> kinds_;
  std::vector<ColumnQuality> columns_;
  uint64_t rows_read_ = 0;
  uint64_t rows_parsed_ = 0;
  uint64_t rows_accepted_ = 0;
  uint64_t duplicate_local_ids_ = 0;
  std::map<Reason, uint64_t> rejections_;  // rows rejected, per reason
};

// Renders a report produced by ToJson (for example one kept by the agent
// and shown later by `fedlink-agent quality`) as a text table.
// InvalidArgument if `report` does not have the documented shape.
absl::StatusOr<std::string> QualityReportText(const nlohmann::json& report);

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_QUALITY_REPORT_H_
