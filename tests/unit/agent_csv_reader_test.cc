// The streaming CSV reader: RFC 4180 syntax, line numbers, limits, the
// hostile inputs an agency export can contain, and resynchronisation after a
// malformed record.
#include <random>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

#include "agent/ingest/csv_reader.h"
#include "agent/ingest/quarantine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// One record as the tests compare it.
struct Row {
  uint64_t line = 0;
  uint64_t last_line = 0;
  std::vector<std::string> fields;
  std::optional<CsvError> error;
  std::string raw;
  bool raw_truncated = false;
};

std::vector<Row> ReadAll(const std::string& text, CsvOptions options = {}) {
  std::istringstream in(text);
  auto reader = CsvReader::Create(&in, options);
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::vector<Row> rows;
  CsvRecord record;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&record);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    Row row;
    row.line = record.line();
    row.last_line = record.last_line();
    for (size_t i = 0; i < record.size(); ++i) {
      row.fields.emplace_back(record[i]);
    }
    row.error = record.error();
    row.raw = std::string(record.raw());
    row.raw_truncated = record.raw_truncated();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> F(std::initializer_list<const char*> fields) {
  return std::vector<std::string>(fields.begin(), fields.end());
}

TEST(CsvReaderTest, ReadsPlainRecordsWithLineNumbers) {
  auto rows = ReadAll("id,name\n1,ann\n2,bob\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, F({"id", "name"}));
  EXPECT_EQ(rows[1].fields, F({"1", "ann"}));
  EXPECT_EQ(rows[2].fields, F({"2", "bob"}));
  EXPECT_EQ(rows[2].line, 3u);
  EXPECT_EQ(rows[2].raw, "2,bob");
  EXPECT_FALSE(rows[2].error.has_value());
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(ReadAll("\n\r\n\n").empty());
  EXPECT_TRUE(ReadAll("\xEF\xBB\xBF").empty());
}

TEST(CsvReaderTest, HeaderOnlyIsOneRecord) {
  auto rows = ReadAll("a,b,c");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, F({"a", "b", "c"}));
}

TEST(CsvReaderTest, QuotedFieldsWithDelimitersQuotesAndLineBreaks) {
  auto rows = ReadAll(
      "id,note\n"
      "1,\"Smith, John\"\n"
      "2,\"say \"\"hi\"\"\"\n"
      "3,\"two\nlines\"\n"
      "4,\"\"\n"
      "5,last\n");
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[1].fields, F({"1", "Smith, John"}));
  EXPECT_EQ(rows[2].fields, F({"2", "say \"hi\""}));
  EXPECT_EQ(rows[3].fields, F({"3", "two\nlines"}));
  EXPECT_EQ(rows[3].line, 4u);
  EXPECT_EQ(rows[3].last_line, 5u);
  EXPECT_EQ(rows[3].raw, "3,\"two\nlines\"");
  EXPECT_EQ(rows[4].fields, F({"4", ""}));
  EXPECT_EQ(rows[4].line, 6u);  // physical lines, not records
  EXPECT_EQ(rows[5].line, 7u);
}

TEST(CsvReaderTest, BomAndCrlf) {
  auto rows = ReadAll("\xEF\xBB\xBFid,name\r\n1,\"a\r\nb\"\r\n2,c\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, F({"id", "name"}));  // no BOM in the first name
  EXPECT_EQ(rows[1].fields, F({"1", "a\r\nb"}));
  EXPECT_EQ(rows[2].fields, F({"2", "c"}));
  EXPECT_EQ(rows[2].line, 4u);
  EXPECT_EQ(rows[2].raw, "2,c");  // the line break is not part of the record
}

TEST(CsvReaderTest, BomOnlyAtTheStart) {
  auto rows = ReadAll(
      "a\n\xEF\xBB\xBF"
      "b\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, F({"\xEF\xBB\xBF"
                               "b"}));
}

TEST(CsvReaderTest, LoneCarriageReturnEndsALine) {
  auto rows = ReadAll("a,b\rc,d\r");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, F({"c", "d"}));
  EXPECT_EQ(rows[1].line, 2u);
}

TEST(CsvReaderTest, LastRecordWithoutLineBreakAndEmptyFields) {
  auto rows = ReadAll("a,,c\n,,\nx,");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, F({"a", "", "c"}));
  EXPECT_EQ(rows[1].fields, F({"", "", ""}));
  EXPECT_EQ(rows[2].fields, F({"x", ""}));
}

