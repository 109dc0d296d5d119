// The release end to end over a real record store (RocksDB in a temporary
// directory): pseudonym map saved and reloaded across a restart, assignment
// batches → rows → HPKE chunks → the analyst's DecryptReleasedRows, chunk
// limits, resume, bad batches, and a canary search of every produced byte
// for identifier values.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/audit/agent_audit_log.h"
#include "agent/audit/audit_entries.h"
#include "agent/encoding/record_store_source.h"
#include "agent/release/job_pseudonyms.h"
#include "agent/release/release_columns.h"
#include "agent/release/row_releaser.h"
#include "agent/store/record_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "linkage/crypto/x25519.h"
#include "proto/runtime/payload_crypto.h"
#include "tests/unit/agent_policy_test_util.h"
#include "tests/unit/agent_release_test_util.h"

namespace fedlink::agent::release {
namespace {

using testing::EduPerson;
using testing::GradYear;
using ::testing::HasSubstr;
using testing::IdentifierValues;
using testing::LocalId;
using testing::ProgramCode;

constexpr int kPeople = 40;
constexpr char kJob[] = "job-7";

std::string ResearchId(uint32_t pseudonym) {
  const crypto::Sha256Digest digest =
      crypto::Sha256(absl::StrCat("research-id-", pseudonym));
  return std::string(reinterpret_cast<const char*>(digest.data()), 16);
}

// Batches assigning pseudonyms [0, assigned) in groups of `per_batch`.
std::vector<v1::AssignmentBatch> Assignments(uint32_t assigned,
                                             uint32_t per_batch,
                                             const std::string& job = kJob) {
  std::vector<v1::AssignmentBatch> batches;
  uint32_t p = 0;
  do {
    v1::AssignmentBatch batch;
    batch.set_job_id(job);
    batch.set_sequence(batches.size());
    for (uint32_t k = 0; k < per_batch && p < assigned; ++k, ++p) {
      batch.add_pseudonyms(p);
      batch.mutable_research_ids()->append(ResearchId(p));
    }
    batch.set_final_batch(p == assigned);
    batches.push_back(std::move(batch));
  } while (p < assigned);
  return batches;
}

class ReleaseRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/fedlink_release_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    OpenStore();
    for (int i = 0; i < kPeople; ++i)
      ASSERT_TRUE(store_->UpsertRecord(EduPerson(i)).ok());
    // Pseudonym p is person kPeople - 1 - p (an order unlike the ids').
    encoding::PseudonymMapBuilder builder;
    for (int i = kPeople - 1; i >= 0; --i)
      ASSERT_TRUE(builder.Add(LocalId(i)).ok());
    ASSERT_TRUE(SaveJobPseudonyms(*store_, kJob, builder.AssignInOrder()).ok());
    // Restart: the map comes back from the store, not from memory.
    store_.reset();
    OpenStore();
    absl::StatusOr<encoding::PseudonymMap> map =
        LoadJobPseudonyms(*store_, kJob);
    ASSERT_TRUE(map.ok()) << map.status();
    map_ = *std::move(map);
    source_ = std::make_unique<encoding::RecordStoreSource>(*store_);

    const auto& pub = analyst_.public_key().bytes();
    spec_ = policy::testing::TestSpec();
    spec_.mutable_analyst_key()->set_x25519_public_key(
        std::string(pub.begin(), pub.end()));
    spec_.mutable_analyst_key()->set_aead(v1::HPKE_AEAD_CHACHA20_POLY1305);
    absl::StatusOr<std::vector<std::string>> columns = ResolveReleaseColumns(
        spec_, "edu", testing::EduSchema(), policy::testing::TestPolicy());
    ASSERT_TRUE(columns.ok()) << columns.status();
    columns_ = *columns;
  }

