#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/store/idle_pool.h"
#include "agent/store/record_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/aead.h"
#include "linkage/crypto/hkdf.h"
#include "linkage/crypto/hmac.h"
#include "rocksdb/db.h"

namespace fedlink::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

StoredField Field(std::string name, std::string value) {
  return StoredField{std::move(name), SensitiveString(std::move(value))};
}

StoredRecord Record(const std::string& local_id, const std::string& last,
                    const std::string& first, const std::string& dob,
                    const std::string& program) {
  StoredRecord record;
  record.local_id = SensitiveString(local_id);
  record.identifiers = {Field("last_name", last), Field("first_name", first),
                        Field("dob", dob)};
  record.attributes = {Field("program", program)};
  return record;
}

std::string Expose(const SensitiveString& s) { return std::string(s.Expose()); }

// A job's stored pseudonym map, read back with ForEachPseudonym.
std::map<uint64_t, std::string> PseudonymsOf(const RecordStore& store,
                                             std::string_view job_id) {
  std::map<uint64_t, std::string> map;
  const absl::Status read = store.ForEachPseudonym(
      job_id, [&](uint64_t pseudonym, SensitiveString local_id) {
        EXPECT_TRUE(map.emplace(pseudonym, Expose(local_id)).second)
            << "pseudonym " << pseudonym << " twice";
        return absl::OkStatus();
      });
  EXPECT_TRUE(read.ok()) << read;
  return map;
}

// The store's files opened with plain RocksDB, as someone with a copy of the
// directory (but not the key) could: to tamper with values in tests.
class RawDb {
 public:
  explicit RawDb(const std::string& path,
                 const std::vector<std::string>& extra_families = {}) {
    rocksdb::DBOptions options;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const ColumnFamilyInfo& info : kColumnFamilies) {
      descriptors.emplace_back(std::string(info.name),
                               rocksdb::ColumnFamilyOptions());
    }
    for (const std::string& name : extra_families) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    status_ = rocksdb::DB::Open(options, path, descriptors, &handles_, &db);
    db_.reset(db);
  }
  ~RawDb() {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    if (db_ != nullptr) db_->Close().PermitUncheckedError();
  }
  const rocksdb::Status& status() const { return status_; }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(ColumnFamily cf) {
    return handles_[ColumnFamilyIndex(cf)];
  }
  std::map<std::string, std::string> Entries(ColumnFamily cf) {
    std::map<std::string, std::string> entries;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handle(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      entries[it->key().ToString()] = it->value().ToString();
    }
    return entries;
  }
  void Put(ColumnFamily cf, const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), handle(cf), key, value).ok());
  }

 private:
  rocksdb::Status status_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

class RecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/fedlink_store_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/store";
    absl::StatusOr<crypto::SecretBytes> key = crypto::SecretBytes::Random(32);
    ASSERT_TRUE(key.ok());
    key_ = *key;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<RecordStore> OpenStore(RecordStoreOptions options = {}) {
    absl::StatusOr<std::unique_ptr<RecordStore>> store =
        RecordStore::Open(path_, key_, options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::string dir_;
  std::string path_;
  crypto::SecretBytes key_;
};

TEST_F(RecordStoreTest, StoresAndReadsBackRecords) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  const StoredRecord a = Record("A-1", "Smith", "Ann", "1990-01-02", "BSc");
  const StoredRecord b = Record("B-2", "O'Brien", "Seán", "02/03/1985", "MSc");
  ASSERT_TRUE(store->UpsertRecord(a).ok());
  ASSERT_TRUE(store->UpsertRecord(b).ok());

  absl::StatusOr<std::optional<StoredRecord>> got = store->GetRecord("B-2");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, b);
  absl::StatusOr<std::optional<StoredRecord>> missing = store->GetRecord("C-3");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->has_value());

  // A batched read answers in the order asked, nullopt for what is missing.
  const std::vector<std::string_view> ids = {"B-2", "C-3", "A-1", "B-2"};
  absl::StatusOr<std::vector<std::optional<StoredRecord>>> many =
      store->GetRecords(ids);
  ASSERT_TRUE(many.ok()) << many.status();
  ASSERT_EQ(many->size(), 4u);
  ASSERT_TRUE((*many)[0].has_value() && (*many)[2].has_value() && (*many)[3].has_value());
  EXPECT_EQ(*(*many)[0], b);
  EXPECT_FALSE((*many)[1].has_value());
  EXPECT_EQ(*(*many)[2], a);
  EXPECT_EQ(*(*many)[3], b);
  absl::StatusOr<std::vector<std::optional<StoredRecord>>> none = store->GetRecords({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  std::vector<std::string> seen;
  ASSERT_TRUE(store
                  ->ForEachRecord([&](StoredRecord record) {
                    seen.push_back(Expose(record.local_id));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("A-1", "B-2"));
  absl::StatusOr<uint64_t> count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2u);
}

TEST_F(RecordStoreTest, ReingestReplacesTheRecordWithTheSameLocalId) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->UpsertRecord(Record("A-1", "Smith", "Ann", "1990", "BSc")).ok());
  StoredRecord updated = Record("A-1", "Smith-Jones", "Ann", "1990", "PhD");
  updated.identifiers.pop_back();  // fewer fields than before
  ASSERT_TRUE(store->UpsertRecord(updated).ok());

  absl::StatusOr<uint64_t> count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1u);
  absl::StatusOr<std::optional<StoredRecord>> got = store->GetRecord("A-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, updated);
  EXPECT_EQ((*got)->FindIdentifier("dob"), nullptr);

  // Within one batch the last write of a local id wins too.
  RecordStore::WriteBatch batch = store->NewBatch();
  ASSERT_TRUE(batch.PutRecord(Record("A-1", "First", "x", "y", "z")).ok());
  ASSERT_TRUE(batch.PutRecord(Record("A-1", "Second", "x", "y", "z")).ok());
  ASSERT_TRUE(store->Commit(std::move(batch)).ok());
  got = store->GetRecord("A-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(Expose(*(*got)->FindIdentifier("last_name")), "Second");
  count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1u);
}

