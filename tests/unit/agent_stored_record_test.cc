#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/store/stored_record.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

StoredField Field(std::string name, std::string value) {
  return StoredField{std::move(name), SensitiveString(std::move(value))};
}

StoredRecord Sample() {
  StoredRecord record;
  record.local_id = SensitiveString("S-000123");
  record.identifiers = {Field("last_name", "Nguyễn"),
                        Field("first_name", "Thị"), Field("dob", "1987-02-28"),
                        Field("middle_name", "")};
  record.attributes = {Field("program", std::string("CS\0BS", 5)),
                       Field("grade", "A")};
  return record;
}

TEST(StoredRecordTest, RoundTripsEveryByte) {
  const StoredRecord record = Sample();
  absl::StatusOr<SensitiveString> bytes = SerializeStoredRecord(record);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<StoredRecord> parsed = ParseStoredRecord(bytes->Expose());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, record);
  ASSERT_NE(parsed->FindAttribute("program"), nullptr);
  EXPECT_EQ(parsed->FindAttribute("program")->size(), 5u);
  ASSERT_NE(parsed->FindIdentifier("middle_name"), nullptr);
  EXPECT_TRUE(parsed->FindIdentifier("middle_name")->empty());
  EXPECT_EQ(parsed->FindIdentifier("ssn"), nullptr);
  EXPECT_EQ(parsed->FindIdentifier("grade"), nullptr);  // an attribute
}

// The layout documented in stored_record.h, byte for byte.
TEST(StoredRecordTest, MatchesDocumentedLayout) {
  StoredRecord record;
  record.local_id = SensitiveString("id7");
  record.identifiers = {Field("dob", "19900101")};
  record.attributes = {Field("y", "")};
  record.ingest_run = 0x0102030405060708;
  absl::StatusOr<SensitiveString> bytes = SerializeStoredRecord(record);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const std::string expected = std::string(
      "\x02"                              // format version
      "\x08\x07\x06\x05\x04\x03\x02\x01"  // ingest run
      "\x03\x00\x00\x00"
      "id7"               // local id
      "\x01\x00\x00\x00"  // one identifier
      "\x03\x00\x00\x00"
      "dob"
      "\x08\x00\x00\x00"
      "19900101"
      "\x01\x00\x00\x00"  // one attribute
      "\x01\x00\x00\x00"
      "y"
      "\x00\x00\x00\x00",  // empty value
      1 + 8 + 4 + 3 + 4 + 4 + 3 + 4 + 8 + 4 + 4 + 1 + 4);
  EXPECT_EQ(bytes->Expose(), expected);
  absl::StatusOr<uint64_t> run = ParseStoredRecordIngestRun(expected);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(*run, 0x0102030405060708u);
}

// Records written before ingest runs were recorded (format 1) still read,
// with run 0.
TEST(StoredRecordTest, ReadsFormatOneWithoutIngestRun) {
  const std::string v1(
      "\x01"  // format version
      "\x03\x00\x00\x00"
      "id7"
      "\x01\x00\x00\x00"
      "\x03\x00\x00\x00"
      "dob"
      "\x08\x00\x00\x00"
      "19900101"
      "\x00\x00\x00\x00",
      1 + 4 + 3 + 4 + 4 + 3 + 4 + 8 + 4);
  absl::StatusOr<StoredRecord> parsed = ParseStoredRecord(v1);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->local_id.Expose(), "id7");
  ASSERT_NE(parsed->FindIdentifier("dob"), nullptr);
  EXPECT_EQ(parsed->FindIdentifier("dob")->Expose(), "19900101");
  EXPECT_TRUE(parsed->attributes.empty());
  EXPECT_EQ(parsed->ingest_run, 0u);
  absl::StatusOr<uint64_t> run = ParseStoredRecordIngestRun(v1);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(*run, 0u);
}

TEST(StoredRecordTest, IngestRunRoundTripsAndItsTruncationIsDataLoss) {
  StoredRecord record = Sample();
  record.ingest_run = ~uint64_t{0};
  absl::StatusOr<SensitiveString> bytes = SerializeStoredRecord(record);
  ASSERT_TRUE(bytes.ok());
  absl::StatusOr<StoredRecord> parsed = ParseStoredRecord(bytes->Expose());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->ingest_run, ~uint64_t{0});
  EXPECT_EQ(*parsed, record);
  for (size_t length : {0, 1, 8}) {
    absl::StatusOr<uint64_t> run =
        ParseStoredRecordIngestRun(bytes->Expose().substr(0, length));
    EXPECT_EQ(run.status().code(), absl::StatusCode::kDataLoss) << length;
  }
}

