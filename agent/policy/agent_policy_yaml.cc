// ParseAgentPolicyYaml and LoadAgentPolicyFile: the YAML form of an agent
// policy (documented in deploy/examples/agent-policy.yaml). yaml-cpp builds
// the node tree; this file checks its shape strictly (no unknown or repeated
// keys, no silent type conversions, enumerations spelled exactly) and
// remembers where every key was, so that each error — structural or a
// ValidateAgentPolicy rule — points at a line and column.
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/policy/agent_policy.h"
#include "agent/policy/policy_internal.h"
#include "linkage/document/yaml_reader.h"
#include "linkage/status_macros.h"
#include "proto/runtime/yaml_file.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::agent::policy {
namespace {

using internal::Quote;
using internal::Sv;
using document::AllowedHint;
using document::DescribeYamlNode;

const std::vector<std::string_view> kTopKeys = {
    "version",      "agency",          "partners",       "analysts",
    "attributes",   "methods",         "output_modes",   "max_cohort_size",
    "min_cell_count", "max_job_days"};
const std::vector<std::string_view> kSensitivityNames = {
    "public", "internal", "confidential", "restricted"};
const std::vector<std::string_view> kMethodNames = {"tokens", "bloom",
                                                    "tokens_and_bloom"};
const std::vector<std::string_view> kOutputModeNames = {"linked_microdata",
                                                        "aggregate"};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A PEM "PUBLIC KEY" block or the raw key as 64 hexadecimal characters.
absl::StatusOr<crypto::Ed25519PublicKey> ParsePublicKey(std::string_view text) {
  if (text.find("-----BEGIN") != std::string_view::npos) {
    return crypto::Ed25519PublicKey::FromPem(Sv(text));
  }
  std::vector<uint8_t> bytes;
  if (text.size() == 2 * crypto::kEd25519PublicKeySize) {
    for (size_t i = 0; i < text.size(); i += 2) {
      const int hi = HexDigit(text[i]);
      const int lo = HexDigit(text[i + 1]);
      if (hi < 0 || lo < 0) break;
      bytes.push_back(static_cast<uint8_t>(hi * 16 + lo));
    }
  }
  if (bytes.size() != crypto::kEd25519PublicKeySize) {
    return absl::InvalidArgumentError("not a key");
  }
  return crypto::Ed25519PublicKey::FromBytes(bytes);
}

using Entries = document::YamlEntries;

class AgentPolicyYamlReader : public document::YamlReader {
 public:
  explicit AgentPolicyYamlReader(std::string_view source) : YamlReader(source) {}

