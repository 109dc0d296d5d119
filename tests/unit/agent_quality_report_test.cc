// The data-quality report: per-column counts, reasons, distinct counts,
// suspicious values against an injected clock, its JSON and text forms — and
// that neither form contains any value of its input.
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/ingest/csv_reader.h"
#include "agent/ingest/distinct_counter.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/ingest/quality_report.h"
#include "agent/ingest/row_validator.h"
#include "agent/ingest/suspicious_values.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/febrl.h"

namespace fedlink::agent::ingest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr const char* kSchema = R"(
version: 1
local_id: {column: id}
identifiers:
  - {column: first, role: first_name}
  - {column: dob, role: dob, formats: ["%Y-%m-%d"]}
  - {column: ssn, role: ssn}
  - {column: sex, role: sex, on_invalid: missing}
attributes:
  - {column: grade, sensitivity: internal, type: integer}
)";

Clock FixedClock(int year, unsigned month, unsigned day) {
  const auto t =
      std::chrono::sys_days(std::chrono::year(year) /
                            std::chrono::month(month) / std::chrono::day(day)) +
      std::chrono::hours(13) + std::chrono::minutes(4) +
      std::chrono::seconds(5);
  return [t] { return std::chrono::system_clock::time_point(t); };
}

// Reads `csv` with `schema_yaml` and returns the report.
std::unique_ptr<QualityReport> Report(
    const std::string& csv, Clock clock,
    const std::string& schema_yaml = kSchema) {
  absl::StatusOr<IngestSchema> schema = ParseIngestSchemaYaml(schema_yaml, "s");
  EXPECT_TRUE(schema.ok()) << schema.status();
  std::istringstream in(csv);
  auto reader = CsvReader::Create(&in, schema->csv);
  CsvRecord record;
  EXPECT_TRUE(*(*reader)->Next(&record));
  auto validator = RowValidator::Create(*schema, record);
  EXPECT_TRUE(validator.ok()) << validator.status();
  auto report = std::make_unique<QualityReport>(**validator, std::move(clock));
  ValidatedRow row;
  while (*(*reader)->Next(&record)) {
    (*validator)->Validate(record, &row);
    report->Add(row);
  }
  return report;
}

const Json& Column(const Json& report, const std::string& name) {
  for (const Json& c : report.at("columns")) {
    if (c.at("column") == name) return c;
  }
  ADD_FAILURE() << "no column " << name;
  return report;
}

uint64_t CountOf(const Json& list, const std::string& key,
                 const std::string& value, const std::string& count) {
  for (const Json& item : list) {
    if (item.at(key) == value) return item.at(count).get<uint64_t>();
  }
  return 0;
}

constexpr const char* kCsv =
    "id,first,dob,ssn,sex,grade\n"
    "a1,Ann,1980-05-06,123-45-6789,f,7\n"      // placeholder ssn
    "a2,,2031-01-01,666-12-3456,m,8\n"         // future dob, bad ssn area
    "a3,Test,1900-01-01,000-00-0000,x,nine\n"  // rejected: grade
    "a4,unknown,1970-01-01,,9,\n"              // invalid sex dropped
    "a1,Bob,1980-02-30,,f,1\n"                 // bad date (a1 again)
    "a6,Ann,1850-03-04,234-56-7890,f,2\n"      // age over 120
    "a7,\"Cy\n";                               // unterminated quote

