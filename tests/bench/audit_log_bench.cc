// Audit log throughput: appends with a signed tree head per batch (the
// coordinator's policy), with and without syncing the write-ahead log, plus
// proof generation and offline verification. Entries look like the
// coordinator's (~170 bytes serialised).
//
//   build/<dir>/tests/audit_log_bench --benchmark_filter=AppendAndSign
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "linkage/crypto/ed25519.h"
#include "proto/audit/audit_log.h"
#include "proto/audit/audit_verifier.h"

namespace fedlink::audit {
namespace {

v1::AuditEntry MakeEntry(uint64_t i) {
  v1::AuditEntry entry;
  entry.set_time_unix_ms(1796104800000 + i);
  entry.mutable_actor()->set_role(v1::ROLE_AGENT);
  entry.mutable_actor()->set_name("health-dept");
  entry.mutable_actor()->set_agency("health-dept");
  entry.set_action(v1::AUDIT_ACTION_ENCODINGS_UPLOADED);
  entry.set_outcome(v1::AUDIT_OUTCOME_OK);
  entry.set_job_id(absl::StrCat("job-", i % 97));
  entry.set_agency("health-dept");
  entry.set_rpc("fedlink.v1.Coordinator/UploadEncodings");
  entry.set_reason("batch accepted");
  v1::AuditCount* records = entry.add_counts();
  records->set_name("records");
  records->set_value(4096 + i);
  return entry;
}

crypto::Ed25519PrivateKey BenchKey() {
  const std::string seed =
      absl::HexStringToBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  return *crypto::Ed25519PrivateKey::FromBytes(crypto::SecretBytes(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(seed.data()), seed.size())));
}

// A log in a fresh RocksDB under /tmp (a real disk, so sync costs what it
// costs), removed at the end of the benchmark.
class BenchLog {
 public:
  explicit BenchLog(bool sync) {
    std::string pattern =
        std::filesystem::temp_directory_path().string() + "/fedlink_audit_bench_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) abort();
    path_ = pattern;
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"audit", rocksdb::ColumnFamilyOptions()}};
    rocksdb::DB* db = nullptr;
    if (!rocksdb::DB::Open(options, path_, families, &handles_, &db).ok()) abort();
    db_.reset(db);
    AuditLogOptions log_options;
    log_options.log_id = "coordinator";
    log_options.sync_writes = sync;
    log_ = *AuditLog::Open(db_.get(), handles_[1], BenchKey(), log_options);
  }
  ~BenchLog() {
    log_.reset();
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      (void)db_->DestroyColumnFamilyHandle(handle);
    }
    db_.reset();
    std::filesystem::remove_all(path_);
  }
  AuditLog& log() { return *log_; }

 private:
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<AuditLog> log_;
};

// Arguments: entries per batch, sync (0/1). One signed head per batch, in
// the same WriteBatch as the entries.
void BM_AppendAndSign(benchmark::State& state) {
  const auto batch_size = static_cast<uint64_t>(state.range(0));
  BenchLog bench(state.range(1) != 0);
  std::vector<v1::AuditEntry> batch;
  uint64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    batch.clear();
    for (uint64_t i = 0; i < batch_size; ++i) batch.push_back(MakeEntry(next++));
    state.ResumeTiming();
    absl::StatusOr<v1::SignedTreeHead> head = bench.log().AppendBatchAndSign(batch);
    if (!head.ok()) state.SkipWithError("append failed");
    benchmark::DoNotOptimize(head);
  }
  state.SetItemsProcessed(static_cast<int64_t>(next));
  state.counters["entries"] = static_cast<double>(next);
}
BENCHMARK(BM_AppendAndSign)
    ->ArgNames({"batch", "sync"})
    ->ArgsProduct({{1, 10, 100, 1000}, {0, 1}})
    ->UseRealTime();

// Many threads each logging one event and waiting for its signed head (the
// coordinator's RPC handlers): group commit shares signature and sync.
// Argument: sync (0/1).
BenchLog* shared_log = nullptr;
void SetUpSharedLog(const benchmark::State& state) {
  shared_log = new BenchLog(state.range(0) != 0);
}
void TearDownSharedLog(const benchmark::State&) {
  delete shared_log;
  shared_log = nullptr;
}

void BM_AppendAndSignConcurrent(benchmark::State& state) {
  uint64_t next = static_cast<uint64_t>(state.thread_index()) << 32;
  int64_t appended = 0;
  for (auto _ : state) {
    const v1::AuditEntry entry = MakeEntry(next++);
    absl::StatusOr<v1::SignedTreeHead> head = shared_log->log().AppendBatchAndSign({entry});
    if (!head.ok()) state.SkipWithError("append failed");
    ++appended;
  }
  state.SetItemsProcessed(appended);
  state.counters["entries"] = static_cast<double>(appended);  // summed over threads
}
BENCHMARK(BM_AppendAndSignConcurrent)
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Setup(SetUpSharedLog)
    ->Teardown(TearDownSharedLog)
    ->Threads(1)
    ->Threads(8)
    ->Threads(32)
    ->UseRealTime();

constexpr uint64_t kProofLogSize = 100000;

// A log of kProofLogSize entries shared by the proof benchmarks.
BenchLog& ProofLog() {
  static BenchLog* const bench = [] {
    auto* b = new BenchLog(/*sync=*/false);
    std::vector<v1::AuditEntry> batch;
    for (uint64_t i = 0; i < kProofLogSize; ++i) {
      batch.push_back(MakeEntry(i));
      if (batch.size() == 1000) {
        if (!b->log().AppendBatchAndSign(batch).ok()) abort();
        batch.clear();
      }
    }
    return b;
  }();
  return *bench;
}

void BM_InclusionProof(benchmark::State& state) {
  AuditLog& log = ProofLog().log();
  uint64_t index = 12345;
  for (auto _ : state) {
    index = (index * 48271) % kProofLogSize;
    benchmark::DoNotOptimize(log.InclusionProof(index, kProofLogSize));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProof);

void BM_ConsistencyProof(benchmark::State& state) {
  AuditLog& log = ProofLog().log();
  uint64_t old_size = 12345;
  for (auto _ : state) {
    old_size = 1 + (old_size * 48271) % (kProofLogSize - 1);
    benchmark::DoNotOptimize(log.ConsistencyProof(old_size, kProofLogSize));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistencyProof);

// Offline verification of the whole exported log (heads every 1000 entries).
void BM_VerifyExport(benchmark::State& state) {
  absl::StatusOr<AuditLogExport> exported = ProofLog().log().Export();
  if (!exported.ok()) abort();
  const AuditVerifyOptions options{BenchKey().public_key(), "coordinator", std::nullopt, nullptr};
  for (auto _ : state) {
    absl::StatusOr<AuditVerdict> verdict = VerifyAuditLog(*exported, options);
    if (!verdict.ok() || !verdict->ok()) state.SkipWithError("verification failed");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(exported->entries.size()));
}
BENCHMARK(BM_VerifyExport)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fedlink::audit
