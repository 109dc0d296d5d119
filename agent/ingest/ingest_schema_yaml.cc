// ParseIngestSchemaYaml and LoadIngestSchemaFile: the YAML form of an ingest
// schema (format in agent/ingest/README.md). yaml-cpp builds the node tree;
// this file checks its shape strictly (no unknown or repeated keys, no silent
// type conversions, enumerations spelled exactly) and remembers where every
// key was, so that each error — structural or a ValidateIngestSchema rule —
// points at a line and column.
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/ingest/ingest_schema_problems.h"
#include "linkage/document/yaml_reader.h"
#include "linkage/status_macros.h"
#include "proto/runtime/yaml_file.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::agent::ingest {
namespace {

using internal::Quote;
using document::AllowedHint;
using document::DescribeYamlNode;

absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

using Entries = document::YamlEntries;

const std::vector<std::string_view> kRoleNames = {
    "first_name", "middle_name", "last_name", "dob",     "sex",
    "ssn",        "postcode",    "street",    "address", "other"};
const std::vector<std::string_view> kKindNames = {
    "name", "date", "sex", "postcode", "identifier", "text"};
const std::vector<std::string_view> kSensitivityNames = {
    "public", "internal", "confidential", "restricted"};
const std::vector<std::string_view> kTypeNames = {"string", "integer",
                                                  "category", "date"};
const std::vector<std::string_view> kOnInvalidNames = {"reject", "missing"};

class IngestSchemaYamlReader : public document::YamlReader {
 public:
  explicit IngestSchemaYamlReader(std::string_view source) : YamlReader(source) {}

