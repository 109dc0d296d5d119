// Row validation end to end (CSV text → reader → validator): normalisation
// per role, typed attributes, header binding, the hostile-CSV suite, and
// every FEBRL file.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/ingest/csv_reader.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/ingest/row_validator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/febrl.h"

namespace fedlink::agent::ingest {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kSchema = R"(
version: 1
local_id: {column: id}
identifiers:
  - {column: first, role: first_name}
  - {column: last, role: last_name, required: true}
  - {column: dob, role: dob, formats: ["%Y-%m-%d", "%d/%m/%Y"], min_year: 1900}
  - {column: sex, role: sex, on_invalid: missing}
  - {column: ssn, role: ssn}
attributes:
  - {column: grade, sensitivity: internal, type: integer, min: 0, max: 12}
  - {column: school, sensitivity: public, type: category,
     values: [public, private]}
  - {column: enrolled, sensitivity: confidential, type: date,
     formats: ["%Y-%m-%d"]}
  - {column: note, sensitivity: restricted}
ignore_columns: [updated_by]
)";

constexpr const char* kHeader =
    "id,first,last,dob,sex,ssn,grade,school,enrolled,note,updated_by\n";

IngestSchema TestSchema() {
  absl::StatusOr<IngestSchema> schema = ParseIngestSchemaYaml(kSchema, "t");
  EXPECT_TRUE(schema.ok()) << schema.status();
  return *schema;
}

// One validated row, in a form easy to compare.
struct Result {
  uint64_t line = 0;
  bool parsed = false;
  std::vector<std::string> reasons;  // "column:code" / "code"
  std::vector<std::string> details;
  std::vector<ColumnCheck> checks;
  std::vector<std::optional<std::string>> values;
  std::optional<StoredRecord> record;  // when accepted
};

struct FileRun {
  absl::Status header_status;
  std::vector<Result> rows;
};

FileRun Validate(const std::string& csv,
                 const IngestSchema& schema = TestSchema()) {
  FileRun run;
  std::istringstream in(csv);
  auto reader = CsvReader::Create(&in, schema.csv);
  EXPECT_TRUE(reader.ok());
  CsvRecord record;
  absl::StatusOr<bool> more = (*reader)->Next(&record);
  EXPECT_TRUE(more.ok());
  if (!*more) {
    run.header_status = absl::InvalidArgumentError("empty file: no header row");
    return run;
  }
  auto validator = RowValidator::Create(schema, record);
  if (!validator.ok()) {
    run.header_status = validator.status();
    return run;
  }
  ValidatedRow row;
  while (*(more = (*reader)->Next(&record))) {
    (*validator)->Validate(record, &row);
    Result r;
    r.line = row.line;
    r.parsed = row.parsed;
    for (const Problem& p : row.problems) {
      const std::string_view code = ReasonCode(p.reason);
      r.reasons.push_back(p.column.empty()
                              ? std::string(code)
                              : p.column + ":" + std::string(code));
      r.details.push_back(p.detail);
    }
    r.checks = row.checks;
    for (const auto& v : row.values) {
      r.values.push_back(
          v.has_value() ? std::optional<std::string>(std::string(v->Expose()))
                        : std::nullopt);
    }
    if (row.ok()) r.record = (*validator)->TakeRecord(&row);
    run.rows.push_back(std::move(r));
  }
  return run;
}

// The row "id,first,last,dob,sex,ssn,grade,school,enrolled,note,updated_by"
// with one column replaced; unless that column is id, the id is a fresh one.
std::string Row(const std::string& column, const std::string& value) {
  static int next_id = 0;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", "auto-" + std::to_string(++next_id)},
      {"first", "Ann"},
      {"last", "Lee"},
      {"dob", "2001-02-03"},
      {"sex", "f"},
      {"ssn", "123-45-6789"},
      {"grade", "7"},
      {"school", "public"},
      {"enrolled", "2020-09-01"},
      {"note", "ok"},
      {"updated_by", "x"}};
  std::string out;
  for (const auto& [name, v] : fields) {
    if (!out.empty()) out += ",";
    out += name == column ? value : v;
  }
  return out + "\n";
}

