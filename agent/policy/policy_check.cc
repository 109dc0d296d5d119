#include "agent/policy/policy_check.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/policy/policy_internal.h"

namespace fedlink::agent::policy {
namespace {

using internal::Quote;
using internal::Sv;

// The threshold the coordinator applies when a spec leaves it at 0
// (job.proto AggregateOptions.min_cell_count).
constexpr uint32_t kDefaultCellCount = 10;

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

class Checker {
 public:
  Checker(const AgentPolicy& policy, const ColumnClasses& columns)
      : policy_(policy), columns_(columns) {}

  void Add(ViolationCode code, std::string field, std::string message) {
    violations_.push_back({code, std::move(field), std::move(message)});
  }

  // A column this agency would release or reveal a fact about.
  void CheckColumn(const std::string& column, const std::string& field,
                   ViolationCode unknown_code) {
    auto it = columns_.find(column);
    if (it == columns_.end()) {
      Add(unknown_code, field,
          absl::StrCat("column ", Quote(column),
                       " is not an attribute of this agency's ingest schema "
                       "(identifier columns are never released)"));
      return;
    }
    if (!AllowsColumn(policy_, column)) {
      Add(ViolationCode::kColumnNotAllowed, field,
          absl::StrCat("column ", Quote(column),
                       " is not on the policy's list of allowed attributes"));
    }
    if (it->second > policy_.max_sensitivity) {
      Add(ViolationCode::kColumnAboveMaxClass, field,
          absl::StrCat("column ", Quote(column), " is ",
                       Sv(ingest::SensitivityName(it->second)),
                       "; the policy allows at most ",
                       Sv(ingest::SensitivityName(policy_.max_sensitivity))));
    }
  }

  std::vector<Violation> Take() { return std::move(violations_); }

