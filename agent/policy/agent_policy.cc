// Names of the policy's enumerations, its lookups and the rules of
// ValidateAgentPolicy.
#include "agent/policy/agent_policy.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/policy/policy_internal.h"
#include "linkage/document/quote_name.h"
#include "proto/runtime/peer_identity.h"

namespace fedlink::agent::policy {
namespace {

using internal::PolicyProblem;
using internal::Quote;
using internal::Sv;

constexpr std::pair<v1::LinkageMethod, std::string_view> kMethods[] = {
    {v1::LINKAGE_METHOD_TOKENS, "tokens"},
    {v1::LINKAGE_METHOD_BLOOM, "bloom"},
    {v1::LINKAGE_METHOD_TOKENS_AND_BLOOM, "tokens_and_bloom"},
};

constexpr std::pair<v1::OutputMode, std::string_view> kOutputModes[] = {
    {v1::OUTPUT_MODE_LINKED_MICRODATA, "linked_microdata"},
    {v1::OUTPUT_MODE_AGGREGATE, "aggregate"},
};

constexpr std::string_view kUnspecified = "unspecified";

template <typename E, size_t N>
std::string_view NameOf(const std::pair<E, std::string_view> (&table)[N],
                        E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return kUnspecified;
}

template <typename E, size_t N>
std::optional<E> FromName(const std::pair<E, std::string_view> (&table)[N],
                          std::string_view name) {
  for (const auto& [e, n] : table) {
    if (n == name) return e;
  }
  return std::nullopt;
}

class ProblemList {
 public:
  void Add(std::string path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
  }

  // A non-empty list within `max` entries.
  void CheckCount(const std::string& path, size_t count, size_t max,
                  std::string_view what) {
    if (count == 0) {
      Add(path, absl::StrCat("no ", Sv(what), " (at least one is required)"));
    } else if (count > max) {
      Add(path, absl::StrCat(count, " entries (at most ", max,
                             " are allowed)"));
    }
  }

  // Remembers `key` for `path`; a problem if an earlier entry had it.
  template <typename K>
  void CheckUnique(std::map<K, std::string>& seen, const K& key,
                   const std::string& path, std::string_view what) {
    auto [it, inserted] = seen.emplace(key, path);
    if (!inserted) {
      Add(path, absl::StrCat("the same ", Sv(what), " as ", it->second));
    }
  }

  std::vector<PolicyProblem> Take() { return std::move(problems_); }