  void TearDown() override {
    source_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenStore() {
    RecordStoreOptions options;
    options.sync_commits = false;
    absl::StatusOr<std::unique_ptr<RecordStore>> store = RecordStore::Open(
        dir_, crypto::SecretBytes(crypto::Sha256(std::string_view("at-rest"))),
        options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Runs a whole release; chunks land in `chunks`.
  absl::StatusOr<ReleaseSummary> Release(
      const std::vector<v1::AssignmentBatch>& batches,
      std::vector<v1::PayloadChunk>* chunks, ReleaseOptions options) {
    absl::StatusOr<std::unique_ptr<RowReleaser>> releaser = RowReleaser::Create(
        kJob, "edu", spec_, columns_, map_, *source_,
        [chunks](v1::PayloadChunk chunk) {
          chunks->push_back(std::move(chunk));
          return absl::OkStatus();
        },
        options);
    if (!releaser.ok()) return releaser.status();
    for (const v1::AssignmentBatch& batch : batches) {
      absl::Status status = (*releaser)->AddBatch(batch);
      if (!status.ok()) return status;
    }
    return (*releaser)->Finish();
  }

  absl::StatusOr<v1::ReleasedRows> Decrypt(
      const std::vector<v1::PayloadChunk>& chunks) {
    return proto::DecryptReleasedRows(
        kJob, "edu", v1::HPKE_AEAD_CHACHA20_POLY1305, analyst_, chunks);
  }

  std::string dir_;
  std::unique_ptr<RecordStore> store_;
  encoding::PseudonymMap map_;
  std::unique_ptr<encoding::RecordStoreSource> source_;
  crypto::X25519PrivateKey analyst_ =
      crypto::X25519PrivateKey::Generate().value();
  v1::JobSpec spec_;
  std::vector<std::string> columns_;
};

TEST_F(ReleaseRowsTest, RoundTripReleasesAssignedRowsWithApprovedColumnsOnly) {
  std::vector<v1::PayloadChunk> chunks;
  ReleaseOptions options;
  options.max_chunk_plaintext_bytes = 300;
  absl::StatusOr<ReleaseSummary> summary =
      Release(Assignments(30, 7), &chunks, options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->assignment_batches, 5u);
  EXPECT_EQ(summary->assignments, 30u);
  EXPECT_EQ(summary->rows, 30u);
  EXPECT_EQ(summary->records_missing, 0u);
  EXPECT_EQ(summary->columns, 2u);
  EXPECT_GT(summary->chunks, 3u) << "300-byte chunks split 30 rows";
  EXPECT_EQ(summary->chunks, chunks.size());
  EXPECT_EQ(summary->chunks_sent, chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].chunk_index(), i);
    EXPECT_EQ(chunks[i].final_chunk(), i + 1 == chunks.size());
    EXPECT_LE(chunks[i].ciphertext().size(), 300u + 16u);
  }

  absl::StatusOr<v1::ReleasedRows> rows = Decrypt(chunks);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(rows->columns(),
              ::testing::ElementsAre("program_code", "grad_year"));
  ASSERT_EQ(rows->rows_size(), 30);
  std::map<std::string, int> person_by_research_id;
  for (uint32_t p = 0; p < 30; ++p)
    person_by_research_id[ResearchId(p)] = kPeople - 1 - p;
  for (const v1::ReleasedRow& row : rows->rows()) {
    ASSERT_TRUE(person_by_research_id.count(row.research_id()));
    const int person = person_by_research_id[row.research_id()];
    EXPECT_EQ(row.values(0), ProgramCode(person));
    EXPECT_EQ(row.values(1), person % 3 == 0 ? "" : GradYear(person))
        << "blank when missing";
    person_by_research_id.erase(row.research_id());
  }
  EXPECT_TRUE(person_by_research_id.empty());
}

TEST_F(ReleaseRowsTest, CanaryNoIdentifierValueInAnyProducedByte) {
  std::vector<v1::PayloadChunk> chunks;
  ReleaseOptions options;
  options.max_chunk_plaintext_bytes = 512;
  ASSERT_TRUE(Release(Assignments(kPeople, 16), &chunks, options).ok());
  std::string produced;
  for (const v1::PayloadChunk& chunk : chunks)
    produced += chunk.SerializeAsString();
  absl::StatusOr<v1::ReleasedRows> rows = Decrypt(chunks);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const std::string plaintext = rows->SerializeAsString();
  ASSERT_EQ(rows->rows_size(), kPeople);
  for (int i = 0; i < kPeople; ++i) {
    for (const std::string& value : IdentifierValues(i)) {
      EXPECT_EQ(produced.find(value), std::string::npos)
          << "identifier of person " << i;
      EXPECT_EQ(plaintext.find(value), std::string::npos)
          << "identifier of person " << i;
    }
  }
  // Attributes the job did not ask for stay home too.
  EXPECT_EQ(plaintext.find("secret-iep"), std::string::npos);
  EXPECT_EQ(plaintext.find("3.9"), std::string::npos);
  // The canary would catch a leak: the approved values are there.
  EXPECT_NE(plaintext.find(ProgramCode(5)), std::string::npos);
}

TEST_F(ReleaseRowsTest,
       CanaryStoreFilesHoldNoIdentifierAfterReleaseAndItsAuditEntry) {
  std::vector<v1::PayloadChunk> chunks;
  absl::StatusOr<ReleaseSummary> summary =
      Release(Assignments(kPeople, 16), &chunks, {});
  ASSERT_TRUE(summary.ok()) << summary.status();
  audit::AgentAuditLogOptions options;
  options.agency = "edu";
  options.coordinator_key = policy::testing::TestKey(9).public_key();
  options.sync_writes = false;
  absl::StatusOr<std::unique_ptr<audit::AgentAuditLog>> log =
      audit::AgentAuditLog::Open(*store_, policy::testing::TestKey(1), options);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(
      (*log)
          ->Record(audit::RowsReleasedEntry(
              kJob, "edu",
              {summary->assignments, summary->rows, summary->records_missing,
               summary->columns, summary->chunks, summary->ciphertext_bytes}))
          .ok());
  log->reset();
  ASSERT_TRUE(store_->Flush().ok());
  source_.reset();
  store_.reset();  // everything on disk

  std::string files;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir_)) {
    if (!file.is_regular_file()) continue;
    // stdio rather than istreambuf_iterator: GCC 12 warns falsely
    // (-Wnull-dereference) on the latter.
    FILE* f = std::fopen(file.path().c_str(), "rb");
    ASSERT_NE(f, nullptr) << file.path();
    char buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0)
      files.append(buffer, n);
    std::fclose(f);
  }
  ASSERT_NE(files.find("agent/edu"), std::string::npos)
      << "the audit log is in the files";
  for (int i = 0; i < kPeople; ++i) {
    for (const std::string& value : IdentifierValues(i)) {
      EXPECT_EQ(files.find(value), std::string::npos)
          << "identifier of person " << i;
    }
    EXPECT_EQ(files.find(ProgramCode(i)), std::string::npos)
        << "attribute of person " << i;
  }
}

