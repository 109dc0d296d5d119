// The entries the agent writes to its local audit log (agent_audit_log.h),
// built in one place so that each kind always carries the same fields and
// never more: job ids, agencies, steward names, signed decisions, policy
// reasons and counts — never an identifier, a local id or an attribute
// value. Time and actor (when not the steward) are filled in by
// AgentAuditLog::Record. All functions are thread-safe.
#ifndef FEDLINK_AGENT_AUDIT_AUDIT_ENTRIES_H_
#define FEDLINK_AGENT_AUDIT_AUDIT_ENTRIES_H_

#include <cstdint>
#include <string_view>

#include "fedlink/v1/audit.pb.h"
#include "fedlink/v1/decision.pb.h"

namespace fedlink::agent::audit {

// A job arrived for a decision (DecideJob): its id and spec hash (32 bytes).
v1::AuditEntry JobReceivedEntry(std::string_view job_id,
                                std::string_view job_spec_sha256);

// The steward's decision, as signed and sent: the actor is the steward
// (decision.steward(), role STEWARD), the outcome OK for an approval and
// REFUSED for a denial, the decision itself attached.
v1::AuditEntry DecisionSignedEntry(const v1::SignedDecision& decision);

// The steward tried to approve a job the policy forbids: outcome REFUSED,
// `reason` the policy's violations (policy::FormatViolations: codes, fields,
// column names; at most 2000 bytes).
v1::AuditEntry ApprovalRefusedEntry(std::string_view job_id,
                                    std::string_view steward,
                                    std::string_view agency,
                                    std::string_view reason);

// What a release sent (counts only).
struct ReleaseCounts {
  uint64_t assignments = 0;
  uint64_t rows = 0;
  uint64_t records_missing = 0;
  uint64_t columns = 0;
  uint64_t chunks = 0;
  uint64_t ciphertext_bytes = 0;
};
v1::AuditEntry RowsReleasedEntry(std::string_view job_id,
                                 std::string_view agency,
                                 const ReleaseCounts& counts);

// A breakdown's legend went to the analyst (action ROWS_RELEASED, counts
// only: categories, chunks, ciphertext bytes).
v1::AuditEntry LegendReleasedEntry(std::string_view job_id,
                                   std::string_view agency, uint64_t categories,
                                   uint64_t chunks, uint64_t ciphertext_bytes);

// A release the agent refused or could not finish: outcome REFUSED (e.g. a
// column refused at release time) or FAILED, `reason` the error message
// (which by the project's rules names no value).
v1::AuditEntry ReleaseStoppedEntry(std::string_view job_id,
                                   std::string_view agency,
                                   v1::AuditOutcome outcome,
                                   std::string_view reason);

// This agency gave the job up for good (AbandonJob): action JOB_FAILED,
// outcome FAILED, `reason` the category's name and the step's message
// (which by the project's rules names no value; at most 2000 bytes).
v1::AuditEntry JobAbandonedEntry(std::string_view job_id,
                                 std::string_view agency,
                                 std::string_view reason);

// The job's pseudonym map was dropped (purge or expiry).
v1::AuditEntry PseudonymsDroppedEntry(std::string_view job_id,
                                      uint64_t pseudonyms);

}  // namespace fedlink::agent::audit

#endif  // FEDLINK_AGENT_AUDIT_AUDIT_ENTRIES_H_