 private:
  std::vector<PolicyProblem> problems_;
};

constexpr char kNameRule[] = "[a-z0-9][a-z0-9._-]*, 1 to 64 bytes";
constexpr char kColumnRule[] = "[a-z][a-z0-9_]*, 1 to 64 bytes";

std::string DescribeName(std::string_view name) {
  return name.empty() ? std::string("an empty name") : Quote(name);
}

}  // namespace

namespace internal {

std::string Quote(std::string_view text) { return document::QuoteName(text); }

bool IsValidColumnName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<PolicyProblem> FindAgentPolicyProblems(const AgentPolicy& policy) {
  ProblemList problems;
  if (policy.version != kAgentPolicyVersion) {
    problems.Add("version",
                 absl::StrCat("unsupported version ", policy.version,
                              " (this build reads version ",
                              kAgentPolicyVersion, ")"));
  }
  if (!proto::IsValidName(policy.agency)) {
    problems.Add("agency", absl::StrCat(DescribeName(policy.agency),
                                        " is not an agency id (", kNameRule,
                                        ")"));
  }

  problems.CheckCount("partners", policy.partners.size(), kMaxPartners,
                      "partner agencies");
  std::map<std::string, std::string> partner_names;
  std::map<crypto::Ed25519PublicKey::Bytes, std::string> partner_keys;
  for (size_t i = 0; i < policy.partners.size(); ++i) {
    const Partner& partner = policy.partners[i];
    const std::string path = absl::StrCat("partners[", i, "]");
    if (!proto::IsValidName(partner.agency)) {
      problems.Add(path + ".agency",
                   absl::StrCat(DescribeName(partner.agency),
                                " is not an agency id (", kNameRule, ")"));
    } else if (partner.agency == policy.agency) {
      problems.Add(path + ".agency",
                   "is this agency itself (list the other agencies only)");
    }
    problems.CheckUnique(partner_names, partner.agency, path + ".agency",
                         "agency");
    // One key signing for two agencies would let either approve for both.
    problems.CheckUnique(partner_keys, partner.public_key.bytes(),
                         path + ".ed25519_public_key", "key");
  }

  problems.CheckCount("analysts", policy.analysts.size(), kMaxAnalysts,
                      "analysts");
  std::map<std::string, std::string> analysts;
  for (size_t i = 0; i < policy.analysts.size(); ++i) {
    const std::string path = absl::StrCat("analysts[", i, "]");
    const std::string& name = policy.analysts[i];
    if (!proto::IsValidName(name)) {
      problems.Add(path, absl::StrCat(DescribeName(name),
                                      " is not an analyst certificate name (",
                                      kNameRule, ")"));
    }
    problems.CheckUnique(analysts, name, path, "analyst");
  }

  // An empty column list is allowed: such an agency takes part in aggregate
  // jobs without releasing any attribute.
  if (policy.columns.size() > kMaxAllowedColumns) {
    problems.Add("attributes.allow",
                 absl::StrCat(policy.columns.size(), " entries (at most ",
                              kMaxAllowedColumns, " are allowed)"));
  }
  std::map<std::string, std::string> columns;
  for (size_t i = 0; i < policy.columns.size(); ++i) {
    const std::string path = absl::StrCat("attributes.allow[", i, "]");
    const std::string& name = policy.columns[i];
    if (!IsValidColumnName(name)) {
      problems.Add(path, absl::StrCat(DescribeName(name),
                                      " is not an attribute name (",
                                      kColumnRule, ")"));
    }
    problems.CheckUnique(columns, name, path, "column");
  }

  problems.CheckCount("methods", policy.methods.size(), std::size(kMethods),
                      "linkage methods");
  std::map<int, std::string> methods;
  for (size_t i = 0; i < policy.methods.size(); ++i) {
    const std::string path = absl::StrCat("methods[", i, "]");
    if (!FromName(kMethods, LinkageMethodName(policy.methods[i]))) {
      problems.Add(path, "is not a linkage method (allowed: tokens, bloom, "
                         "tokens_and_bloom)");
    }
    problems.CheckUnique(methods, static_cast<int>(policy.methods[i]), path,
                         "method");
  }

  problems.CheckCount("output_modes", policy.output_modes.size(),
                      std::size(kOutputModes), "output modes");
  std::map<int, std::string> modes;
  for (size_t i = 0; i < policy.output_modes.size(); ++i) {
    const std::string path = absl::StrCat("output_modes[", i, "]");
    if (!FromName(kOutputModes, OutputModeName(policy.output_modes[i]))) {
      problems.Add(path, "is not an output mode (allowed: linked_microdata, "
                         "aggregate)");
    }
    problems.CheckUnique(modes, static_cast<int>(policy.output_modes[i]), path,
                         "output mode");
  }

  if (policy.max_cohort_size == 0) {
    problems.Add("max_cohort_size", "must be at least 1");
  }
  if (policy.min_cell_count < kMinCellCountFloor ||
      policy.min_cell_count > kMaxCellCount) {
    problems.Add("min_cell_count",
                 absl::StrCat(policy.min_cell_count, " is outside ",
                              kMinCellCountFloor, " to ", kMaxCellCount,
                              " (cells below ", kMinCellCountFloor,
                              " are never published)"));
  }
  if (policy.max_job_duration < absl::Hours(24) ||
      policy.max_job_duration > absl::Hours(24 * kMaxJobDaysLimit)) {
    problems.Add("max_job_days",
                 absl::StrCat("must be from 1 to ", kMaxJobDaysLimit,
                              " days"));
  }
  return problems.Take();
}

}  // namespace internal

absl::Status ValidateAgentPolicy(const AgentPolicy& policy) {
  return internal::ProblemsToStatus(
      internal::FindAgentPolicyProblems(policy),
      [](const std::string&) { return std::string(); });
}

const Partner* FindPartner(const AgentPolicy& policy, std::string_view agency) {
  for (const Partner& partner : policy.partners) {
    if (partner.agency == agency) return &partner;
  }
  return nullptr;
}

bool AllowsAnalyst(const AgentPolicy& policy, std::string_view name) {
  return std::find(policy.analysts.begin(), policy.analysts.end(), name) !=
         policy.analysts.end();
}

bool AllowsColumn(const AgentPolicy& policy, std::string_view column) {
  return std::find(policy.columns.begin(), policy.columns.end(), column) !=
         policy.columns.end();
}

bool AllowsMethod(const AgentPolicy& policy, v1::LinkageMethod method) {
  return std::find(policy.methods.begin(), policy.methods.end(), method) !=
         policy.methods.end();
}

bool AllowsOutputMode(const AgentPolicy& policy, v1::OutputMode mode) {
  return std::find(policy.output_modes.begin(), policy.output_modes.end(),
                   mode) != policy.output_modes.end();
}

std::string_view LinkageMethodName(v1::LinkageMethod method) {
  return NameOf(kMethods, method);
}

std::string_view OutputModeName(v1::OutputMode mode) {
  return NameOf(kOutputModes, mode);
}

std::optional<v1::LinkageMethod> LinkageMethodFromName(std::string_view name) {
  return FromName(kMethods, name);
}

std::optional<v1::OutputMode> OutputModeFromName(std::string_view name) {
  return FromName(kOutputModes, name);
}

}  // namespace fedlink::agent::policy
