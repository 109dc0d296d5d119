// Release throughput: assignment batches → rows (research id + 2 columns)
// → 4 MiB HPKE chunks, from memory and from a flushed RocksDB record store,
// and the analyst's DecryptReleasedRows of the result. Reports rows/s.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/encoding/pseudonyms.h"
#include "agent/encoding/record_source.h"
#include "agent/encoding/record_store_source.h"
#include "agent/release/row_releaser.h"
#include "agent/store/record_store.h"
#include "benchmark/benchmark.h"
#include "linkage/crypto/sha256.h"
#include "linkage/crypto/x25519.h"
#include "proto/runtime/payload_crypto.h"

namespace fedlink::agent::release {
namespace {

StoredRecord Person(int i) {
  StoredRecord record;
  record.local_id = SensitiveString(absl::StrCat("L", 1000000 + i));
  record.identifiers = {
      {"last_name", SensitiveString(absl::StrCat("name", i))}};
  record.attributes = {
      {"program_code", SensitiveString(absl::StrCat("prog-", i % 17))},
      {"grad_year", SensitiveString(absl::StrCat(2000 + i % 20))}};
  return record;
}

std::vector<v1::AssignmentBatch> Assignments(uint32_t n) {
  std::vector<v1::AssignmentBatch> batches;
  for (uint32_t p = 0; p < n;) {
    v1::AssignmentBatch batch;
    batch.set_job_id("job-1");
    batch.set_sequence(batches.size());
    for (uint32_t k = 0; k < 65536 && p < n; ++k, ++p) {
      batch.add_pseudonyms(p);
      const crypto::Sha256Digest id = crypto::Sha256(absl::StrCat(p));
      batch.mutable_research_ids()->append(
          reinterpret_cast<const char*>(id.data()), 16);
    }
    batch.set_final_batch(p == n);
    batches.push_back(std::move(batch));
  }
  return batches;
}

struct Fixture {
  crypto::X25519PrivateKey analyst =
      crypto::X25519PrivateKey::Generate().value();
  v1::JobSpec spec;
  encoding::PseudonymMap map;
  std::vector<v1::AssignmentBatch> batches;

  explicit Fixture(int n) {
    const auto& pub = analyst.public_key().bytes();
    spec.set_output_mode(v1::OUTPUT_MODE_LINKED_MICRODATA);
    spec.mutable_analyst_key()->set_x25519_public_key(
        std::string(pub.begin(), pub.end()));
    spec.mutable_analyst_key()->set_aead(v1::HPKE_AEAD_AES_128_GCM);
    encoding::PseudonymMapBuilder builder;
    for (int i = 0; i < n; ++i)
      (void)builder.Add(absl::StrCat("L", 1000000 + i));
    map = builder.AssignInOrder();
    batches = Assignments(static_cast<uint32_t>(n));
  }

  std::vector<v1::PayloadChunk> Release(
      const encoding::RecordSource& source) const {
    std::vector<v1::PayloadChunk> chunks;
    auto releaser =
        RowReleaser::Create("job-1", "edu", spec, {"program_code", "grad_year"},
                            map, source,
                            [&chunks](v1::PayloadChunk chunk) {
                              chunks.push_back(std::move(chunk));
                              return absl::OkStatus();
                            })
            .value();
    for (const v1::AssignmentBatch& batch : batches) {
      if (!releaser->AddBatch(batch).ok()) std::abort();
    }
    if (!releaser->Finish().ok()) std::abort();
    return chunks;
  }
};

void BM_ReleaseFromMemory(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Fixture fixture(n);
  encoding::InMemoryRecordSource source;
  for (int i = 0; i < n; ++i) source.Add(Person(i));
  for (auto _ : state) benchmark::DoNotOptimize(fixture.Release(source));
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ReleaseFromMemory)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_ReleaseFromRecordStore(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::string dir =
      std::filesystem::temp_directory_path() / "fedlink_release_bench_XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) std::abort();
  {
    auto store =
        RecordStore::Open(
            dir, crypto::SecretBytes(crypto::Sha256(std::string_view("k"))))
            .value();
    for (int first = 0; first < n; first += 10000) {
      RecordStore::WriteBatch batch = store->NewBatch();
      for (int i = first; i < std::min(n, first + 10000); ++i)
        (void)batch.PutRecord(Person(i));
      if (!store->Commit(std::move(batch)).ok()) std::abort();
    }
    if (!store->Flush().ok()) std::abort();
    Fixture fixture(n);
    encoding::RecordStoreSource source(*store);
    for (auto _ : state) benchmark::DoNotOptimize(fixture.Release(source));
  }
  state.SetItemsProcessed(state.iterations() * n);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ReleaseFromRecordStore)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

void BM_DecryptReleasedRows(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Fixture fixture(n);
  encoding::InMemoryRecordSource source;
  for (int i = 0; i < n; ++i) source.Add(Person(i));
  const std::vector<v1::PayloadChunk> chunks = fixture.Release(source);
  for (auto _ : state) {
    auto rows = proto::DecryptReleasedRows(
        "job-1", "edu", v1::HPKE_AEAD_AES_128_GCM, fixture.analyst, chunks);
    if (!rows.ok() || rows->rows_size() != n) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_DecryptReleasedRows)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fedlink::agent::release