TEST(StoredRecordTest, RefusesRecordsBreakingLimitsWithoutQuotingValues) {
  std::vector<StoredRecord> bad;
  bad.push_back(Sample());
  bad.back().local_id = SensitiveString("");
  bad.push_back(Sample());
  bad.back().local_id = SensitiveString(std::string(kMaxLocalIdBytes + 1, 'L'));
  bad.push_back(Sample());
  bad.back().identifiers.push_back(Field("last_name", "Secretvalue"));
  bad.push_back(Sample());
  bad.back().attributes.push_back(Field("", "Secretvalue"));
  bad.push_back(Sample());
  bad.back().attributes.push_back(
      Field(std::string(kMaxFieldNameBytes + 1, 'n'), "Secretvalue"));
  bad.push_back(Sample());
  bad.back().identifiers.push_back(
      Field("notes", "Secretvalue" + std::string(kMaxFieldValueBytes, 'x')));
  bad.push_back(Sample());
  for (size_t i = 0; i <= kMaxFieldsPerList; ++i) {
    bad.back().attributes.push_back(
        Field("c" + std::to_string(i), "Secretvalue"));
  }
  for (size_t i = 0; i < bad.size(); ++i) {
    absl::StatusOr<SensitiveString> bytes = SerializeStoredRecord(bad[i]);
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument) << i;
    EXPECT_THAT(bytes.status().message(), Not(HasSubstr("Secretvalue"))) << i;
    EXPECT_THAT(bytes.status().message(), Not(HasSubstr("LLLL"))) << i;
  }
}

TEST(StoredRecordTest, RefusesUnknownFormatVersion) {
  absl::StatusOr<SensitiveString> bytes = SerializeStoredRecord(Sample());
  ASSERT_TRUE(bytes.ok());
  for (char version : {'\x00', '\x03', '\xff'}) {
    std::string changed(bytes->Expose());
    changed[0] = version;
    absl::StatusOr<StoredRecord> parsed = ParseStoredRecord(changed);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(parsed.status().message(), HasSubstr("format version"));
    EXPECT_THAT(parsed.status().message(), HasSubstr("reads versions 1 to 2"));
    EXPECT_EQ(ParseStoredRecordIngestRun(changed).status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
}

TEST(StoredRecordTest, EveryTruncationAndTrailingBytesAreDataLoss) {
  absl::StatusOr<SensitiveString> bytes = SerializeStoredRecord(Sample());
  ASSERT_TRUE(bytes.ok());
  const std::string_view full = bytes->Expose();
  for (size_t length = 0; length < full.size(); ++length) {
    absl::StatusOr<StoredRecord> parsed =
        ParseStoredRecord(full.substr(0, length));
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss) << length;
    EXPECT_THAT(parsed.status().message(), Not(HasSubstr("Nguy"))) << length;
  }
  absl::StatusOr<StoredRecord> trailing =
      ParseStoredRecord(std::string(full) + "x");
  EXPECT_EQ(trailing.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(trailing.status().message(), HasSubstr("trailing"));
}

TEST(StoredRecordTest, RefusesHugeCountsAndRepeatedNamesOnParse) {
  // Version, local id "a", identifier count 0xFFFFFFFF: refused before any
  // allocation of that size.
  const std::string huge(
      "\x01\x01\x00\x00\x00"
      "a"
      "\xff\xff\xff\xff",
      10);
  EXPECT_EQ(ParseStoredRecord(huge).status().code(),
            absl::StatusCode::kDataLoss);
  const std::string repeated(
      "\x01\x01\x00\x00\x00"
      "a"
      "\x02\x00\x00\x00"
      "\x01\x00\x00\x00"
      "n"
      "\x00\x00\x00\x00"
      "\x01\x00\x00\x00"
      "n"
      "\x00\x00\x00\x00"
      "\x00\x00\x00\x00",
      1 + 5 + 4 + 9 + 9 + 4);
  absl::StatusOr<StoredRecord> parsed = ParseStoredRecord(repeated);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(parsed.status().message(), HasSubstr("repeat a name"));
}

}  // namespace
}  // namespace fedlink::agent
