// Internal to agent/policy: the rule violations behind ValidateAgentPolicy,
// kept structured so that the YAML reader can place each at the line and
// column of the key it names, and the quoting used in every message.
#ifndef FEDLINK_AGENT_POLICY_POLICY_INTERNAL_H_
#define FEDLINK_AGENT_POLICY_POLICY_INTERNAL_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "agent/policy/agent_policy.h"
#include "linkage/document/document_problem.h"

namespace fedlink::agent::policy::internal {

// A rule violation, placed by the YAML reader at its key's line.
using PolicyProblem = document::DocumentProblem;
using document::ProblemsToStatus;

// Every rule violation in `policy`, in the order of the keys.
std::vector<PolicyProblem> FindAgentPolicyProblems(const AgentPolicy& policy);

// `text` in single quotes for a message: bytes outside printable ASCII are
// escaped as \xHH and it is cut after 64 bytes. Only for names (agencies,
// analysts, columns), never for data values.
std::string Quote(std::string_view text);

// [a-z][a-z0-9_]*, 1..64 bytes: an ingest attribute name.
bool IsValidColumnName(std::string_view name);

// Appends s to a message (absl::StrCat takes absl::string_view).
inline absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace fedlink::agent::policy::internal

#endif  // FEDLINK_AGENT_POLICY_POLICY_INTERNAL_H_
