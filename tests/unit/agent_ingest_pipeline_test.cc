// The ingest pipeline over a real RocksDB store in a temporary directory:
// batches, upsert, quarantine, checkpoints, broken and empty inputs, thread
// counts, and the chunked input the daemon feeds.
#include "agent/ingest/ingest_pipeline.h"

#include <stdlib.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/ingest/ingest_pipeline_input.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSchema = R"(
version: 1
local_id: {column: id}
identifiers:
  - {column: first, role: first_name}
  - {column: last, role: last_name, required: true}
  - {column: dob, role: dob, formats: ["%Y-%m-%d"], min_year: 1900}
attributes:
  - {column: grade, sensitivity: internal, type: integer, min: 0, max: 12}
)";

constexpr const char* kHeader = "id,first,last,dob,grade\n";

IngestSchema TestSchema() {
  absl::StatusOr<IngestSchema> schema = ParseIngestSchemaYaml(kSchema, "t");
  EXPECT_TRUE(schema.ok()) << schema.status();
  return *schema;
}

// `n` valid rows with ids id0..id{n-1}; `last` names their last name.
std::string Rows(int from, int to, const std::string& last = "smith") {
  std::string out;
  for (int i = from; i < to; ++i) {
    absl::StrAppend(&out, "id", i, ",ann,", last, ",1990-01-0", 1 + i % 9,
                    ",", i % 13, "\n");
  }
  return out;
}

std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000));
}

// Collects what the pipeline quarantines.
class RecordingSink : public QuarantineSink {
 public:
  absl::Status Write(const QuarantinedRow& row) override {
    std::string reasons;
    for (const Problem& p : row.problems) {
      const std::string_view code = ReasonCode(p.reason);
      absl::StrAppend(&reasons, reasons.empty() ? "" : "|", p.column,
                      p.column.empty() ? "" : ":",
                      absl::string_view(code.data(), code.size()));
    }
    rows.push_back(absl::StrCat(row.line, " ", reasons));
    raws.emplace_back(row.raw);
    return absl::OkStatus();
  }
  absl::Status Flush() override {
    ++flushes;
    flushed = rows.size();
    return absl::OkStatus();
  }
  std::vector<std::string> rows;
  std::vector<std::string> raws;
  int flushes = 0;
  size_t flushed = 0;  // rows written before the last Flush
};

class IngestPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fedlink-ingest-XXXXXX")
            .string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    absl::StatusOr<crypto::SecretBytes> key = crypto::SecretBytes::Random(32);
    ASSERT_TRUE(key.ok());
    RecordStoreOptions options;
    options.sync_commits = false;  // tests need no power-loss durability
    absl::StatusOr<std::unique_ptr<RecordStore>> store =
        RecordStore::Open(dir_ + "/store", *std::move(key), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  IngestOptions Options(size_t batch_size) {
    IngestOptions options;
    options.batch_size = batch_size;
    options.clock = FixedNow;
    return options;
  }

  absl::StatusOr<IngestSummary> Ingest(const std::string& csv,
                                       const IngestOptions& options,
                                       QuarantineSink* sink = nullptr) {
    std::istringstream in(csv);
    return RunIngest(TestSchema(),
                     IngestInput{.stream = &in,
                                 .name = "test.csv",
                                 .total_bytes = csv.size(),
                                 .end_status = nullptr},
                     store_.get(), sink, options);
  }

  bool Has(const std::string& id) {
    absl::StatusOr<std::optional<StoredRecord>> r = store_->GetRecord(id);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->has_value();
  }

  uint64_t Count() {
    absl::StatusOr<uint64_t> n = store_->CountRecords();
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : 0;
  }

  std::string dir_;
  std::unique_ptr<RecordStore> store_;
};