TEST(QualityReportTest, CountsRowsAndColumns) {
  const Json j = Report(kCsv, FixedClock(2024, 6, 15))->ToJson();
  EXPECT_EQ(j.at("format"), "fedlink-quality-report");
  EXPECT_EQ(j.at("version"), 1);
  const Json& rows = j.at("rows");
  EXPECT_EQ(rows.at("read"), 7);
  EXPECT_EQ(rows.at("parsed"), 6);
  EXPECT_EQ(rows.at("accepted"), 4);
  EXPECT_EQ(rows.at("rejected"), 3);
  // The validator does not judge repeated ids (the ingest pipeline asks
  // the store, DuplicateLocalIdsFoundLaterMoveRowsToRejected).
  EXPECT_EQ(rows.at("duplicate_local_ids"), 0);
  const Json& rejections = j.at("rejections");
  EXPECT_EQ(CountOf(rejections, "reason", "not_an_integer", "rows"), 1u);
  EXPECT_EQ(CountOf(rejections, "reason", "duplicate_local_id", "rows"), 0u);
  EXPECT_EQ(CountOf(rejections, "reason", "impossible_date", "rows"), 1u);
  EXPECT_EQ(CountOf(rejections, "reason", "unterminated_quote", "rows"), 1u);

  const Json& first = Column(j, "first");
  EXPECT_EQ(first.at("name"), "first_name");
  EXPECT_EQ(first.at("use"), "identifier");
  EXPECT_EQ(first.at("kind"), "first_name");
  EXPECT_EQ(first.at("present"), 4);  // Ann, Test, Bob, Ann
  EXPECT_EQ(first.at("missing"), 2);  // blank, "unknown"
  EXPECT_EQ(first.at("placeholder"), 1);
  EXPECT_EQ(first.at("invalid"), 0);
  EXPECT_DOUBLE_EQ(first.at("missing_pct").get<double>(), 33.33);
  EXPECT_EQ(first.at("distinct"), 3);
  EXPECT_EQ(first.at("distinct_exact"), true);

  const Json& dob = Column(j, "dob");
  EXPECT_EQ(dob.at("invalid"), 1);
  EXPECT_EQ(
      CountOf(dob.at("invalid_reasons"), "reason", "impossible_date", "count"),
      1u);
  EXPECT_DOUBLE_EQ(dob.at("invalid_pct").get<double>(), 16.67);

  const Json& sex = Column(j, "sex");  // on_invalid: missing
  EXPECT_EQ(sex.at("invalid"), 1);
  EXPECT_EQ(
      CountOf(sex.at("invalid_reasons"), "reason", "invalid_sex", "count"), 1u);

  const Json& id = Column(j, "id");
  EXPECT_EQ(id.at("use"), "local_id");
  EXPECT_EQ(id.at("present"), 6);
  EXPECT_EQ(id.at("distinct"), 5);

  const Json& grade = Column(j, "grade");
  EXPECT_EQ(grade.at("kind"), "integer");
  EXPECT_EQ(
      CountOf(grade.at("invalid_reasons"), "reason", "not_an_integer", "count"),
      1u);
}

// Rows the pipeline finds to repeat a local id after the validator accepted
// them move from accepted to rejected; their values stay counted.
TEST(QualityReportTest, DuplicateLocalIdsFoundLaterMoveRowsToRejected) {
  const auto report = Report(kCsv, FixedClock(2024, 6, 15));
  report->AddDuplicateLocalIds(2);
  report->AddDuplicateLocalIds(0);
  EXPECT_EQ(report->rows_accepted(), 2u);
  EXPECT_EQ(report->rows_rejected(), 5u);
  EXPECT_EQ(report->duplicate_local_ids(), 2u);
  const Json j = report->ToJson();
  EXPECT_EQ(j.at("rows").at("accepted"), 2);
  EXPECT_EQ(j.at("rows").at("rejected"), 5);
  EXPECT_EQ(j.at("rows").at("duplicate_local_ids"), 2);
  EXPECT_EQ(
      CountOf(j.at("rejections"), "reason", "duplicate_local_id", "rows"), 2u);
  EXPECT_EQ(Column(j, "first").at("present"), 4);
  EXPECT_THAT(report->ToText(), HasSubstr("2 duplicate local ids"));
}

TEST(QualityReportTest, SuspiciousValues) {
  const Json j = Report(kCsv, FixedClock(2024, 6, 15))->ToJson();
  const Json& dob = Column(j, "dob").at("suspicious");
  EXPECT_EQ(CountOf(dob, "check", "future_date", "count"), 1u);
  EXPECT_EQ(CountOf(dob, "check", "default_date", "count"), 2u);
  // 1850-03-04 and 1900-01-01 are both more than 120 years before 2024-06-15.
  EXPECT_EQ(CountOf(dob, "check", "age_over_120", "count"), 2u);
  const Json& first = Column(j, "first").at("suspicious");
  EXPECT_EQ(CountOf(first, "check", "placeholder_name", "count"), 2u);
  const Json& ssn = Column(j, "ssn").at("suspicious");
  EXPECT_EQ(CountOf(ssn, "check", "placeholder_ssn", "count"), 2u);
  EXPECT_EQ(CountOf(ssn, "check", "impossible_ssn", "count"), 1u);
  EXPECT_EQ(Column(j, "ssn").at("placeholder"), 1);
}