TEST(CsvReaderTest, EmptyLinesAreSkippedButCounted) {
  auto rows = ReadAll("a\n\n\nb\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 4u);
}

TEST(CsvReaderTest, ConfigurableDelimiter) {
  CsvOptions tab;
  tab.delimiter = '\t';
  auto rows = ReadAll("a\tb,c\t\"d\te\"\n", tab);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, F({"a", "b,c", "d\te"}));
}

TEST(CsvReaderTest, SkipInitialSpaceReadsFebrlStyle) {
  CsvOptions options;
  options.skip_initial_space = true;
  auto rows = ReadAll(
      "rec_id, given_name, surname\nrec-1-org, , \"o'neil, jr\"\n", options);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, F({"rec_id", "given_name", "surname"}));
  EXPECT_EQ(rows[1].fields, F({"rec-1-org", "", "o'neil, jr"}));
  // Without the option the spaces are data, and a quote after one is stray.
  auto strict = ReadAll("a, b\n");
  EXPECT_EQ(strict[0].fields, F({"a", " b"}));
}

TEST(CsvReaderTest, UnterminatedQuoteReportsPositionAndResynchronises) {
  auto rows = ReadAll(
      "id,name\n"
      "1,\"secret value\n"
      "2,bob\n"
      "3,carol\n");
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_TRUE(rows[1].error.has_value());
  EXPECT_EQ(rows[1].error->code, CsvErrorCode::kUnterminatedQuote);
  EXPECT_EQ(rows[1].error->line, 2u);
  EXPECT_EQ(rows[1].error->column, 3u);
  EXPECT_EQ(rows[1].error->field, 2u);
  EXPECT_TRUE(rows[1].fields.empty());
  EXPECT_EQ(rows[1].raw, "1,\"secret value");  // only the quote's line
  EXPECT_EQ(rows[1].last_line, 2u);
  EXPECT_THAT(rows[1].error->Message(),
              AllOf(HasSubstr("line 2, column 3 (field 2)"),
                    HasSubstr("unterminated quote"), Not(HasSubstr("secret"))));
  // The lines swallowed by the open quote are read again.
  EXPECT_EQ(rows[2].fields, F({"2", "bob"}));
  EXPECT_EQ(rows[2].line, 3u);
  EXPECT_EQ(rows[3].fields, F({"3", "carol"}));
  EXPECT_EQ(rows[3].line, 4u);
}

TEST(CsvReaderTest, UnterminatedQuoteOnTheLastLine) {
  auto rows = ReadAll("a\n\"b");
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[1].error.has_value());
  EXPECT_EQ(rows[1].error->code, CsvErrorCode::kUnterminatedQuote);
}

TEST(CsvReaderTest, EveryLineWithAStrayQuoteIsRecoveredFrom) {
  // RFC 4180 reads the first two lines as one record whose quoted field
  // "a\n2," is followed by stray text; the reader then distrusts the opening
  // quote and reads line 2 again as its own record.
  auto rows = ReadAll("1,\"a\n2,\"b\n3,c\n");
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_TRUE(rows[0].error.has_value());
  EXPECT_EQ(rows[0].error->code, CsvErrorCode::kBadQuote);
  EXPECT_EQ(rows[0].error->line, 1u);
  EXPECT_EQ(rows[0].error->column, 3u);
  EXPECT_EQ(rows[0].raw, "1,\"a");
  ASSERT_TRUE(rows[1].error.has_value());
  EXPECT_EQ(rows[1].error->code, CsvErrorCode::kUnterminatedQuote);
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[2].fields, F({"3", "c"}));
  EXPECT_EQ(rows[2].line, 3u);
}

TEST(CsvReaderTest, QuoteInsideUnquotedField) {
  auto rows = ReadAll("ab\"c,d\nx,y\n");
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].error.has_value());
  EXPECT_EQ(rows[0].error->code, CsvErrorCode::kBadQuote);
  EXPECT_EQ(rows[0].error->line, 1u);
  EXPECT_EQ(rows[0].error->column, 3u);
  EXPECT_EQ(rows[0].error->field, 1u);
  EXPECT_EQ(rows[0].raw, "ab\"c,d");
  EXPECT_EQ(rows[1].fields, F({"x", "y"}));
}

TEST(CsvReaderTest, TextAfterClosingQuote) {
  auto rows = ReadAll("1,\"ab\"c,d\n2,e\n");
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].error.has_value());
  EXPECT_EQ(rows[0].error->code, CsvErrorCode::kBadQuote);
  EXPECT_EQ(rows[0].error->column, 7u);
  EXPECT_EQ(rows[0].error->field, 2u);
  EXPECT_EQ(rows[1].fields, F({"2", "e"}));
}

