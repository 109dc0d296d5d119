#include "agent/ingest/ingest_pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::ingest {
namespace {

absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

std::string Iso8601(std::chrono::system_clock::time_point t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromChrono(t),
                          absl::UTCTimeZone());
}

// Prefixes `status` with the input's name, keeping its code.
absl::Status WithSource(const absl::Status& status, std::string_view source) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("ingest of ", Sv(source),
                                                  ": ", status.message()));
}

absl::Status ValidateOptions(const IngestOptions& options,
                             const IngestInput& input) {
  if (input.stream == nullptr) {
    return absl::InvalidArgumentError("ingest: no input stream");
  }
  if (input.name.empty() || input.name.size() > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest: input name is ", input.name.size(),
                     " bytes (allowed: 1..256)"));
  }
  for (const char c : input.name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "ingest: input name contains a control character");
    }
  }
  if (options.batch_size < 1 || options.batch_size > kMaxIngestBatchSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest: batch size ", options.batch_size,
                     " is out of range (allowed: 1..", kMaxIngestBatchSize,
                     ")"));
  }
  if (options.seal_threads < 1 || options.seal_threads > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest: seal threads ", options.seal_threads,
                     " is out of range (allowed: 1..16)"));
  }
  if (options.max_batches_in_flight < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ingest: max batches in flight ", options.max_batches_in_flight,
        " is out of range (allowed: 2 or more)"));
  }
  if (!options.clock) {
    return absl::InvalidArgumentError("ingest: no clock");
  }
  return absl::OkStatus();
}

// An accepted row in the store's form; moves the values out of `record`.
StoredRecord ToStoredRecord(ValidatedRecord record) {
  StoredRecord stored;
  stored.local_id = std::move(record.local_id);
  stored.identifiers.reserve(record.identifiers.size());
  for (IdentifierValue& v : record.identifiers) {
    stored.identifiers.push_back(
        StoredField{.name = std::move(v.field), .value = std::move(v.value)});
  }
  stored.attributes.reserve(record.attributes.size());
  for (AttributeValue& v : record.attributes) {
    stored.attributes.push_back(
        StoredField{.name = std::move(v.name), .value = std::move(v.text)});
  }
  return stored;
}

// One batch on its way to the store.
struct PendingBatch {
  uint64_t sequence = 0;  // 1-based, file order
  std::vector<StoredRecord> records;
  std::string checkpoint;  // JSON for kIngestCheckpointMeta
  std::optional<RecordStore::WriteBatch> sealed;
};

// Seals batches on `seal_threads` workers and commits them in sequence order
// on one commit thread. Submit blocks while max_batches_in_flight batches
// are not yet committed. The first failure stops everything: later batches
// are dropped unsealed or uncommitted.
class BatchCommitter {
 public:
  BatchCommitter(RecordStore* store, const IngestOptions& options)
      : store_(store), options_(options) {
    for (int i = 0; i < options.seal_threads; ++i) {
      sealers_.emplace_back([this] { SealLoop(); });
    }
    committer_ = std::thread([this] { CommitLoop(); });
  }

  BatchCommitter(const BatchCommitter&) = delete;
  BatchCommitter& operator=(const BatchCommitter&) = delete;

  ~BatchCommitter() { (void)Finish(); }

