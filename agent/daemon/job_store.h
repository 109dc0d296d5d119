// The daemon's job records (job_record.h) in the record store's job_state
// family, with read-modify-write updates serialised so that the work loop
// and the admin service never lose each other's changes.
#ifndef FEDLINK_AGENT_DAEMON_JOB_STORE_H_
#define FEDLINK_AGENT_DAEMON_JOB_STORE_H_

#include <mutex>
#include <optional>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/daemon/job_record.h"
#include "agent/store/record_store.h"

namespace fedlink::agent::daemon {

// Thread-safe. The store must outlive it.
class JobStore {
 public:
  explicit JobStore(RecordStore& store) : store_(store) {}

  // The record of `job_id`, or nullopt. Errors of RecordStore::GetJobState
  // and ParseJobRecord.
  absl::StatusOr<std::optional<JobRecord>> Get(std::string_view job_id) const;

  // Stores `record` only if no record exists for its job (DecideJob is
  // idempotent). Returns whether it was inserted; store errors.
  absl::StatusOr<bool> Insert(const JobRecord& record);

  // Reads the record of `job_id`, applies `change` and stores the result
  // (synced) — unless `change` fails, in which case nothing is stored and
  // its status is returned. NotFound naming the job if there is no record.
  // Returns the stored record.
  absl::StatusOr<JobRecord> Update(std::string_view job_id,
                                   absl::FunctionRef<absl::Status(JobRecord&)> change);

  // Every record, in job id order. Errors of the store, ParseJobRecord or
  // `visit`.
  absl::Status ForEach(absl::FunctionRef<absl::Status(const JobRecord&)> visit) const;

 private:
  absl::StatusOr<std::optional<JobRecord>> GetLocked(std::string_view job_id) const;

  RecordStore& store_;
  mutable std::mutex mu_;  // serialises read-modify-write
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_JOB_STORE_H_