TEST_F(RecordStoreTest, DeleteRecordRemovesIt) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertRecord(Record("A-1", "a", "b", "c", "d")).ok());
  RecordStore::WriteBatch batch = store->NewBatch();
  ASSERT_TRUE(batch.DeleteRecord("A-1").ok());
  ASSERT_TRUE(batch.DeleteRecord("never-stored").ok());
  ASSERT_TRUE(store->Commit(std::move(batch)).ok());
  absl::StatusOr<std::optional<StoredRecord>> got = store->GetRecord("A-1");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(RecordStoreTest, BatchCommitsRecordsAndCheckpointTogether) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  RecordStore::WriteBatch batch = store->NewBatch();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        batch.PutRecord(Record(absl::StrCat("id-", i), "n", "f", "d", "p"))
            .ok());
  }
  ASSERT_TRUE(batch.PutMeta("ingest/checkpoint", "line=101").ok());
  EXPECT_EQ(batch.operation_count(), 101u);

  // Nothing is visible before Commit.
  absl::StatusOr<uint64_t> count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0u);
  absl::StatusOr<std::optional<std::string>> checkpoint =
      store->GetMeta("ingest/checkpoint");
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_FALSE(checkpoint->has_value());

  ASSERT_TRUE(store->Commit(std::move(batch)).ok());
  count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 100u);
  checkpoint = store->GetMeta("ingest/checkpoint");
  ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
  EXPECT_EQ(**checkpoint, "line=101");
}

TEST_F(RecordStoreTest, DroppedBatchLeavesNothing) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  {
    RecordStore::WriteBatch batch = store->NewBatch();
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(
          batch.PutRecord(Record(absl::StrCat("id-", i), "n", "f", "d", "p"))
              .ok());
    }
    ASSERT_TRUE(batch.PutMeta("ingest/checkpoint", "line=51").ok());
    ASSERT_TRUE(batch.AppendLocalAudit("release 1").ok());
  }  // dropped: an ingest that stopped before committing
  store.reset();
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<uint64_t> count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0u);
  absl::StatusOr<std::optional<std::string>> checkpoint =
      store->GetMeta("ingest/checkpoint");
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_FALSE(checkpoint->has_value());
  int audit_entries = 0;
  ASSERT_TRUE(store
                  ->ForEachLocalAudit([&](uint64_t, std::string) {
                    ++audit_entries;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(audit_entries, 0);
}

TEST_F(RecordStoreTest, BatchWithAFailedWriteCannotBeCommitted) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  RecordStore::WriteBatch batch = store->NewBatch();
  ASSERT_TRUE(batch.PutRecord(Record("good-1", "n", "f", "d", "p")).ok());
  StoredRecord bad = Record("bad", "n", "f", "d", "p");
  bad.identifiers.push_back(Field("last_name", "duplicate role"));
  const absl::Status put = batch.PutRecord(bad);
  EXPECT_EQ(put.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(put.message(), Not(HasSubstr("duplicate role")));
  ASSERT_TRUE(batch.PutRecord(Record("good-2", "n", "f", "d", "p")).ok());
  ASSERT_TRUE(batch.PutMeta("ingest/checkpoint", "line=4").ok());
  EXPECT_EQ(batch.failure().code(), absl::StatusCode::kInvalidArgument);

  const absl::Status commit = store->Commit(std::move(batch));
  EXPECT_EQ(commit.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(commit.message(), HasSubstr("nothing written"));
  absl::StatusOr<uint64_t> count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0u);
  absl::StatusOr<std::optional<std::string>> checkpoint =
      store->GetMeta("ingest/checkpoint");
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_FALSE(checkpoint->has_value());
}

TEST_F(RecordStoreTest, RefusesBatchOfAnotherStore) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  const std::string other_path = dir_ + "/other";
  absl::StatusOr<std::unique_ptr<RecordStore>> other =
      RecordStore::Open(other_path, key_);
  ASSERT_TRUE(other.ok()) << other.status();
  RecordStore::WriteBatch batch = (*other)->NewBatch();
  ASSERT_TRUE(batch.PutRecord(Record("x", "n", "f", "d", "p")).ok());
  EXPECT_EQ(store->Commit(std::move(batch)).code(),
            absl::StatusCode::kInvalidArgument);
}

// A record as an ingest run writes it.
// The records counted over the keys, independently of the store's count.
uint64_t ScannedRecords(const RecordStore& store) {
  uint64_t n = 0;
  EXPECT_TRUE(store
                  .ForEachRecord([&](StoredRecord) {
                    ++n;
                    return absl::OkStatus();
                  })
                  .ok());
  return n;
}

uint64_t CountOf(const RecordStore& store) {
  absl::StatusOr<uint64_t> count = store.CountRecords();
  EXPECT_TRUE(count.ok()) << count.status();
  return count.ok() ? *count : ~uint64_t{0};
}

StoredRecord RunRecord(const std::string& local_id, const std::string& last,
                       uint64_t run) {
  StoredRecord record = Record(local_id, last, "f", "d", "p");
  record.ingest_run = run;
  return record;
}

TEST_F(RecordStoreTest, RunWriteCheckKeepsTheFirstWriteOfALocalIdPerRun) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  // Before the run: "old" from an earlier run, "plain" written without one.
  ASSERT_TRUE(store->UpsertRecord(RunRecord("old", "earlier", 7)).ok());
  ASSERT_TRUE(store->UpsertRecord(Record("plain", "p", "f", "d", "p")).ok());

  // The run's first batch: "a" twice (the second repeats the first).
  RecordStore::WriteBatch first = store->NewBatch();
  ASSERT_TRUE(first.PutRecord(RunRecord("a", "one", 9)).ok());
  ASSERT_TRUE(first.PutRecord(RunRecord("old", "two", 9)).ok());
  ASSERT_TRUE(first.PutRecord(RunRecord("a", "three", 9)).ok());
  ASSERT_TRUE(first.PutRecord(RunRecord("plain", "four", 9)).ok());
  absl::StatusOr<RecordStore::RunWriteCheck> check =
      store->RemoveRepeatedRunWrites(&first);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_THAT(check->removed, ::testing::ElementsAre(2u));
  EXPECT_EQ(check->replacing, 2u);  // "old" and "plain"
  EXPECT_EQ(first.operation_count(), 3u);
  ASSERT_TRUE(store->Commit(std::move(first)).ok());

  // The second batch repeats "a" and "old" of the first, twice each; "b"
  // is new; "a" written by another run is an update.
  RecordStore::WriteBatch second = store->NewBatch();
  ASSERT_TRUE(second.PutRecord(RunRecord("b", "five", 9)).ok());
  ASSERT_TRUE(second.PutRecord(RunRecord("old", "six", 9)).ok());
  ASSERT_TRUE(second.PutRecord(RunRecord("a", "seven", 9)).ok());
  ASSERT_TRUE(second.PutRecord(RunRecord("a", "eight", 9)).ok());
  ASSERT_TRUE(second.PutMeta("ingest/checkpoint", "2").ok());
  check = store->RemoveRepeatedRunWrites(&second);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_THAT(check->removed, ::testing::ElementsAre(1u, 2u, 3u));
  EXPECT_EQ(check->replacing, 0u);
  EXPECT_EQ(second.operation_count(), 2u);  // "b" and the meta entry
  ASSERT_TRUE(store->Commit(std::move(second)).ok());

  auto last_name = [&](const std::string& id) {
    absl::StatusOr<std::optional<StoredRecord>> r = store->GetRecord(id);
    EXPECT_TRUE(r.ok() && r->has_value()) << id;
    return r.ok() && r->has_value()
               ? Expose(*(*r)->FindIdentifier("last_name"))
               : std::string();
  };
  EXPECT_EQ(last_name("a"), "one");
  EXPECT_EQ(last_name("old"), "two");
  EXPECT_EQ(last_name("plain"), "four");
  EXPECT_EQ(last_name("b"), "five");
  EXPECT_EQ(CountOf(*store), 4u);  // old, plain, a, b
  absl::StatusOr<std::optional<StoredRecord>> a = store->GetRecord("a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->ingest_run, 9u);

  // A later run replaces what run 9 wrote.
  RecordStore::WriteBatch later = store->NewBatch();
  ASSERT_TRUE(later.PutRecord(RunRecord("a", "nine", 10)).ok());
  check = store->RemoveRepeatedRunWrites(&later);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->removed.empty());
  EXPECT_EQ(check->replacing, 1u);
  ASSERT_TRUE(store->Commit(std::move(later)).ok());
  EXPECT_EQ(last_name("a"), "nine");
}

