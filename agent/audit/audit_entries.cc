#include "agent/audit/audit_entries.h"

#include <string>
#include <string_view>

namespace fedlink::agent::audit {
namespace {

// audit.proto caps reasons at 2000 bytes; cut at a UTF-8 boundary.
std::string Reason(std::string_view text) {
  constexpr size_t kMaxReasonBytes = 2000;
  if (text.size() <= kMaxReasonBytes) return std::string(text);
  size_t end = kMaxReasonBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return std::string(text.substr(0, end));
}

void AddCount(v1::AuditEntry& entry, std::string_view name, uint64_t value) {
  v1::AuditCount* count = entry.add_counts();
  count->set_name(std::string(name));
  count->set_value(value);
}

v1::AuditEntry Entry(v1::AuditAction action, v1::AuditOutcome outcome,
                     std::string_view job_id) {
  v1::AuditEntry entry;
  entry.set_action(action);
  entry.set_outcome(outcome);
  entry.set_job_id(std::string(job_id));
  return entry;
}

v1::Identity Steward(std::string_view name, std::string_view agency) {
  v1::Identity steward;
  steward.set_role(v1::ROLE_STEWARD);
  steward.set_name(std::string(name));
  steward.set_agency(std::string(agency));
  return steward;
}

}  // namespace

v1::AuditEntry JobReceivedEntry(std::string_view job_id,
                                std::string_view job_spec_sha256) {
  v1::AuditEntry entry =
      Entry(v1::AUDIT_ACTION_JOB_RECEIVED, v1::AUDIT_OUTCOME_OK, job_id);
  entry.set_job_spec_sha256(std::string(job_spec_sha256));
  return entry;
}

v1::AuditEntry DecisionSignedEntry(const v1::SignedDecision& decision) {
  v1::AuditEntry entry = Entry(v1::AUDIT_ACTION_DECISION_SIGNED,
                               decision.verdict() == v1::VERDICT_APPROVE
                                   ? v1::AUDIT_OUTCOME_OK
                                   : v1::AUDIT_OUTCOME_REFUSED,
                               decision.job_id());
  *entry.mutable_actor() = Steward(decision.steward(), decision.agency());
  entry.set_agency(decision.agency());
  entry.set_job_spec_sha256(decision.job_spec_sha256());
  *entry.mutable_decision() = decision;
  return entry;
}

v1::AuditEntry ApprovalRefusedEntry(std::string_view job_id,
                                    std::string_view steward,
                                    std::string_view agency,
                                    std::string_view reason) {
  v1::AuditEntry entry = Entry(v1::AUDIT_ACTION_DECISION_SIGNED,
                               v1::AUDIT_OUTCOME_REFUSED, job_id);
  *entry.mutable_actor() = Steward(steward, agency);
  entry.set_agency(std::string(agency));
  entry.set_reason(Reason(reason));
  return entry;
}

v1::AuditEntry RowsReleasedEntry(std::string_view job_id,
                                 std::string_view agency,
                                 const ReleaseCounts& counts) {
  v1::AuditEntry entry =
      Entry(v1::AUDIT_ACTION_ROWS_RELEASED, v1::AUDIT_OUTCOME_OK, job_id);
  entry.set_agency(std::string(agency));
  AddCount(entry, "assignments", counts.assignments);
  AddCount(entry, "rows", counts.rows);
  AddCount(entry, "records_missing", counts.records_missing);
  AddCount(entry, "columns", counts.columns);
  AddCount(entry, "chunks", counts.chunks);
  AddCount(entry, "ciphertext_bytes", counts.ciphertext_bytes);
  return entry;
}

v1::AuditEntry LegendReleasedEntry(std::string_view job_id,
                                   std::string_view agency, uint64_t categories,
                                   uint64_t chunks, uint64_t ciphertext_bytes) {
  v1::AuditEntry entry =
      Entry(v1::AUDIT_ACTION_ROWS_RELEASED, v1::AUDIT_OUTCOME_OK, job_id);
  entry.set_agency(std::string(agency));
  AddCount(entry, "categories", categories);
  AddCount(entry, "chunks", chunks);
  AddCount(entry, "ciphertext_bytes", ciphertext_bytes);
  return entry;
}

v1::AuditEntry ReleaseStoppedEntry(std::string_view job_id,
                                   std::string_view agency,
                                   v1::AuditOutcome outcome,
                                   std::string_view reason) {
  v1::AuditEntry entry = Entry(v1::AUDIT_ACTION_ROWS_RELEASED, outcome, job_id);
  entry.set_agency(std::string(agency));
  entry.set_reason(Reason(reason));
  return entry;
}

v1::AuditEntry JobAbandonedEntry(std::string_view job_id,
                                 std::string_view agency,
                                 std::string_view reason) {
  v1::AuditEntry entry =
      Entry(v1::AUDIT_ACTION_JOB_FAILED, v1::AUDIT_OUTCOME_FAILED, job_id);
  entry.set_agency(std::string(agency));
  entry.set_rpc("fedlink.v1.Coordinator/AbandonJob");
  entry.set_reason(Reason(reason));
  return entry;
}

v1::AuditEntry PseudonymsDroppedEntry(std::string_view job_id,
                                      uint64_t pseudonyms) {
  v1::AuditEntry entry =
      Entry(v1::AUDIT_ACTION_PSEUDONYMS_DROPPED, v1::AUDIT_OUTCOME_OK, job_id);
  AddCount(entry, "pseudonyms", pseudonyms);
  return entry;
}

}  // namespace fedlink::agent::audit