TEST(RowValidatorTest, AcceptsAndNormalisesAValidRow) {
  FileRun run =
      Validate(std::string(kHeader) +
               " s-1 ,García-López,O'Brien,03/02/2001,Female,"
               "123-45-6789,+7,private,2020-09-01,\"a, b\",someone\n");
  ASSERT_TRUE(run.header_status.ok()) << run.header_status;
  ASSERT_EQ(run.rows.size(), 1u);
  const Result& r = run.rows[0];
  EXPECT_THAT(r.reasons, IsEmpty());
  ASSERT_TRUE(r.record.has_value());
  const StoredRecord& rec = *r.record;
  EXPECT_EQ(r.line, 2u);
  EXPECT_EQ(rec.local_id.Expose(), "s-1");
  ASSERT_EQ(rec.identifiers.size(), 5u);
  EXPECT_EQ(rec.identifiers[0].name, "first_name");
  EXPECT_EQ(rec.identifiers[0].value.Expose(), "garcia lopez");
  EXPECT_EQ(rec.identifiers[1].name, "last_name");
  EXPECT_EQ(rec.identifiers[1].value.Expose(), "obrien");
  EXPECT_EQ(rec.identifiers[2].name, "dob");
  EXPECT_EQ(rec.identifiers[2].value.Expose(), "20010203");
  EXPECT_EQ(rec.identifiers[3].value.Expose(), "f");
  EXPECT_EQ(rec.identifiers[4].name, "ssn");
  EXPECT_EQ(rec.identifiers[4].value.Expose(), "123456789");
  ASSERT_EQ(rec.attributes.size(), 4u);
  EXPECT_EQ(rec.attributes[0].name, "grade");
  EXPECT_EQ(rec.attributes[0].value.Expose(), "7");
  EXPECT_EQ(rec.attributes[1].value.Expose(), "private");
  EXPECT_EQ(rec.attributes[2].name, "enrolled");
  EXPECT_EQ(rec.attributes[2].value.Expose(), "2020-09-01");
  EXPECT_EQ(rec.attributes[3].value.Expose(), "a, b");
}

TEST(RowValidatorTest, MissingValuesAreOmittedFromTheRecord) {
  FileRun run = Validate(std::string(kHeader) + "s1,,Lee,,,,,,,,\n");
  ASSERT_EQ(run.rows.size(), 1u);
  ASSERT_TRUE(run.rows[0].record.has_value());
  ASSERT_EQ(run.rows[0].record->identifiers.size(), 1u);
  EXPECT_EQ(run.rows[0].record->identifiers[0].name, "last_name");
  EXPECT_TRUE(run.rows[0].record->attributes.empty());
}

TEST(RowValidatorTest, PlaceholdersAreMissingAndFlagged) {
  FileRun run = Validate(std::string(kHeader) + Row("first", "N/A") +
                         Row("ssn", "000-00-0000") + Row("first", "  "));
  ASSERT_EQ(run.rows.size(), 3u);
  // Bound columns: local id, first, last, dob, sex, ssn, attributes.
  EXPECT_EQ(run.rows[0].checks[1].state, ValueState::kMissing);
  EXPECT_TRUE(run.rows[0].checks[1].placeholder);
  EXPECT_EQ(run.rows[1].checks[5].state, ValueState::kMissing);
  EXPECT_TRUE(run.rows[1].checks[5].placeholder);
  EXPECT_EQ(run.rows[2].checks[1].state, ValueState::kMissing);
  EXPECT_FALSE(run.rows[2].checks[1].placeholder);
  for (const Result& r : run.rows) EXPECT_THAT(r.reasons, IsEmpty());
}

// --- The hostile CSV suite -------------------------------------------------

TEST(RowValidatorTest, HostileUnterminatedQuote) {
  FileRun run = Validate(std::string(kHeader) + Row("note", "\"never closed") +
                         Row("id", "s2"));
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_THAT(run.rows[0].reasons, ElementsAre("unterminated_quote"));
  EXPECT_THAT(run.rows[0].details[0], HasSubstr("line 2, column"));
  EXPECT_FALSE(run.rows[0].parsed);
  EXPECT_THAT(run.rows[1].reasons, IsEmpty());  // resynchronised
  EXPECT_EQ(run.rows[1].line, 3u);
}