TEST_F(RecordStoreTest, RunWriteCheckRefusesMixedRunsFailedAndForeignBatches) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  RecordStore::WriteBatch mixed = store->NewBatch();
  ASSERT_TRUE(mixed.PutRecord(RunRecord("a", "n", 1)).ok());
  ASSERT_TRUE(mixed.PutRecord(RunRecord("b", "n", 2)).ok());
  EXPECT_EQ(store->RemoveRepeatedRunWrites(&mixed).status().code(),
            absl::StatusCode::kInvalidArgument);

  RecordStore::WriteBatch failed = store->NewBatch();
  ASSERT_FALSE(failed.PutRecord(RunRecord("", "n", 1)).ok());
  EXPECT_EQ(store->RemoveRepeatedRunWrites(&failed).status().code(),
            absl::StatusCode::kFailedPrecondition);

  absl::StatusOr<std::unique_ptr<RecordStore>> other =
      RecordStore::Open(dir_ + "/other", key_);
  ASSERT_TRUE(other.ok()) << other.status();
  RecordStore::WriteBatch foreign = (*other)->NewBatch();
  ASSERT_TRUE(foreign.PutRecord(RunRecord("a", "n", 1)).ok());
  EXPECT_EQ(store->RemoveRepeatedRunWrites(&foreign).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A stored record that fails authentication stops the check: its run is
// unknown, so the write could be either a duplicate or an update.
TEST_F(RecordStoreTest, RunWriteCheckOfATamperedRecordIsDataLoss) {
  {
    std::unique_ptr<RecordStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->UpsertRecord(RunRecord("a", "n", 1)).ok());
  }
  {
    RawDb raw(path_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    for (auto [key, value] : raw.Entries(ColumnFamily::kRecords)) {
      value[value.size() / 2] ^= 1;
      raw.Put(ColumnFamily::kRecords, key, value);
    }
  }
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  RecordStore::WriteBatch batch = store->NewBatch();
  ASSERT_TRUE(batch.PutRecord(RunRecord("a", "n", 1)).ok());
  absl::StatusOr<RecordStore::RunWriteCheck> check =
      store->RemoveRepeatedRunWrites(&batch);
  EXPECT_EQ(check.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(check.status().message(), HasSubstr("records"));
}

TEST_F(RecordStoreTest, EverythingPersistsAcrossReopen) {
  {
    std::unique_ptr<RecordStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store->UpsertRecord(Record("A-1", "Smith", "Ann", "1990", "BSc")).ok());
    ASSERT_TRUE(store->PutJobState("job-1", "state bytes\x01\x02").ok());
    ASSERT_TRUE(store->PutMeta("schema", "v3").ok());
    RecordStore::WriteBatch batch = store->NewBatch();
    ASSERT_TRUE(batch.PutPseudonym("job-1", 42, "A-1").ok());
    ASSERT_TRUE(batch.AppendLocalAudit("released job-1").ok());
    ASSERT_TRUE(store->Commit(std::move(batch)).ok());
  }
  std::unique_ptr<RecordStore> store = OpenStore({.create_if_missing = false});
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::optional<StoredRecord>> record = store->GetRecord("A-1");
  ASSERT_TRUE(record.ok() && record->has_value()) << record.status();
  EXPECT_EQ(**record, Record("A-1", "Smith", "Ann", "1990", "BSc"));
  absl::StatusOr<std::optional<std::string>> state =
      store->GetJobState("job-1");
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ(**state, "state bytes\x01\x02");
  absl::StatusOr<std::optional<std::string>> meta = store->GetMeta("schema");
  ASSERT_TRUE(meta.ok() && meta->has_value());
  EXPECT_EQ(**meta, "v3");
  EXPECT_EQ(PseudonymsOf(*store, "job-1"),
            (std::map<uint64_t, std::string>{{42, "A-1"}}));

  // Audit sequence numbers continue after a reopen.
  RecordStore::WriteBatch batch = store->NewBatch();
  ASSERT_TRUE(batch.AppendLocalAudit("released job-2").ok());
  ASSERT_TRUE(store->Commit(std::move(batch)).ok());
  std::vector<std::pair<uint64_t, std::string>> audit;
  ASSERT_TRUE(
      store
          ->ForEachLocalAudit([&](uint64_t sequence, std::string entry) {
            audit.emplace_back(sequence, std::move(entry));
            return absl::OkStatus();
          })
          .ok());
  EXPECT_THAT(audit,
              ::testing::ElementsAre(
                  std::make_pair(uint64_t{1}, std::string("released job-1")),
                  std::make_pair(uint64_t{2}, std::string("released job-2"))));
}

TEST_F(RecordStoreTest, MissingStoreIsNotFoundWithoutCreate) {
  absl::StatusOr<std::unique_ptr<RecordStore>> store =
      RecordStore::Open(path_, key_, {.create_if_missing = false});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(store.status().message(), HasSubstr(path_));
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(RecordStoreTest, RefusesAtRestKeyOfWrongSize) {
  absl::StatusOr<std::unique_ptr<RecordStore>> store =
      RecordStore::Open(path_, crypto::SecretBytes::Zeroed(16));
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RecordStoreTest, WrongKeyIsAClearErrorNotGarbage) {
  {
    std::unique_ptr<RecordStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store->UpsertRecord(Record("A-1", "Smith", "Ann", "1990", "BSc")).ok());
  }
  absl::StatusOr<crypto::SecretBytes> wrong = crypto::SecretBytes::Random(32);
  ASSERT_TRUE(wrong.ok());
  absl::StatusOr<std::unique_ptr<RecordStore>> store =
      RecordStore::Open(path_, *wrong);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(store.status().message(), HasSubstr("at-rest key"));
  EXPECT_THAT(store.status().message(), HasSubstr(path_));
  // The right key still opens it: the failed attempt changed nothing.
  std::unique_ptr<RecordStore> reopened = OpenStore();
  ASSERT_NE(reopened, nullptr);
  absl::StatusOr<uint64_t> count = reopened->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1u);
}

