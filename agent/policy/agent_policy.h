// The agency's local approval policy: what its data steward may approve at
// all. A job that breaks it cannot be approved (policy_check.h lists why;
// decision_signer.h refuses to sign). The YAML form is documented in the
// commented example deploy/examples/agent-policy.yaml.
//
// The policy also pins each allowed partner's Ed25519 decision key: the
// agent verifies every party's approval against these locally held keys,
// never against keys the coordinator sends (DESIGN.md §6, coordinator.proto
// EncodeJob).
#ifndef FEDLINK_AGENT_POLICY_AGENT_POLICY_H_
#define FEDLINK_AGENT_POLICY_AGENT_POLICY_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/ingest/ingest_schema.h"
#include "fedlink/v1/job.pb.h"
#include "linkage/crypto/ed25519.h"

namespace fedlink::agent::policy {

inline constexpr uint32_t kAgentPolicyVersion = 1;

// Aggregate cells below this are always suppressed, whatever a policy says
// (DESIGN.md §6: the default threshold is 10; a policy may only raise it).
inline constexpr uint32_t kMinCellCountFloor = 10;
// The largest threshold a job spec can carry (job.proto AggregateOptions).
inline constexpr uint32_t kMaxCellCount = 1000000;
// Longest job lifetime a policy may allow: ten years.
inline constexpr int64_t kMaxJobDaysLimit = 3650;

// Size limits: generous for real policies, they bound work on a hostile file.
inline constexpr size_t kMaxAgentPolicyBytes = 1 << 20;
inline constexpr size_t kMaxPartners = 256;
inline constexpr size_t kMaxAnalysts = 4096;
inline constexpr size_t kMaxAllowedColumns = 1024;

// An agency this one may link with, and the key its decisions are signed
// with.
struct Partner {
  std::string agency;  // its agent certificate name (a NAME)
  crypto::Ed25519PublicKey public_key;
};

struct AgentPolicy {
  uint32_t version = kAgentPolicyVersion;
  // This agency's id: the name in its agent certificate.
  std::string agency;
  // The only agencies a job may pair this one with; never this agency.
  std::vector<Partner> partners;
  // Analyst identity names (from their certificates) whose jobs may be
  // approved.
  std::vector<std::string> analysts;
  // Attribute names (ingest schema `name`) a job may request or filter on…
  std::vector<std::string> columns;
  // …provided the column's sensitivity class is at most this.
  ingest::Sensitivity max_sensitivity = ingest::Sensitivity::kPublic;
  std::vector<v1::LinkageMethod> methods;
  std::vector<v1::OutputMode> output_modes;
  // Most records this agency puts into one job (checked when the cohort is
  // selected, CheckCohortSize in policy_check.h).
  uint64_t max_cohort_size = 0;
  // Smallest aggregate cell this agency lets be published; >= 10.
  uint32_t min_cell_count = kMinCellCountFloor;
  // A job's expiry may be at most this far after the decision.
  absl::Duration max_job_duration = absl::Hours(24 * 365);
};

// Checks every rule: agency and partner names are NAMEs
// ([a-z0-9][a-z0-9._-]*, 1..64 bytes), no partner is this agency, no partner
// or key appears twice, analyst names are NAMEs, column names are ingest
// attribute names ([a-z][a-z0-9_]*, 1..64 bytes), no list entry twice,
// at least one partner, analyst, method and output mode, no UNSPECIFIED
// enum, max_cohort_size >= 1, kMinCellCountFloor <= min_cell_count <=
// kMaxCellCount, 1 day <= max_job_duration <= kMaxJobDaysLimit days, list
// sizes within the limits above. InvalidArgument naming every problem found
// (at most 10, then "and N more") as "<key>: <what is wrong> (<what is
// allowed>)" joined by "; ". Thread-safe.
absl::Status ValidateAgentPolicy(const AgentPolicy& policy);

// Parses and validates the YAML form (deploy/examples/agent-policy.yaml).
// Errors are InvalidArgument "<source_name>:<line>:<col>: <key>: <message>"
// for malformed YAML, unknown or repeated keys, missing required keys,
// wrong types, values outside their allowed set (listing the allowed
// values), keys that are not Ed25519 public keys, and every
// ValidateAgentPolicy rule. Never throws. Thread-safe.
absl::StatusOr<AgentPolicy> ParseAgentPolicyYaml(std::string_view yaml,
                                                 std::string_view source_name);

// Reads the file at `path` (at most kMaxAgentPolicyBytes) and parses it.
// NotFound / PermissionDenied / Internal naming the path when it cannot be
// read; InvalidArgument when it is larger; otherwise as
// ParseAgentPolicyYaml. Thread-safe.
absl::StatusOr<AgentPolicy> LoadAgentPolicyFile(const std::string& path);

// Lookups. Thread-safe.
const Partner* FindPartner(const AgentPolicy& policy, std::string_view agency);
bool AllowsAnalyst(const AgentPolicy& policy, std::string_view name);
bool AllowsColumn(const AgentPolicy& policy, std::string_view column);
bool AllowsMethod(const AgentPolicy& policy, v1::LinkageMethod method);
bool AllowsOutputMode(const AgentPolicy& policy, v1::OutputMode mode);

// Names used in the YAML file and in messages:
//   methods: tokens bloom tokens_and_bloom
//   output modes: linked_microdata aggregate
// Unknown or UNSPECIFIED values have the name "unspecified" and no inverse.
std::string_view LinkageMethodName(v1::LinkageMethod method);
std::string_view OutputModeName(v1::OutputMode mode);
std::optional<v1::LinkageMethod> LinkageMethodFromName(std::string_view name);
std::optional<v1::OutputMode> OutputModeFromName(std::string_view name);

}  // namespace fedlink::agent::policy

#endif  // FEDLINK_AGENT_POLICY_AGENT_POLICY_H_