TEST(RowValidatorTest, HostileWrongColumnCount) {
  FileRun run = Validate(std::string(kHeader) + "s1,Ann,Lee\n" +
                         Row("updated_by", "x,extra") + Row("id", "s3"));
  ASSERT_EQ(run.rows.size(), 3u);
  EXPECT_THAT(run.rows[0].reasons, ElementsAre("wrong_column_count"));
  EXPECT_THAT(run.rows[0].details[0], HasSubstr("3 fields, the header has 11"));
  EXPECT_THAT(run.rows[1].reasons, ElementsAre("wrong_column_count"));
  EXPECT_THAT(run.rows[1].details[0], HasSubstr("12 fields"));
  EXPECT_THAT(run.rows[2].reasons, IsEmpty());
}

TEST(RowValidatorTest, HostileInvalidUtf8) {
  FileRun run = Validate(std::string(kHeader) + Row("first", "Ann\xC3\x28") +
                         Row("note", "\xFF\xFE") + Row("id", "s\xE2\x82") +
                         Row("sex", "\xC0\xAF"));
  ASSERT_EQ(run.rows.size(), 4u);
  EXPECT_THAT(run.rows[0].reasons, ElementsAre("first:invalid_utf8"));
  EXPECT_THAT(run.rows[1].reasons, ElementsAre("note:invalid_utf8"));
  EXPECT_THAT(run.rows[2].reasons, ElementsAre("id:invalid_utf8"));
  // on_invalid: missing does not hide an encoding problem.
  EXPECT_THAT(run.rows[3].reasons, ElementsAre("sex:invalid_utf8"));
}

TEST(RowValidatorTest, HostileTenMegabyteField) {
  FileRun run = Validate(std::string(kHeader) +
                         Row("note", "\"" + std::string(10 << 20, 'z') + "\"") +
                         Row("id", "s2"));
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_THAT(run.rows[0].reasons, ElementsAre("field_too_large"));
  EXPECT_THAT(run.rows[0].details[0],
              HasSubstr("(field 10): field longer than the limit of 1048576"));
  EXPECT_THAT(run.rows[1].reasons, IsEmpty());
}

TEST(RowValidatorTest, HostileImpossibleDates) {
  FileRun run =
      Validate(std::string(kHeader) + Row("dob", "2001-02-30") +
               Row("dob", "31/04/1990") + Row("dob", "2001-13-01") +
               Row("dob", "1899-12-31") + Row("dob", "yesterday") +
               Row("enrolled", "2019-02-29") + Row("dob", "2000-02-29"));
  ASSERT_EQ(run.rows.size(), 7u);
  EXPECT_THAT(run.rows[0].reasons, ElementsAre("dob:impossible_date"));
  EXPECT_THAT(run.rows[0].details[0], HasSubstr("day does not exist"));
  EXPECT_THAT(run.rows[1].reasons, ElementsAre("dob:impossible_date"));
  EXPECT_THAT(run.rows[2].reasons, ElementsAre("dob:impossible_date"));
  EXPECT_THAT(run.rows[3].reasons, ElementsAre("dob:date_out_of_range"));
  EXPECT_THAT(run.rows[4].reasons, ElementsAre("dob:unparseable_date"));
  EXPECT_THAT(run.rows[5].reasons, ElementsAre("enrolled:impossible_date"));
  EXPECT_THAT(run.rows[6].reasons, IsEmpty());  // a leap day
}

// Repeated ids are the pipeline's to find (against the store, see
// agent_ingest_pipeline_test): the validator keeps nothing from row to row.
TEST(RowValidatorTest, HostileDuplicateIdsAreLeftToThePipeline) {
  FileRun run = Validate(std::string(kHeader) + Row("id", "s1") +
                         Row("id", "s2") + Row("id", " s1") + Row("id", "s1"));
  ASSERT_EQ(run.rows.size(), 4u);
  for (const auto& row : run.rows) EXPECT_THAT(row.reasons, IsEmpty());
}