TEST_F(RecordStoreTest, SecondOpenOfTheSameStoreIsRefused) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::unique_ptr<RecordStore>> second =
      RecordStore::Open(path_, key_);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(path_));
}

TEST_F(RecordStoreTest, TamperedValueIsDataLoss) {
  {
    std::unique_ptr<RecordStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (const char* id : {"A-1", "B-2", "C-3"}) {
      ASSERT_TRUE(
          store->UpsertRecord(Record(id, "Tamperson", "T", "1", "p")).ok());
    }
  }
  {
    RawDb raw(path_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    std::map<std::string, std::string> records =
        raw.Entries(ColumnFamily::kRecords);
    ASSERT_EQ(records.size(), 3u);
    auto first = records.begin();
    std::string value = first->second;
    value[value.size() / 2] ^= 0x01;
    raw.Put(ColumnFamily::kRecords, first->first, value);
  }
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  int data_loss = 0;
  for (const char* id : {"A-1", "B-2", "C-3"}) {
    absl::StatusOr<std::optional<StoredRecord>> got = store->GetRecord(id);
    if (got.ok()) continue;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(got.status().message(), HasSubstr("failed authentication"));
    EXPECT_THAT(got.status().message(), Not(HasSubstr("Tamperson")));
    ++data_loss;
  }
  EXPECT_EQ(data_loss, 1);
  const absl::Status scan =
      store->ForEachRecord([](StoredRecord) { return absl::OkStatus(); });
  EXPECT_EQ(scan.code(), absl::StatusCode::kDataLoss);
}

TEST_F(RecordStoreTest, ValueMovedToAnotherKeyIsDataLoss) {
  {
    std::unique_ptr<RecordStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->UpsertRecord(Record("A-1", "a", "a", "a", "a")).ok());
    ASSERT_TRUE(store->UpsertRecord(Record("B-2", "b", "b", "b", "b")).ok());
    ASSERT_TRUE(store->PutMeta("m", "meta value").ok());
  }
  {
    RawDb raw(path_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    std::map<std::string, std::string> records =
        raw.Entries(ColumnFamily::kRecords);
    ASSERT_EQ(records.size(), 2u);
    const std::string key_a = records.begin()->first;
    const std::string key_b = std::next(records.begin())->first;
    raw.Put(ColumnFamily::kRecords, key_a, records[key_b]);
    raw.Put(ColumnFamily::kRecords, key_b, records[key_a]);
    // A sealed meta value copied under another meta name.
    raw.Put(ColumnFamily::kMeta, "n", raw.Entries(ColumnFamily::kMeta)["m"]);
  }
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetRecord("A-1").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(store->GetRecord("B-2").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_TRUE(store->GetMeta("m").ok());
  EXPECT_EQ(store->GetMeta("n").status().code(), absl::StatusCode::kDataLoss);
}

// Builds values exactly as record_store.h documents, with only the at-rest
// key: the documented format is the implemented one. A record in a future
// format version is then refused, not misread.
TEST_F(RecordStoreTest, DocumentedFormatAndUnknownRecordVersionIsRefused) {
  { ASSERT_NE(OpenStore(), nullptr); }
  absl::StatusOr<crypto::SecretBytes> mac_key =
      crypto::HkdfSha256(key_, {}, kRecordKeyInfo, 32);
  absl::StatusOr<crypto::SecretBytes> value_key =
      crypto::HkdfSha256(key_, {}, kValueKeyInfo, 32);
  ASSERT_TRUE(mac_key.ok() && value_key.ok());
  absl::StatusOr<crypto::HmacSha256> mac = crypto::HmacSha256::Create(*mac_key);
  absl::StatusOr<crypto::Aead> aead =
      crypto::Aead::Create(crypto::AeadAlgorithm::kAes256Gcm, *value_key);
  ASSERT_TRUE(mac.ok() && aead.ok());
  auto key_of = [&](const std::string& local_id) {
    absl::StatusOr<crypto::HmacSha256Tag> tag = mac->Compute(local_id);
    EXPECT_TRUE(tag.ok());
    return std::string(reinterpret_cast<const char*>(tag->data()), tag->size());
  };
  auto sealed = [&](const std::string& key, const std::string& plaintext) {
    absl::StatusOr<std::string> out = aead->SealWithRandomNonce(
        plaintext, std::string("records") + '\0' + key);
    EXPECT_TRUE(out.ok());
    return *out;
  };
  absl::StatusOr<SensitiveString> current =
      SerializeStoredRecord(Record("now", "a", "b", "c", "d"));
  absl::StatusOr<SensitiveString> future =
      SerializeStoredRecord(Record("future", "a", "b", "c", "d"));
  ASSERT_TRUE(current.ok() && future.ok());
  std::string future_bytes(future->Expose());
  future_bytes[0] = kStoredRecordFormatVersion + 1;
  {
    RawDb raw(path_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.Put(ColumnFamily::kRecords, key_of("now"),
            sealed(key_of("now"), std::string(current->Expose())));
    raw.Put(ColumnFamily::kRecords, key_of("future"),
            sealed(key_of("future"), future_bytes));
  }
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::optional<StoredRecord>> now = store->GetRecord("now");
  ASSERT_TRUE(now.ok() && now->has_value()) << now.status();
  EXPECT_EQ(**now, Record("now", "a", "b", "c", "d"));
  absl::StatusOr<std::optional<StoredRecord>> later =
      store->GetRecord("future");
  EXPECT_EQ(later.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(later.status().message(), HasSubstr("format version 3"));
}

TEST_F(RecordStoreTest, RefusesUnknownStoreVersionAndUnknownFamily) {
  { ASSERT_NE(OpenStore(), nullptr); }
  {
    RawDb raw(path_);
    ASSERT_TRUE(raw.status().ok());
    std::string header =
        raw.Entries(ColumnFamily::kDefault)[std::string(kHeaderKey)];
    ASSERT_FALSE(header.empty());
    header[0] = 2;
    raw.Put(ColumnFamily::kDefault, std::string(kHeaderKey), header);
  }
  absl::StatusOr<std::unique_ptr<RecordStore>> store =
      RecordStore::Open(path_, key_);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("format version 2"));

  std::filesystem::remove_all(path_);
  { ASSERT_NE(OpenStore(), nullptr); }
  {
    RawDb raw(path_, {"future_family"});
    ASSERT_TRUE(raw.status().ok());
  }
  store = RecordStore::Open(path_, key_);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("'future_family'"));
}

TEST_F(RecordStoreTest, StoreWithDataButNoHeaderIsRefused) {
  {
    std::unique_ptr<RecordStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->UpsertRecord(Record("A-1", "a", "b", "c", "d")).ok());
  }
  {
    RawDb raw(path_);
    ASSERT_TRUE(raw.status().ok());
    ASSERT_TRUE(raw.db()
                    ->Delete(rocksdb::WriteOptions(),
                             raw.handle(ColumnFamily::kDefault),
                             std::string(kHeaderKey))
                    .ok());
  }
  absl::StatusOr<crypto::SecretBytes> other = crypto::SecretBytes::Random(32);
  ASSERT_TRUE(other.ok());
  absl::StatusOr<std::unique_ptr<RecordStore>> store =
      RecordStore::Open(path_, *other);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr("no header"));
}

