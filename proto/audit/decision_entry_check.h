// The agency-signature half of `fedlink audit verify`: a per-entry check for
// AuditVerifyOptions::check_entry that verifies every signed decision a log
// carries (coordinator DECISION_RECEIVED, agent DECISION_SIGNED) against the
// agencies' decision keys the auditor holds — so even the log's keeper, who
// signs the tree heads, cannot log an approval no steward gave.
//
// A decision is checked (proto/runtime/decision_verify.h VerifyDecision)
// against the job of its entry and the spec hash logged for that job
// earlier in the walk (JOB_SUBMITTED at the coordinator, JOB_RECEIVED at an
// agent); an entry that carries its own job_spec_sha256 must agree with it.
#ifndef FEDLINK_PROTO_AUDIT_DECISION_ENTRY_CHECK_H_
#define FEDLINK_PROTO_AUDIT_DECISION_ENTRY_CHECK_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "fedlink/v1/audit.pb.h"
#include "proto/runtime/decision_verify.h"

namespace fedlink::audit {

// Stateful: feed it the entries in log order (the verifier does). Not
// thread-safe. Copyable, so it can be stored in the std::function hook.
class DecisionEntryCheck {
 public:
  explicit DecisionEntryCheck(proto::DecisionKeys keys) : keys_(std::move(keys)) {}

  // OK for entries without a decision and for decisions that verify.
  // Otherwise (the message names the entry's job and agency, never a
  // reason text): FailedPrecondition when no key is held for the deciding
  // agency or no spec hash was logged for the job before the decision;
  // InvalidArgument when the decision is for another job, agency or spec,
  // or its signature does not verify.
  absl::Status operator()(uint64_t index, const v1::AuditEntry& entry);

 private:
  proto::DecisionKeys keys_;
  std::map<std::string, std::string> spec_sha256_by_job_;  // first logged
};

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_DECISION_ENTRY_CHECK_H_
