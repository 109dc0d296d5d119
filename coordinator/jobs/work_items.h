// What an agency's agent still owes on a job, as WatchWork items. Computed
// from the stored job alone (level-triggered): a reconnecting agent gets
// every outstanding item again, and a repeated item is harmless.
#ifndef FEDLINK_COORDINATOR_JOBS_WORK_ITEMS_H_
#define FEDLINK_COORDINATOR_JOBS_WORK_ITEMS_H_

#include <optional>
#include <string_view>

#include "fedlink/v1/coordinator.pb.h"
#include "state/stored_job.pb.h"

namespace fedlink::coordinator {

// Index of `agency` among the job's parties, or nullopt.
std::optional<int> PartyIndex(const internal::StoredJob& job, std::string_view agency);

// The payload party `party` (spec order) owes once matching is done:
// ROWS from every party of a linked-microdata job, CATEGORY_LEGEND from the
// category party of an aggregate job broken down by category, else none.
std::optional<v1::PayloadKind> OwedPayload(const v1::JobSpec& spec, int party);

// The one item the agency owes on this job (nullopt: nothing):
//   PENDING_APPROVAL, no verdict from it yet        → DecideJob
//   ENCODING, its upload not complete               → EncodeJob (nonce, approvals, resume point)
//   RELEASING, it owes a payload not yet complete   → ReleaseJob (ROWS with the assignment
//                                                     count, or CATEGORY_LEGEND)
//   final state, purge not acknowledged             → PurgeJob
// Receipts are the caller's to add. Thread-safe.
std::optional<v1::WorkItem> OutstandingWork(const internal::StoredJob& job,
                                            std::string_view agency);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_JOBS_WORK_ITEMS_H_
