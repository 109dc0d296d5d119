// ParseAgentPolicyYaml and LoadAgentPolicyFile: the YAML form of an agent
// policy (documented in deploy/examples/agent-policy.yaml). yaml-cpp builds
// the node tree; this file checks its shape strictly (no unknown or repeated
// keys, no silent type conversions, enumerations spelled exactly) and
// remembers where every key was, so that each error — structural or a
// ValidateAgentPolicy rule — points at a line and column.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/policy/agent_policy.h"
#include "agent/policy/policy_internal.h"
#include "linkage/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::agent::policy {
namespace {

using internal::Quote;
using internal::Sv;

constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kIntTag = "tag:yaml.org,2002:int";

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

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "(did you mean 'x'? allowed: a, b, c)" for a word not in `allowed`.
std::string AllowedHint(std::string_view word,
                        const std::vector<std::string_view>& allowed) {
  std::string_view closest;
  size_t best = 3;  // suggest near misses only
  for (std::string_view candidate : allowed) {
    const size_t d = EditDistance(word, candidate);
    if (d < best) {
      best = d;
      closest = candidate;
    }
  }
  std::string hint = "(";
  if (!closest.empty()) {
    absl::StrAppend(&hint, "did you mean '", Sv(closest), "'? ");
  }
  std::vector<absl::string_view> names;
  for (std::string_view name : allowed) names.push_back(Sv(name));
  absl::StrAppend(&hint, "allowed: ", absl::StrJoin(names, ", "), ")");
  return hint;
}

std::string DescribeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return Quote(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

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

struct MapEntry {
  YAML::Node key;
  YAML::Node value;
};
using Entries = std::map<std::string, MapEntry>;

class AgentPolicyYamlReader {
 public:
  explicit AgentPolicyYamlReader(std::string_view source) : source_(source) {}

  absl::StatusOr<AgentPolicy> Read(const YAML::Node& root) {
    AgentPolicy policy;
    FEDLINK_ASSIGN_OR_RETURN(Entries top, GetEntries(root, "", "the document"));
    // The version first: a newer file would otherwise show up as a list of
    // unknown keys.
    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* version,
                             Required(root, top, "", "version"));
    FEDLINK_ASSIGN_OR_RETURN(
        int64_t v,
        ReadInt(*version, "version", 0, std::numeric_limits<uint32_t>::max()));
    if (v != kAgentPolicyVersion) {
      return Error(version->Mark(), "version",
                   absl::StrCat("unsupported version ", v,
                                " (this build reads version ",
                                kAgentPolicyVersion, ")"));
    }
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

  // "source:line:col: " for `path`, or for its nearest enclosing key whose
  // position is known.
  std::string PrefixFor(const std::string& path) const {
    std::string p = path;
    while (true) {
      auto it = marks_.find(p);
      if (it != marks_.end()) return Prefix(it->second);
      if (p.empty()) return absl::StrCat(Sv(source_), ": ");
      const size_t cut = p.find_last_of(".[");
      p = cut == std::string::npos ? std::string() : p.substr(0, cut);
    }
  }

  std::string Prefix(const YAML::Mark& mark) const {
    if (mark.is_null()) return absl::StrCat(Sv(source_), ": ");
    return absl::StrCat(Sv(source_), ":", mark.line + 1, ":", mark.column + 1,
                        ": ");
  }

 private:
  absl::Status Error(const YAML::Mark& mark, const std::string& path,
                     std::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(
        Prefix(mark), path.empty() ? "" : path + ": ", Sv(message)));
  }

  absl::StatusOr<Entries> GetEntries(const YAML::Node& node,
                                     const std::string& path,
                                     std::string_view what) {
    if (!node.IsMap()) {
      return Error(node.Mark(), path,
                   absl::StrCat("expected a mapping for ", Sv(what), ", got ",
                                DescribeNode(node)));
    }
    Entries entries;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;
      if (!key.IsScalar()) {
        return Error(
            key.Mark(), path,
            absl::StrCat("a key must be plain text, got ", DescribeNode(key)));
      }
      auto [pos, inserted] =
          entries.emplace(key.Scalar(), MapEntry{key, it->second});
      if (!inserted) {
        return Error(key.Mark(), path,
                     absl::StrCat("key ", Quote(key.Scalar()),
                                  " appears twice (first at line ",
                                  pos->second.key.Mark().line + 1, ")"));
      }
      marks_[path.empty() ? key.Scalar() : path + "." + key.Scalar()] =
          it->second.Mark();
    }
    marks_[path] = node.Mark();
    return entries;
  }

