// The job lifecycle of DESIGN.md §6 as a transition table, so that every
// state change the coordinator makes is checked in one place:
//
//   SUBMITTED → PENDING_APPROVAL → APPROVED → ENCODING → MATCHING → RELEASING → COMPLETE
//   PENDING_APPROVAL → DENIED; MATCHING → COMPLETE (aggregate mode: nothing to release)
//   any non-final state → FAILED | CANCELLED
//   COMPLETE, DENIED, FAILED, CANCELLED → PURGED
#ifndef FEDLINK_COORDINATOR_STATE_JOB_STATE_MACHINE_H_
#define FEDLINK_COORDINATOR_STATE_JOB_STATE_MACHINE_H_

#include <string_view>

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "fedlink/v1/job.pb.h"

namespace fedlink::coordinator {

// "SUBMITTED", "PENDING_APPROVAL", …; "UNKNOWN" for a value outside the enum.
absl::string_view JobStateName(v1::JobState state);

// COMPLETE, DENIED, FAILED, CANCELLED, PURGED: nothing more happens but purge.
bool IsFinalState(v1::JobState state);

// Whether `from` → `to` is an edge of the lifecycle above.
bool IsAllowedTransition(v1::JobState from, v1::JobState to);

// OK for an allowed transition; FailedPrecondition "job J is STATE, cannot
// become STATE" otherwise. Thread-safe.
absl::Status CheckTransition(std::string_view job_id, v1::JobState from, v1::JobState to);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_STATE_JOB_STATE_MACHINE_H_