TEST_F(IngestPipelineTest, CommitsEveryAcceptedRowInBatchesWithCheckpoint) {
  std::vector<uint64_t> committed;
  IngestOptions options = Options(10);
  options.after_commit = [&](uint64_t batch) { committed.push_back(batch); };
  absl::StatusOr<IngestSummary> summary =
      Ingest(kHeader + Rows(0, 25), options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows_read, 25u);
  EXPECT_EQ(summary->rows_committed, 25u);
  EXPECT_EQ(summary->rows_inserted, 25u);
  EXPECT_EQ(summary->rows_updated, 0u);
  EXPECT_EQ(summary->rows_quarantined, 0u);
  EXPECT_EQ(summary->batches_committed, 3u);
  EXPECT_EQ(summary->records_in_store, 25u);
  EXPECT_THAT(committed, ElementsAre(1, 2, 3));
  EXPECT_EQ(Count(), 25u);
  absl::StatusOr<std::optional<StoredRecord>> r = store_->GetRecord("id7");
  ASSERT_TRUE(r.ok() && r->has_value());
  ASSERT_NE((*r)->FindIdentifier("last_name"), nullptr);
  EXPECT_EQ((*r)->FindIdentifier("last_name")->Expose(), "smith");
  ASSERT_NE((*r)->FindAttribute("grade"), nullptr);
  EXPECT_EQ((*r)->FindAttribute("grade")->Expose(), "7");

  absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
      LoadIngestCheckpoint(*store_);
  ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
  EXPECT_EQ((**checkpoint)["state"], "complete");
  EXPECT_EQ((**checkpoint)["rows_committed"], 25);
  EXPECT_EQ((**checkpoint)["batches"], 3);
  EXPECT_EQ((**checkpoint)["last_line"], 26);
  absl::StatusOr<std::optional<nlohmann::json>> last = LoadLastIngest(*store_);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((**last)["rows_committed"], 25);
  EXPECT_EQ((**last)["quality_report"]["rows"]["accepted"], 25);
}

TEST_F(IngestPipelineTest, ReingestUpsertsByLocalId) {
  ASSERT_TRUE(Ingest(kHeader + Rows(0, 10), Options(4)).ok());
  absl::StatusOr<IngestSummary> again =
      Ingest(kHeader + Rows(5, 15, "jones"), Options(4));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->rows_inserted, 5u);
  EXPECT_EQ(again->rows_updated, 5u);
  EXPECT_EQ(again->records_in_store, 15u);
  absl::StatusOr<std::optional<StoredRecord>> r = store_->GetRecord("id6");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->FindIdentifier("last_name")->Expose(), "jones");
  r = store_->GetRecord("id2");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->FindIdentifier("last_name")->Expose(), "smith");
}

TEST_F(IngestPipelineTest, QuarantinesBadRowsWithLineAndReasonAndFlushesFirst) {
  const std::string csv = std::string(kHeader) +
                          "a1,ann,smith,1990-01-01,3\n"
                          "a2,ann,,1990-01-01,3\n"            // line 3
                          "a3,ann,smith,2001-02-30,3\n"       // line 4
                          "a1,bob,jones,1990-01-01,3\n"       // line 5
                          "a4,ann,smith\n"                    // line 6
                          "a5,ann,smith,1990-01-01,99\n"      // line 7
                          "a6,ann,\"smith,1990-01-01,3\n";    // line 8
  RecordingSink sink;
  absl::StatusOr<IngestSummary> summary = Ingest(csv, Options(2), &sink);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(sink.rows,
              ElementsAre("3 last:missing_required",
                          "4 dob:impossible_date",
                          "5 id:duplicate_local_id",
                          "6 wrong_column_count",
                          "7 grade:integer_out_of_range",
                          "8 unterminated_quote"));
  EXPECT_GE(sink.flushes, 1);
  EXPECT_EQ(summary->rows_read, 7u);
  EXPECT_EQ(summary->rows_committed, 1u);
  EXPECT_EQ(summary->rows_quarantined, 6u);
  EXPECT_EQ(summary->rejections.at("duplicate_local_id"), 1u);
  EXPECT_EQ(Count(), 1u);
  EXPECT_TRUE(Has("a1"));
  EXPECT_FALSE(Has("a6"));
  // The first row with an id wins: the duplicate did not replace it.
  absl::StatusOr<std::optional<StoredRecord>> r = store_->GetRecord("a1");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->FindIdentifier("last_name")->Expose(), "smith");
}

