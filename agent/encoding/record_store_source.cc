#include "agent/encoding/record_store_source.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::encoding {

absl::Status RecordStoreSource::ForEach(
    absl::FunctionRef<absl::Status(const StoredRecord&)> visit) const {
  return store_.ForEachRecord(
      [&](StoredRecord record) { return visit(record); });
}

absl::StatusOr<std::optional<StoredRecord>> RecordStoreSource::Get(
    std::string_view local_id) const {
  return store_.GetRecord(local_id);
}

absl::StatusOr<std::vector<std::optional<StoredRecord>>>
RecordStoreSource::GetMany(absl::Span<const std::string_view> local_ids) const {
  return store_.GetRecords(local_ids);
}

absl::Status SavePseudonymMap(RecordStore& store, std::string_view job_id,
                              const PseudonymMap& map) {
  FEDLINK_RETURN_IF_ERROR(store.DropPseudonyms(job_id));
  for (size_t first = 0; first < map.size(); first += kPseudonymsPerCommit) {
    const size_t end = std::min(map.size(), first + kPseudonymsPerCommit);
    RecordStore::WriteBatch batch = store.NewBatch();
    for (size_t p = first; p < end; ++p) {
      const uint32_t pseudonym = static_cast<uint32_t>(p);
      FEDLINK_RETURN_IF_ERROR(
          batch.PutPseudonym(job_id, pseudonym, map.ExposeLocalId(pseudonym)));
    }
    FEDLINK_RETURN_IF_ERROR(store.Commit(std::move(batch)));
  }
  return absl::OkStatus();
}

absl::StatusOr<PseudonymMap> LoadPseudonymMap(const RecordStore& store,
                                              std::string_view job_id,
                                              uint64_t expected_size) {
  const std::string job(job_id);
  if (expected_size > kMaxPseudonyms) {
    return absl::DataLossError(absl::StrCat("job ", job, ": ", expected_size,
                                            " pseudonyms is over the limit"));
  }
  // One scan in pseudonym order: the map must hold exactly 0..size-1.
  PseudonymMapBuilder builder;
  uint64_t next = 0;
  FEDLINK_RETURN_IF_ERROR(store.ForEachPseudonym(
      job_id,
      [&](uint64_t pseudonym, SensitiveString local_id) -> absl::Status {
        if (pseudonym != next || next >= expected_size) {
          return absl::DataLossError(absl::StrCat(
              "job ", job, ": the stored map holds pseudonym ", pseudonym,
              " where ", next, " was expected of ", expected_size,
              " (an interrupted save, or another job's map)"));
        }
        ++next;
        return builder.Add(local_id.Expose());
      }));
  if (next != expected_size) {
    return absl::DataLossError(absl::StrCat(
        "job ", job, ": the store holds ", next, " pseudonyms, expected ",
        expected_size, " (an interrupted save, or another job's map)"));
  }
  return builder.AssignInOrder();
}

}  // namespace fedlink::agent::encoding