  absl::StatusOr<AgentPolicy> Read(const YAML::Node& root) {
    AgentPolicy policy;
    FEDLINK_ASSIGN_OR_RETURN(Entries top, GetEntries(root, "", "the document"));
    FEDLINK_RETURN_IF_ERROR(CheckVersion(root, top, kAgentPolicyVersion));
    FEDLINK_RETURN_IF_ERROR(AllowOnly(top, "", kTopKeys));

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* agency,
                             Required(root, top, "", "agency"));
    FEDLINK_ASSIGN_OR_RETURN(policy.agency, ReadText(*agency, "agency"));

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* partners,
                             Required(root, top, "", "partners"));
    FEDLINK_RETURN_IF_ERROR(ReadPartners(*partners, &policy));

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* analysts,
                             Required(root, top, "", "analysts"));
    FEDLINK_ASSIGN_OR_RETURN(policy.analysts,
                             ReadTextList(*analysts, "analysts", kMaxAnalysts));

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* attributes,
                             Required(root, top, "", "attributes"));
    FEDLINK_RETURN_IF_ERROR(ReadAttributes(*attributes, &policy));

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* methods,
                             Required(root, top, "", "methods"));
    FEDLINK_ASSIGN_OR_RETURN(
        policy.methods,
        ReadEnumList<v1::LinkageMethod>(*methods, "methods", "linkage method",
                                        kMethodNames, &LinkageMethodFromName));

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* modes,
                             Required(root, top, "", "output_modes"));
    FEDLINK_ASSIGN_OR_RETURN(
        policy.output_modes,
        ReadEnumList<v1::OutputMode>(*modes, "output_modes", "output mode",
                                     kOutputModeNames, &OutputModeFromName));

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* cohort,
                             Required(root, top, "", "max_cohort_size"));
    FEDLINK_ASSIGN_OR_RETURN(
        int64_t max_cohort,
        ReadInt(*cohort, "max_cohort_size", 1,
                std::numeric_limits<int64_t>::max()));
    policy.max_cohort_size = static_cast<uint64_t>(max_cohort);

    if (const YAML::Node* cells = Optional(top, "min_cell_count")) {
      FEDLINK_ASSIGN_OR_RETURN(
          int64_t cell, ReadInt(*cells, "min_cell_count", kMinCellCountFloor,
                                kMaxCellCount));
      policy.min_cell_count = static_cast<uint32_t>(cell);
    }

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* days,
                             Required(root, top, "", "max_job_days"));
    FEDLINK_ASSIGN_OR_RETURN(int64_t d,
                             ReadInt(*days, "max_job_days", 1, kMaxJobDaysLimit));
    policy.max_job_duration = absl::Hours(24 * d);
    return policy;
  }

 private:
  absl::Status ReadPartners(const YAML::Node& node, AgentPolicy* policy) {
    FEDLINK_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                             ReadList(node, "partners", kMaxPartners));
    for (size_t i = 0; i < items.size(); ++i) {
      const YAML::Node& item = items[i];
      const std::string path = absl::StrCat("partners[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(Entries e,
                               GetEntries(item, path, "a partner agency"));
      FEDLINK_RETURN_IF_ERROR(
          AllowOnly(e, path, {"agency", "ed25519_public_key"}));
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* agency,
                               Required(item, e, path, "agency"));
      FEDLINK_ASSIGN_OR_RETURN(std::string name,
                               ReadText(*agency, path + ".agency"));
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* key,
                               Required(item, e, path, "ed25519_public_key"));
      const std::string key_path = path + ".ed25519_public_key";
      FEDLINK_ASSIGN_OR_RETURN(std::string key_text, ReadText(*key, key_path));
      absl::StatusOr<crypto::Ed25519PublicKey> public_key =
          ParsePublicKey(key_text);
      if (!public_key.ok()) {
        return Error(key->Mark(), key_path,
                     "expected the partner's Ed25519 decision key: a PEM "
                     "PUBLIC KEY block (its agent's signing key .pub file) or "
                     "the raw key as 64 hexadecimal characters");
      }
      policy->partners.push_back(Partner{std::move(name), *public_key});
    }
    return absl::OkStatus();
  }

  absl::Status ReadAttributes(const YAML::Node& node, AgentPolicy* policy) {
    FEDLINK_ASSIGN_OR_RETURN(
        Entries e, GetEntries(node, "attributes", "the attributes section"));
    FEDLINK_RETURN_IF_ERROR(
        AllowOnly(e, "attributes", {"allow", "max_sensitivity"}));
    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* allow,
                             Required(node, e, "attributes", "allow"));
    FEDLINK_ASSIGN_OR_RETURN(
        policy->columns,
        ReadTextList(*allow, "attributes.allow", kMaxAllowedColumns));
    // No default: the ceiling is a deliberate decision of the steward.
    if (Optional(e, "max_sensitivity") == nullptr) {
      return Error(node.Mark(), "attributes",
                   absl::StrCat("missing required key 'max_sensitivity' ",
                                AllowedHint("", kSensitivityNames)));
    }
    FEDLINK_ASSIGN_OR_RETURN(
        policy->max_sensitivity,
        ReadEnum<ingest::Sensitivity>(
            *Optional(e, "max_sensitivity"), "attributes.max_sensitivity",
            "sensitivity class", kSensitivityNames,
            &ingest::SensitivityFromName));
    return absl::OkStatus();
  }
};

}  // namespace

absl::StatusOr<AgentPolicy> ParseAgentPolicyYaml(std::string_view yaml,
                                                 std::string_view source_name) {
  AgentPolicyYamlReader reader(source_name);
  return document::ParseValidatedYamlDocument<AgentPolicy>(
      yaml, source_name, "an agent policy", kMaxAgentPolicyBytes, reader,
      &internal::FindAgentPolicyProblems);
}

absl::StatusOr<AgentPolicy> LoadAgentPolicyFile(const std::string& path) {
  FEDLINK_ASSIGN_OR_RETURN(const std::string text,
                           proto::ReadYamlFile(path, "agent policy", kMaxAgentPolicyBytes));
  return ParseAgentPolicyYaml(text, path);
}

}  // namespace fedlink::agent::policy
