// The ingest schema: how one agency's CSV export maps onto the agent's
// records. It names the column holding the agency's own record id, the
// columns holding identifiers (each with a role, which selects its
// normaliser), and the attribute columns (each with a sensitivity class and
// a type); every other column must be listed as ignored. The YAML form is
// documented in agent/ingest/README.md; deploy/examples/ingest-schema.yaml
// and deploy/examples/febrl-ingest-schema.yaml are examples.
#ifndef FEDLINK_AGENT_INGEST_INGEST_SCHEMA_H_
#define FEDLINK_AGENT_INGEST_INGEST_SCHEMA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/ingest/csv_reader.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::agent::ingest {

inline constexpr uint32_t kIngestSchemaVersion = 1;

// Size limits (generous for real exports; they bound work on hostile files).
inline constexpr size_t kMaxIdentifierColumns = 256;
inline constexpr size_t kMaxAttributeColumns = 1024;
inline constexpr size_t kMaxIgnoredColumns = 4096;
inline constexpr size_t kMaxColumnNameBytes = 256;
inline constexpr size_t kMaxNameBytes = 64;  // identifier field, attribute name
inline constexpr size_t kMaxCategoryValues = 1024;
inline constexpr size_t kMaxCategoryValueBytes = 256;
inline constexpr size_t kMaxIngestSchemaBytes = 1 << 20;

// What an identifier column holds. The role fixes the normaliser (a linkage
// schema FieldKind) and the default name under which the value is stored.
enum class IdentifierRole {
  kFirstName,   // kind name,       field "first_name"
  kMiddleName,  // kind name,       field "middle_name"
  kLastName,    // kind name,       field "last_name"
  kDob,         // kind date,       field "dob"
  kSex,         // kind sex,        field "sex"
  kSsn,         // kind identifier, field "ssn"
  kPostcode,    // kind postcode,   field "postcode"
  kStreet,      // kind text,       field "street"
  kAddress,     // kind text,       field "address" (e.g. a second line)
  kOther,       // kind and field given in the schema (student id, suburb…)
};

// Ordered from least to most sensitive; a policy's "max sensitivity class"
// compares with <=.
enum class Sensitivity { kPublic, kInternal, kConfidential, kRestricted };

enum class AttributeType { kString, kInteger, kCategory, kDate };

// What happens to a row with an invalid value in a column (impossible date,
// digits for a name, integer out of range…). Invalid UTF-8 always rejects.
enum class OnInvalid {
  kReject,   // the row goes to quarantine (the default)
  kMissing,  // the value is dropped, the row kept; the quality report counts it
};

struct IdentifierColumn {
  std::string column;  // header name in the CSV file
  IdentifierRole role = IdentifierRole::kOther;
  // Name the value is stored under and linkage schemas refer to:
  // [a-z][a-z0-9_]*, unique among identifiers.
  std::string field;
  schema::FieldKind kind = schema::FieldKind::kText;
  normalize::DateOptions date;  // kind date only
  bool required = false;        // a missing value rejects the row
  OnInvalid on_invalid = OnInvalid::kReject;
};

struct AttributeColumn {
  std::string column;  // header name in the CSV file
  // Name the value is stored and requested under: [a-z][a-z0-9_]*, unique
  // among attributes and different from every identifier field.
  std::string name;
  Sensitivity sensitivity = Sensitivity::kRestricted;
  AttributeType type = AttributeType::kString;
  std::optional<int64_t> min;       // integer only
  std::optional<int64_t> max;       // integer only
  std::vector<std::string> values;  // category only: the allowed values
  normalize::DateOptions date;      // date only
  bool required = false;
  OnInvalid on_invalid = OnInvalid::kReject;
};

struct IngestSchema {
  uint32_t version = kIngestSchemaVersion;
  CsvOptions csv;
  std::string local_id_column;  // required, unique within a file
  std::vector<IdentifierColumn> identifiers;
  std::vector<AttributeColumn> attributes;
  // Columns present in the file that are deliberately not ingested.
  std::vector<std::string> ignore_columns;
};

// Checks every rule of agent/ingest/README.md. InvalidArgument naming every
// problem found (at most 10, then "and N more") as "<key>: <what is wrong>
// (<what is allowed>)", joined by "; ", e.g. "attributes[2].sensitivity:
// ...". Thread-safe.
absl::Status ValidateIngestSchema(const IngestSchema& schema);

// Parses and validates the YAML form. Errors are InvalidArgument
// "<source_name>:<line>:<col>: <key>: <message>" for malformed YAML, unknown
// or repeated keys, missing required keys, wrong types, values outside their
// allowed set (the message lists the allowed values) and every
// ValidateIngestSchema rule. Never throws. Thread-safe.
absl::StatusOr<IngestSchema> ParseIngestSchemaYaml(
    std::string_view yaml, std::string_view source_name);

// Reads the file at `path` (at most kMaxIngestSchemaBytes) and parses it.
// NotFound / PermissionDenied / Internal naming the path when it cannot be
// read; otherwise as ParseIngestSchemaYaml. Thread-safe.
absl::StatusOr<IngestSchema> LoadIngestSchemaFile(const std::string& path);
// Only the reading: the file's text, cut after kMaxIngestSchemaBytes + 1
// bytes (which ParseIngestSchemaYaml refuses as too large). Errors as above.
absl::StatusOr<std::string> ReadIngestSchemaFile(const std::string& path);

// Names used in YAML, reports and error messages:
//   roles: first_name middle_name last_name dob sex ssn postcode street
//          address other
//   sensitivity: public internal confidential restricted
//   types: string integer category date
//   on_invalid: reject missing
std::string_view IdentifierRoleName(IdentifierRole role);
std::string_view SensitivityName(Sensitivity sensitivity);
std::string_view AttributeTypeName(AttributeType type);
std::string_view OnInvalidName(OnInvalid on_invalid);
std::optional<IdentifierRole> IdentifierRoleFromName(std::string_view name);
std::optional<Sensitivity> SensitivityFromName(std::string_view name);
std::optional<AttributeType> AttributeTypeFromName(std::string_view name);
std::optional<OnInvalid> OnInvalidFromName(std::string_view name);

// The field kind a role implies; nullopt for kOther (the schema gives it).
std::optional<schema::FieldKind> KindForRole(IdentifierRole role);

// The default stored field name of a role ("first_name", "dob"…); empty for
// kOther.
std::string_view DefaultFieldForRole(IdentifierRole role);

// True for roles a schema may map at most once (every role but street,
// address and other).
bool IsSingleValuedRole(IdentifierRole role);

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_INGEST_SCHEMA_H_
