#include "agent/daemon/job_store.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::daemon {

absl::StatusOr<std::optional<JobRecord>> JobStore::GetLocked(std::string_view job_id) const {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.GetJobState(job_id));
  if (!bytes.has_value()) return std::optional<JobRecord>();
  FEDLINK_ASSIGN_OR_RETURN(JobRecord record, ParseJobRecord(*bytes, job_id));
  return std::optional<JobRecord>(std::move(record));
}

absl::StatusOr<std::optional<JobRecord>> JobStore::Get(std::string_view job_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return GetLocked(job_id);
}

absl::StatusOr<bool> JobStore::Insert(const JobRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  FEDLINK_ASSIGN_OR_RETURN(std::optional<JobRecord> existing, GetLocked(record.job_id));
  if (existing.has_value()) return false;
  FEDLINK_RETURN_IF_ERROR(store_.PutJobState(record.job_id, SerializeJobRecord(record)));
  return true;
}

absl::StatusOr<JobRecord> JobStore::Update(
    std::string_view job_id, absl::FunctionRef<absl::Status(JobRecord&)> change) {
  std::lock_guard<std::mutex> lock(mu_);
  FEDLINK_ASSIGN_OR_RETURN(std::optional<JobRecord> record, GetLocked(job_id));
  if (!record.has_value()) {
    return absl::NotFoundError(absl::StrCat("job ", std::string(job_id), ": not known here"));
  }
  FEDLINK_RETURN_IF_ERROR(change(*record));
  FEDLINK_RETURN_IF_ERROR(store_.PutJobState(job_id, SerializeJobRecord(*record)));
  return std::move(*record);
}

absl::Status JobStore::ForEach(absl::FunctionRef<absl::Status(const JobRecord&)> visit) const {
  return store_.ForEachJobState([&](std::string_view job_id, std::string bytes) -> absl::Status {
    FEDLINK_ASSIGN_OR_RETURN(JobRecord record, ParseJobRecord(bytes, job_id));
    return visit(record);
  });
}

}  // namespace fedlink::agent::daemon