TEST(QualityReportTest, TheClockDecidesWhatIsInTheFuture) {
  const Json before = Report(kCsv, FixedClock(2030, 12, 31))->ToJson();
  const Json after = Report(kCsv, FixedClock(2031, 1, 1))->ToJson();
  EXPECT_EQ(CountOf(Column(before, "dob").at("suspicious"), "check",
                    "future_date", "count"),
            1u);
  EXPECT_EQ(CountOf(Column(after, "dob").at("suspicious"), "check",
                    "future_date", "count"),
            0u);
  EXPECT_EQ(before.at("as_of_date"), "2030-12-31");
  EXPECT_EQ(before.at("generated_at"), "2030-12-31T13:04:05Z");
}

TEST(QualityReportTest, TextTable) {
  const std::string text = Report(kCsv, FixedClock(2024, 6, 15))->ToText();
  EXPECT_THAT(text, HasSubstr("generated 2024-06-15T13:04:05Z, as of "
                              "2024-06-15"));
  EXPECT_THAT(text, HasSubstr("rows: 7 read, 4 accepted, 3 rejected "
                              "(quarantined); 0 duplicate local ids"));
  EXPECT_THAT(text, HasSubstr("column  stored as"));
  EXPECT_THAT(text, HasSubstr("invalid: impossible_date 1"));
  EXPECT_THAT(text, HasSubstr("suspicious: age_over_120 2, default_date 2, "
                              "future_date 1"));
  EXPECT_THAT(text, HasSubstr("33.3%"));
}

TEST(QualityReportTest, TextFromStoredJsonAndMalformedJson) {
  const auto report = Report(kCsv, FixedClock(2024, 6, 15));
  const Json j = report->ToJson();
  absl::StatusOr<std::string> again = QualityReportText(Json::parse(j.dump()));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, report->ToText());
  Json broken = j;
  broken["columns"][0].erase("present");
  EXPECT_EQ(QualityReportText(broken).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(QualityReportText(Json{{"format", "other"}}).ok());
}

TEST(QualityReportTest, EmptyFileGivesZeroes) {
  const Json j =
      Report("id,first,dob,ssn,sex,grade\n", FixedClock(2024, 1, 1))->ToJson();
  EXPECT_EQ(j.at("rows").at("read"), 0);
  EXPECT_EQ(Column(j, "first").at("missing_pct"), 0.0);
}

TEST(DistinctCounterTest, ExactThenEstimated) {
  DistinctCounter counter;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4096; ++i) counter.Add("v" + std::to_string(i));
  }
  EXPECT_TRUE(counter.exact());
  EXPECT_EQ(counter.Count(), 4096u);
  for (int i = 4096; i < 200000; ++i) counter.Add("v" + std::to_string(i));
  EXPECT_FALSE(counter.exact());
  const double estimate = static_cast<double>(counter.Count());
  EXPECT_NEAR(estimate, 200000.0, 200000.0 * 0.03);
  // Duplicates do not move the estimate.
  const uint64_t before = counter.Count();
  for (int i = 0; i < 50000; ++i) counter.Add("v" + std::to_string(i));
  EXPECT_EQ(counter.Count(), before);
}

TEST(DistinctCounterTest, SmallCountsAfterTheSwitchUseLinearCounting) {
  DistinctCounter counter;
  for (int i = 0; i < 5000; ++i) counter.Add(std::to_string(i));
  EXPECT_FALSE(counter.exact());
  EXPECT_NEAR(static_cast<double>(counter.Count()), 5000.0, 5000.0 * 0.02);
}

TEST(SuspiciousValuesTest, Lists) {
  EXPECT_TRUE(IsPlaceholderName("test"));
  EXPECT_TRUE(IsPlaceholderName("baby boy"));
  EXPECT_TRUE(IsPlaceholderName("baby-girl"));
  EXPECT_FALSE(IsPlaceholderName("tess"));
  EXPECT_FALSE(IsPlaceholderName("testa"));
  EXPECT_TRUE(IsDefaultDate("19000101"));
  EXPECT_TRUE(IsDefaultDate("19700101"));
  EXPECT_FALSE(IsDefaultDate("19700102"));
  EXPECT_TRUE(IsPlaceholderSsn("123456789"));
  EXPECT_TRUE(IsPlaceholderSsn("078051120"));
  EXPECT_FALSE(IsPlaceholderSsn("123456788"));
  EXPECT_TRUE(IsImpossibleSsn("000123456"));
  EXPECT_TRUE(IsImpossibleSsn("666123456"));
  EXPECT_TRUE(IsImpossibleSsn("912345678"));
  EXPECT_TRUE(IsImpossibleSsn("123004567"));
  EXPECT_TRUE(IsImpossibleSsn("123450000"));
  EXPECT_FALSE(IsImpossibleSsn("123456780"));
  EXPECT_FALSE(IsImpossibleSsn("0001234"));  // not nine digits: not judged
}