TEST_F(ReleaseRowsTest, RespectsRowAndByteLimitsPerChunk) {
  std::vector<v1::PayloadChunk> chunks;
  ReleaseOptions options;
  options.max_rows_per_chunk = 4;
  ASSERT_TRUE(Release(Assignments(kPeople, 9), &chunks, options).ok());
  ASSERT_EQ(chunks.size(), 10u);
  const crypto::HpkeAead aead = crypto::HpkeAead::kChaCha20Poly1305;
  for (const v1::PayloadChunk& chunk : chunks) {
    v1::ReleasedRows rows;
    ASSERT_TRUE(rows.ParseFromString(
        proto::OpenPayloadChunk(chunk, aead, analyst_).value()));
    EXPECT_EQ(rows.rows_size(), 4);
  }

  chunks.clear();
  options = {};
  options.max_chunk_plaintext_bytes = 200;
  ASSERT_TRUE(Release(Assignments(kPeople, 9), &chunks, options).ok());
  ASSERT_GT(chunks.size(), 2u);
  for (const v1::PayloadChunk& chunk : chunks) {
    const std::string plaintext =
        proto::OpenPayloadChunk(chunk, aead, analyst_).value();
    EXPECT_LE(plaintext.size(), 200u);
    if (!chunk.final_chunk()) {
      EXPECT_GT(plaintext.size(), 150u)
          << "chunks are filled before a new one starts";
    }
  }
}

TEST_F(ReleaseRowsTest, EmptyReleaseIsOneFinalChunkWithoutRows) {
  std::vector<v1::PayloadChunk> chunks;
  absl::StatusOr<ReleaseSummary> summary =
      Release(Assignments(0, 10), &chunks, {});
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_TRUE(chunks[0].final_chunk());
  absl::StatusOr<v1::ReleasedRows> rows = Decrypt(chunks);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->rows_size(), 0);
  EXPECT_EQ(rows->columns_size(), 2);
}