TEST(RowValidatorTest, HostileEmptyFile) {
  FileRun run = Validate("");
  EXPECT_THAT(run.header_status.message(), HasSubstr("no header row"));
  run = Validate("\xEF\xBB\xBF\r\n\r\n");
  EXPECT_THAT(run.header_status.message(), HasSubstr("no header row"));
}

TEST(RowValidatorTest, HostileHeaderOnly) {
  FileRun run = Validate(kHeader);
  EXPECT_TRUE(run.header_status.ok()) << run.header_status;
  EXPECT_TRUE(run.rows.empty());
}

TEST(RowValidatorTest, HostileBomAndCrlf) {
  std::string crlf =
      "\xEF\xBB\xBF" + std::string(kHeader) + Row("id", "s1") + Row("id", "s2");
  for (size_t at = crlf.find('\n'); at != std::string::npos;
       at = crlf.find('\n', at + 2)) {
    crlf.insert(at, "\r");
  }
  FileRun run = Validate(crlf);
  ASSERT_TRUE(run.header_status.ok()) << run.header_status;
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_THAT(run.rows[0].reasons, IsEmpty());
  EXPECT_EQ(run.rows[1].line, 3u);
  EXPECT_EQ(run.rows[1].record->attributes[3].value.Expose(), "ok");
}

TEST(RowValidatorTest, HostileEmbeddedNewline) {
  FileRun run =
      Validate(std::string(kHeader) + Row("note", "\"line one\nline two\"") +
               Row("id", "s2"));
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_THAT(run.rows[0].reasons, IsEmpty());
  EXPECT_EQ(run.rows[0].record->attributes[3].value.Expose(),
            "line one\nline two");
  EXPECT_EQ(run.rows[1].line, 4u);
}

// --- Columns -----------------------------------------------------------------

TEST(RowValidatorTest, LocalIdRules) {
  FileRun run = Validate(std::string(kHeader) + Row("id", "  ") +
                         Row("id", std::string(257, 'k')) + Row("id", "a\tb") +
                         Row("id", std::string(256, 'k')));
  ASSERT_EQ(run.rows.size(), 4u);
  EXPECT_THAT(run.rows[0].reasons, ElementsAre("id:missing_local_id"));
  EXPECT_THAT(run.rows[1].reasons, ElementsAre("id:local_id_too_long"));
  EXPECT_THAT(run.rows[2].reasons, ElementsAre("id:invalid_local_id"));
  EXPECT_THAT(run.rows[3].reasons, IsEmpty());
}

TEST(RowValidatorTest, IdentifierRules) {
  FileRun run = Validate(std::string(kHeader) + Row("first", "12345") +
                         Row("last", "") + Row("last", "unknown") +
                         Row("sex", "7") + Row("ssn", std::string(70000, '1')));
  ASSERT_EQ(run.rows.size(), 5u);
  EXPECT_THAT(run.rows[0].reasons, ElementsAre("first:invalid_name"));
  EXPECT_THAT(run.rows[1].reasons, ElementsAre("last:missing_required"));
  EXPECT_THAT(run.rows[2].reasons, ElementsAre("last:missing_required"));
  // sex has on_invalid: missing: counted as invalid, value dropped, row kept.
  EXPECT_THAT(run.rows[3].reasons, IsEmpty());
  EXPECT_EQ(run.rows[3].checks[4].state, ValueState::kInvalid);
  EXPECT_EQ(run.rows[3].checks[4].reason, Reason::kInvalidSex);
  EXPECT_FALSE(run.rows[3].values[4].has_value());
  EXPECT_EQ(run.rows[3].record->identifiers.size(), 4u);
  EXPECT_THAT(run.rows[4].reasons, ElementsAre("ssn:value_too_long"));
}