TEST_F(RecordStoreTest, JobStateLifecycle) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->PutJobState("job-b", "encoding").ok());
  ASSERT_TRUE(store->PutJobState("job-a", "approved").ok());
  ASSERT_TRUE(store->PutJobState("job-a", "matching").ok());
  std::vector<std::pair<std::string, std::string>> states;
  ASSERT_TRUE(
      store
          ->ForEachJobState([&](std::string_view job, std::string state) {
            states.emplace_back(std::string(job), std::move(state));
            return absl::OkStatus();
          })
          .ok());
  EXPECT_THAT(
      states,
      ::testing::ElementsAre(
          std::make_pair(std::string("job-a"), std::string("matching")),
          std::make_pair(std::string("job-b"), std::string("encoding"))));
  ASSERT_TRUE(store->DeleteJobState("job-a").ok());
  absl::StatusOr<std::optional<std::string>> gone = store->GetJobState("job-a");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());

  for (std::string_view bad :
       {std::string_view(""), std::string_view("job/1"),
        std::string_view("job 1"), std::string_view("j\n")}) {
    EXPECT_EQ(store->PutJobState(bad, "x").code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(store->GetJobState(bad).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(store->PutJobState(std::string(kMaxNameBytes + 1, 'j'), "x").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RecordStoreTest, PseudonymMapsArePerJobAndDropCleanly) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  RecordStore::WriteBatch batch = store->NewBatch();
  // "job" is a prefix of "job1": the maps must still not overlap.
  for (uint64_t p = 0; p < 20; ++p) {
    ASSERT_TRUE(batch.PutPseudonym("job", p, absl::StrCat("L", p)).ok());
    ASSERT_TRUE(batch.PutPseudonym("job1", p * 7, absl::StrCat("M", p)).ok());
  }
  ASSERT_TRUE(batch.PutPseudonym("job", ~uint64_t{0}, "Lmax").ok());
  ASSERT_TRUE(store->Commit(std::move(batch)).ok());

  absl::StatusOr<uint64_t> count = store->CountPseudonyms("job");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 21u);
  std::map<uint64_t, std::string> job1 = PseudonymsOf(*store, "job1");
  EXPECT_EQ(job1.size(), 20u);
  EXPECT_EQ(job1[14], "M2");
  EXPECT_EQ(job1.count(15), 0u);
  std::map<uint64_t, std::string> job = PseudonymsOf(*store, "job");
  EXPECT_EQ(job.size(), 21u);
  EXPECT_EQ(job.rbegin()->first, ~uint64_t{0});
  EXPECT_EQ(job.rbegin()->second, "Lmax");

  ASSERT_TRUE(store->DropPseudonyms("job").ok());
  count = store->CountPseudonyms("job");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0u);
  EXPECT_TRUE(PseudonymsOf(*store, "job").empty());
  count = store->CountPseudonyms("job1");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 20u);

  RecordStore::WriteBatch bad = store->NewBatch();
  EXPECT_EQ(bad.PutPseudonym("job", 1, "").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.PutPseudonym("bad job", 1, "x").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RecordStoreTest, MetaValuesOverwriteAndNamesAreChecked) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->PutMeta("ingest/source-sha256", "aa").ok());
  ASSERT_TRUE(store->PutMeta("ingest/source-sha256", "bb").ok());
  absl::StatusOr<std::optional<std::string>> meta =
      store->GetMeta("ingest/source-sha256");
  ASSERT_TRUE(meta.ok() && meta->has_value());
  EXPECT_EQ(**meta, "bb");
  EXPECT_EQ(store->PutMeta("", "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->PutMeta("a b", "x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store->PutMeta("m", std::string(kMaxOpaqueValueBytes + 1, 'x')).code(),
      absl::StatusCode::kInvalidArgument);
}