  absl::StatusOr<IngestSchema> Read(const YAML::Node& root) {
    IngestSchema schema;
    FEDLINK_ASSIGN_OR_RETURN(Entries top, GetEntries(root, "", "the document"));
    FEDLINK_RETURN_IF_ERROR(CheckVersion(root, top, kIngestSchemaVersion));
    FEDLINK_RETURN_IF_ERROR(
        AllowOnly(top, "",
                  {"version", "csv", "local_id", "identifiers", "attributes",
                   "ignore_columns"}));
    if (const YAML::Node* csv = Optional(top, "csv")) {
      FEDLINK_RETURN_IF_ERROR(ReadCsv(*csv, &schema.csv));
    }
    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* local_id,
                             Required(root, top, "", "local_id"));
    {
      FEDLINK_ASSIGN_OR_RETURN(
          Entries e, GetEntries(*local_id, "local_id", "the local_id section"));
      FEDLINK_RETURN_IF_ERROR(AllowOnly(e, "local_id", {"column"}));
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* column,
                               Required(*local_id, e, "local_id", "column"));
      FEDLINK_ASSIGN_OR_RETURN(schema.local_id_column,
                               ReadText(*column, "local_id.column"));
    }
    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* identifiers,
                             Required(root, top, "", "identifiers"));
    FEDLINK_RETURN_IF_ERROR(ReadIdentifiers(*identifiers, &schema));
    if (const YAML::Node* attributes = Optional(top, "attributes")) {
      FEDLINK_RETURN_IF_ERROR(ReadAttributes(*attributes, &schema));
    }
    if (const YAML::Node* ignored = Optional(top, "ignore_columns")) {
      FEDLINK_ASSIGN_OR_RETURN(
          schema.ignore_columns,
          ReadTextList(*ignored, "ignore_columns", kMaxIgnoredColumns));
    }
    return schema;
  }

 private:
  absl::Status ReadCsv(const YAML::Node& node, CsvOptions* csv) {
    FEDLINK_ASSIGN_OR_RETURN(Entries e,
                             GetEntries(node, "csv", "the csv section"));
    FEDLINK_RETURN_IF_ERROR(
        AllowOnly(e, "csv",
                  {"delimiter", "skip_initial_space", "max_field_bytes",
                   "max_record_bytes", "max_fields", "max_record_lines"}));
    if (const YAML::Node* d = Optional(e, "delimiter")) {
      FEDLINK_ASSIGN_OR_RETURN(std::string text, ReadText(*d, "csv.delimiter"));
      if (text.size() != 1) {
        return Error(d->Mark(), "csv.delimiter",
                     "expected one character, such as \",\", \";\" or \"\\t\"");
      }
      csv->delimiter = text[0];
    }
    if (const YAML::Node* s = Optional(e, "skip_initial_space")) {
      FEDLINK_ASSIGN_OR_RETURN(csv->skip_initial_space,
                               ReadBool(*s, "csv.skip_initial_space"));
    }
    struct SizeKey {
      const char* name;
      size_t* value;
      size_t max;
    };
    for (const SizeKey& key :
         {SizeKey{"max_field_bytes", &csv->max_field_bytes,
                  kMaxFieldBytesLimit},
          SizeKey{"max_record_bytes", &csv->max_record_bytes,
                  kMaxRecordBytesLimit},
          SizeKey{"max_fields", &csv->max_fields, kMaxFieldsLimit},
          SizeKey{"max_record_lines", &csv->max_record_lines,
                  kMaxRecordLinesLimit}}) {
      if (const YAML::Node* n = Optional(e, key.name)) {
        FEDLINK_ASSIGN_OR_RETURN(
            *key.value, ReadSize(*n, absl::StrCat("csv.", key.name), key.max));
      }
    }
    return absl::OkStatus();
  }

  // formats / min_year / max_year, where the entry may have them.
  absl::Status ReadDate(const Entries& e, const std::string& path,
                        normalize::DateOptions* date) {
    if (const YAML::Node* f = Optional(e, "formats")) {
      FEDLINK_ASSIGN_OR_RETURN(date->formats,
                               ReadTextList(*f, path + ".formats", 64));
    }
    if (const YAML::Node* n = Optional(e, "min_year")) {
      FEDLINK_ASSIGN_OR_RETURN(int64_t v,
                               ReadInt(*n, path + ".min_year", 1, 9999));
      date->min_year = static_cast<int>(v);
    }
    if (const YAML::Node* n = Optional(e, "max_year")) {
      FEDLINK_ASSIGN_OR_RETURN(int64_t v,
                               ReadInt(*n, path + ".max_year", 1, 9999));
      date->max_year = static_cast<int>(v);
    }
    return absl::OkStatus();
  }

  absl::Status ReadCommon(const Entries& e, const std::string& path,
                          bool* required, OnInvalid* on_invalid) {
    if (const YAML::Node* r = Optional(e, "required")) {
      FEDLINK_ASSIGN_OR_RETURN(*required, ReadBool(*r, path + ".required"));
    }
    if (const YAML::Node* o = Optional(e, "on_invalid")) {
      FEDLINK_ASSIGN_OR_RETURN(
          *on_invalid,
          ReadEnum<OnInvalid>(*o, path + ".on_invalid", "on_invalid value",
                              kOnInvalidNames, &OnInvalidFromName));
    }
    return absl::OkStatus();
  }

  absl::Status ReadIdentifiers(const YAML::Node& list, IngestSchema* schema) {
    if (!list.IsSequence()) {
      return Error(list.Mark(), "identifiers",
                   absl::StrCat("expected a list, got ", DescribeYamlNode(list)));
    }
    if (list.size() > kMaxIdentifierColumns) {
      return Error(list.Mark(), "identifiers",
                   absl::StrCat(list.size(), " entries (at most ",
                                kMaxIdentifierColumns, " are allowed)"));
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node item = list[i];
      const std::string path = absl::StrCat("identifiers[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(Entries e,
                               GetEntries(item, path, "an identifier column"));
      FEDLINK_RETURN_IF_ERROR(
          AllowOnly(e, path,
                    {"column", "role", "field", "kind", "formats", "min_year",
                     "max_year", "required", "on_invalid"}));
      IdentifierColumn id;
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* column,
                               Required(item, e, path, "column"));
      FEDLINK_ASSIGN_OR_RETURN(id.column, ReadText(*column, path + ".column"));
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* role,
                               Required(item, e, path, "role"));
      FEDLINK_ASSIGN_OR_RETURN(
          id.role,
          ReadEnum<IdentifierRole>(*role, path + ".role", "role", kRoleNames,
                                   &IdentifierRoleFromName));
      const YAML::Node* kind = Optional(e, "kind");
      if (id.role == IdentifierRole::kOther) {
        if (kind == nullptr) {
          return Error(item.Mark(), path,
                       absl::StrCat("role other needs a kind ",
                                    AllowedHint("", kKindNames)));
        }
        FEDLINK_ASSIGN_OR_RETURN(
            id.kind, ReadEnum<schema::FieldKind>(*kind, path + ".kind", "kind",
                                                 kKindNames,
                                                 &schema::FieldKindFromName));
      } else {
        if (kind != nullptr) {
          return Error(kind->Mark(), path + ".kind",
                       absl::StrCat("role ", Sv(IdentifierRoleName(id.role)),
                                    " implies its kind; give a kind only with "
                                    "role other"));
        }
        id.kind = *KindForRole(id.role);
      }
      if (const YAML::Node* field = Optional(e, "field")) {
        FEDLINK_ASSIGN_OR_RETURN(id.field, ReadText(*field, path + ".field"));
      } else if (id.role == IdentifierRole::kOther) {
        return Error(item.Mark(), path,
                     "role other needs a field (the name linkage schemas use "
                     "for it, [a-z][a-z0-9_]*)");
      } else {
        id.field = std::string(DefaultFieldForRole(id.role));
      }
      FEDLINK_RETURN_IF_ERROR(ReadDate(e, path, &id.date));
      if (id.kind != schema::FieldKind::kDate) {
        for (const char* key : {"formats", "min_year", "max_year"}) {
          if (const YAML::Node* n = Optional(e, key)) {
            return Error(n->Mark(), absl::StrCat(path, ".", key),
                         "applies to date identifiers only (role dob, or "
                         "role other with kind date)");
          }
        }
      }
      FEDLINK_RETURN_IF_ERROR(
          ReadCommon(e, path, &id.required, &id.on_invalid));
      schema->identifiers.push_back(std::move(id));
    }
    return absl::OkStatus();
  }

  absl::Status ReadAttributes(const YAML::Node& list, IngestSchema* schema) {
    if (!list.IsSequence()) {
      return Error(list.Mark(), "attributes",
                   absl::StrCat("expected a list, got ", DescribeYamlNode(list)));
    }
    if (list.size() > kMaxAttributeColumns) {
      return Error(list.Mark(), "attributes",
                   absl::StrCat(list.size(), " entries (at most ",
                                kMaxAttributeColumns, " are allowed)"));
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node item = list[i];
      const std::string path = absl::StrCat("attributes[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(Entries e,
                               GetEntries(item, path, "an attribute column"));
      FEDLINK_RETURN_IF_ERROR(AllowOnly(
          e, path,
          {"column", "name", "sensitivity", "type", "min", "max", "values",
           "formats", "min_year", "max_year", "required", "on_invalid"}));
      AttributeColumn a;
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* column,
                               Required(item, e, path, "column"));
      FEDLINK_ASSIGN_OR_RETURN(a.column, ReadText(*column, path + ".column"));
      if (const YAML::Node* name = Optional(e, "name")) {
        FEDLINK_ASSIGN_OR_RETURN(a.name, ReadText(*name, path + ".name"));
      } else {
        a.name = a.column;
      }
      // No default: every attribute's sensitivity is a deliberate decision.
      if (Optional(e, "sensitivity") == nullptr) {
        return Error(item.Mark(), path,
                     absl::StrCat("missing required key 'sensitivity' ",
                                  AllowedHint("", kSensitivityNames)));
      }
      FEDLINK_ASSIGN_OR_RETURN(
          a.sensitivity,
          ReadEnum<Sensitivity>(*Optional(e, "sensitivity"),
                                path + ".sensitivity", "sensitivity class",
                                kSensitivityNames, &SensitivityFromName));
      if (const YAML::Node* type = Optional(e, "type")) {
        FEDLINK_ASSIGN_OR_RETURN(
            a.type,
            ReadEnum<AttributeType>(*type, path + ".type", "type", kTypeNames,
                                    &AttributeTypeFromName));
      }
      constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
      constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
      if (const YAML::Node* n = Optional(e, "min")) {
        FEDLINK_ASSIGN_OR_RETURN(a.min, ReadInt(*n, path + ".min", kMin, kMax));
      }
      if (const YAML::Node* n = Optional(e, "max")) {
        FEDLINK_ASSIGN_OR_RETURN(a.max, ReadInt(*n, path + ".max", kMin, kMax));
      }
      if (const YAML::Node* v = Optional(e, "values")) {
        FEDLINK_ASSIGN_OR_RETURN(
            a.values, ReadTextList(*v, path + ".values", kMaxCategoryValues));
      }
      FEDLINK_RETURN_IF_ERROR(ReadDate(e, path, &a.date));
      if (a.type != AttributeType::kDate) {
        for (const char* key : {"min_year", "max_year"}) {
          if (const YAML::Node* n = Optional(e, key)) {
            return Error(n->Mark(), absl::StrCat(path, ".", key),
                         "applies to date attributes only");
          }
        }
      }
      FEDLINK_RETURN_IF_ERROR(ReadCommon(e, path, &a.required, &a.on_invalid));
      schema->attributes.push_back(std::move(a));
    }
    return absl::OkStatus();
  }
};

}  // namespace

absl::StatusOr<IngestSchema> ParseIngestSchemaYaml(
    std::string_view yaml, std::string_view source_name) {
  IngestSchemaYamlReader reader(source_name);
  return document::ParseValidatedYamlDocument<IngestSchema>(
      yaml, source_name, "an ingest schema", kMaxIngestSchemaBytes, reader,
      &internal::FindIngestSchemaProblems);
}

absl::StatusOr<std::string> ReadIngestSchemaFile(const std::string& path) {
  return proto::ReadYamlFile(path, "ingest schema", kMaxIngestSchemaBytes);
}

absl::StatusOr<IngestSchema> LoadIngestSchemaFile(const std::string& path) {
  FEDLINK_ASSIGN_OR_RETURN(const std::string text, ReadIngestSchemaFile(path));
  return ParseIngestSchemaYaml(text, path);
}

}  // namespace fedlink::agent::ingest