TEST(RowValidatorTest, AttributeRules) {
  FileRun run =
      Validate(std::string(kHeader) + Row("grade", "7.5") + Row("grade", "13") +
               Row("grade", "99999999999999999999") + Row("grade", "-0") +
               Row("school", "Public") + Row("enrolled", "1/9/2020") +
               Row("note", std::string(70000, 'n')) + Row("grade", " 12 "));
  ASSERT_EQ(run.rows.size(), 8u);
  EXPECT_THAT(run.rows[0].reasons, ElementsAre("grade:not_an_integer"));
  EXPECT_THAT(run.rows[1].reasons, ElementsAre("grade:integer_out_of_range"));
  EXPECT_THAT(run.rows[1].details[0], HasSubstr("outside 0..12"));
  EXPECT_THAT(run.rows[2].reasons, ElementsAre("grade:integer_out_of_range"));
  EXPECT_THAT(run.rows[3].reasons, IsEmpty());
  EXPECT_EQ(run.rows[3].record->attributes[0].value.Expose(), "0");
  EXPECT_THAT(run.rows[4].reasons, ElementsAre("school:not_in_category"));
  EXPECT_THAT(run.rows[5].reasons, ElementsAre("enrolled:unparseable_date"));
  EXPECT_THAT(run.rows[6].reasons, ElementsAre("note:value_too_long"));
  EXPECT_EQ(run.rows[7].record->attributes[0].value.Expose(), "12");
}

TEST(RowValidatorTest, SeveralProblemsInOneRowAreAllListed) {
  FileRun run = Validate(std::string(kHeader) +
                         "s1,1234,,2001-02-30,f,1,x,none,bad,ok,x\n");
  ASSERT_EQ(run.rows.size(), 1u);
  EXPECT_THAT(
      run.rows[0].reasons,
      ElementsAre("first:invalid_name", "last:missing_required",
                  "dob:impossible_date", "grade:not_an_integer",
                  "school:not_in_category", "enrolled:unparseable_date"));
}

TEST(RowValidatorTest, ProblemsNeverContainValues) {
  // Every value below is invalid for its column; none may come back.
  const std::vector<std::string> secrets = {"Zq1928", "1987-02-31", "Xylo",
                                            "Mauve",  "77777",      "Qwerty",
                                            "Zzyzx9", "Vv7\xC3"};
  FileRun run =
      Validate(std::string(kHeader) + "Vv7\xC3,Zq1928,,1987-02-31,Xylo," +
               "Mauve\xFF,77777,Qwerty,Zzyzx9,ok,x\n" + "Vv7\xC3,\"Xylo\n");
  ASSERT_EQ(run.rows.size(), 2u);
  for (const Result& r : run.rows) {
    EXPECT_FALSE(r.reasons.empty());
    for (const std::string& text : r.reasons) {
      for (const std::string& secret : secrets) {
        EXPECT_THAT(text, Not(HasSubstr(secret)));
      }
    }
    for (const std::string& text : r.details) {
      for (const std::string& secret : secrets) {
        EXPECT_THAT(text, Not(HasSubstr(secret)));
      }
    }
  }
}

// --- The header
// ----------------------------------------------------------------

TEST(RowValidatorTest, HeaderMissingAndUnknownColumns) {
  FileRun run =
      Validate("id,first,Last,dob,sex,ssn,grade,school,enrolled,note,Smith\n");
  const std::string message(run.header_status.message());
  EXPECT_EQ(run.header_status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message,
              AllOf(HasSubstr("header (line 1)"),
                    HasSubstr("column 'last' (identifiers[1]) is not in the "
                              "header (header column 3 differs only in "
                              "letter case)"),
                    HasSubstr("column 'updated_by' (ignore_columns[0]) is not "
                              "in the header"),
                    HasSubstr("header column 11 is not in the schema"),
                    HasSubstr("header column 3 is not in the schema")));
  // A header cell that is not in the schema may be data: named by position.
  EXPECT_THAT(message, Not(HasSubstr("Smith")));
}

