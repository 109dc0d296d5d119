// Row validation: a CSV record + the file's header + the ingest schema → a
// validated record (local id, identifiers normalised by role, attributes
// typed) or the list of reasons it was rejected, each naming a column and a
// reason code, never a value.
//
// Per column:
//   * every field of a mapped column must be well-formed UTF-8
//     (invalid_utf8 always rejects the row: it means the file is in another
//     encoding, and dropping the value would hide that);
//   * the local id: surrounding ASCII white space removed; must be present
//     (missing_local_id), at most kMaxLocalIdBytes (local_id_too_long) and
//     without control characters (invalid_local_id). Whether it repeats an
//     earlier row's id (duplicate_local_id) is not decided here: the ingest
//     pipeline asks the store, which knows every id the file had before
//     (ingest_pipeline.h), so the validator keeps nothing from row to row;
//   * an identifier: normalised by its kind (linkage/normalize); blank and
//     placeholder values ("n/a", "unknown", "000-00-0000"…) are missing; an
//     invalid value (impossible_date, unparseable_date, date_out_of_range,
//     invalid_name, invalid_sex, invalid_value, value_too_long) rejects the
//     row, or is dropped with on_invalid: missing;
//   * an attribute: surrounding ASCII white space removed, blank is missing;
//     typed as declared (not_an_integer, integer_out_of_range,
//     not_in_category, the date reasons, value_too_long), on_invalid as for
//     identifiers. Dates become "YYYY-MM-DD", integers canonical decimal;
//   * required columns with no value after the above: missing_required.
// Per row: a malformed CSV record carries the reader's code
// (unterminated_quote, bad_quote, field_too_large, record_too_large,
// too_many_fields, too_many_lines); a record with a different number of
// fields than the header is wrong_column_count. Neither is checked further.
#ifndef FEDLINK_AGENT_INGEST_ROW_VALIDATOR_H_
#define FEDLINK_AGENT_INGEST_ROW_VALIDATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "agent/ingest/csv_reader.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/store/stored_record.h"
#include "linkage/sensitive.h"

namespace fedlink::agent::ingest {

enum class Reason {
  // The CSV record itself.
  kUnterminatedQuote,
  kBadQuote,
  kFieldTooLarge,
  kRecordTooLarge,
  kTooManyFields,
  kTooManyLines,
  kWrongColumnCount,
  // Any column.
  kInvalidUtf8,
  kMissingRequired,
  kValueTooLong,
  // The local id.
  kMissingLocalId,
  kDuplicateLocalId,
  kLocalIdTooLong,
  kInvalidLocalId,
  // Values.
  kImpossibleDate,
  kUnparseableDate,
  kDateOutOfRange,
  kInvalidName,
  kInvalidSex,
  kInvalidValue,
  kNotAnInteger,
  kIntegerOutOfRange,
  kNotInCategory,  // the last (ReasonFromCode walks them all)
};

// The snake_case code of a reason ("invalid_utf8", "impossible_date"…), as
// written to quarantine files and quality reports.
std::string_view ReasonCode(Reason reason);
// The reason with code `code`, or nullopt for an unknown code.
std::optional<Reason> ReasonFromCode(std::string_view code);
// The reason for a CSV reader error (same code).
Reason ReasonForCsvError(CsvErrorCode code);

// Why a row was rejected.
struct Problem {
  std::string column;  // header name; empty for a problem of the whole row
  Reason reason = Reason::kInvalidValue;
  std::string detail;  // for people: positions and rules, never a value
};

enum class ColumnUse { kLocalId, kIdentifier, kAttribute };

// A schema column and where it is in the file.
struct BoundColumn {
  ColumnUse use = ColumnUse::kIdentifier;
  size_t schema_index = 0;  // into schema.identifiers / schema.attributes
  size_t csv_index = 0;     // 0-based position in the header
  std::string column;       // header name
  std::string name;         // stored name: "local_id", field or attribute
};

enum class ValueState { kPresent, kMissing, kInvalid };

// What validation found in one column of one row.
struct ColumnCheck {
  ValueState state = ValueState::kMissing;
  // Missing, though the text was not blank: a placeholder such as "n/a",
  // "unknown" or "000-00-0000".
  bool placeholder = false;
  Reason reason = Reason::kInvalidValue;  // when state is kInvalid
};

// The result of validating one record. Reused from row to row: Validate
// resets every member.
struct ValidatedRow {
  uint64_t line = 0;
  // True when the record was well-formed with the header's field count, so
  // that checks and values describe its columns.
  bool parsed = false;
  std::vector<ColumnCheck> checks;                     // per BoundColumn
  std::vector<std::optional<SensitiveString>> values;  // normalised/typed
  std::vector<int64_t> integers;  // per BoundColumn; integer attributes only
  std::vector<Problem> problems;  // empty: the row is accepted

  bool ok() const { return problems.empty(); }
};

class RowValidator {
 public:
  // Binds `schema` to a file's header record. InvalidArgument, naming every
  // problem (at most 10), when the schema is invalid, the header record is
  // malformed, a header name is not UTF-8, two header columns have the same
  // name, a schema column is not in the header, or a header column is in no
  // part of the schema. Header columns are named by position only (a file
  // without a header row would otherwise put data into the message); schema
  // columns by name. Header names are compared after removing surrounding
  // ASCII white space.
  static absl::StatusOr<std::unique_ptr<RowValidator>> Create(
      const IngestSchema& schema, const CsvRecord& header);

  // Validates one data record into *row. Thread-safe for distinct rows.
  void Validate(const CsvRecord& record, ValidatedRow* row) const;

  // The values of an accepted row (row->ok()) as the record the store keeps:
  // identifiers under their field names and attributes under their stored
  // names, both in schema order, missing values omitted (ingest_run is left
  // 0). Moves the values out of *row. Thread-safe for distinct rows.
  StoredRecord TakeRecord(ValidatedRow* row) const;

  const IngestSchema& schema() const { return schema_; }
  const std::vector<BoundColumn>& columns() const { return columns_; }
  size_t header_size() const { return header_size_; }

 private:
  RowValidator() = default;

  void CheckLocalId(const BoundColumn& c, std::string_view raw, size_t k,
                    ValidatedRow* row) const;
  void CheckIdentifier(const BoundColumn& c, std::string_view raw, size_t k,
                       ValidatedRow* row) const;
  void CheckAttribute(const BoundColumn& c, std::string_view raw, size_t k,
                      ValidatedRow* row) const;
  // Applies on_invalid / required after a column's state is known.
  void Settle(const BoundColumn& c, bool required, OnInvalid on_invalid,
              std::string detail, size_t k, ValidatedRow* row) const;

  IngestSchema schema_;
  std::vector<BoundColumn> columns_;
  size_t header_size_ = 0;
  size_t identifier_columns_ = 0;  // bound columns of each use
  size_t attribute_columns_ = 0;
  // Allowed values per attribute (category attributes only).
  std::vector<absl::flat_hash_set<std::string>> categories_;
};

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_ROW_VALIDATOR_H_