TEST_F(IngestPipelineTest, DuplicateWithinOneBatchIsQuarantinedFirstRowWins) {
  const std::string csv = std::string(kHeader) +
                          "a1,ann,smith,1990-01-01,3\n"   // line 2
                          "a2,ann,smith,1990-01-01,3\n"   // line 3
                          "a1,bob,jones,1990-01-01,4\n"   // line 4
                          " a1 ,cy,brown,1990-01-01,5\n"  // line 5
                          "a3,ann,smith,1990-01-01,3\n";  // line 6
  RecordingSink sink;
  absl::StatusOr<IngestSummary> summary = Ingest(csv, Options(10), &sink);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(sink.rows, ElementsAre("4 id:duplicate_local_id",
                                     "5 id:duplicate_local_id"));
  EXPECT_THAT(sink.raws, ElementsAre("a1,bob,jones,1990-01-01,4",
                                     " a1 ,cy,brown,1990-01-01,5"));
  EXPECT_EQ(summary->rows_committed, 3u);
  EXPECT_EQ(summary->rows_inserted, 3u);
  EXPECT_EQ(summary->rows_updated, 0u);
  EXPECT_EQ(summary->rows_quarantined, 2u);
  EXPECT_EQ(summary->rejections.at("duplicate_local_id"), 2u);
  EXPECT_EQ(summary->records_in_store, 3u);
  absl::StatusOr<std::optional<StoredRecord>> r = store_->GetRecord("a1");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->FindIdentifier("last_name")->Expose(), "smith");
  const nlohmann::json& rows = summary->quality_report["rows"];
  EXPECT_EQ(rows["accepted"], 3);
  EXPECT_EQ(rows["rejected"], 2);
  EXPECT_EQ(rows["duplicate_local_ids"], 2);
}

// The first row of an id and its duplicate are in different batches, also
// batches committed long before (only the store still knows the id) and
// batches still in the pipeline together.
TEST_F(IngestPipelineTest, DuplicateAcrossBatchesIsFoundInTheStore) {
  for (int in_flight : {2, 6}) {
    SCOPED_TRACE(in_flight);
    TearDown();
    SetUp();
    IngestOptions options = Options(3);
    options.max_batches_in_flight = in_flight;
    options.seal_threads = 2;
    // id0..id29, then id1 (line 32) and id28 (line 33) again, then id30.
    const std::string csv = kHeader + Rows(0, 30) +
                            "id1,bob,jones,1990-01-01,1\n"
                            "id28,bob,jones,1990-01-01,1\n" +
                            Rows(30, 31);
    RecordingSink sink;
    absl::StatusOr<IngestSummary> summary = Ingest(csv, options, &sink);
    ASSERT_TRUE(summary.ok()) << summary.status();
    EXPECT_THAT(sink.rows, ElementsAre("32 id:duplicate_local_id",
                                       "33 id:duplicate_local_id"));
    EXPECT_EQ(summary->rows_read, 33u);
    EXPECT_EQ(summary->rows_committed, 31u);
    EXPECT_EQ(summary->rows_inserted, 31u);
    EXPECT_EQ(summary->rows_quarantined, 2u);
    EXPECT_EQ(Count(), 31u);
    for (const char* id : {"id1", "id28"}) {
      absl::StatusOr<std::optional<StoredRecord>> r = store_->GetRecord(id);
      ASSERT_TRUE(r.ok() && r->has_value()) << id;
      EXPECT_EQ((*r)->FindIdentifier("last_name")->Expose(), "smith") << id;
    }
    absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
        LoadIngestCheckpoint(*store_);
    ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
    EXPECT_EQ((**checkpoint)["rows_committed"], 31);
    EXPECT_EQ((**checkpoint)["rows_quarantined"], 2);
    absl::StatusOr<std::optional<nlohmann::json>> last =
        LoadLastIngest(*store_);
    ASSERT_TRUE(last.ok() && last->has_value());
    EXPECT_EQ((**last)["quality_report"]["rows"]["duplicate_local_ids"], 2);
  }
}