  absl::Status AllowOnly(const Entries& entries, const std::string& path,
                         const std::vector<std::string_view>& allowed) {
    for (const auto& [name, entry] : entries) {
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) {
        continue;
      }
      return Error(entry.key.Mark(), path,
                   absl::StrCat("unknown key ", Quote(name), " ",
                                AllowedHint(name, allowed)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<const YAML::Node*> Required(const YAML::Node& map,
                                             const Entries& entries,
                                             const std::string& path,
                                             const std::string& key) {
    auto it = entries.find(key);
    if (it == entries.end()) {
      return Error(map.Mark(), path,
                   absl::StrCat("missing required key '", key, "'"));
    }
    return &it->second.value;
  }

  static const YAML::Node* Optional(const Entries& entries,
                                    const std::string& key) {
    auto it = entries.find(key);
    return it == entries.end() ? nullptr : &it->second.value;
  }

  absl::StatusOr<std::string> ReadText(const YAML::Node& node,
                                       const std::string& path) {
    if (!node.IsScalar()) {
      return Error(node.Mark(), path,
                   absl::StrCat("expected text, got ", DescribeNode(node)));
    }
    return node.Scalar();
  }

  absl::StatusOr<int64_t> ReadInt(const YAML::Node& node,
                                  const std::string& path, int64_t min,
                                  int64_t max) {
    const std::string expected = absl::StrCat("expected a whole number from ",
                                              min, " to ", max, ", got ");
    if (!node.IsScalar() ||
        (node.Tag() != kPlainTag && node.Tag() != kIntTag)) {
      return Error(
          node.Mark(), path,
          absl::StrCat(expected, node.IsScalar() ? "a quoted or tagged value"
                                                 : DescribeNode(node)));
    }
    const std::string& text = node.Scalar();
    int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < min ||
        value > max) {
      return Error(node.Mark(), path, absl::StrCat(expected, Quote(text)));
    }
    return value;
  }

  // The items of a list of at most `max_items`, each remembered by position.
  absl::StatusOr<std::vector<YAML::Node>> ReadList(const YAML::Node& node,
                                                   const std::string& path,
                                                   size_t max_items) {
    if (!node.IsSequence()) {
      return Error(node.Mark(), path,
                   absl::StrCat("expected a list, got ", DescribeNode(node)));
    }
    if (node.size() > max_items) {
      return Error(node.Mark(), path,
                   absl::StrCat(node.size(), " entries (at most ", max_items,
                                " are allowed)"));
    }
    std::vector<YAML::Node> items;
    for (size_t i = 0; i < node.size(); ++i) {
      marks_[absl::StrCat(path, "[", i, "]")] = node[i].Mark();
      items.push_back(node[i]);
    }
    return items;
  }

  absl::StatusOr<std::vector<std::string>> ReadTextList(const YAML::Node& node,
                                                        const std::string& path,
                                                        size_t max_items) {
    FEDLINK_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                             ReadList(node, path, max_items));
    std::vector<std::string> out;
    for (size_t i = 0; i < items.size(); ++i) {
      FEDLINK_ASSIGN_OR_RETURN(
          std::string text, ReadText(items[i], absl::StrCat(path, "[", i, "]")));
      out.push_back(std::move(text));
    }
    return out;
  }

  // One of `allowed`, spelled exactly.
  template <typename E>
  absl::StatusOr<E> ReadEnum(const YAML::Node& node, const std::string& path,
                             std::string_view what,
                             const std::vector<std::string_view>& allowed,
                             std::optional<E> (*from_name)(std::string_view)) {
    FEDLINK_ASSIGN_OR_RETURN(std::string text, ReadText(node, path));
    std::optional<E> value = from_name(text);
    if (!value.has_value()) {
      return Error(node.Mark(), path,
                   absl::StrCat("unknown ", Sv(what), " ", Quote(text), " ",
                                AllowedHint(text, allowed)));
    }
    return *value;
  }

  template <typename E>
  absl::StatusOr<std::vector<E>> ReadEnumList(
      const YAML::Node& node, const std::string& path, std::string_view what,
      const std::vector<std::string_view>& allowed,
      std::optional<E> (*from_name)(std::string_view)) {
    // Longer than `allowed` can only repeat entries; the validator says so.
    FEDLINK_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                             ReadList(node, path, 64));
    std::vector<E> out;
    for (size_t i = 0; i < items.size(); ++i) {
      FEDLINK_ASSIGN_OR_RETURN(
          E value, ReadEnum<E>(items[i], absl::StrCat(path, "[", i, "]"), what,
                               allowed, from_name));
      out.push_back(value);
    }
    return out;
  }

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

  std::string_view source_;
  std::map<std::string, YAML::Mark> marks_;
};

}  // namespace

absl::StatusOr<AgentPolicy> ParseAgentPolicyYaml(std::string_view yaml,
                                                 std::string_view source_name) {
  if (yaml.size() > kMaxAgentPolicyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(source_name), ": ", yaml.size(),
                     " bytes (an agent policy may have at most ",
                     kMaxAgentPolicyBytes, ")"));
  }
  AgentPolicyYamlReader reader(source_name);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    FEDLINK_ASSIGN_OR_RETURN(AgentPolicy policy, reader.Read(root));
    FEDLINK_RETURN_IF_ERROR(internal::ProblemsToStatus(
        internal::FindAgentPolicyProblems(policy),
        [&reader](const std::string& path) { return reader.PrefixFor(path); }));
    return policy;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(reader.Prefix(e.mark), "malformed YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(source_name), ": cannot read YAML: ", e.what()));
  }
}

absl::StatusOr<AgentPolicy> LoadAgentPolicyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message = absl::StrCat("cannot open agent policy ", path,
                                             ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  std::string text(kMaxAgentPolicyBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return absl::InternalError(absl::StrCat("cannot read agent policy ", path));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  return ParseAgentPolicyYaml(text, path);
}

}  // namespace fedlink::agent::policy
