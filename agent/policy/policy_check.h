// Checks a job against the agency's policy before its steward may approve
// it. Every violation is reported (not just the first), each with a stable
// code, the JobSpec field it concerns and a message for the steward. The
// messages name agencies, analysts and columns but never a data value or a
// cohort criterion, so a verdict can be logged and sent as a denial reason.
#ifndef FEDLINK_AGENT_POLICY_POLICY_CHECK_H_
#define FEDLINK_AGENT_POLICY_POLICY_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/policy/agent_policy.h"
#include "fedlink/v1/common.pb.h"
#include "fedlink/v1/job.pb.h"

namespace fedlink::agent::policy {

// The sensitivity class of every attribute column of the agency's ingest
// schema, by attribute name (what jobs request). Identifier fields are not
// in it: they can never be requested.
using ColumnClasses = absl::flat_hash_map<std::string, ingest::Sensitivity>;

// The attribute classes of `schema`. Thread-safe.
ColumnClasses ColumnClassesFromSchema(const ingest::IngestSchema& schema);

enum class ViolationCode {
  kAgencyNotParty,         // this agency is not among the parties
  kPartnerNotAllowed,      // a party is not an allowed partner
  kColumnNotInSchema,      // a requested column is not an attribute here
  kColumnNotAllowed,       // a column is not on the policy's list
  kColumnAboveMaxClass,    // a column's class exceeds the policy's ceiling
  kCohortColumnUnknown,    // a cohort condition names no attribute here
  kAnalystNotAllowed,      // the submitting analyst is not on the list
  kMethodNotAllowed,       // the linkage method is not allowed
  kOutputModeNotAllowed,   // the output mode is not allowed
  kExpiryInPast,           // expires_at is missing or not after now
  kExpiryBeyondHorizon,    // expires_at is beyond now + max_job_duration
  kCellThresholdTooLow,    // the aggregate threshold is below the minimum
  kCohortTooLarge,         // the selected cohort exceeds max_cohort_size
};

// "agency_not_party", "partner_not_allowed", … (snake case of the
// enumerator without its k).
std::string_view ViolationCodeName(ViolationCode code);

struct Violation {
  ViolationCode code;
  // The JobSpec field, e.g. "parties[1].columns[0]", "expires_at";
  // "analyst.name" for the submitting analyst, "cohort_size" for
  // CheckCohortSize.
  std::string field;
  std::string message;
};

struct PolicyVerdict {
  bool allowed = false;  // true exactly when `violations` is empty
  std::vector<Violation> violations;
};

// Evaluates `spec`, submitted by `analyst`, against `policy` as of `now`:
//  * this agency must be a party; every other party an allowed partner;
//  * each column this agency is asked for (its party's columns, its
//    aggregate category column) and each column its cohort conditions name
//    must be an attribute of the ingest schema (`columns`), on the policy's
//    list and at most max_sensitivity — a cohort condition releases a fact
//    about every linked record, so it is held to the same rules;
//  * the analyst must have the analyst role and be on the allow-list;
//  * method and output mode must be allowed;
//  * expires_at must be after `now` and at most max_job_duration after it;
//  * in aggregate mode, the threshold (0 meaning the default 10) must be at
//    least min_cell_count.
// Total: works on any spec (a field that is missing is a violation, never
// a crash). Thread-safe.
PolicyVerdict EvaluateJob(const v1::JobSpec& spec, const v1::Identity& analyst,
                          const AgentPolicy& policy,
                          const ColumnClasses& columns, absl::Time now);

// The violation, if any, of selecting `cohort_size` records for a job (the
// size is known only when the cohort filter is evaluated). Thread-safe.
std::optional<Violation> CheckCohortSize(uint64_t cohort_size,
                                         const AgentPolicy& policy);

// "<code> at <field>: <message>" joined by "; ", cut at whole violations so
// that the result is at most `max_bytes` long, ending "; and N more" when
// some are left out (at least the count always fits when max_bytes >= 32).
// Suitable as a SignedDecision reason (max 2000 bytes) or an error message.
// Thread-safe.
std::string FormatViolations(const std::vector<Violation>& violations,
                             size_t max_bytes);

}  // namespace fedlink::agent::policy

#endif  // FEDLINK_AGENT_POLICY_POLICY_CHECK_H_