// A local id the store holds from an earlier ingest is an update, also when
// it appears twice in the new file (then the first of the two wins).
TEST_F(IngestPipelineTest, IdFromAnEarlierIngestIsAnUpdateNotADuplicate) {
  ASSERT_TRUE(Ingest(kHeader + Rows(0, 6), Options(4)).ok());
  const std::string csv = std::string(kHeader) +
                          "id2,bob,jones,1990-01-01,1\n"   // line 2: update
                          "id9,bob,jones,1990-01-01,1\n"   // line 3: insert
                          "id5,bob,jones,1990-01-01,1\n"   // line 4: update
                          "id2,cy,brown,1990-01-01,1\n";   // line 5: repeat
  RecordingSink sink;
  absl::StatusOr<IngestSummary> again = Ingest(csv, Options(2), &sink);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(sink.rows, ElementsAre("5 id:duplicate_local_id"));
  EXPECT_EQ(again->rows_committed, 3u);
  EXPECT_EQ(again->rows_updated, 2u);
  EXPECT_EQ(again->rows_inserted, 1u);
  EXPECT_EQ(again->records_in_store, 7u);
  for (const char* id : {"id2", "id5", "id9"}) {
    absl::StatusOr<std::optional<StoredRecord>> r = store_->GetRecord(id);
    ASSERT_TRUE(r.ok() && r->has_value()) << id;
    EXPECT_EQ((*r)->FindIdentifier("last_name")->Expose(), "jones") << id;
  }
}

// Only accepted rows reach the store: a row rejected for another reason
// does not make a later row with its id a duplicate.
TEST_F(IngestPipelineTest, RejectedRowDoesNotClaimItsLocalId) {
  const std::string csv = std::string(kHeader) +
                          "a1,ann,smith,2001-02-30,3\n"   // line 2: bad date
                          "a1,ann,smith,1990-01-01,3\n";  // line 3: kept
  RecordingSink sink;
  absl::StatusOr<IngestSummary> summary = Ingest(csv, Options(10), &sink);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(sink.rows, ElementsAre("2 dob:impossible_date"));
  EXPECT_EQ(summary->rows_committed, 1u);
  EXPECT_TRUE(Has("a1"));
}

// Rejected rows reach the sink in line order, each batch's before the batch
// commits, whether the validator or the store rejected them.
TEST_F(IngestPipelineTest, QuarantineIsInLineOrderAndFlushedBeforeCommit) {
  std::string csv = kHeader;
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    const int line = i + 2;
    if (i % 7 == 3) {
      absl::StrAppend(&csv, "id", i, ",ann,smith,2001-02-30,1\n");
      expected.push_back(absl::StrCat(line, " dob:impossible_date"));
    } else if (i % 5 == 4) {
      absl::StrAppend(&csv, "id", i / 2, ",ann,smith,1990-01-01,1\n");
      if (i / 2 % 7 != 3 && (i / 2) % 5 != 4) {
        expected.push_back(absl::StrCat(line, " id:duplicate_local_id"));
      }
    } else {
      absl::StrAppend(&csv, "id", i, ",ann,smith,1990-01-01,1\n");
    }
  }
  RecordingSink sink;
  IngestOptions options = Options(4);
  options.max_batches_in_flight = 4;
  // After each commit, every rejected row up to the batch's last line was
  // written and flushed.
  std::vector<uint64_t> checkpoint_lines;
  bool flushed_before_commit = true;
  options.after_commit = [&](uint64_t) {
    absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
        LoadIngestCheckpoint(*store_);
    ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
    const uint64_t last_line = (**checkpoint)["last_line"];
    size_t due = 0;
    for (const std::string& row : expected) {
      if (std::stoull(row) <= last_line) ++due;
    }
    if (sink.flushed < due) flushed_before_commit = false;
  };
  absl::StatusOr<IngestSummary> summary = Ingest(csv, options, &sink);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(sink.rows, expected);
  EXPECT_TRUE(flushed_before_commit);
  EXPECT_EQ(summary->rows_quarantined, expected.size());
}