// A random string of capital letters: no 4-byte run repeats within a few
// kilobytes, so even a compressed block would keep it verbatim.
std::string Distinctive(std::mt19937_64& rng, size_t length) {
  std::uniform_int_distribution<int> letter('A', 'Z');
  std::string s;
  for (size_t i = 0; i < length; ++i)
    s.push_back(static_cast<char>(letter(rng)));
  return s;
}

std::string ReadAll(const std::filesystem::path& file) {
  std::string bytes;
  FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) return bytes;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0)
    bytes.append(buffer, n);
  std::fclose(f);
  return bytes;
}

bool FileContains(const std::filesystem::path& file,
                  const std::string& needle) {
  return ReadAll(file).find(needle) != std::string::npos;
}

// The at-rest canary: distinctive identifiers, attributes and local ids go
// in through every write path (records, pseudonym map, job state, meta,
// audit); then every byte of every file in the store directory — table
// files, WAL, MANIFEST, LOG, OPTIONS — is searched for them.
TEST_F(RecordStoreTest, AtRestCanaryNoValueOrLocalIdInAnyFile) {
  std::mt19937_64 rng(20240611);
  std::vector<std::string> needles;
  std::vector<StoredRecord> records;
  for (int i = 0; i < 40; ++i) {
    StoredRecord record =
        Record(Distinctive(rng, 12), Distinctive(rng, 14), Distinctive(rng, 10),
               Distinctive(rng, 10), Distinctive(rng, 16));
    needles.push_back(Expose(record.local_id));
    for (const StoredField& field : record.identifiers)
      needles.push_back(Expose(field.value));
    for (const StoredField& field : record.attributes)
      needles.push_back(Expose(field.value));
    records.push_back(std::move(record));
  }
  const std::string state = Distinctive(rng, 20);
  const std::string meta = Distinctive(rng, 20);
  const std::string audit = Distinctive(rng, 20);
  needles.insert(needles.end(), {state, meta, audit});
  {
    std::unique_ptr<RecordStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    // First half flushed to table files, second half left in the WAL.
    for (size_t half = 0; half < 2; ++half) {
      RecordStore::WriteBatch batch = store->NewBatch();
      for (size_t i = half * 20; i < half * 20 + 20; ++i) {
        ASSERT_TRUE(batch.PutRecord(records[i]).ok());
        ASSERT_TRUE(
            batch.PutPseudonym("job-1", i, records[i].local_id.Expose()).ok());
      }
      if (half == 0) {
        ASSERT_TRUE(batch.PutJobState("job-1", state).ok());
        ASSERT_TRUE(batch.PutMeta("checkpoint", meta).ok());
      } else {
        ASSERT_TRUE(batch.AppendLocalAudit(audit).ok());
      }
      ASSERT_TRUE(store->Commit(std::move(batch)).ok());
      if (half == 0) {
        ASSERT_TRUE(store->Flush().ok());
      }
    }
  }

  size_t files = 0;
  bool saw_table_file = false;
  bool saw_wal = false;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(path_)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string name = entry.path().filename().string();
    saw_table_file |= name.ends_with(".sst");
    saw_wal |= name.ends_with(".log") && entry.file_size() > 0;
    for (const std::string& needle : needles) {
      EXPECT_FALSE(FileContains(entry.path(), needle))
          << "a stored value appears in clear in " << name;
    }
  }
  EXPECT_GT(files, 3u);
  EXPECT_TRUE(saw_table_file);
  EXPECT_TRUE(saw_wal);
  // Control: the scan does see plain bytes the store writes (the family
  // names RocksDB keeps in its MANIFEST and OPTIONS files).
  bool control_found = false;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(path_)) {
    if (entry.is_regular_file() && FileContains(entry.path(), "pseudonyms")) {
      control_found = true;
    }
  }
  EXPECT_TRUE(control_found);

  // And the data are all there for the key holder.
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (const StoredRecord& record : records) {
    absl::StatusOr<std::optional<StoredRecord>> got =
        store->GetRecord(record.local_id.Expose());
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ(**got, record);
  }
}

