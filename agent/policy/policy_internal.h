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

namespace fedlink::agent::policy::internal {

struct PolicyProblem {
  std::string path;     // "partners[1].agency", "min_cell_count", …
  std::string message;  // what is wrong and what is allowed
};

// Every rule violation in `policy`, in the order of the keys.
std::vector<PolicyProblem> FindAgentPolicyProblems(const AgentPolicy& policy);

// OK when `problems` is empty; otherwise InvalidArgument listing at most 10
// of them as "<prefix(path)><path>: <message>" joined by "; ".
absl::Status ProblemsToStatus(
    const std::vector<PolicyProblem>& problems,
    const std::function<std::string(const std::string& path)>& prefix);

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
