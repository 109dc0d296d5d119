#include "agent/encoding/record_source.h"

#include <string>
#include <utility>

namespace fedlink::agent::encoding {
namespace {

// Abseil 20220623's absl::string_view is not std::string_view.
absl::string_view Key(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

InMemoryRecordSource::InMemoryRecordSource(std::vector<StoredRecord> records) {
  for (StoredRecord& record : records) Add(std::move(record));
}

void InMemoryRecordSource::Add(StoredRecord record) {
  std::string key(record.local_id.Expose());
  const auto it = index_.find(key);
  if (it != index_.end()) {
    records_[it->second] = std::move(record);
    return;
  }
  size_t slot = records_.size();
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    records_[slot] = std::move(record);
  } else {
    records_.push_back(std::move(record));
  }
  index_.emplace(std::move(key), slot);
}

void InMemoryRecordSource::Remove(std::string_view local_id) {
  const auto it = index_.find(Key(local_id));
  if (it == index_.end()) return;
  records_[it->second].reset();
  free_.push_back(it->second);
  index_.erase(it);
}

absl::Status InMemoryRecordSource::ForEach(
    absl::FunctionRef<absl::Status(const StoredRecord&)> visit) const {
  for (const std::optional<StoredRecord>& record : records_) {
    if (!record.has_value()) continue;
    absl::Status status = visit(*record);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::optional<StoredRecord>>> RecordSource::GetMany(
    absl::Span<const std::string_view> local_ids) const {
  std::vector<std::optional<StoredRecord>> records;
  records.reserve(local_ids.size());
  for (std::string_view local_id : local_ids) {
    absl::StatusOr<std::optional<StoredRecord>> record = Get(local_id);
    if (!record.ok()) return record.status();
    records.push_back(*std::move(record));
  }
  return records;
}

absl::StatusOr<std::optional<StoredRecord>> InMemoryRecordSource::Get(
    std::string_view local_id) const {
  const auto it = index_.find(Key(local_id));
  if (it == index_.end()) return std::optional<StoredRecord>();
  return records_[it->second];
}

}  // namespace fedlink::agent::encoding
