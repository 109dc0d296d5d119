// The job encoder's view of the agent's record store, and the local home of
// a job's pseudonym map (the store's pseudonyms column family).
#ifndef FEDLINK_AGENT_ENCODING_RECORD_STORE_SOURCE_H_
#define FEDLINK_AGENT_ENCODING_RECORD_STORE_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/encoding/pseudonyms.h"
#include "agent/encoding/record_source.h"
#include "agent/store/record_store.h"

namespace fedlink::agent::encoding {

// Reads records from a RecordStore. ForEach iterates over one snapshot (in
// MAC order, which reveals nothing); Get reads the latest committed record.
// Thread-safe as the store is. The store must outlive the source.
class RecordStoreSource : public RecordSource {
 public:
  explicit RecordStoreSource(const RecordStore& store) : store_(store) {}

  // Errors of RecordStore::ForEachRecord, or `visit`'s.
  absl::Status ForEach(absl::FunctionRef<absl::Status(const StoredRecord&)>
                           visit) const override;
  // Errors of RecordStore::GetRecord.
  absl::StatusOr<std::optional<StoredRecord>> Get(
      std::string_view local_id) const override;
  // One batched lookup (RecordStore::GetRecords).
  absl::StatusOr<std::vector<std::optional<StoredRecord>>> GetMany(
      absl::Span<const std::string_view> local_ids) const override;

 private:
  const RecordStore& store_;
};

// Pseudonyms written per commit when saving a map: bounds the write batch
// (about 100 bytes each sealed) whatever the cohort size.
inline constexpr size_t kPseudonymsPerCommit = 16384;

// Stores `map` as job `job_id`'s pseudonym map, replacing any map (or part
// of one, from an interrupted save) stored for the job before. The map is
// written in several commits, so a crash can leave part of it: the caller
// records the save as done (e.g. in the job state, with map.size()) only
// after this returns OK, and LoadPseudonymMap checks the count. Errors of
// RecordStore::DropPseudonyms, WriteBatch::PutPseudonym and Commit.
// Thread-compatible per job.
absl::Status SavePseudonymMap(RecordStore& store, std::string_view job_id,
                              const PseudonymMap& map);

// Reads job `job_id`'s map back, pseudonyms 0..expected_size-1 in order (to
// resume its upload, and for its release), in one scan. DataLoss (naming
// the job and the count or the first pseudonym out of place, never an id)
// if the store holds a different number of pseudonyms for the job or one
// is missing; errors of RecordStore::ForEachPseudonym otherwise.
// Thread-safe.
absl::StatusOr<PseudonymMap> LoadPseudonymMap(const RecordStore& store,
                                              std::string_view job_id,
                                              uint64_t expected_size);

}  // namespace fedlink::agent::encoding

#endif  // FEDLINK_AGENT_ENCODING_RECORD_STORE_SOURCE_H_