TEST(CsvReaderTest, TenMegabyteFieldIsRejectedWithinTheLimit) {
  const std::string big(10 << 20, 'x');
  for (const std::string& field : {big, "\"" + big + ",\n\"\"\""}) {
    auto rows = ReadAll("1,ok\n2," + field + ",z\n3,next\n");
    ASSERT_EQ(rows.size(), 3u);
    ASSERT_TRUE(rows[1].error.has_value());
    // The record limit (4 MiB) trips after the field limit (1 MiB) and does
    // not replace it.
    EXPECT_EQ(rows[1].error->code, CsvErrorCode::kFieldTooLarge);
    EXPECT_EQ(rows[1].error->line, 2u);
    EXPECT_EQ(rows[1].error->column, 3u);
    EXPECT_EQ(rows[1].error->field, 2u);
    EXPECT_EQ(rows[1].raw.size(), CsvOptions().max_record_bytes);
    EXPECT_TRUE(rows[1].raw_truncated);
    EXPECT_EQ(rows[2].fields, F({"3", "next"}));
    EXPECT_EQ(rows[2].line, field[0] == '"' ? 4u : 3u);
  }
}

TEST(CsvReaderTest, RecordTooLargeAndTooManyFields) {
  CsvOptions options;
  options.max_field_bytes = 8;
  options.max_record_bytes = 16;
  options.max_fields = 3;
  auto rows = ReadAll("a,b,c\n1234567,1234567,1234\nw,x,y,z\nok\n", options);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_FALSE(rows[0].error.has_value());
  ASSERT_TRUE(rows[1].error.has_value());
  EXPECT_EQ(rows[1].error->code, CsvErrorCode::kRecordTooLarge);
  EXPECT_EQ(rows[1].raw, "1234567,1234567,");  // cut at max_record_bytes
  EXPECT_TRUE(rows[1].raw_truncated);
  EXPECT_FALSE(rows[3].raw_truncated);
  ASSERT_TRUE(rows[2].error.has_value());
  EXPECT_EQ(rows[2].error->code, CsvErrorCode::kTooManyFields);
  EXPECT_EQ(rows[2].error->field, 4u);
  EXPECT_EQ(rows[3].fields, F({"ok"}));
}

TEST(CsvReaderTest, QuotedFieldOverTooManyLines) {
  CsvOptions options;
  options.max_record_lines = 3;
  auto rows = ReadAll("1,\"a\nb\nc\"\n2,\"open\n3,x\n4,y\n5,z\n", options);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].fields, F({"1", "a\nb\nc"}));  // three lines: allowed
  ASSERT_TRUE(rows[1].error.has_value());
  EXPECT_EQ(rows[1].error->code, CsvErrorCode::kTooManyLines);
  EXPECT_EQ(rows[1].error->line, 4u);
  EXPECT_EQ(rows[2].fields, F({"3", "x"}));
  EXPECT_EQ(rows[2].line, 5u);
  EXPECT_EQ(rows[4].fields, F({"5", "z"}));
  EXPECT_EQ(rows[4].line, 7u);
}

TEST(CsvReaderTest, RecordsAcrossReadChunkBoundaries) {
  // 20000 records of varied length cross the 64 KiB read chunks at every
  // kind of position, including between the CR and LF of a line break.
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += std::to_string(i) + ",\"v," + std::string(i % 7, 'q') + "\"\r\n";
  }
  auto rows = ReadAll(text);
  ASSERT_EQ(rows.size(), 20000u);
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(rows[i].fields, F({std::to_string(i).c_str(),
                                 ("v," + std::string(i % 7, 'q')).c_str()}))
        << i;
    ASSERT_EQ(rows[i].line, static_cast<uint64_t>(i + 1));
  }
}

// A stream whose source fails after some bytes, as a failing disk would.
class FailingBuf : public std::streambuf {
 public:
  explicit FailingBuf(std::string head) : head_(std::move(head)) {
    setg(head_.data(), head_.data(), head_.data() + head_.size());
  }

 protected:
  int_type underflow() override { throw std::runtime_error("disk error"); }

 private:
  std::string head_;
};

TEST(CsvReaderTest, StreamFailureIsDataLoss) {
  FailingBuf buf("a,b\n1,2\n3,");
  std::istream in(&buf);
  auto reader = CsvReader::Create(&in, {});
  ASSERT_TRUE(reader.ok());
  CsvRecord record;
  absl::StatusOr<bool> more = (*reader)->Next(&record);
  EXPECT_EQ(more.status().code(), absl::StatusCode::kDataLoss);
}

