// Throughput of a job's encoding at the agent: FEBRL-like records (FEBRL4
// A and B, 10 000 records, repeated under new local ids to 100 000) with
// the FEBRL linkage schema (10 token recipes, 1024-bit CLK, method
// TOKENS_AND_BLOOM), through both passes — cohort selection with a
// one-condition filter and pseudonym shuffle, then lookup, re-normalisation,
// tokens, CLK and batch assembly. Records come from memory or from a real
// record store (RocksDB + AES-GCM at rest, in a temporary directory).
//   agent_job_encoder_bench --benchmark_repetitions=3
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/encoding/job_encoder.h"
#include "agent/encoding/record_store_source.h"
#include "agent/store/record_store.h"
#include "benchmark/benchmark.h"
#include "linkage/crypto/sha256.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "tests/support/febrl.h"
#include "tests/support/febrl_encoding.h"

namespace fedlink::agent::encoding {
namespace {

constexpr int kCopies = 10;

std::optional<std::string_view> Column(const testing::FebrlRecord& r,
                                       std::string_view name) {
  if (name == "given_name") return r.given_name;
  if (name == "surname") return r.surname;
  if (name == "street_number") return r.street_number;
  if (name == "address_1") return r.address_1;
  if (name == "address_2") return r.address_2;
  if (name == "suburb") return r.suburb;
  if (name == "postcode") return r.postcode;
  if (name == "state") return r.state;
  if (name == "date_of_birth") return r.date_of_birth;
  return std::nullopt;
}

const schema::LinkageSchema& Schema() {
  static const auto* schema =
      new schema::LinkageSchema(*testing::LoadFebrlSchema());
  return *schema;
}

// The records as ingest would store them: identifiers normalised, missing
// and invalid values left out; "state" also as an attribute for the filter.
const std::vector<StoredRecord>& Records() {
  static const auto* records = [] {
    auto* out = new std::vector<StoredRecord>();
    normalize::DateOptions dates;
    dates.formats = {"%Y%m%d"};
    auto normalizer = encode::RecordNormalizer::Create(Schema(), dates);
    std::vector<std::optional<std::string_view>> raw(Schema().fields.size());
    encode::NormalizedRecord normalized;
    std::vector<encode::FieldReport> report;
    for (const char* file : {"dataset4a.csv", "dataset4b.csv"}) {
      auto loaded = testing::LoadFebrl(testing::FebrlPath(file));
      if (!loaded.ok() || !normalizer.ok()) return out;
      for (const testing::FebrlRecord& r : *loaded) {
        for (size_t f = 0; f < raw.size(); ++f) {
          raw[f] = Column(r, Schema().fields[f].name);
        }
        if (!normalizer->Normalize(raw, &normalized, &report).ok()) continue;
        for (int copy = 0; copy < kCopies; ++copy) {
          StoredRecord stored;
          stored.local_id = SensitiveString(absl::StrCat(r.rec_id, "-", copy));
          for (size_t f = 0; f < raw.size(); ++f) {
            if (normalized.values[f].has_value()) {
              stored.identifiers.push_back(
                  {Schema().fields[f].name, *normalized.values[f]});
            }
          }
          stored.attributes.push_back({"state", SensitiveString(r.state)});
          out->push_back(std::move(stored));
        }
      }
    }
    return out;
  }();
  return *records;
}

std::unique_ptr<JobEncoder> Encoder(int threads) {
  EncodeJobParams params;
  params.job_id = "bench";
  params.agency = "agency-a";
  params.method = v1::LINKAGE_METHOD_TOKENS_AND_BLOOM;
  params.linkage_schema = proto::MakeLinkageSchemaSpec(Schema());
  params.job_nonce = std::string(32, 'n');
  v1::CohortCondition* condition = params.cohort.add_all_of();
  condition->set_column("state");
  condition->set_comparison(v1::COMPARISON_PRESENT);
  condition->set_compare_as(v1::VALUE_TYPE_TEXT);
  JobEncoderOptions options;
  options.threads = threads;
  auto encoder = JobEncoder::Create(
      params, crypto::SecretBytes(crypto::Sha256(std::string_view("secret"))),
      std::move(options));
  return encoder.ok() ? *std::move(encoder) : nullptr;
}

void RunJob(benchmark::State& state, const RecordSource& source, size_t n) {
  std::unique_ptr<JobEncoder> encoder =
      Encoder(static_cast<int>(state.range(0)));
  if (encoder == nullptr || n == 0) {
    state.SkipWithError("setup failed (FEBRL data or schema missing?)");
    return;
  }
  size_t bytes = 0;
  for (auto _ : state) {
    auto selection = encoder->SelectCohort(source);
    if (!selection.ok()) {
      state.SkipWithError("SelectCohort failed");
      return;
    }
    const absl::Status status = encoder->EncodeCohort(
        selection->pseudonyms, source, 0, [&](const v1::EncodingBatch& batch) {
          bytes += batch.ByteSizeLong();
          return absl::OkStatus();
        });
    if (!status.ok()) {
      state.SkipWithError("EncodeCohort failed");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_EncodeJobFromMemory(benchmark::State& state) {
  static const auto* source = new InMemoryRecordSource(Records());
  RunJob(state, *source, source->size());
}
BENCHMARK(BM_EncodeJobFromMemory)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// A store in a temporary directory, filled once, removed at exit.
struct TempStore {
  std::string dir;
  std::unique_ptr<RecordStore> store;
  ~TempStore() {
    store.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

// Fills a store with Records(); null on failure.
std::unique_ptr<TempStore> FillStore() {
  auto t = std::make_unique<TempStore>();
  std::string pattern =
      (std::filesystem::temp_directory_path() / "fedlink_bench_XXXXXX")
          .string();
  if (mkdtemp(pattern.data()) == nullptr) return nullptr;
  t->dir = pattern;
  auto key = crypto::SecretBytes::Random(32);
  if (!key.ok()) return nullptr;
  auto store =
      RecordStore::Open(t->dir + "/store", *key, {.sync_commits = false});
  if (!store.ok()) return nullptr;
  t->store = *std::move(store);
  for (size_t i = 0; i < Records().size(); i += 10000) {
    RecordStore::WriteBatch batch = t->store->NewBatch();
    for (size_t k = i; k < std::min(Records().size(), i + 10000); ++k) {
      if (!batch.PutRecord(Records()[k]).ok()) return nullptr;
    }
    if (!t->store->Commit(std::move(batch)).ok()) return nullptr;
  }
  // Read from table files, as a store filled by earlier ingests would be,
  // not from the memtable.
  if (!t->store->Flush().ok()) return nullptr;
  return t;
}

void BM_EncodeJobFromStore(benchmark::State& state) {
  static const std::unique_ptr<TempStore> temp = FillStore();
  if (temp == nullptr) {
    state.SkipWithError("could not fill a record store");
    return;
  }
  const RecordStoreSource source(*temp->store);
  RunJob(state, source, Records().size());
}
BENCHMARK(BM_EncodeJobFromStore)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

}  // namespace
}  // namespace fedlink::agent::encoding
