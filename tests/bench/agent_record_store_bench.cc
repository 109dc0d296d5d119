// The record store's share of ingest and of per-job encoding: committing
// FEBRL-like records in batches (MAC of the local id, serialisation,
// AES-256-GCM, RocksDB write with a synced WAL per batch), reading them all
// back (decrypting), and point lookups as release does them.
//   agent_record_store_bench --benchmark_filter=Commit
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/store/record_store.h"
#include "benchmark/benchmark.h"

namespace fedlink::agent {
namespace {

StoredField Field(std::string name, std::string value) {
  return StoredField{std::move(name), SensitiveString(std::move(value))};
}

// About the size of a FEBRL record after ingest: ten identifier fields and
// two attributes, ~130 bytes of values.
StoredRecord FebrlLikeRecord(uint64_t i) {
  StoredRecord record;
  record.local_id = SensitiveString(absl::StrCat("rec-", i, "-org"));
  record.identifiers = {
      Field("first_name", "charlotte"),
      Field("last_name", absl::StrCat("thorburn", i % 997)),
      Field("street_number", absl::StrCat(i % 300)),
      Field("address_1", "wilkins place"),
      Field("address_2", "lowanna"),
      Field("suburb", "kellerberrin"),
      Field("postcode", absl::StrCat(2000 + i % 7000)),
      Field("state", "nsw"),
      Field("dob", absl::StrCat(19000101 + i % 1000000)),
      Field("ssn", absl::StrCat(1000000 + i)),
  };
  record.attributes = {Field("program", "bsc"), Field("year", "2019")};
  return record;
}

class TempStore {
 public:
  explicit TempStore(const RecordStoreOptions& options = {}) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fedlink_store_bench_XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    absl::StatusOr<crypto::SecretBytes> key = crypto::SecretBytes::Random(32);
    if (!key.ok()) std::abort();
    absl::StatusOr<std::unique_ptr<RecordStore>> store =
        RecordStore::Open(dir_ + "/store", *key, options);
    if (!store.ok()) std::abort();
    store_ = std::move(*store);
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  RecordStore& store() { return *store_; }

 private:
  std::string dir_;
  std::unique_ptr<RecordStore> store_;
};

void Fill(RecordStore& store, uint64_t records, uint64_t batch_size) {
  for (uint64_t begin = 0; begin < records; begin += batch_size) {
    RecordStore::WriteBatch batch = store.NewBatch();
    for (uint64_t i = begin; i < std::min(records, begin + batch_size); ++i) {
      if (!batch.PutRecord(FebrlLikeRecord(i)).ok()) std::abort();
    }
    if (!batch.PutMeta("ingest/checkpoint", absl::StrCat(begin)).ok()) {
      std::abort();
    }
    if (!store.Commit(std::move(batch)).ok()) std::abort();
  }
}

// range(0) records in batches of range(1), synced commits.
void BM_CommitBatches(benchmark::State& state) {
  const uint64_t records = state.range(0);
  const uint64_t batch_size = state.range(1);
  for (auto _ : state) {
    state.PauseTiming();
    auto temp = std::make_unique<TempStore>();
    state.ResumeTiming();
    Fill(temp->store(), records, batch_size);
    state.PauseTiming();
    temp.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * records);
}
BENCHMARK(BM_CommitBatches)
    ->Args({100000, 10000})
    ->Args({100000, 1000})
    ->Unit(benchmark::kMillisecond);

// Reading every record back, decrypted and parsed, as per-job encoding does.
void BM_ForEachRecord(benchmark::State& state) {
  const uint64_t records = state.range(0);
  TempStore temp;
  Fill(temp.store(), records, 10000);
  for (auto _ : state) {
    uint64_t seen = 0;
    const absl::Status status =
        temp.store().ForEachRecord([&](StoredRecord record) {
          benchmark::DoNotOptimize(record);
          ++seen;
          return absl::OkStatus();
        });
    if (!status.ok() || seen != records) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * records);
}
BENCHMARK(BM_ForEachRecord)->Arg(100000)->Unit(benchmark::kMillisecond);

// Point lookups by local id, as release does for its assigned records.
void BM_GetRecord(benchmark::State& state) {
  constexpr uint64_t kRecords = 100000;
  TempStore temp;
  Fill(temp.store(), kRecords, 10000);
  std::vector<std::string> ids;
  for (uint64_t i = 0; i < kRecords; i += 7) {
    ids.push_back(absl::StrCat("rec-", i, "-org"));
  }
  size_t next = 0;
  for (auto _ : state) {
    absl::StatusOr<std::optional<StoredRecord>> record =
        temp.store().GetRecord(ids[next]);
    if (!record.ok() || !record->has_value()) std::abort();
    benchmark::DoNotOptimize(record);
    next = next + 1 == ids.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetRecord);

}  // namespace
}  // namespace fedlink::agent