 private:
  const AgentPolicy& policy_;
  const ColumnClasses& columns_;
  std::vector<Violation> violations_;
};

template <typename E>
std::string AllowedNames(const std::vector<E>& values,
                         std::string_view (*name)(E)) {
  std::vector<absl::string_view> names;
  for (E value : values) names.push_back(Sv(name(value)));
  return absl::StrJoin(names, ", ");
}

void CheckParties(const v1::JobSpec& spec, const AgentPolicy& policy,
                  Checker& checker) {
  bool party = false;
  for (int i = 0; i < spec.parties_size(); ++i) {
    const v1::Party& p = spec.parties(i);
    const std::string path = absl::StrCat("parties[", i, "]");
    if (p.agency() != policy.agency) {
      if (FindPartner(policy, p.agency()) == nullptr) {
        checker.Add(ViolationCode::kPartnerNotAllowed, path + ".agency",
                    absl::StrCat("agency ", Quote(p.agency()),
                                 " is not an allowed partner"));
      }
      continue;
    }
    party = true;
    for (int j = 0; j < p.columns_size(); ++j) {
      checker.CheckColumn(p.columns(j), absl::StrCat(path, ".columns[", j, "]"),
                          ViolationCode::kColumnNotInSchema);
    }
    for (int k = 0; k < p.cohort().all_of_size(); ++k) {
      checker.CheckColumn(p.cohort().all_of(k).column(),
                          absl::StrCat(path, ".cohort.all_of[", k, "].column"),
                          ViolationCode::kCohortColumnUnknown);
    }
  }
  if (!party) {
    checker.Add(ViolationCode::kAgencyNotParty, "parties",
                absl::StrCat("this agency (", Quote(policy.agency),
                             ") is not a party of the job"));
  }
}

void CheckExpiry(const v1::JobSpec& spec, const AgentPolicy& policy,
                 absl::Time now, Checker& checker) {
  if (!spec.has_expires_at()) {
    checker.Add(ViolationCode::kExpiryInPast, "expires_at",
                "the job has no expiry");
    return;
  }
  const absl::Time expiry = absl::FromUnixSeconds(spec.expires_at().seconds()) +
                            absl::Nanoseconds(spec.expires_at().nanos());
  if (expiry <= now) {
    checker.Add(ViolationCode::kExpiryInPast, "expires_at",
                absl::StrCat("the job expired at ", FormatUtc(expiry),
                             ", before this decision"));
  } else if (expiry - now > policy.max_job_duration) {
    checker.Add(ViolationCode::kExpiryBeyondHorizon, "expires_at",
                absl::StrCat("the job expires at ", FormatUtc(expiry),
                             ", more than ",
                             absl::ToInt64Hours(policy.max_job_duration) / 24,
                             " days from now (the policy's limit)"));
  }
}

void CheckAggregate(const v1::JobSpec& spec, const AgentPolicy& policy,
                    Checker& checker) {
  if (spec.output_mode() == v1::OUTPUT_MODE_AGGREGATE) {
    const uint32_t requested = spec.aggregate().min_cell_count();
    const uint32_t effective = requested == 0 ? kDefaultCellCount : requested;
    if (effective < policy.min_cell_count) {
      checker.Add(ViolationCode::kCellThresholdTooLow,
                  "aggregate.min_cell_count",
                  absl::StrCat("cells below ", effective,
                               requested == 0 ? " (the default)" : "",
                               " are suppressed; this agency requires at least ",
                               policy.min_cell_count));
    }
  }
  // Checked in any mode: category codes are derived from the column.
  if (spec.aggregate().has_category() &&
      spec.aggregate().category().agency() == policy.agency) {
    checker.CheckColumn(spec.aggregate().category().column(),
                        "aggregate.category.column",
                        ViolationCode::kColumnNotInSchema);
  }
}

}  // namespace

ColumnClasses ColumnClassesFromSchema(const ingest::IngestSchema& schema) {
  ColumnClasses classes;
  for (const ingest::AttributeColumn& a : schema.attributes) {
    classes[a.name] = a.sensitivity;
  }
  return classes;
}

std::string_view ViolationCodeName(ViolationCode code) {
  switch (code) {
    case ViolationCode::kAgencyNotParty:
      return "agency_not_party";
    case ViolationCode::kPartnerNotAllowed:
      return "partner_not_allowed";
    case ViolationCode::kColumnNotInSchema:
      return "column_not_in_schema";
    case ViolationCode::kColumnNotAllowed:
      return "column_not_allowed";
    case ViolationCode::kColumnAboveMaxClass:
      return "column_above_max_class";
    case ViolationCode::kCohortColumnUnknown:
      return "cohort_column_unknown";
    case ViolationCode::kAnalystNotAllowed:
      return "analyst_not_allowed";
    case ViolationCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ViolationCode::kOutputModeNotAllowed:
      return "output_mode_not_allowed";
    case ViolationCode::kExpiryInPast:
      return "expiry_in_past";
    case ViolationCode::kExpiryBeyondHorizon:
      return "expiry_beyond_horizon";
    case ViolationCode::kCellThresholdTooLow:
      return "cell_threshold_too_low";
    case ViolationCode::kCohortTooLarge:
      return "cohort_too_large";
  }
  return "unknown";
}

PolicyVerdict EvaluateJob(const v1::JobSpec& spec, const v1::Identity& analyst,
                          const AgentPolicy& policy,
                          const ColumnClasses& columns, absl::Time now) {
  Checker checker(policy, columns);
  CheckParties(spec, policy, checker);

  if (analyst.role() != v1::ROLE_ANALYST) {
    checker.Add(ViolationCode::kAnalystNotAllowed, "analyst.role",
                "the job was not submitted by an analyst");
  } else if (!AllowsAnalyst(policy, analyst.name())) {
    checker.Add(ViolationCode::kAnalystNotAllowed, "analyst.name",
                absl::StrCat("analyst ", Quote(analyst.name()),
                             " is not on the policy's analyst allow-list"));
  }

  if (!AllowsMethod(policy, spec.method())) {
    checker.Add(ViolationCode::kMethodNotAllowed, "method",
                absl::StrCat("linkage method ",
                             Sv(LinkageMethodName(spec.method())),
                             " is not allowed (allowed: ",
                             AllowedNames(policy.methods, &LinkageMethodName),
                             ")"));
  }
  if (!AllowsOutputMode(policy, spec.output_mode())) {
    checker.Add(ViolationCode::kOutputModeNotAllowed, "output_mode",
                absl::StrCat("output mode ",
                             Sv(OutputModeName(spec.output_mode())),
                             " is not allowed (allowed: ",
                             AllowedNames(policy.output_modes, &OutputModeName),
                             ")"));
  }

  CheckExpiry(spec, policy, now, checker);
  CheckAggregate(spec, policy, checker);

  PolicyVerdict verdict;
  verdict.violations = checker.Take();
  verdict.allowed = verdict.violations.empty();
  return verdict;
}

std::optional<Violation> CheckCohortSize(uint64_t cohort_size,
                                         const AgentPolicy& policy) {
  if (cohort_size <= policy.max_cohort_size) return std::nullopt;
  return Violation{ViolationCode::kCohortTooLarge, "cohort_size",
                   absl::StrCat("the cohort has ", cohort_size,
                                " records; the policy allows at most ",
                                policy.max_cohort_size)};
}

std::string FormatViolations(const std::vector<Violation>& violations,
                             size_t max_bytes) {
  auto suffix_for = [](size_t left_out, bool first) {
    return first ? absl::StrCat(left_out, " policy violations")
                 : absl::StrCat("; and ", left_out, " more");
  };
  std::string out;
  size_t listed = 0;
  for (const Violation& v : violations) {
    std::string part =
        absl::StrCat(listed == 0 ? "" : "; ", Sv(ViolationCodeName(v.code)),
                     " at ", v.field, ": ", v.message);
    const size_t left_after = violations.size() - listed - 1;
    const size_t reserve =
        left_after == 0 ? 0 : suffix_for(left_after, false).size();
    if (out.size() + part.size() + reserve > max_bytes) break;
    out += part;
    ++listed;
  }
  if (listed < violations.size()) {
    std::string suffix = suffix_for(violations.size() - listed, listed == 0);
    if (out.size() + suffix.size() <= max_bytes) out += suffix;
  }
  return out;
}

}  // namespace fedlink::agent::policy