  // Queues `batch`; its sequence must follow the previous one. The first
  // failure of any batch so far, if any (then `batch` is dropped).
  absl::Status Submit(std::unique_ptr<PendingBatch> batch) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] {
      return !failure_.ok() ||
             in_flight_ < static_cast<size_t>(options_.max_batches_in_flight);
    });
    if (!failure_.ok()) return failure_;
    ++in_flight_;
    to_seal_.push_back(std::move(batch));
    cv_.notify_all();
    return absl::OkStatus();
  }

  // Waits until every submitted batch has committed (or the first failure),
  // stops the threads and returns the first failure. Idempotent.
  absl::Status Finish() {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !failure_.ok() || in_flight_ == 0; });
      closing_ = true;
      cv_.notify_all();
    }
    for (std::thread& t : sealers_) {
      if (t.joinable()) t.join();
    }
    if (committer_.joinable()) committer_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return failure_;
  }

  uint64_t rows_committed() const { return rows_committed_.load(); }
  uint64_t batches_committed() const { return batches_committed_.load(); }

 private:
  void Fail(absl::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (failure_.ok()) failure_ = std::move(status);
    cv_.notify_all();
  }

  void SealLoop() {
    while (true) {
      std::unique_ptr<PendingBatch> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] {
          return closing_ || !failure_.ok() || !to_seal_.empty();
        });
        if (!failure_.ok() || to_seal_.empty()) return;
        batch = std::move(to_seal_.front());
        to_seal_.pop_front();
      }
      absl::Status status = Seal(batch.get());
      if (!status.ok()) {
        Fail(std::move(status));
        return;
      }
      std::lock_guard<std::mutex> lock(mu_);
      sealed_.emplace(batch->sequence, std::move(batch));
      cv_.notify_all();
    }
  }

  absl::Status Seal(PendingBatch* batch) {
    RecordStore::WriteBatch write = store_->NewBatch();
    for (const StoredRecord& record : batch->records) {
      FEDLINK_RETURN_IF_ERROR(write.PutRecord(record));
    }
    FEDLINK_RETURN_IF_ERROR(
        write.PutMeta(kIngestCheckpointMeta, batch->checkpoint));
    batch->sealed.emplace(std::move(write));
    return absl::OkStatus();
  }

  void CommitLoop() {
    uint64_t next = 1;
    while (true) {
      std::unique_ptr<PendingBatch> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] {
          return !failure_.ok() || sealed_.count(next) != 0 ||
                 (closing_ && in_flight_ == 0);
        });
        if (!failure_.ok()) return;
        auto it = sealed_.find(next);
        if (it == sealed_.end()) return;  // closing, all committed
        batch = std::move(it->second);
        sealed_.erase(it);
      }
      const uint64_t rows = batch->records.size();
      batch->records.clear();  // wipes the plaintext values now
      absl::Status status = store_->Commit(std::move(*batch->sealed));
      if (!status.ok()) {
        Fail(std::move(status));
        return;
      }
      rows_committed_ += rows;
      batches_committed_ = next;
      if (options_.after_commit) options_.after_commit(next);
      ++next;
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      cv_.notify_all();
    }
  }

  RecordStore* const store_;
  const IngestOptions& options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<PendingBatch>> to_seal_;       // guarded by mu_
  std::map<uint64_t, std::unique_ptr<PendingBatch>> sealed_;  // guarded
  size_t in_flight_ = 0;                                     // guarded
  bool closing_ = false;                                     // guarded
  absl::Status failure_;                                     // guarded
  std::atomic<uint64_t> rows_committed_{0};
  std::atomic<uint64_t> batches_committed_{0};
  std::vector<std::thread> sealers_;
  std::thread committer_;
};

// The checkpoint committed with a batch: how far the ingest of `source` has
// got once this batch is in the store.
std::string CheckpointJson(std::string_view source, std::string_view started,
                           std::string_view state, uint64_t batches,
                           uint64_t rows_committed, uint64_t rows_read,
                           uint64_t rows_quarantined, uint64_t last_line,
                           uint64_t bytes_read) {
  nlohmann::json j;
  j["format"] = "fedlink-ingest-checkpoint";
  j["version"] = 1;
  j["source"] = std::string(source);
  j["started_at"] = std::string(started);
  j["state"] = std::string(state);
  j["batches"] = batches;
  j["rows_committed"] = rows_committed;
  j["rows_read"] = rows_read;
  j["rows_quarantined"] = rows_quarantined;
  j["last_line"] = last_line;
  j["bytes_read"] = bytes_read;
  return j.dump();
}

absl::StatusOr<std::optional<nlohmann::json>> LoadMetaJson(
    const RecordStore& store, std::string_view name) {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> value,
                           store.GetMeta(name));
  if (!value.has_value()) return std::optional<nlohmann::json>();
  nlohmann::json j = nlohmann::json::parse(*value, nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError(absl::StrCat("record store ", store.path(),
                                            ": meta entry ", Sv(name),
                                            " is not a JSON object"));
  }
  return std::optional<nlohmann::json>(std::move(j));
}

}  // namespace