TEST_F(ReleaseRowsTest,
       ResumedReleaseSendsOnlyMissingChunksThatJoinTheFirstRun) {
  ReleaseOptions options;
  options.max_rows_per_chunk = 6;
  std::vector<v1::PayloadChunk> first;
  ASSERT_TRUE(Release(Assignments(30, 8), &first, options).ok());
  ASSERT_EQ(first.size(), 5u);

  options.first_chunk_to_send = 2;
  std::vector<v1::PayloadChunk> resumed;
  absl::StatusOr<ReleaseSummary> summary =
      Release(Assignments(30, 8), &resumed, options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->chunks, 5u);
  EXPECT_EQ(summary->chunks_sent, 3u);
  ASSERT_EQ(resumed.size(), 3u);
  EXPECT_EQ(resumed[0].chunk_index(), 2u);

  std::vector<v1::PayloadChunk> joined = {first[0], first[1], resumed[0],
                                          resumed[1], resumed[2]};
  absl::StatusOr<v1::ReleasedRows> rows = Decrypt(joined);
  ASSERT_TRUE(rows.ok()) << rows.status();
  absl::StatusOr<v1::ReleasedRows> original = Decrypt(first);
  ASSERT_TRUE(original.ok());
  EXPECT_EQ(rows->SerializeAsString(), original->SerializeAsString());
}

TEST_F(ReleaseRowsTest, RecordDeletedSinceEncodingYieldsNoRowAndIsCounted) {
  RecordStore::WriteBatch batch = store_->NewBatch();
  ASSERT_TRUE(batch.DeleteRecord(LocalId(kPeople - 1)).ok());  // pseudonym 0
  ASSERT_TRUE(store_->Commit(std::move(batch)).ok());
  std::vector<v1::PayloadChunk> chunks;
  absl::StatusOr<ReleaseSummary> summary =
      Release(Assignments(10, 10), &chunks, {});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->assignments, 10u);
  EXPECT_EQ(summary->rows, 9u);
  EXPECT_EQ(summary->records_missing, 1u);
  absl::StatusOr<v1::ReleasedRows> rows = Decrypt(chunks);
  ASSERT_TRUE(rows.ok());
  for (const v1::ReleasedRow& row : rows->rows())
    EXPECT_NE(row.research_id(), ResearchId(0));
}

