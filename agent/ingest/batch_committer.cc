#include "agent/ingest/batch_committer.h"

#include <utility>

#include "agent/ingest/ingest_pipeline.h"
#include "linkage/status_macros.h"
#include "linkage/thread_name.h"
#include "nlohmann/json.hpp"

namespace fedlink::agent::ingest {
namespace {

// The checkpoint committed with a batch: how far the ingest has got once
// this batch is in the store.
std::string CheckpointJson(const CommitContext& context,
                           const PendingBatch& batch, uint64_t rows_committed,
                           uint64_t rows_quarantined) {
  nlohmann::json j;
  j["format"] = "fedlink-ingest-checkpoint";
  j["version"] = 1;
  j["source"] = context.source;
  j["started_at"] = context.started_at;
  j["state"] = batch.last ? "complete" : "running";
  j["batches"] = batch.sequence;
  j["rows_committed"] = rows_committed;
  j["rows_read"] = batch.rows_read;
  j["rows_quarantined"] = rows_quarantined;
  j["last_line"] = batch.last_line;
  j["bytes_read"] = batch.bytes_read;
  return j.dump();
}

}  // namespace

BatchCommitter::BatchCommitter(CommitContext context)
    : context_(std::move(context)),
      duplicate_problem_{Problem{
          .column = context_.local_id_column,
          .reason = Reason::kDuplicateLocalId,
          .detail = "an earlier row of this file has the same local id"}} {
  for (int i = 0; i < context_.seal_threads; ++i) {
    sealers_.emplace_back([this] {
      NameCurrentThread("ingest-seal");
      SealLoop();
    });
  }
  committer_ = std::thread([this] {
    NameCurrentThread("ingest-commit");
    CommitLoop();
  });
}

BatchCommitter::~BatchCommitter() { (void)Finish(); }

absl::Status BatchCommitter::Submit(std::unique_ptr<PendingBatch> batch) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] {
    return !failure_.ok() ||
           in_flight_ < static_cast<size_t>(context_.max_batches_in_flight);
  });
  if (!failure_.ok()) return failure_;
  ++in_flight_;
  to_seal_.push_back(std::move(batch));
  cv_.notify_all();
  return absl::OkStatus();
}

absl::Status BatchCommitter::Finish() {
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

void BatchCommitter::Fail(absl::Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failure_.ok()) failure_ = std::move(status);
  cv_.notify_all();
}

void BatchCommitter::SealLoop() {
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

absl::Status BatchCommitter::Seal(PendingBatch* batch) {
  RecordStore::WriteBatch write = context_.store->NewBatch();
  for (const StoredRecord& record : batch->records) {
    FEDLINK_RETURN_IF_ERROR(write.PutRecord(record));
  }
  // Sorting and encoding here spares the commit thread, the pipeline's
  // busiest; the checkpoint added at commit is encoded as it comes.
  write.Prepare();
  batch->sealed.emplace(std::move(write));
  batch->record_count = batch->records.size();
  batch->records.clear();  // wipes the plaintext values now
  return absl::OkStatus();
}

void BatchCommitter::CommitLoop() {
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
    absl::Status status = CommitBatch(batch.get());
    batch.reset();  // wipes the held rows
    if (!status.ok()) {
      Fail(std::move(status));
      return;
    }
    batches_committed_ = next;
    if (context_.after_commit) context_.after_commit(next);
    ++next;
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    cv_.notify_all();
  }
}

absl::Status BatchCommitter::CommitBatch(PendingBatch* batch) {
  RecordStore::WriteBatch& write = *batch->sealed;
  // Every earlier batch of this run has committed: the store knows each
  // local id the file had before this batch.
  FEDLINK_ASSIGN_OR_RETURN(const RecordStore::RunWriteCheck check,
                           context_.store->RemoveRepeatedRunWrites(&write));
  if (context_.quarantine != nullptr) {
    std::lock_guard<std::mutex> lock(*context_.report_mu);
    FEDLINK_RETURN_IF_ERROR(batch->rows.WriteToQuarantine(
        check.removed, duplicate_problem_, context_.quarantine));
  }
  const uint64_t records = batch->record_count - check.removed.size();
  const uint64_t duplicates = rows_duplicate_.load() + check.removed.size();
  FEDLINK_RETURN_IF_ERROR(write.PutMeta(
      kIngestCheckpointMeta,
      CheckpointJson(context_, *batch, rows_committed_.load() + records,
                     batch->rows_rejected + duplicates)));
  FEDLINK_RETURN_IF_ERROR(context_.store->Commit(std::move(write)));
  rows_committed_ += records;
  rows_updated_ += check.replacing;
  rows_duplicate_ = duplicates;
  return absl::OkStatus();
}

}  // namespace fedlink::agent::ingest
