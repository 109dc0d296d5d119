// Names of the ingest schema's enumerations and the rules of
// ValidateIngestSchema (listed in agent/ingest/README.md).
#include "agent/ingest/ingest_schema.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/ingest/ingest_schema_problems.h"
#include "agent/ingest/utf8.h"
#include "linkage/document/quote_name.h"

namespace fedlink::agent::ingest {
namespace {

using internal::IsValidName;
using internal::Quote;
using internal::SchemaProblem;

absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

struct RoleInfo {
  IdentifierRole role;
  std::string_view name;
  std::optional<schema::FieldKind> kind;
  std::string_view default_field;
  bool single_valued;
};

constexpr RoleInfo kRoles[] = {
    {IdentifierRole::kFirstName, "first_name", schema::FieldKind::kName,
     "first_name", true},
    {IdentifierRole::kMiddleName, "middle_name", schema::FieldKind::kName,
     "middle_name", true},
    {IdentifierRole::kLastName, "last_name", schema::FieldKind::kName,
     "last_name", true},
    {IdentifierRole::kDob, "dob", schema::FieldKind::kDate, "dob", true},
    {IdentifierRole::kSex, "sex", schema::FieldKind::kSex, "sex", true},
    {IdentifierRole::kSsn, "ssn", schema::FieldKind::kIdentifier, "ssn", true},
    {IdentifierRole::kPostcode, "postcode", schema::FieldKind::kPostcode,
     "postcode", true},
    {IdentifierRole::kStreet, "street", schema::FieldKind::kText, "street",
     false},
    {IdentifierRole::kAddress, "address", schema::FieldKind::kText, "address",
     false},
    {IdentifierRole::kOther, "other", std::nullopt, "", false},
};

const RoleInfo* FindRole(IdentifierRole role) {
  for (const RoleInfo& info : kRoles) {
    if (info.role == role) return &info;
  }
  return nullptr;
}

constexpr std::pair<Sensitivity, std::string_view> kSensitivities[] = {
    {Sensitivity::kPublic, "public"},
    {Sensitivity::kInternal, "internal"},
    {Sensitivity::kConfidential, "confidential"},
    {Sensitivity::kRestricted, "restricted"},
};

constexpr std::pair<AttributeType, std::string_view> kTypes[] = {
    {AttributeType::kString, "string"},
    {AttributeType::kInteger, "integer"},
    {AttributeType::kCategory, "category"},
    {AttributeType::kDate, "date"},
};

constexpr std::pair<OnInvalid, std::string_view> kOnInvalid[] = {
    {OnInvalid::kReject, "reject"},
    {OnInvalid::kMissing, "missing"},
};

template <typename E, size_t N>
std::string_view NameOf(const std::pair<E, std::string_view> (&table)[N],
                        E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "invalid";
}

template <typename E, size_t N>
std::optional<E> FromName(const std::pair<E, std::string_view> (&table)[N],
                          std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// Collects problems, and which key first used each CSV column.
class Checker {
 public:
  std::vector<SchemaProblem> Run(const IngestSchema& schema) {
    if (schema.version != kIngestSchemaVersion) {
      Add("version", absl::StrCat("unsupported version ", schema.version,
                                  " (this build reads version ",
                                  kIngestSchemaVersion, ")"));
    }
    CheckCsv(schema.csv);
    CheckColumn("local_id.column", schema.local_id_column);
    CheckIdentifiers(schema.identifiers);
    CheckAttributes(schema.attributes);
    if (schema.ignore_columns.size() > kMaxIgnoredColumns) {
      Add("ignore_columns",
          absl::StrCat(schema.ignore_columns.size(), " entries (at most ",
                       kMaxIgnoredColumns, " are allowed)"));
    }
    for (size_t i = 0; i < schema.ignore_columns.size(); ++i) {
      CheckColumn(absl::StrCat("ignore_columns[", i, "]"),
                  schema.ignore_columns[i]);
    }
    return std::move(problems_);
  }

 private:
  void Add(std::string path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
  }

  void CheckCsv(const CsvOptions& csv) {
    absl::Status status = ValidateCsvOptions(csv);
    if (status.ok()) return;
    // ValidateCsvOptions says "csv.<key>: <message>".
    const std::string text(status.message());
    const size_t colon = text.find(": ");
    if (colon == std::string::npos) {
      Add("csv", text);
    } else {
      Add(text.substr(0, colon), text.substr(colon + 2));
    }
  }

  // A CSV header name: present, short, UTF-8, and used by one key only.
  void CheckColumn(const std::string& path, const std::string& column) {
    if (column.empty()) {
      Add(path, "a column name must not be empty");
      return;
    }
    if (column.size() > kMaxColumnNameBytes) {
      Add(path,
          absl::StrCat("column name of ", column.size(), " bytes (at most ",
                       kMaxColumnNameBytes, " are allowed)"));
      return;
    }
    if (!IsValidUtf8(column)) {
      Add(path, "column name is not valid UTF-8");
      return;
    }
    auto [it, inserted] = column_users_.emplace(column, path);
    if (!inserted) {
      Add(path, absl::StrCat("column ", Quote(column), " is already used by ",
                             it->second, " (each column may be mapped once)"));
    }
  }

  void CheckDate(const std::string& path, const normalize::DateOptions& date,
                 bool is_date) {
    if (!is_date) {
      if (!date.formats.empty()) {
        Add(path + ".formats", "date formats apply to date values only");
      }
      return;
    }
    absl::Status status = normalize::ValidateDateOptions(date);
    if (!status.ok()) {
      // "date options: formats[1] ..." → "<path>.formats[1] ..."
      std::string text(status.message());
      constexpr std::string_view kPrefix = "date options: ";
      if (text.rfind(kPrefix, 0) == 0) text.erase(0, kPrefix.size());
      Add(path, text);
    }
  }

  void CheckIdentifiers(const std::vector<IdentifierColumn>& identifiers) {
    if (identifiers.empty()) {
      Add("identifiers",
          "at least one identifier column is needed (without one nothing can "
          "be linked)");
    }
    if (identifiers.size() > kMaxIdentifierColumns) {
      Add("identifiers", absl::StrCat(identifiers.size(), " entries (at most ",
                                      kMaxIdentifierColumns, " are allowed)"));
    }
    std::map<IdentifierRole, std::string> single_roles;
    for (size_t i = 0; i < identifiers.size(); ++i) {
      const IdentifierColumn& id = identifiers[i];
      const std::string path = absl::StrCat("identifiers[", i, "]");
      CheckColumn(path + ".column", id.column);
      const RoleInfo* role = FindRole(id.role);
      if (role == nullptr) {
        Add(path + ".role", "invalid role");
        continue;
      }
      if (role->single_valued) {
        auto [it, inserted] = single_roles.emplace(id.role, path);
        if (!inserted) {
          Add(path + ".role",
              absl::StrCat("role ", Sv(role->name), " is already mapped by ",
                           it->second,
                           " (only street, address and other may repeat)"));
        }
      }
      if (role->kind.has_value() && id.kind != *role->kind) {
        Add(path + ".kind",
            absl::StrCat("kind ", Sv(schema::FieldKindName(id.kind)),
                         " does not match role ", Sv(role->name), " (",
                         Sv(schema::FieldKindName(*role->kind)),
                         "); use role other for a different kind"));
      }
      if (!IsValidName(id.field)) {
        Add(path + ".field",
            absl::StrCat(id.field.empty() ? std::string("no field name")
                                          : Quote(id.field),
                         " is not a valid field name ([a-z][a-z0-9_]*, at "
                         "most ",
                         kMaxNameBytes, " characters)"));
      } else {
        auto [it, inserted] = stored_names_.emplace(id.field, path);
        if (!inserted) {
          Add(path + ".field",
              absl::StrCat("field ", Quote(id.field), " is already used by ",
                           it->second,
                           " (give each identifier its own field)"));
        }
      }
      CheckDate(path, id.date, id.kind == schema::FieldKind::kDate);
    }
  }

  void CheckAttributes(const std::vector<AttributeColumn>& attributes) {
    if (attributes.size() > kMaxAttributeColumns) {
      Add("attributes", absl::StrCat(attributes.size(), " entries (at most ",
                                     kMaxAttributeColumns, " are allowed)"));
    }
    for (size_t i = 0; i < attributes.size(); ++i) {
      const AttributeColumn& a = attributes[i];
      const std::string path = absl::StrCat("attributes[", i, "]");
      CheckColumn(path + ".column", a.column);
      if (!IsValidName(a.name)) {
        Add(path + ".name",
            absl::StrCat(
                a.name.empty() ? std::string("no name") : Quote(a.name),
                " is not a valid attribute name ([a-z][a-z0-9_]*, "
                "at most ",
                kMaxNameBytes,
                " characters; set name: when the column is not)"));
      } else if (a.name == "local_id") {
        Add(path + ".name", "'local_id' is reserved for the record id");
      } else {
        auto [it, inserted] = stored_names_.emplace(a.name, path);
        if (!inserted) {
          Add(path + ".name",
              absl::StrCat("name ", Quote(a.name), " is already used by ",
                           it->second,
                           " (attribute names must differ from each other "
                           "and from identifier fields)"));
        }
      }
      if (NameOf(kSensitivities, a.sensitivity) == "invalid") {
        Add(path + ".sensitivity", "invalid sensitivity class");
      }
      const bool integer = a.type == AttributeType::kInteger;
      if (!integer && (a.min.has_value() || a.max.has_value())) {
        Add(path + (a.min.has_value() ? ".min" : ".max"),
            "min and max apply to integer attributes only");
      }
      if (integer && a.min.has_value() && a.max.has_value() &&
          *a.min > *a.max) {
        Add(path + ".min",
            absl::StrCat("min ", *a.min, " is greater than max ", *a.max));
      }
      CheckCategory(path, a);
      CheckDate(path, a.date, a.type == AttributeType::kDate);
    }
  }

  void CheckCategory(const std::string& path, const AttributeColumn& a) {
    if (a.type != AttributeType::kCategory) {
      if (!a.values.empty()) {
        Add(path + ".values", "values apply to category attributes only");
      }
      return;
    }
    if (a.values.empty() || a.values.size() > kMaxCategoryValues) {
      Add(path + ".values",
          absl::StrCat("a category needs 1 to ", kMaxCategoryValues,
                       " allowed values, got ", a.values.size()));
      return;
    }
    std::set<std::string_view> seen;
    for (size_t j = 0; j < a.values.size(); ++j) {
      const std::string& v = a.values[j];
      const std::string value_path = absl::StrCat(path, ".values[", j, "]");
      if (v.empty() || v.size() > kMaxCategoryValueBytes || !IsValidUtf8(v)) {
        Add(value_path,
            absl::StrCat("a category value must be 1 to ",
                         kMaxCategoryValueBytes, " bytes of UTF-8"));
      } else if (!seen.insert(v).second) {
        Add(value_path, absl::StrCat("value ", Quote(v), " is listed twice"));
      }
    }
  }

  std::vector<SchemaProblem> problems_;
  std::map<std::string, std::string> column_users_;  // column → key
  std::map<std::string, std::string> stored_names_;  // field/name → key
};

}  // namespace

namespace internal {

std::string Quote(std::string_view text) { return document::QuoteName(text); }

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

std::vector<SchemaProblem> FindIngestSchemaProblems(
    const IngestSchema& schema) {
  return Checker().Run(schema);
}

}  // namespace internal

absl::Status ValidateIngestSchema(const IngestSchema& schema) {
  return internal::ProblemsToStatus(
      internal::FindIngestSchemaProblems(schema),
      [](const std::string&) { return std::string(); });
}

std::string_view IdentifierRoleName(IdentifierRole role) {
  const RoleInfo* info = FindRole(role);
  return info == nullptr ? "invalid" : info->name;
}

std::optional<IdentifierRole> IdentifierRoleFromName(std::string_view name) {
  for (const RoleInfo& info : kRoles) {
    if (info.name == name) return info.role;
  }
  return std::nullopt;
}

std::optional<schema::FieldKind> KindForRole(IdentifierRole role) {
  const RoleInfo* info = FindRole(role);
  return info == nullptr ? std::nullopt : info->kind;
}

std::string_view DefaultFieldForRole(IdentifierRole role) {
  const RoleInfo* info = FindRole(role);
  return info == nullptr ? "" : info->default_field;
}

bool IsSingleValuedRole(IdentifierRole role) {
  const RoleInfo* info = FindRole(role);
  return info != nullptr && info->single_valued;
}

std::string_view SensitivityName(Sensitivity s) {
  return NameOf(kSensitivities, s);
}
std::string_view AttributeTypeName(AttributeType t) {
  return NameOf(kTypes, t);
}
std::string_view OnInvalidName(OnInvalid o) { return NameOf(kOnInvalid, o); }
std::optional<Sensitivity> SensitivityFromName(std::string_view name) {
  return FromName(kSensitivities, name);
}
std::optional<AttributeType> AttributeTypeFromName(std::string_view name) {
  return FromName(kTypes, name);
}
std::optional<OnInvalid> OnInvalidFromName(std::string_view name) {
  return FromName(kOnInvalid, name);
}

}  // namespace fedlink::agent::ingest
