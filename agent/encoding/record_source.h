// Where the job encoder reads an agency's records from: the record store in
// the agent (record_store_source.h), an in-memory list in tests and tools.
// The encoder needs two things: one pass over every record, to select the
// cohort and learn its local ids, and then random access by local id,
// because it uploads in pseudonym order — a random order unrelated to the
// order of any scan.
#ifndef FEDLINK_AGENT_ENCODING_RECORD_SOURCE_H_
#define FEDLINK_AGENT_ENCODING_RECORD_SOURCE_H_

#include <optional>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "agent/store/stored_record.h"

namespace fedlink::agent::encoding {

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // Calls `visit` once for every record, each local id once, in any order;
  // stops at and returns the first non-OK status of `visit`, or returns the
  // source's own read error. Called from one thread at a time.
  virtual absl::Status ForEach(
      absl::FunctionRef<absl::Status(const StoredRecord&)> visit) const = 0;

  // The record with `local_id`, or nullopt if there is none (any more).
  // Must be thread-safe: encoder threads call it concurrently. Errors are
  // the source's read errors, which must not contain the id.
  virtual absl::StatusOr<std::optional<StoredRecord>> Get(
      std::string_view local_id) const = 0;

  // The records with these local ids (same order; nullopt where there is
  // none). Thread-safe as Get; errors as Get. By default one Get per id;
  // a source that can batch its lookups overrides it.
  virtual absl::StatusOr<std::vector<std::optional<StoredRecord>>> GetMany(
      absl::Span<const std::string_view> local_ids) const;
};

// Records held in memory, for tests, tools and benchmarks only: its index
// keeps plain copies of the local ids. Thread-safe for concurrent reads;
// Add and Remove must not race with anything.
class InMemoryRecordSource : public RecordSource {
 public:
  InMemoryRecordSource() = default;
  explicit InMemoryRecordSource(std::vector<StoredRecord> records);

  // Adds `record`, replacing a record with the same local id (as the store's
  // upsert does).
  void Add(StoredRecord record);
  // Removes the record with `local_id`, if any.
  void Remove(std::string_view local_id);
  size_t size() const { return records_.size() - free_.size(); }

  absl::Status ForEach(absl::FunctionRef<absl::Status(const StoredRecord&)>
                           visit) const override;
  absl::StatusOr<std::optional<StoredRecord>> Get(
      std::string_view local_id) const override;

 private:
  // Records in insertion order (ForEach order); removed slots are reused.
  std::vector<std::optional<StoredRecord>> records_;
  std::vector<size_t> free_;
  absl::flat_hash_map<std::string, size_t> index_;  // local id → slot
};

}  // namespace fedlink::agent::encoding

#endif  // FEDLINK_AGENT_ENCODING_RECORD_SOURCE_H_
