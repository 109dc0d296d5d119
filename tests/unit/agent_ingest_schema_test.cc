// The ingest schema: YAML reading with defaults, every validation rule with
// an error that names the key, its position and the allowed values, and the
// example files in deploy/examples.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "agent/ingest/ingest_schema.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::agent::ingest {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string ExamplePath(const std::string& name) {
  return (std::filesystem::path(FEDLINK_SOURCE_DIR) /
          "deploy" / "examples" / name)
      .lexically_normal()
      .string();
}

constexpr const char* kMinimal = R"(
version: 1
local_id: {column: id}
identifiers:
  - {column: fn, role: first_name}
  - {column: birth, role: dob, formats: ["%d/%m/%Y"], min_year: 1900}
  - {column: sid, role: other, field: student_id, kind: identifier}
attributes:
  - {column: grade, sensitivity: internal, type: integer, min: 0, max: 12}
  - {column: School Type, name: school_type, sensitivity: public,
     type: category, values: [a, b]}
ignore_columns: [notes]
)";

// The error message of parsing `yaml` (empty if it parsed).
std::string ErrorOf(const std::string& yaml) {
  absl::StatusOr<IngestSchema> schema = ParseIngestSchemaYaml(yaml, "s.yaml");
  if (schema.ok()) return "";
  EXPECT_EQ(schema.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(schema.status().message());
}

// kMinimal with one line replaced.
std::string With(const std::string& from, const std::string& to) {
  std::string yaml = kMinimal;
  const size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) yaml.replace(at, from.size(), to);
  return yaml;
}