// Rejected rows are held for the quarantine until their batch commits; a
// run of them cuts a batch as batch_size records would.
TEST_F(IngestPipelineTest, RejectedRowsAloneCutBatches) {
  std::string csv = kHeader;
  for (int i = 0; i < 10; ++i) absl::StrAppend(&csv, "x", i, ",ann\n");
  RecordingSink sink;
  absl::StatusOr<IngestSummary> summary = Ingest(csv, Options(3), &sink);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(sink.rows.size(), 10u);
  EXPECT_EQ(summary->batches_committed, 4u);  // 3 + 3 + 3 + 1 rejected rows
  EXPECT_EQ(summary->rows_committed, 0u);
}

TEST_F(IngestPipelineTest, EmptyInputIsAnErrorAndWritesNothing) {
  absl::StatusOr<IngestSummary> summary = Ingest("", Options(10));
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(summary.status().message(), HasSubstr("test.csv"));
  EXPECT_THAT(summary.status().message(), HasSubstr("empty"));
  EXPECT_EQ(Count(), 0u);
  absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
      LoadIngestCheckpoint(*store_);
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_FALSE(checkpoint->has_value());
}

TEST_F(IngestPipelineTest, HeaderOnlyCompletesWithNoRows) {
  absl::StatusOr<IngestSummary> summary = Ingest(kHeader, Options(10));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows_read, 0u);
  EXPECT_EQ(summary->rows_committed, 0u);
  EXPECT_EQ(summary->batches_committed, 1u);  // the checkpoint alone
  EXPECT_EQ(Count(), 0u);
}

TEST_F(IngestPipelineTest, HeaderThatDoesNotFitTheSchemaWritesNothing) {
  absl::StatusOr<IngestSummary> summary =
      Ingest("id,first,surname,dob,grade\nx1,ann,smith,1990-01-01,1\n",
             Options(10));
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(summary.status().message(), HasSubstr("header record (line 1)"));
  EXPECT_THAT(summary.status().message(), HasSubstr("last"));
  EXPECT_THAT(summary.status().message(), Not(HasSubstr("smith")));
  EXPECT_EQ(Count(), 0u);
}

TEST_F(IngestPipelineTest, ResultDoesNotDependOnSealThreads) {
  for (int threads : {1, 3}) {
    SCOPED_TRACE(threads);
    IngestOptions options = Options(7);
    options.seal_threads = threads;
    options.max_batches_in_flight = 5;
    std::vector<uint64_t> committed;
    options.after_commit = [&](uint64_t batch) { committed.push_back(batch); };
    absl::StatusOr<IngestSummary> summary =
        Ingest(kHeader + Rows(0, 100), options);
    ASSERT_TRUE(summary.ok()) << summary.status();
    EXPECT_EQ(summary->batches_committed, 15u);
    ASSERT_EQ(committed.size(), 15u);
    for (size_t i = 0; i < committed.size(); ++i) {
      EXPECT_EQ(committed[i], i + 1);
    }
    EXPECT_EQ(Count(), 100u);
  }
}