// --- No identifier values in the report ----------------------------------

// Lower-cased words ([a-z0-9_] runs) of `text`.
std::set<std::string> Words(const std::string& text) {
  std::set<std::string> words;
  std::string word;
  for (char c : text + " ") {
    const char l =
        static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_') {
      word.push_back(l);
    } else if (!word.empty()) {
      words.insert(word);
      word.clear();
    }
  }
  return words;
}

// Expects no value in `values` in `rendered`: one-word values must not be a
// word of it, longer values not a substring. Values of one or two characters
// ("wa", "as") and numbers under seven digits are skipped: they cannot be
// told apart from the report's own words and counts.
void ExpectNoValues(const std::string& rendered,
                    const std::set<std::string>& values) {
  const std::set<std::string> words = Words(rendered);
  std::string lower = rendered;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  size_t checked = 0;
  for (const std::string& raw : values) {
    std::string v;
    for (char c : raw) v.push_back(static_cast<char>(std::tolower(c)));
    if (v.size() < 3) continue;
    const bool numeric = v.find_first_not_of("0123456789") == std::string::npos;
    if (numeric && v.size() < 7) continue;
    ++checked;
    if (v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
        std::string::npos) {
      EXPECT_EQ(words.count(v), 0u) << "value found in the report";
    } else {
      EXPECT_EQ(lower.find(v), std::string::npos)
          << "value found in the report";
    }
  }
  EXPECT_GT(checked, 0u);
}

TEST(QualityReportTest, ContainsNoValueOfItsInput) {
  const auto report = Report(kCsv, FixedClock(2024, 6, 15));
  const std::set<std::string> values = {
      "Ann",         "Test",        "unknown",    "Bob",         "Cy",
      "1980-05-06",  "2031-01-01",  "1900-01-01", "1970-01-01",  "1980-02-30",
      "1850-03-04",  "123-45-6789", "123456789",  "666-12-3456", "666123456",
      "000-00-0000", "234-56-7890", "234567890",  "19800506",    "20310101",
      "19000101",    "19700101",    "nine",       "18500304"};
  ExpectNoValues(report->ToJson().dump(), values);
  ExpectNoValues(report->ToText(), values);
}

TEST(QualityReportTest, FebrlReportContainsNoValueOfTheFile) {
  absl::StatusOr<IngestSchema> schema = LoadIngestSchemaFile(
      (std::filesystem::path(FEDLINK_SOURCE_DIR) / "deploy" /
       "examples" / "febrl-ingest-schema.yaml")
          .lexically_normal()
          .string());
  ASSERT_TRUE(schema.ok()) << schema.status();
  std::ifstream in(testing::FebrlPath("dataset4b.csv"), std::ios::binary);
  auto reader = CsvReader::Create(&in, schema->csv);
  CsvRecord record;
  ASSERT_TRUE(*(*reader)->Next(&record));
  auto validator = RowValidator::Create(*schema, record);
  ASSERT_TRUE(validator.ok()) << validator.status();
  QualityReport report(**validator, FixedClock(2024, 6, 15));
  std::set<std::string> values;
  ValidatedRow row;
  while (*(*reader)->Next(&record)) {
    for (size_t i = 0; i < record.size(); ++i) {
      values.insert(std::string(record[i]));
    }
    (*validator)->Validate(record, &row);
    for (const auto& v : row.values) {
      if (v.has_value()) values.insert(std::string(v->Expose()));
    }
    report.Add(row);
  }
  EXPECT_EQ(report.rows_read(), 5000u);
  EXPECT_EQ(report.rows_accepted(), 5000u);
  ExpectNoValues(report.ToJson().dump(), values);
  ExpectNoValues(report.ToText(), values);
}

}  // namespace
}  // namespace fedlink::agent::ingest
