#include "proto/audit/decision_entry_check.h"

#include "absl/strings/str_cat.h"
#include "linkage/document/quote_name.h"

namespace fedlink::audit {

using document::QuoteName;

absl::Status DecisionEntryCheck::operator()(uint64_t /*index*/, const v1::AuditEntry& entry) {
  const bool records_spec = entry.action() == v1::AUDIT_ACTION_JOB_SUBMITTED ||
                            entry.action() == v1::AUDIT_ACTION_JOB_RECEIVED;
  if (records_spec && !entry.job_id().empty() && !entry.job_spec_sha256().empty()) {
    spec_sha256_by_job_.emplace(entry.job_id(), entry.job_spec_sha256());
  }
  if (!entry.has_decision()) return absl::OkStatus();

  const v1::SignedDecision& decision = entry.decision();
  const std::string job = QuoteName(entry.job_id());
  auto spec = spec_sha256_by_job_.find(entry.job_id());
  if (spec == spec_sha256_by_job_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("decision on job ", job, " precedes any logged submission of that job"));
  }
  if (!entry.job_spec_sha256().empty() && entry.job_spec_sha256() != spec->second) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decision entry for job ", job, " names another spec hash than the job's submission"));
  }
  if (!entry.agency().empty() && entry.agency() != decision.agency()) {
    return absl::InvalidArgumentError(
        absl::StrCat("decision entry for agency ", QuoteName(entry.agency()),
                     " carries a decision by agency ", QuoteName(decision.agency())));
  }
  auto key = keys_.find(decision.agency());
  if (key == keys_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no decision key is held for agency ", QuoteName(decision.agency())));
  }
  const proto::DecisionSubject subject{entry.job_id(), spec->second, decision.agency()};
  return proto::VerifyDecision(decision, subject, key->second);
}

}  // namespace fedlink::audit