absl::Status QuarantineFileSink::Write(const CsvRecord& record,
                                       absl::Span<const Problem> problems) {
  return writer_->Write(record.line(), problems, record.raw());
}

absl::Status QuarantineFileSink::Flush() { return writer_->Flush(); }

nlohmann::json IngestSummaryToJson(const IngestSummary& summary,
                                   std::string_view finished_at) {
  nlohmann::json j;
  j["format"] = "fedlink-ingest-summary";
  j["version"] = 1;
  j["source"] = summary.source;
  j["finished_at"] = std::string(finished_at);
  j["bytes_read"] = summary.bytes_read;
  j["rows_read"] = summary.rows_read;
  j["rows_committed"] = summary.rows_committed;
  j["rows_inserted"] = summary.rows_inserted;
  j["rows_updated"] = summary.rows_updated;
  j["rows_quarantined"] = summary.rows_quarantined;
  j["batches_committed"] = summary.batches_committed;
  j["records_in_store"] = summary.records_in_store;
  nlohmann::json rejections = nlohmann::json::array();
  for (const auto& [reason, rows] : summary.rejections) {
    rejections.push_back({{"reason", reason}, {"rows", rows}});
  }
  j["rejections"] = std::move(rejections);
  j["quality_report"] = summary.quality_report;
  return j;
}

absl::StatusOr<std::optional<nlohmann::json>> LoadLastIngest(
    const RecordStore& store) {
  return LoadMetaJson(store, kLastIngestMeta);
}

absl::StatusOr<std::optional<nlohmann::json>> LoadIngestCheckpoint(
    const RecordStore& store) {
  return LoadMetaJson(store, kIngestCheckpointMeta);
}