TEST_F(IngestPipelineTest, ReportsFinalProgress) {
  IngestOptions options = Options(10);
  IngestProgress last;
  int calls = 0;
  options.on_progress = [&](const IngestProgress& p) {
    last = p;
    ++calls;
  };
  const std::string csv = kHeader + Rows(0, 30) + "bad\n";
  ASSERT_TRUE(Ingest(csv, options).ok());
  EXPECT_GE(calls, 1);
  EXPECT_EQ(last.rows_read, 31u);
  EXPECT_EQ(last.rows_committed, 30u);
  EXPECT_EQ(last.rows_quarantined, 1u);
  EXPECT_EQ(last.batches_committed, 4u);
  EXPECT_EQ(last.bytes_read, csv.size());
  EXPECT_EQ(last.total_bytes, csv.size());
}

TEST_F(IngestPipelineTest, RejectsBadOptions) {
  EXPECT_EQ(Ingest(kHeader, Options(0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  IngestOptions options = Options(10);
  options.seal_threads = 0;
  EXPECT_EQ(Ingest(kHeader, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A stream that breaks off mid-record (the daemon's client went away)
// commits the complete batches before it and never the truncated record.
TEST_F(IngestPipelineTest, AbortedChunkedInputKeepsOnlyCompleteBatches) {
  ChunkedInput input(64);
  const std::string csv = kHeader + Rows(0, 25);
  const size_t cut = csv.size() - 7;  // inside the last row
  absl::StatusOr<IngestSummary> summary;
  std::thread ingest([&] {
    summary = RunIngest(TestSchema(), input.AsIngestInput("stream.csv", 0),
                        store_.get(), nullptr, Options(10));
    input.Close();
  });
  for (size_t i = 0; i < cut; i += 10) {
    if (!input.Push(csv.substr(i, std::min<size_t>(10, cut - i)))) break;
  }
  input.Abort(absl::CancelledError("client cancelled the call"));
  ingest.join();
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(summary.status().message(), HasSubstr("client cancelled"));
  EXPECT_THAT(summary.status().message(), HasSubstr("2 complete batches"));
  EXPECT_EQ(Count(), 20u);
  EXPECT_TRUE(Has("id19"));
  EXPECT_FALSE(Has("id20"));
  EXPECT_FALSE(Has("id24"));
  absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
      LoadIngestCheckpoint(*store_);
  ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
  EXPECT_EQ((**checkpoint)["state"], "running");
  EXPECT_EQ((**checkpoint)["rows_committed"], 20);
}

TEST_F(IngestPipelineTest, FinishedChunkedInputIngestsEverything) {
  ChunkedInput input(100);
  const std::string csv = kHeader + Rows(0, 50);
  absl::StatusOr<IngestSummary> summary;
  std::thread ingest([&] {
    summary = RunIngest(TestSchema(), input.AsIngestInput("stream.csv", 0),
                        store_.get(), nullptr, Options(8));
    input.Close();
  });
  for (size_t i = 0; i < csv.size(); i += 33) {
    ASSERT_TRUE(input.Push(csv.substr(i, 33)));
  }
  input.Finish();
  ingest.join();
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows_committed, 50u);
  EXPECT_EQ(Count(), 50u);
}

TEST(ChunkedInputTest, ProducerDroppedWithoutFinishIsAnError) {
  ChunkedInput input;
  ASSERT_TRUE(input.Push("abc"));
  input.Close();
  EXPECT_FALSE(input.Push("more"));
  std::string read;
  std::getline(input.stream(), read);
  EXPECT_EQ(read, "abc");
  EXPECT_EQ(input.end_status().code(), absl::StatusCode::kAborted);
}

TEST(ChunkedInputTest, CloseReleasesABlockedProducer) {
  ChunkedInput input(4);
  ASSERT_TRUE(input.Push("12345"));  // over the bound: the next Push blocks
  bool pushed = true;
  std::thread producer([&] { pushed = input.Push("67"); });
  input.Close();
  producer.join();
  EXPECT_FALSE(pushed);
}

}  // namespace
}  // namespace fedlink::agent::ingest