// Readers on several threads while a writer keeps replacing records: every
// read returns a whole record of one generation, never an error or a mix.
TEST_F(RecordStoreTest, ConcurrentReadersSeeWholeRecords) {
  std::unique_ptr<RecordStore> store = OpenStore({.sync_commits = false});
  ASSERT_NE(store, nullptr);
  constexpr int kRecords = 50;
  auto generation_record = [](int id, int generation) {
    const std::string g = absl::StrCat("g", generation);
    return Record(absl::StrCat("id-", id), g, g, g, g);
  };
  auto consistent = [](const StoredRecord& record) {
    const std::string g = Expose(*record.FindIdentifier("last_name"));
    return Expose(*record.FindIdentifier("first_name")) == g &&
           Expose(*record.FindIdentifier("dob")) == g &&
           Expose(*record.FindAttribute("program")) == g;
  };
  for (int id = 0; id < kRecords; ++id) {
    ASSERT_TRUE(store->UpsertRecord(generation_record(id, 0)).ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      while (!stop.load()) {
        for (int id = t; id < kRecords; id += 3) {
          absl::StatusOr<std::optional<StoredRecord>> got =
              store->GetRecord(absl::StrCat("id-", id));
          if (!got.ok() || !got->has_value() || !consistent(**got)) ++failures;
          ++reads;
        }
        int scanned = 0;
        const absl::Status scan =
            store->ForEachRecord([&](StoredRecord record) {
              if (!consistent(record)) ++failures;
              ++scanned;
              return absl::OkStatus();
            });
        if (!scan.ok() || scanned != kRecords) ++failures;
      }
    });
  }
  for (int generation = 1; generation <= 20; ++generation) {
    RecordStore::WriteBatch batch = store->NewBatch();
    for (int id = 0; id < kRecords; ++id) {
      ASSERT_TRUE(batch.PutRecord(generation_record(id, generation)).ok());
    }
    ASSERT_TRUE(store->Commit(std::move(batch)).ok());
  }
  // Let the readers finish at least one pass over the final generation.
  const int reads_at_end = reads.load();
  while (reads.load() < reads_at_end + 3 * kRecords) std::this_thread::yield();
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  absl::StatusOr<std::optional<StoredRecord>> last = store->GetRecord("id-7");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ(**last, generation_record(7, 20));
}

// Several threads build and commit their own batches at once (as a parallel
// ingest would): every record lands, and local audit sequence numbers stay
// unique and gapless.
TEST_F(RecordStoreTest, ParallelWritersCommitEverythingOnce) {
  std::unique_ptr<RecordStore> store = OpenStore({.sync_commits = false});
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 3;
  constexpr int kBatches = 10;
  constexpr int kPerBatch = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        RecordStore::WriteBatch batch = store->NewBatch();
        for (int i = 0; i < kPerBatch; ++i) {
          const std::string id = absl::StrCat("t", t, "-b", b, "-r", i);
          if (!batch.PutRecord(Record(id, id, "f", "d", "p")).ok()) ++failures;
        }
        if (!batch.AppendLocalAudit(absl::StrCat("t", t, "-b", b)).ok()) {
          ++failures;
        }
        if (!store->Commit(std::move(batch)).ok()) ++failures;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  absl::StatusOr<uint64_t> count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, uint64_t{kThreads * kBatches * kPerBatch});
  absl::StatusOr<std::optional<StoredRecord>> one =
      store->GetRecord("t2-b9-r19");
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ(Expose(*(*one)->FindIdentifier("last_name")), "t2-b9-r19");
  std::vector<uint64_t> sequences;
  std::set<std::string> entries;
  ASSERT_TRUE(
      store
          ->ForEachLocalAudit([&](uint64_t sequence, std::string entry) {
            sequences.push_back(sequence);
            entries.insert(std::move(entry));
            return absl::OkStatus();
          })
          .ok());
  ASSERT_EQ(sequences.size(), size_t{kThreads * kBatches});
  for (size_t i = 0; i < sequences.size(); ++i) EXPECT_EQ(sequences[i], i + 1);
  EXPECT_EQ(entries.size(), size_t{kThreads * kBatches});
}

TEST_F(RecordStoreTest, RecordCountFollowsInsertsReplacementsAndDeletes) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountOf(*store), 0u);
  ASSERT_TRUE(store->UpsertRecord(Record("a", "l", "f", "d", "p")).ok());
  ASSERT_TRUE(store->UpsertRecord(Record("b", "l", "f", "d", "p")).ok());
  ASSERT_TRUE(store->UpsertRecord(Record("a", "l2", "f", "d", "p")).ok());
  EXPECT_EQ(CountOf(*store), 2u);

  // One batch: "c" written twice, "a" replaced then deleted, "b" deleted
  // then written again, "zz" deleted though absent, plus a non-record write.
  RecordStore::WriteBatch batch = store->NewBatch();
  ASSERT_TRUE(batch.PutRecord(Record("c", "l", "f", "d", "p")).ok());
  ASSERT_TRUE(batch.PutRecord(Record("c", "l2", "f", "d", "p")).ok());
  ASSERT_TRUE(batch.PutRecord(Record("a", "l3", "f", "d", "p")).ok());
  ASSERT_TRUE(batch.DeleteRecord("a").ok());
  ASSERT_TRUE(batch.DeleteRecord("b").ok());
  ASSERT_TRUE(batch.PutRecord(Record("b", "l3", "f", "d", "p")).ok());
  ASSERT_TRUE(batch.DeleteRecord("zz").ok());
  ASSERT_TRUE(batch.PutMeta("note", "x").ok());
  ASSERT_TRUE(store->Commit(std::move(batch)).ok());
  EXPECT_EQ(CountOf(*store), 2u);  // b, c
  EXPECT_EQ(ScannedRecords(*store), 2u);

  // A dropped batch changes nothing; the count survives reopening.
  {
    RecordStore::WriteBatch dropped = store->NewBatch();
    ASSERT_TRUE(dropped.PutRecord(Record("d", "l", "f", "d", "p")).ok());
  }
  store.reset();
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountOf(*store), 2u);
}