TEST(CsvReaderTest, BytesReadCountsTheInput) {
  std::istringstream in("a,b\n1,2\n");
  auto reader = CsvReader::Create(&in, {});
  ASSERT_TRUE(reader.ok());
  CsvRecord record;
  while (*(*reader)->Next(&record)) {
  }
  EXPECT_EQ((*reader)->bytes_read(), 8u);
}

TEST(CsvReaderTest, RejectsBadOptions) {
  std::istringstream in("");
  CsvOptions quote;
  quote.delimiter = '"';
  EXPECT_THAT(CsvReader::Create(&in, quote).status().message(),
              HasSubstr("csv.delimiter"));
  CsvOptions space;
  space.delimiter = ' ';
  space.skip_initial_space = true;
  EXPECT_FALSE(CsvReader::Create(&in, space).ok());
  CsvOptions zero;
  zero.max_fields = 0;
  EXPECT_THAT(CsvReader::Create(&in, zero).status().message(),
              HasSubstr("csv.max_fields"));
  CsvOptions inverted;
  inverted.max_field_bytes = 100;
  inverted.max_record_bytes = 10;
  EXPECT_THAT(CsvReader::Create(&in, inverted).status().message(),
              HasSubstr("csv.max_record_bytes"));
}

TEST(CsvReaderTest, ErrorCodeNames) {
  EXPECT_EQ(CsvErrorCodeName(CsvErrorCode::kUnterminatedQuote),
            "unterminated_quote");
  EXPECT_EQ(CsvErrorCodeName(CsvErrorCode::kBadQuote), "bad_quote");
  EXPECT_EQ(CsvErrorCodeName(CsvErrorCode::kFieldTooLarge), "field_too_large");
  EXPECT_EQ(CsvErrorCodeName(CsvErrorCode::kTooManyLines), "too_many_lines");
}

TEST(CsvReaderTest, RandomFieldsRoundTripThroughTheWriter) {
  // Fields drawn from the bytes that matter to CSV, written with the
  // quarantine file's field writer, read back unchanged.
  std::mt19937 rng(20240601);
  const std::string alphabet = "ab ,\"\r\n\xC3\xA9";
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<std::vector<std::string>> records(1 + rng() % 20);
    std::string text;
    for (auto& fields : records) {
      fields.resize(2 + rng() % 5);  // one empty field would be a blank line
      for (size_t f = 0; f < fields.size(); ++f) {
        for (size_t n = rng() % 8; n > 0; --n) {
          fields[f].push_back(alphabet[rng() % alphabet.size()]);
        }
        if (f > 0) text.push_back(',');
        AppendCsvField(fields[f], &text);
      }
      text += rng() % 2 ? "\r\n" : "\n";
    }
    auto rows = ReadAll(text);
    ASSERT_EQ(rows.size(), records.size()) << "trial " << trial;
    for (size_t i = 0; i < rows.size(); ++i) {
      ASSERT_FALSE(rows[i].error.has_value()) << "trial " << trial;
      ASSERT_EQ(rows[i].fields, records[i]) << "trial " << trial;
    }
  }
}

TEST(CsvReaderTest, RandomHostileBytesKeepEveryLimit) {
  // Quotes, delimiters and line breaks in random order with tight limits:
  // the reader must end, keep its limits, and number lines consistently.
  CsvOptions options;
  options.max_field_bytes = 16;
  options.max_record_bytes = 64;
  options.max_fields = 8;
  options.max_record_lines = 4;
  const std::string alphabet = "\",\n\r a\"";
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    std::string text;
    for (size_t n = rng() % 2000; n > 0; --n) {
      text.push_back(alphabet[rng() % alphabet.size()]);
    }
    std::istringstream in(text);
    auto reader = CsvReader::Create(&in, options);
    ASSERT_TRUE(reader.ok());
    CsvRecord record;
    size_t records = 0;
    uint64_t previous_line = 0;
    while (*(*reader)->Next(&record)) {
      ASSERT_LT(++records, 4 * text.size() + 10) << "no progress";
      ASSERT_GT(record.line(), previous_line);
      previous_line = record.line();
      ASSERT_LE(record.line(), record.last_line());
      ASSERT_LE(record.raw().size(), options.max_record_bytes);
      if (record.error().has_value()) {
        ASSERT_EQ(record.size(), 0u);
        ASSERT_GE(record.error()->line, record.line());
        ASSERT_LE(record.error()->line, record.last_line());
        continue;
      }
      ASSERT_LE(record.size(), options.max_fields);
      for (size_t i = 0; i < record.size(); ++i) {
        ASSERT_LE(record[i].size(), options.max_field_bytes);
      }
    }
  }
}

}  // namespace
}  // namespace fedlink::agent::ingest