TEST(RowValidatorTest, HeaderDuplicatesAndHeaderlessFiles) {
  FileRun run = Validate(std::string("id,id,") + (kHeader + 3));
  EXPECT_THAT(run.header_status.message(),
              HasSubstr("header columns 1 and 2 have the same name"));
  run = Validate("s1,Ann,Lee,2001-02-03,f,1,7,public,2020-09-01,ok,x\n");
  EXPECT_THAT(run.header_status.message(),
              AllOf(HasSubstr("does the file start with a header row"),
                    Not(HasSubstr("Ann"))));
  run = Validate("\"id,first\n");
  EXPECT_THAT(run.header_status.message(),
              HasSubstr("header (line 1): line 1, column 1 (field 1): "
                        "unterminated quote"));
}

TEST(RowValidatorTest, HeaderNamesAreTrimmedAndColumnsMayBeReordered) {
  FileRun run = Validate(
      " updated_by , note,enrolled,school,grade,ssn,sex,dob,last,first,id\n"
      "x,ok,2020-09-01,public,7,1,m,2001-02-03,Lee,Ann,s1\n");
  ASSERT_TRUE(run.header_status.ok()) << run.header_status;
  ASSERT_EQ(run.rows.size(), 1u);
  EXPECT_EQ(run.rows[0].record->local_id.Expose(), "s1");
  EXPECT_EQ(run.rows[0].record->identifiers[0].value.Expose(), "ann");
}

TEST(RowValidatorTest, InvalidSchemaIsRefused) {
  IngestSchema schema = TestSchema();
  schema.identifiers.clear();
  std::istringstream in(kHeader);
  auto reader = CsvReader::Create(&in, {});
  CsvRecord header;
  ASSERT_TRUE(*(*reader)->Next(&header));
  EXPECT_THAT(RowValidator::Create(schema, header).status().message(),
              HasSubstr("at least one identifier"));
}

TEST(RowValidatorTest, ReasonCodesAreSnakeCase) {
  EXPECT_EQ(ReasonCode(Reason::kWrongColumnCount), "wrong_column_count");
  EXPECT_EQ(ReasonCode(Reason::kDuplicateLocalId), "duplicate_local_id");
  EXPECT_EQ(ReasonCode(ReasonForCsvError(CsvErrorCode::kTooManyLines)),
            CsvErrorCodeName(CsvErrorCode::kTooManyLines));
}

TEST(RowValidatorTest, EveryReasonCodeMapsBack) {
  std::set<std::string_view> codes;
  for (int i = static_cast<int>(Reason::kUnterminatedQuote);
       i <= static_cast<int>(Reason::kNotInCategory); ++i) {
    const Reason reason = static_cast<Reason>(i);
    EXPECT_EQ(ReasonFromCode(ReasonCode(reason)), reason) << i;
    EXPECT_TRUE(codes.insert(ReasonCode(reason)).second) << i;
  }
  EXPECT_EQ(ReasonFromCode("invalid"), std::nullopt);
  EXPECT_EQ(ReasonFromCode(""), std::nullopt);
}

// --- FEBRL -------------------------------------------------------------------

absl::StatusOr<IngestSchema> FebrlSchema() {
  return LoadIngestSchemaFile((std::filesystem::path(FEDLINK_SOURCE_DIR) /
                               "deploy" / "examples" /
                               "febrl-ingest-schema.yaml")
                                  .lexically_normal()
                                  .string());
}