TEST(IngestSchemaTest, ReadsMinimalSchemaWithDefaults) {
  absl::StatusOr<IngestSchema> s = ParseIngestSchemaYaml(kMinimal, "s.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->local_id_column, "id");
  EXPECT_EQ(s->csv.delimiter, ',');
  EXPECT_FALSE(s->csv.skip_initial_space);
  ASSERT_EQ(s->identifiers.size(), 3u);
  EXPECT_EQ(s->identifiers[0].field, "first_name");
  EXPECT_EQ(s->identifiers[0].kind, schema::FieldKind::kName);
  EXPECT_EQ(s->identifiers[0].on_invalid, OnInvalid::kReject);
  EXPECT_FALSE(s->identifiers[0].required);
  EXPECT_EQ(s->identifiers[1].field, "dob");
  EXPECT_EQ(s->identifiers[1].kind, schema::FieldKind::kDate);
  EXPECT_EQ(s->identifiers[1].date.formats,
            std::vector<std::string>{"%d/%m/%Y"});
  EXPECT_EQ(s->identifiers[1].date.min_year, 1900);
  EXPECT_EQ(s->identifiers[2].field, "student_id");
  EXPECT_EQ(s->identifiers[2].kind, schema::FieldKind::kIdentifier);
  ASSERT_EQ(s->attributes.size(), 2u);
  EXPECT_EQ(s->attributes[0].name, "grade");  // defaults to the column
  EXPECT_EQ(s->attributes[0].sensitivity, Sensitivity::kInternal);
  EXPECT_EQ(s->attributes[0].type, AttributeType::kInteger);
  EXPECT_EQ(s->attributes[0].min, 0);
  EXPECT_EQ(s->attributes[0].max, 12);
  EXPECT_EQ(s->attributes[1].values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s->ignore_columns, std::vector<std::string>{"notes"});
  EXPECT_TRUE(ValidateIngestSchema(*s).ok());
}

TEST(IngestSchemaTest, ReadsCsvSection) {
  absl::StatusOr<IngestSchema> s = ParseIngestSchemaYaml(
      With("version: 1\n",
           "version: 1\ncsv: {delimiter: \"\\t\", skip_initial_space: true, "
           "max_field_bytes: 100, max_record_bytes: 1000, max_fields: 20, "
           "max_record_lines: 5}\n"),
      "s.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->csv.delimiter, '\t');
  EXPECT_TRUE(s->csv.skip_initial_space);
  EXPECT_EQ(s->csv.max_field_bytes, 100u);
  EXPECT_EQ(s->csv.max_record_bytes, 1000u);
  EXPECT_EQ(s->csv.max_fields, 20u);
  EXPECT_EQ(s->csv.max_record_lines, 5u);
}

TEST(IngestSchemaTest, UnknownRoleListsTheAllowedRoles) {
  EXPECT_THAT(ErrorOf(With("role: first_name", "role: firstname")),
              AllOf(HasSubstr("s.yaml:5:"), HasSubstr("identifiers[0].role"),
                    HasSubstr("unknown role 'firstname'"),
                    HasSubstr("did you mean 'first_name'?"),
                    HasSubstr("allowed: first_name, middle_name, last_name, "
                              "dob, sex, ssn, postcode, street, address, "
                              "other")));
}

TEST(IngestSchemaTest, SensitivityIsRequiredAndChecked) {
  EXPECT_THAT(ErrorOf(With("sensitivity: internal", "sensitivity: secret")),
              AllOf(HasSubstr("attributes[0].sensitivity"),
                    HasSubstr("unknown sensitivity class 'secret'"),
                    HasSubstr("allowed: public, internal, confidential, "
                              "restricted")));
  EXPECT_THAT(ErrorOf(With("sensitivity: internal, ", "")),
              AllOf(HasSubstr("attributes[0]"),
                    HasSubstr("missing required key 'sensitivity'"),
                    HasSubstr("allowed: public, internal")));
}

TEST(IngestSchemaTest, TypeAndOnInvalidValuesAreChecked) {
  EXPECT_THAT(ErrorOf(With("type: integer", "type: int")),
              AllOf(HasSubstr("attributes[0].type"),
                    HasSubstr("allowed: string, integer, category, date")));
  EXPECT_THAT(
      ErrorOf(With("role: first_name}", "role: first_name, on_invalid: skip}")),
      AllOf(HasSubstr("identifiers[0].on_invalid"),
            HasSubstr("allowed: reject, missing")));
  EXPECT_THAT(ErrorOf(With("kind: identifier", "kind: number")),
              AllOf(HasSubstr("identifiers[2].kind"),
                    HasSubstr("allowed: name, date, sex, postcode, identifier, "
                              "text")));
}

TEST(IngestSchemaTest, UnknownAndRepeatedKeys) {
  EXPECT_THAT(ErrorOf(With("ignore_columns", "ignored_columns")),
              AllOf(HasSubstr("s.yaml:12:1"),
                    HasSubstr("unknown key 'ignored_columns'"),
                    HasSubstr("did you mean 'ignore_columns'?")));
  EXPECT_THAT(ErrorOf(With("local_id: {column: id}",
                           "local_id: {column: id, column: x}")),
              HasSubstr("key 'column' appears twice"));
  EXPECT_THAT(ErrorOf(With("min: 0,", "minimum: 0,")),
              HasSubstr("attributes[0]: unknown key 'minimum'"));
}

TEST(IngestSchemaTest, MissingRequiredKeys) {
  EXPECT_THAT(ErrorOf("version: 1\nidentifiers: []\n"),
              HasSubstr("missing required key 'local_id'"));
  EXPECT_THAT(ErrorOf("local_id: {column: id}\n"),
              HasSubstr("missing required key 'version'"));
  EXPECT_THAT(ErrorOf(With("{column: fn, role: first_name}", "{column: fn}")),
              AllOf(HasSubstr("identifiers[0]"),
                    HasSubstr("missing required key 'role'")));
}

TEST(IngestSchemaTest, WrongTypesAreNotConverted) {
  EXPECT_THAT(ErrorOf(With("min: 0", "min: \"0\"")),
              HasSubstr("attributes[0].min: expected a whole number"));
  EXPECT_THAT(ErrorOf(With("version: 1\n",
                           "version: 1\ncsv: {skip_initial_space: yes}\n")),
              HasSubstr("csv.skip_initial_space: expected true or false"));
  EXPECT_THAT(ErrorOf(With("ignore_columns: [notes]", "ignore_columns: notes")),
              HasSubstr("ignore_columns: expected a list"));
  EXPECT_THAT(ErrorOf("- a\n- b\n"), HasSubstr("expected a mapping"));
}

TEST(IngestSchemaTest, VersionMustBeOne) {
  EXPECT_THAT(ErrorOf(With("version: 1", "version: 2")),
              HasSubstr("unsupported version 2 (this build reads version 1)"));
}

TEST(IngestSchemaTest, MalformedYaml) {
  EXPECT_THAT(ErrorOf("version: 1\nlocal_id: {column: id\n"),
              AllOf(HasSubstr("s.yaml:"), HasSubstr("malformed YAML")));
}

TEST(IngestSchemaTest, OversizedTextAndMissingFilesAreRefusedByName) {
  const std::string big(kMaxIngestSchemaBytes + 1, '#');
  absl::StatusOr<IngestSchema> oversized = ParseIngestSchemaYaml(big, "big.yaml");
  ASSERT_FALSE(oversized.ok());
  EXPECT_THAT(oversized.status().message(),
              HasSubstr("big.yaml: 1048577 bytes (an ingest schema may have at most 1048576)"));

  const std::string missing = (std::filesystem::temp_directory_path() /
                               "fedlink-no-such-schema-7f3a.yaml").string();
  absl::StatusOr<IngestSchema> absent = LoadIngestSchemaFile(missing);
  EXPECT_EQ(absent.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(absent.status().message(), HasSubstr("cannot open ingest schema " + missing));
}

TEST(IngestSchemaTest, CsvOptionsAreChecked) {
  EXPECT_THAT(
      ErrorOf(With("version: 1\n", "version: 1\ncsv: {delimiter: \";;\"}\n")),
      HasSubstr("csv.delimiter: expected one character"));
  EXPECT_THAT(
      ErrorOf(With("version: 1\n", "version: 1\ncsv: {delimiter: '\"'}\n")),
      AllOf(HasSubstr("s.yaml:3:"), HasSubstr("csv.delimiter: must not be")));
  EXPECT_THAT(
      ErrorOf(With("version: 1\n", "version: 1\ncsv: {max_fields: 0}\n")),
      HasSubstr("csv.max_fields: expected a whole number from 1"));
  EXPECT_THAT(ErrorOf(With("version: 1\n",
                           "version: 1\ncsv: {max_field_bytes: 100, "
                           "max_record_bytes: 10}\n")),
              HasSubstr("csv.max_record_bytes: 10 is less than"));
}

TEST(IngestSchemaTest, EachColumnIsMappedOnce) {
  EXPECT_THAT(ErrorOf(With("ignore_columns: [notes]", "ignore_columns: [fn]")),
              AllOf(HasSubstr("s.yaml:12:18"), HasSubstr("ignore_columns[0]"),
                    HasSubstr("column 'fn' is already used by "
                              "identifiers[0].column")));
  EXPECT_THAT(ErrorOf(With("{column: sid,", "{column: id,")),
              HasSubstr("already used by local_id.column"));
}

TEST(IngestSchemaTest, SingleValuedRolesAppearOnce) {
  EXPECT_THAT(
      ErrorOf(With("  - {column: sid, role: other, field: student_id, kind: "
                   "identifier}",
                   "  - {column: fn2, role: first_name, field: first2}")),
      AllOf(HasSubstr("identifiers[2].role"),
            HasSubstr("role first_name is already mapped by identifiers[0]")));
  // street, address and other may repeat with distinct fields.
  EXPECT_EQ(ErrorOf(With("  - {column: sid, role: other, field: student_id, "
                         "kind: identifier}",
                         "  - {column: a1, role: address, field: address_1}\n"
                         "  - {column: a2, role: address, field: address_2}")),
            "");
  EXPECT_THAT(ErrorOf(With("  - {column: sid, role: other, field: student_id, "
                           "kind: identifier}",
                           "  - {column: a1, role: address}\n"
                           "  - {column: a2, role: address}")),
              AllOf(HasSubstr("identifiers[3].field"),
                    HasSubstr("field 'address' is already used by "
                              "identifiers[2]")));
}

TEST(IngestSchemaTest, RoleOtherNeedsKindAndField) {
  EXPECT_THAT(ErrorOf(With(", kind: identifier}", "}")),
              AllOf(HasSubstr("identifiers[2]: role other needs a kind"),
                    HasSubstr("allowed: name, date")));
  EXPECT_THAT(ErrorOf(With("field: student_id, ", "")),
              HasSubstr("identifiers[2]: role other needs a field"));
  EXPECT_THAT(
      ErrorOf(With("role: first_name}", "role: first_name, kind: text}")),
      HasSubstr("identifiers[0].kind: role first_name implies its "
                "kind"));
  EXPECT_THAT(ErrorOf(With("field: student_id", "field: Student-ID")),
              AllOf(HasSubstr("identifiers[2].field"),
                    HasSubstr("'Student-ID' is not a valid field name "
                              "([a-z][a-z0-9_]*")));
}

TEST(IngestSchemaTest, DateOptionsAreChecked) {
  EXPECT_THAT(
      ErrorOf(With("formats: [\"%d/%m/%Y\"]", "formats: [\"%d/%m/%y\"]")),
      AllOf(HasSubstr("identifiers[1]: formats[0] has unsupported "
                      "directive %y"),
            HasSubstr("supported: %Y %m %d %b %%")));
  EXPECT_THAT(
      ErrorOf(
          With("role: first_name}", "role: first_name, formats: [\"%Y\"]}")),
      HasSubstr("identifiers[0].formats: applies to date identifiers only"));
  EXPECT_THAT(ErrorOf(With("min_year: 1900", "min_year: 1900, max_year: 1800")),
              HasSubstr("year range 1900..1800"));
}

TEST(IngestSchemaTest, AttributeRules) {
  EXPECT_THAT(ErrorOf(With("min: 0, max: 12", "min: 12, max: 0")),
              HasSubstr("attributes[0].min: min 12 is greater than max 0"));
  EXPECT_THAT(ErrorOf(With("type: integer", "type: string")),
              HasSubstr("attributes[0].min: min and max apply to integer "
                        "attributes only"));
  EXPECT_THAT(ErrorOf(With("values: [a, b]", "values: []")),
              HasSubstr("attributes[1].values: a category needs 1 to 1024 "
                        "allowed values"));
  EXPECT_THAT(ErrorOf(With("values: [a, b]", "values: [a, a]")),
              HasSubstr("attributes[1].values[1]: value 'a' is listed twice"));
  // The default name is the column, which must then be a valid name.
  EXPECT_THAT(ErrorOf(With("name: school_type, ", "")),
              AllOf(HasSubstr("attributes[1].name"),
                    HasSubstr("'School Type' is not a valid attribute name"),
                    HasSubstr("set name:")));
  EXPECT_THAT(ErrorOf(With("name: school_type", "name: dob")),
              HasSubstr("name 'dob' is already used by identifiers[1]"));
  EXPECT_THAT(ErrorOf(With("name: school_type", "name: local_id")),
              HasSubstr("'local_id' is reserved"));
}

TEST(IngestSchemaTest, AtLeastOneIdentifier) {
  EXPECT_THAT(ErrorOf("version: 1\nlocal_id: {column: id}\nidentifiers: []\n"),
              HasSubstr("identifiers: at least one identifier column is "
                        "needed"));
}

TEST(IngestSchemaTest, SeveralProblemsAreAllReported) {
  const std::string message = ErrorOf(With("values: [a, b]}",
                                           "values: [a, a]}\n  - {column: fn, "
                                           "name: dup, sensitivity: public}"));
  EXPECT_THAT(message, AllOf(HasSubstr("values[1]"),
                             HasSubstr("column 'fn' is already used")));
}

TEST(IngestSchemaTest, ValidateCatchesAKindThatContradictsTheRole) {
  IngestSchema s;
  s.local_id_column = "id";
  IdentifierColumn dob;
  dob.column = "birth";
  dob.role = IdentifierRole::kDob;
  dob.field = "dob";
  dob.kind = schema::FieldKind::kText;
  s.identifiers.push_back(dob);
  EXPECT_THAT(ValidateIngestSchema(s).message(),
              HasSubstr("identifiers[0].kind: kind text does not match role "
                        "dob (date)"));
}

TEST(IngestSchemaTest, NamesRoundTrip) {
  for (IdentifierRole role :
       {IdentifierRole::kFirstName, IdentifierRole::kMiddleName,
        IdentifierRole::kLastName, IdentifierRole::kDob, IdentifierRole::kSex,
        IdentifierRole::kSsn, IdentifierRole::kPostcode,
        IdentifierRole::kStreet, IdentifierRole::kAddress,
        IdentifierRole::kOther}) {
    EXPECT_EQ(IdentifierRoleFromName(IdentifierRoleName(role)), role);
  }
  for (Sensitivity s : {Sensitivity::kPublic, Sensitivity::kInternal,
                        Sensitivity::kConfidential, Sensitivity::kRestricted}) {
    EXPECT_EQ(SensitivityFromName(SensitivityName(s)), s);
  }
  EXPECT_LT(Sensitivity::kPublic, Sensitivity::kRestricted);
  for (AttributeType t : {AttributeType::kString, AttributeType::kInteger,
                          AttributeType::kCategory, AttributeType::kDate}) {
    EXPECT_EQ(AttributeTypeFromName(AttributeTypeName(t)), t);
  }
  EXPECT_FALSE(IdentifierRoleFromName("First_Name").has_value());
  EXPECT_TRUE(IsSingleValuedRole(IdentifierRole::kDob));
  EXPECT_FALSE(IsSingleValuedRole(IdentifierRole::kAddress));
}

TEST(IngestSchemaTest, LoadReportsAMissingFile) {
  absl::StatusOr<IngestSchema> s = LoadIngestSchemaFile("/nonexistent/s.yaml");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.status().message(), HasSubstr("/nonexistent/s.yaml"));
}

TEST(IngestSchemaTest, ExampleSchemaLoads) {
  absl::StatusOr<IngestSchema> s =
      LoadIngestSchemaFile(ExamplePath("ingest-schema.yaml"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->local_id_column, "STUDENT_ID");
  EXPECT_EQ(s->identifiers.size(), 9u);
  EXPECT_EQ(s->attributes.size(), 5u);
  // Its identifier fields are those of the built-in linkage schema.
  const schema::LinkageSchema linkage = schema::DefaultLinkageSchema();
  for (const schema::FieldSpec& field : linkage.fields) {
    bool found = false;
    for (const IdentifierColumn& id : s->identifiers) {
      if (id.field == field.name) {
        found = true;
        EXPECT_EQ(id.kind, field.kind) << field.name;
      }
    }
    EXPECT_TRUE(found) << field.name;
  }
}

TEST(IngestSchemaTest, FebrlSchemaFitsTheFebrlLinkageSchema) {
  absl::StatusOr<IngestSchema> s =
      LoadIngestSchemaFile(ExamplePath("febrl-ingest-schema.yaml"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->csv.skip_initial_space);
  EXPECT_EQ(s->local_id_column, "rec_id");
  std::ifstream in(ExamplePath("febrl-linkage-schema.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<schema::LinkageSchema> linkage =
      schema::ParseLinkageSchemaYaml(text.str(), "febrl-linkage-schema.yaml");
  ASSERT_TRUE(linkage.ok()) << linkage.status();
  for (const schema::FieldSpec& field : linkage->fields) {
    bool found = false;
    for (const IdentifierColumn& id : s->identifiers) {
      if (id.field == field.name) {
        found = true;
        EXPECT_EQ(id.kind, field.kind) << field.name;
      }
    }
    EXPECT_TRUE(found) << field.name;
  }
}

}  // namespace
}  // namespace fedlink::agent::ingest