absl::StatusOr<IngestSummary> RunIngest(const IngestSchema& schema,
                                        const IngestInput& input,
                                        RecordStore* store,
                                        QuarantineSink* quarantine,
                                        const IngestOptions& options) {
  FEDLINK_RETURN_IF_ERROR(ValidateOptions(options, input));
  const std::string& source = input.name;
  auto end_of_input = [&]() -> absl::Status {
    if (!input.end_status) return absl::OkStatus();
    return WithSource(input.end_status(), source);
  };

  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader,
                           CsvReader::Create(input.stream, schema.csv));
  CsvRecord record;
  {
    absl::StatusOr<bool> has_header = reader->Next(&record);
    if (!has_header.ok()) return WithSource(has_header.status(), source);
    if (!*has_header) {
      FEDLINK_RETURN_IF_ERROR(end_of_input());
      return absl::InvalidArgumentError(absl::StrCat(
          "ingest of ", source,
          ": the input is empty (expected a header record naming the "
          "columns); nothing was written"));
    }
  }
  absl::StatusOr<std::unique_ptr<RowValidator>> validator_or =
      RowValidator::Create(schema, record);
  if (!validator_or.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest of ", source, ": header record (line ",
                     record.line(), ") does not fit the schema; nothing was "
                     "written: ",
                     validator_or.status().message()));
  }
  RowValidator& validator = **validator_or;
  QualityReport report(validator, options.clock);

  FEDLINK_ASSIGN_OR_RETURN(const uint64_t records_before,
                           store->CountRecords());
  const std::string started_at = Iso8601(options.clock());

  IngestSummary summary;
  summary.source = source;
  uint64_t last_line = record.last_line();
  uint64_t batches_submitted = 0;
  bool quarantine_dirty = false;
  ValidatedRow row;
  auto batch = std::make_unique<PendingBatch>();
  batch->records.reserve(options.batch_size);

  auto progress = [&](const BatchCommitter& committer) {
    return IngestProgress{.bytes_read = reader->bytes_read(),
                          .total_bytes = input.total_bytes,
                          .rows_read = summary.rows_read,
                          .rows_committed = committer.rows_committed(),
                          .rows_quarantined = summary.rows_quarantined,
                          .batches_committed = committer.batches_committed()};
  };

  BatchCommitter committer(store, options);
  // Hands the current batch to the committer, with the checkpoint that
  // describes the store once it has committed.
  auto submit = [&](std::string_view state) -> absl::Status {
    if (quarantine_dirty) {
      FEDLINK_RETURN_IF_ERROR(quarantine->Flush());
      quarantine_dirty = false;
    }
    ++batches_submitted;
    summary.rows_committed += batch->records.size();
    batch->sequence = batches_submitted;
    batch->checkpoint = CheckpointJson(
        source, started_at, state, batches_submitted, summary.rows_committed,
        summary.rows_read, summary.rows_quarantined, last_line,
        reader->bytes_read());
    absl::Status status = committer.Submit(std::move(batch));
    batch = std::make_unique<PendingBatch>();
    batch->records.reserve(options.batch_size);
    return status;
  };

  // The ingest loop; returns the first fatal error.
  auto ingest = [&]() -> absl::Status {
    auto next_progress = absl::Now() + options.progress_interval;
    while (true) {
      absl::StatusOr<bool> more = reader->Next(&record);
      if (!more.ok()) return more.status();
      if (!*more) break;
      ++summary.rows_read;
      validator.Validate(record, &row);
      report.Add(row);
      last_line = record.last_line();
      if (row.ok()) {
        batch->records.push_back(ToStoredRecord(validator.TakeRecord(&row)));
      } else {
        ++summary.rows_quarantined;
        absl::flat_hash_set<Reason> reasons;
        for (const Problem& p : row.problems) {
          if (reasons.insert(p.reason).second) {
            ++summary.rejections[std::string(ReasonCode(p.reason))];
          }
        }
        if (quarantine != nullptr) {
          FEDLINK_RETURN_IF_ERROR(quarantine->Write(record, row.problems));
          quarantine_dirty = true;
        }
      }
      if (batch->records.size() == options.batch_size) {
        FEDLINK_RETURN_IF_ERROR(submit("running"));
      }
      if (options.on_progress && (summary.rows_read & 255) == 0 &&
          absl::Now() >= next_progress) {
        options.on_progress(progress(committer));
        next_progress = absl::Now() + options.progress_interval;
      }
    }
    // The stream has ended: make sure that was the end of the input before
    // the last (possibly truncated) record commits.
    FEDLINK_RETURN_IF_ERROR(end_of_input());
    return submit("complete");
  };

  absl::Status status = ingest();
  absl::Status commit_status = committer.Finish();
  if (status.ok()) status = commit_status;
  summary.batches_committed = committer.batches_committed();
  summary.bytes_read = reader->bytes_read();
  if (options.on_progress) options.on_progress(progress(committer));
  if (!status.ok()) {
    const uint64_t committed_rows = committer.rows_committed();
    return absl::Status(
        status.code(),
        absl::StrCat(
            absl::StartsWith(status.message(), "ingest of ")
                ? std::string(status.message())
                : absl::StrCat("ingest of ", source, ": ", status.message()),
            " (", summary.batches_committed, " complete batches with ",
            committed_rows,
            " rows were committed before this; re-running the whole file is "
            "safe: records are upserted)"));
  }

  FEDLINK_ASSIGN_OR_RETURN(summary.records_in_store, store->CountRecords());
  // Only this ingest writes records (see the header), so the growth of the
  // store is the number of new local ids.
  summary.rows_inserted =
      std::min(summary.rows_committed,
               summary.records_in_store > records_before
                   ? summary.records_in_store - records_before
                   : uint64_t{0});
  summary.rows_updated = summary.rows_committed - summary.rows_inserted;
  summary.quality_report = report.ToJson();
  const nlohmann::json last =
      IngestSummaryToJson(summary, Iso8601(options.clock()));
  FEDLINK_RETURN_IF_ERROR(WithSource(
      store->PutMeta(kLastIngestMeta, last.dump()), source));
  return summary;
}

}  // namespace fedlink::agent::ingest