// Independent of the normalisers: is `d` a YYYYMMDD date in 1850..2100?
bool IsValidFebrlDate(const std::string& d) {
  if (d.size() != 8) return false;
  for (char c : d) {
    if (c < '0' || c > '9') return false;
  }
  const int y = std::stoi(d.substr(0, 4));
  const int m = std::stoi(d.substr(4, 2));
  const int day = std::stoi(d.substr(6, 2));
  if (y < 1850 || y > 2100 || m < 1 || m > 12 || day < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return day <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

class FebrlValidationTest : public ::testing::TestWithParam<const char*> {};

// Per file: rows validated, rows rejected, date_of_birth values invalid, and
// whether every accepted local id matched the oracle's, in order.
struct FebrlCounts {
  size_t rows = 0;
  size_t rejected = 0;
  size_t rejected_other_than_dob = 0;
  size_t invalid_dob = 0;
  size_t invalid_other = 0;
  bool ids_match = true;
};

FebrlCounts ValidateFebrl(const std::string& path, const IngestSchema& schema,
                          const std::vector<testing::FebrlRecord>& expected) {
  FebrlCounts counts;
  std::ifstream in(path, std::ios::binary);
  auto reader = CsvReader::Create(&in, schema.csv);
  EXPECT_TRUE(reader.ok());
  CsvRecord record;
  EXPECT_TRUE(*(*reader)->Next(&record));
  auto validator = RowValidator::Create(schema, record);
  EXPECT_TRUE(validator.ok()) << validator.status();
  if (!validator.ok()) return counts;
  const std::vector<BoundColumn>& columns = (*validator)->columns();
  ValidatedRow row;
  while (*(*reader)->Next(&record)) {
    (*validator)->Validate(record, &row);
    const size_t i = counts.rows++;
    if (row.line != i + 2 || i >= expected.size()) counts.ids_match = false;
    if (!row.ok()) {
      ++counts.rejected;
      for (const Problem& p : row.problems) {
        if (p.column != "date_of_birth") ++counts.rejected_other_than_dob;
      }
    }
    for (size_t k = 0; k < columns.size(); ++k) {
      if (row.checks[k].state != ValueState::kInvalid) continue;
      const Reason r = row.checks[k].reason;
      const bool date_reason = r == Reason::kImpossibleDate ||
                               r == Reason::kUnparseableDate ||
                               r == Reason::kDateOutOfRange;
      if (columns[k].column == "date_of_birth" && date_reason) {
        ++counts.invalid_dob;
      } else {
        ++counts.invalid_other;
      }
    }
    if (row.ok() && i < expected.size()) {
      const StoredRecord accepted = (*validator)->TakeRecord(&row);
      if (accepted.local_id.Expose() != expected[i].rec_id) {
        counts.ids_match = false;
      }
    }
  }
  return counts;
}

TEST_P(FebrlValidationTest, EveryRowReadsAndValidates) {
  absl::StatusOr<IngestSchema> schema = FebrlSchema();
  ASSERT_TRUE(schema.ok()) << schema.status();
  // The test-support loader is the oracle for rows and ids.
  const std::string path = testing::FebrlPath(GetParam());
  absl::StatusOr<std::vector<testing::FebrlRecord>> expected =
      testing::LoadFebrl(path);
  ASSERT_TRUE(expected.ok()) << expected.status();
  size_t bad_dates = 0;
  for (const testing::FebrlRecord& r : *expected) {
    if (!r.date_of_birth.empty() && !IsValidFebrlDate(r.date_of_birth)) {
      ++bad_dates;
    }
  }
  // FEBRL's duplicates carry corrupted dates, so the check is not vacuous.
  if (std::string_view(GetParam()) == "dataset4b.csv") {
    EXPECT_GT(bad_dates, 0u);
  }

  // The example schema keeps rows with a bad date (on_invalid: missing).
  const FebrlCounts lenient = ValidateFebrl(path, *schema, *expected);
  EXPECT_EQ(lenient.rows, expected->size());
  EXPECT_EQ(lenient.rejected, 0u);
  EXPECT_TRUE(lenient.ids_match);
  EXPECT_EQ(lenient.invalid_dob, bad_dates);
  EXPECT_EQ(lenient.invalid_other, 0u);

  // With the default on_invalid (reject), exactly those rows are rejected.
  for (IdentifierColumn& id : schema->identifiers) {
    id.on_invalid = OnInvalid::kReject;
  }
  const FebrlCounts strict = ValidateFebrl(path, *schema, *expected);
  EXPECT_EQ(strict.rows, expected->size());
  EXPECT_EQ(strict.rejected, bad_dates);
  EXPECT_EQ(strict.rejected_other_than_dob, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllFiles, FebrlValidationTest,
                         ::testing::Values("dataset1.csv", "dataset2.csv",
                                           "dataset3.csv", "dataset4a.csv",
                                           "dataset4b.csv"));

}  // namespace
}  // namespace fedlink::agent::ingest