// The lookups of RemoveRepeatedRunWrites serve the count only while no
// other record commit comes between them and the batch's commit.
TEST_F(RecordStoreTest, RecordCountStaysExactWhenACommitComesBetween) {
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertRecord(RunRecord("old", "x", 7)).ok());

  RecordStore::WriteBatch checked = store->NewBatch();
  ASSERT_TRUE(checked.PutRecord(RunRecord("new", "x", 9)).ok());
  ASSERT_TRUE(checked.PutRecord(RunRecord("old", "x", 9)).ok());
  ASSERT_TRUE(checked.PutRecord(RunRecord("late", "x", 9)).ok());
  absl::StatusOr<RecordStore::RunWriteCheck> check =
      store->RemoveRepeatedRunWrites(&checked);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->replacing, 1u);
  // After the check, "late" arrives: the check saw it absent.
  ASSERT_TRUE(store->UpsertRecord(Record("late", "y", "f", "d", "p")).ok());
  EXPECT_EQ(CountOf(*store), 2u);

  ASSERT_TRUE(store->Commit(std::move(checked)).ok());
  EXPECT_EQ(CountOf(*store), 3u);  // new, old, late
  EXPECT_EQ(ScannedRecords(*store), 3u);
}

// A store written before the count was kept has it counted when opened.
TEST_F(RecordStoreTest, RecordCountIsRebuiltForAStoreWithoutOne) {
  {
    std::unique_ptr<RecordStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 25; ++i) {
      ASSERT_TRUE(
          store->UpsertRecord(Record(absl::StrCat("r", i), "l", "f", "d", "p"))
              .ok());
    }
  }
  {
    RawDb raw(path_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    ASSERT_EQ(raw.Entries(ColumnFamily::kDefault).count(
                  std::string(kRecordCountKey)),
              1u);
    ASSERT_TRUE(raw.db()
                    ->Delete(rocksdb::WriteOptions(),
                             raw.handle(ColumnFamily::kDefault),
                             std::string(kRecordCountKey))
                    .ok());
  }
  std::unique_ptr<RecordStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountOf(*store), 25u);
  ASSERT_TRUE(store->UpsertRecord(Record("r99", "l", "f", "d", "p")).ok());
  EXPECT_EQ(CountOf(*store), 26u);
}

TEST_F(RecordStoreTest, TamperedRecordCountIsDataLoss) {
  { ASSERT_NE(OpenStore(), nullptr); }
  {
    RawDb raw(path_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.Put(ColumnFamily::kDefault, std::string(kRecordCountKey),
            std::string(40, 'x'));
  }
  absl::StatusOr<std::unique_ptr<RecordStore>> store =
      RecordStore::Open(path_, key_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(RecordStoreTest, ParallelOverlappingWritersKeepAnExactCount) {
  std::unique_ptr<RecordStore> store = OpenStore({.sync_commits = false});
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 3;
  constexpr int kIds = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      std::mt19937 random(t);
      for (int b = 0; b < 20; ++b) {
        RecordStore::WriteBatch batch = store->NewBatch();
        for (int i = 0; i < 15; ++i) {
          const std::string id = absl::StrCat("id", random() % kIds);
          const absl::Status s =
              random() % 4 == 0
                  ? batch.DeleteRecord(id)
                  : batch.PutRecord(Record(id, "l", "f", "d", "p"));
          if (!s.ok()) ++failures;
        }
        if (!store->Commit(std::move(batch)).ok()) ++failures;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountOf(*store), ScannedRecords(*store));
}

// --- IdlePool (the store's pools of HMAC states and AEAD contexts) ---

struct Counter {
  int uses = 0;
};

TEST(IdlePoolTest, ReusesAnIdleObjectInsteadOfMakingAnother) {
  int made = 0;
  IdlePool<Counter> pool([&]() -> absl::StatusOr<std::unique_ptr<Counter>> {
    ++made;
    return std::make_unique<Counter>();
  });
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<IdlePool<Counter>::Lease> lease = pool.Take();
    ASSERT_TRUE(lease.ok()) << lease.status();
    ++(*lease)->uses;
    EXPECT_EQ((**lease).uses, i + 1);  // the same object every time
  }
  EXPECT_EQ(made, 1);
}

TEST(IdlePoolTest, LeasesHeldAtOnceAreDistinctObjects) {
  int made = 0;
  IdlePool<Counter> pool([&]() -> absl::StatusOr<std::unique_ptr<Counter>> {
    ++made;
    return std::make_unique<Counter>();
  });
  {
    absl::StatusOr<IdlePool<Counter>::Lease> a = pool.Take();
    absl::StatusOr<IdlePool<Counter>::Lease> b = pool.Take();
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(&**a, &**b);
    // A moved lease gives its object back once, when the new owner goes.
    IdlePool<Counter>::Lease moved = *std::move(a);
    EXPECT_EQ(made, 2);
  }
  absl::StatusOr<IdlePool<Counter>::Lease> c = pool.Take();
  absl::StatusOr<IdlePool<Counter>::Lease> d = pool.Take();
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_NE(&**c, &**d);
  EXPECT_EQ(made, 2);  // both came back and were reused
}

TEST(IdlePoolTest, FactoryErrorIsReturnedAndNothingIsPooled) {
  bool fail = true;
  IdlePool<Counter> pool([&]() -> absl::StatusOr<std::unique_ptr<Counter>> {
    if (fail) return absl::InternalError("no context");
    return std::make_unique<Counter>();
  });
  absl::StatusOr<IdlePool<Counter>::Lease> lease = pool.Take();
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kInternal);
  fail = false;
  EXPECT_TRUE(pool.Take().ok());
}

TEST(IdlePoolTest, ConcurrentUsersNeverShareAnObject) {
  std::atomic<int> made{0};
  IdlePool<std::atomic<int>> pool(
      [&]() -> absl::StatusOr<std::unique_ptr<std::atomic<int>>> {
        ++made;
        return std::make_unique<std::atomic<int>>(0);
      });
  constexpr int kThreads = 4;
  std::atomic<int> shared{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        absl::StatusOr<IdlePool<std::atomic<int>>::Lease> lease = pool.Take();
        if (!lease.ok()) continue;
        // Only this thread holds the object: nobody else raises it meanwhile.
        if ((*lease)->fetch_add(1) != 0) ++shared;
        (*lease)->fetch_sub(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(shared.load(), 0);
  EXPECT_LE(made.load(), kThreads);
}

}  // namespace
}  // namespace fedlink::agent
