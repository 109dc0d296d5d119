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
  FEDLINK_ASSIGN_OR_RETURN(const uint64_t stored,
                           store.CountPseudonyms(job_id));
  if (stored != expected_size) {
    return absl::DataLossError(absl::StrCat(
        "job ", job, ": the store holds ", stored, " pseudonyms, expected ",
        expected_size, " (an interrupted save, or another job's map)"));
  }
  if (expected_size > kMaxPseudonyms) {
    return absl::DataLossError(absl::StrCat("job ", job, ": ", expected_size,
                                            " pseudonyms is over the limit"));
  }
  PseudonymMapBuilder builder;
  for (uint64_t p = 0; p < expected_size; ++p) {
    FEDLINK_ASSIGN_OR_RETURN(std::optional<SensitiveString> local_id,
                             store.GetPseudonym(job_id, p));
    if (!local_id.has_value()) {
      return absl::DataLossError(absl::StrCat(
          "job ", job, ": pseudonym ", p, " is missing from the stored map"));
    }
    FEDLINK_RETURN_IF_ERROR(builder.Add(local_id->Expose()));
  }
  return builder.AssignInOrder();
}

}  // namespace fedlink::agent::encoding
