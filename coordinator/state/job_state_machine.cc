#include "coordinator/state/job_state_machine.h"

#include "absl/strings/str_cat.h"
#include "linkage/document/quote_name.h"

namespace fedlink::coordinator {

absl::string_view JobStateName(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_SUBMITTED: return "SUBMITTED";
    case v1::JOB_STATE_PENDING_APPROVAL: return "PENDING_APPROVAL";
    case v1::JOB_STATE_APPROVED: return "APPROVED";
    case v1::JOB_STATE_ENCODING: return "ENCODING";
    case v1::JOB_STATE_MATCHING: return "MATCHING";
    case v1::JOB_STATE_RELEASING: return "RELEASING";
    case v1::JOB_STATE_COMPLETE: return "COMPLETE";
    case v1::JOB_STATE_DENIED: return "DENIED";
    case v1::JOB_STATE_FAILED: return "FAILED";
    case v1::JOB_STATE_CANCELLED: return "CANCELLED";
    case v1::JOB_STATE_PURGED: return "PURGED";
    default: return "UNKNOWN";
  }
}

bool IsFinalState(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_COMPLETE:
    case v1::JOB_STATE_DENIED:
    case v1::JOB_STATE_FAILED:
    case v1::JOB_STATE_CANCELLED:
    case v1::JOB_STATE_PURGED:
      return true;
    default:
      return false;
  }
}

bool IsAllowedTransition(v1::JobState from, v1::JobState to) {
  using v1::JobState;
  if (from == v1::JOB_STATE_UNSPECIFIED || JobStateName(from) == "UNKNOWN" ||
      JobStateName(to) == "UNKNOWN") {
    return false;
  }
  if (IsFinalState(from)) return to == v1::JOB_STATE_PURGED && from != v1::JOB_STATE_PURGED;
  if (to == v1::JOB_STATE_FAILED || to == v1::JOB_STATE_CANCELLED) return true;
  switch (from) {
    case v1::JOB_STATE_SUBMITTED: return to == v1::JOB_STATE_PENDING_APPROVAL;
    case v1::JOB_STATE_PENDING_APPROVAL:
      return to == v1::JOB_STATE_APPROVED || to == v1::JOB_STATE_DENIED;
    case v1::JOB_STATE_APPROVED: return to == v1::JOB_STATE_ENCODING;
    case v1::JOB_STATE_ENCODING: return to == v1::JOB_STATE_MATCHING;
    case v1::JOB_STATE_MATCHING:
      return to == v1::JOB_STATE_RELEASING || to == v1::JOB_STATE_COMPLETE;
    case v1::JOB_STATE_RELEASING: return to == v1::JOB_STATE_COMPLETE;
    default: return false;
  }
}

absl::Status CheckTransition(std::string_view job_id, v1::JobState from, v1::JobState to) {
  if (IsAllowedTransition(from, to)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("job ", document::QuoteName(job_id), " is ",
                                                    JobStateName(from), ", cannot become ",
                                                    JobStateName(to)));
}

}  // namespace fedlink::coordinator
