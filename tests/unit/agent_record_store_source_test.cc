// The job encoder over a real record store (RocksDB in a temporary
// directory), and the pseudonym map's round trip through the store.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/encoding/job_encoder.h"
#include "agent/encoding/record_store_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "proto/runtime/linkage_schema_proto.h"

namespace fedlink::agent::encoding {
namespace {

using ::testing::HasSubstr;

StoredRecord Person(int i) {
  StoredRecord record;
  record.local_id = SensitiveString(absl::StrCat("P", 5000 + i));
  record.identifiers = {
      {"first_name", SensitiveString(i % 2 ? "maria" : "james")},
      {"last_name", SensitiveString(absl::StrCat("family", i % 37))},
      {"dob", SensitiveString(
                  absl::StrCat(1960 + i % 40, "0", 1 + i % 9, 10 + i % 19))},
      {"sex", SensitiveString(i % 2 ? "f" : "m")},
  };
  record.attributes = {{"cohort", SensitiveString(absl::StrCat(i % 4))}};
  return record;
}

EncodeJobParams Params() {
  EncodeJobParams params;
  params.job_id = "job-42";
  params.agency = "health";
  params.method = v1::LINKAGE_METHOD_TOKENS;
  params.linkage_schema =
      proto::MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
  const crypto::Sha256Digest nonce = crypto::Sha256(std::string_view("nonce"));
  params.job_nonce.assign(reinterpret_cast<const char*>(nonce.data()),
                          nonce.size());
  v1::CohortCondition* condition = params.cohort.add_all_of();
  condition->set_column("cohort");
  condition->set_comparison(v1::COMPARISON_NOT_EQUAL);
  condition->set_compare_as(v1::VALUE_TYPE_NUMBER);
  condition->add_values("0");
  return params;
}

std::unique_ptr<JobEncoder> Encoder() {
  JobEncoderOptions options;
  options.threads = 2;
  options.max_records_per_batch = 100;
  options.randomness =
      crypto::SecretBytes(crypto::Sha256(std::string_view("seed")));
  absl::StatusOr<std::unique_ptr<JobEncoder>> encoder = JobEncoder::Create(
      Params(), crypto::SecretBytes(crypto::Sha256(std::string_view("secret"))),
      std::move(options));
  EXPECT_TRUE(encoder.ok()) << encoder.status();
  return encoder.ok() ? *std::move(encoder) : nullptr;
}

// local id → its tokens, from batches and the pseudonym map.
std::map<std::string, std::string> TokensById(
    const std::vector<v1::EncodingBatch>& batches, const PseudonymMap& map) {
  std::map<std::string, std::string> out;
  for (const v1::EncodingBatch& batch : batches) {
    size_t token = 0;
    for (uint32_t r = 0; r < batch.record_count(); ++r) {
      const uint32_t count = batch.token_counts(static_cast<int>(r));
      out[std::string(map.ExposeLocalId(batch.first_pseudonym() + r))] =
          batch.tokens().substr(token * 16, count * 16);
      token += count;
    }
  }
  return out;
}

class RecordStoreSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/fedlink_encoding_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    absl::StatusOr<crypto::SecretBytes> key = crypto::SecretBytes::Random(32);
    ASSERT_TRUE(key.ok());
    absl::StatusOr<std::unique_ptr<RecordStore>> store =
        RecordStore::Open(dir_ + "/store", *key, {.sync_commits = false});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    RecordStore::WriteBatch batch = store_->NewBatch();
    for (int i = 0; i < 400; ++i) {
      ASSERT_TRUE(batch.PutRecord(Person(i)).ok());
      memory_.Add(Person(i));
    }
    ASSERT_TRUE(store_->Commit(std::move(batch)).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<RecordStore> store_;
  InMemoryRecordSource memory_;
};

std::vector<v1::EncodingBatch> EncodeAll(const JobEncoder& encoder,
                                         const PseudonymMap& map,
                                         const RecordSource& source,
                                         uint64_t first = 0) {
  std::vector<v1::EncodingBatch> batches;
  const absl::Status status =
      encoder.EncodeCohort(map, source, first, [&](const v1::EncodingBatch& b) {
        batches.push_back(b);
        return absl::OkStatus();
      });
  EXPECT_TRUE(status.ok()) << status;
  return batches;
}

TEST_F(RecordStoreSourceTest, EncodesTheStoredCohortAsFromMemory) {
  std::unique_ptr<JobEncoder> encoder = Encoder();
  const RecordStoreSource source(*store_);
  absl::StatusOr<CohortSelection> stored = encoder->SelectCohort(source);
  absl::StatusOr<CohortSelection> in_memory = encoder->SelectCohort(memory_);
  ASSERT_TRUE(stored.ok() && in_memory.ok());
  EXPECT_EQ(stored->records_scanned, 400u);
  EXPECT_EQ(stored->pseudonyms.size(), 300u);  // cohort != 0
  EXPECT_EQ(stored->excluded_by_condition, std::vector<uint64_t>{100});

  // Pseudonyms differ (the scan orders differ), encodings per record do not.
  const auto from_store = TokensById(
      EncodeAll(*encoder, stored->pseudonyms, source), stored->pseudonyms);
  const auto from_memory =
      TokensById(EncodeAll(*encoder, in_memory->pseudonyms, memory_),
                 in_memory->pseudonyms);
  EXPECT_EQ(from_store.size(), 300u);
  EXPECT_EQ(from_store, from_memory);
}

TEST_F(RecordStoreSourceTest, PseudonymMapSurvivesARestart) {
  std::unique_ptr<JobEncoder> encoder = Encoder();
  const RecordStoreSource source(*store_);
  absl::StatusOr<CohortSelection> selection = encoder->SelectCohort(source);
  ASSERT_TRUE(selection.ok());
  const std::vector<v1::EncodingBatch> full =
      EncodeAll(*encoder, selection->pseudonyms, source);
  ASSERT_EQ(full.size(), 3u);

  // An older, longer map of the same job is replaced, not merged.
  PseudonymMapBuilder stale;
  for (int i = 0; i < 500; ++i)
    ASSERT_TRUE(stale.Add(absl::StrCat("stale-", i)).ok());
  ASSERT_TRUE(SavePseudonymMap(*store_, "job-42", stale.AssignInOrder()).ok());
  ASSERT_TRUE(SavePseudonymMap(*store_, "job-42", selection->pseudonyms).ok());

  absl::StatusOr<PseudonymMap> loaded =
      LoadPseudonymMap(*store_, "job-42", 300);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 300u);
  for (uint32_t p = 0; p < 300; ++p) {
    ASSERT_EQ(loaded->ExposeLocalId(p), selection->pseudonyms.ExposeLocalId(p));
  }
  // The resumed upload repeats the missing batches exactly.
  const std::vector<v1::EncodingBatch> resumed =
      EncodeAll(*encoder, *loaded, source, 1);
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0].SerializeAsString(), full[1].SerializeAsString());
  EXPECT_EQ(resumed[1].SerializeAsString(), full[2].SerializeAsString());

  const absl::Status wrong = LoadPseudonymMap(*store_, "job-42", 301).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wrong.message(), HasSubstr("holds 300 pseudonyms, expected 301"));
  EXPECT_EQ(LoadPseudonymMap(*store_, "job-43", 1).status().code(),
            absl::StatusCode::kDataLoss);
  absl::StatusOr<PseudonymMap> none = LoadPseudonymMap(*store_, "job-43", 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace fedlink::agent::encoding