TEST_F(ReleaseRowsTest, RefusesBadAssignmentBatchesAndStaysFailed) {
  std::vector<v1::PayloadChunk> chunks;
  auto make = [&]() {
    return RowReleaser::Create(kJob, "edu", spec_, columns_, map_, *source_,
                               [&chunks](v1::PayloadChunk chunk) {
                                 chunks.push_back(std::move(chunk));
                                 return absl::OkStatus();
                               })
        .value();
  };
  std::vector<v1::AssignmentBatch> good = Assignments(20, 10);

  v1::AssignmentBatch outside = good[0];
  outside.set_pseudonyms(3, kPeople);
  std::unique_ptr<RowReleaser> releaser = make();
  absl::Status status = releaser->AddBatch(outside);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("pseudonyms[3] is outside the job's 40 pseudonyms"));
  EXPECT_EQ(releaser->AddBatch(good[0]).code(),
            absl::StatusCode::kFailedPrecondition)
      << "a failed release stays failed";
  EXPECT_EQ(releaser->Finish().status().code(),
            absl::StatusCode::kFailedPrecondition);

  v1::AssignmentBatch repeat = good[1];
  repeat.set_pseudonyms(0, 5);  // already assigned in batch 0
  releaser = make();
  ASSERT_TRUE(releaser->AddBatch(good[0]).ok());
  EXPECT_THAT(releaser->AddBatch(repeat).message(),
              HasSubstr("already assigned"));

  releaser = make();
  EXPECT_THAT(releaser->AddBatch(good[1]).message(),
              HasSubstr("out of sequence"));

  releaser = make();
  EXPECT_THAT(releaser->AddBatch(Assignments(20, 10, "job-8")[0]).message(),
              HasSubstr("is for job job-8"));

  v1::AssignmentBatch short_ids = good[0];
  short_ids.mutable_research_ids()->pop_back();
  releaser = make();
  EXPECT_EQ(releaser->AddBatch(short_ids).code(),
            absl::StatusCode::kInvalidArgument);

  releaser = make();
  ASSERT_TRUE(releaser->AddBatch(good[0]).ok());
  EXPECT_THAT(releaser->Finish().status().message(),
              HasSubstr("final assignment batch"));

  releaser = make();
  ASSERT_TRUE(releaser->AddBatch(good[0]).ok());
  ASSERT_TRUE(releaser->AddBatch(good[1]).ok());
  v1::AssignmentBatch after = good[1];
  after.set_sequence(2);
  EXPECT_EQ(releaser->AddBatch(after).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(releaser->Finish().ok());
  EXPECT_EQ(releaser->Finish().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ReleaseRowsTest, RowLargerThanAChunkIsRefused) {
  std::vector<v1::PayloadChunk> chunks;
  ReleaseOptions options;
  options.max_chunk_plaintext_bytes = 30;
  absl::StatusOr<ReleaseSummary> summary =
      Release(Assignments(5, 5), &chunks, options);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(summary.status().message(),
              HasSubstr("more than a chunk may hold"));
  EXPECT_TRUE(chunks.empty());
}

TEST_F(ReleaseRowsTest, SinkErrorStopsTheRelease) {
  absl::StatusOr<std::unique_ptr<RowReleaser>> releaser = RowReleaser::Create(
      kJob, "edu", spec_, columns_, map_, *source_,
      [](v1::PayloadChunk) { return absl::UnavailableError("stream closed"); });
  ASSERT_TRUE(releaser.ok());
  for (const v1::AssignmentBatch& batch : Assignments(5, 5)) {
    ASSERT_TRUE((*releaser)->AddBatch(batch).ok());
  }
  EXPECT_EQ((*releaser)->Finish().status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(ReleaseRowsTest, CreateRefusesJobsThatCannotBeReleased) {
  auto create = [&](const v1::JobSpec& spec, ReleaseOptions options = {}) {
    return RowReleaser::Create(
               kJob, "edu", spec, columns_, map_, *source_,
               [](v1::PayloadChunk) { return absl::OkStatus(); }, options)
        .status()
        .code();
  };
  v1::JobSpec aggregate = spec_;
  aggregate.set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  EXPECT_EQ(create(aggregate), absl::StatusCode::kFailedPrecondition);
  v1::JobSpec no_key = spec_;
  no_key.clear_analyst_key();
  EXPECT_EQ(create(no_key), absl::StatusCode::kFailedPrecondition);
  v1::JobSpec bad_aead = spec_;
  bad_aead.mutable_analyst_key()->set_aead(v1::HPKE_AEAD_UNSPECIFIED);
  EXPECT_EQ(create(bad_aead), absl::StatusCode::kInvalidArgument);
  ReleaseOptions too_big;
  too_big.max_chunk_plaintext_bytes = proto::kMaxPayloadPlaintextBytes + 1;
  EXPECT_EQ(create(spec_, too_big), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReleaseRowsTest,
       PseudonymMapMarkersSurviveRestartAndRefuseHalfSavedOrDropped) {
  EXPECT_EQ(LoadJobPseudonyms(*store_, "job-unknown").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->PutMeta(JobPseudonymsMetaName("job-9"), "saving").ok());
  EXPECT_EQ(LoadJobPseudonyms(*store_, "job-9").status().code(),
            absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(DropJobPseudonyms(*store_, kJob).ok());
  EXPECT_EQ(store_->CountPseudonyms(kJob).value(), 0u);
  store_.reset();
  source_.reset();
  OpenStore();
  absl::StatusOr<encoding::PseudonymMap> map = LoadJobPseudonyms(*store_, kJob);
  EXPECT_EQ(map.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(map.status().message(), HasSubstr("dropped"));
  EXPECT_TRUE(DropJobPseudonyms(*store_, kJob).ok()) << "idempotent";
}

}  // namespace
}  // namespace fedlink::agent::release
