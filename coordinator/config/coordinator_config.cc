// Strict YAML reading: yaml-cpp builds the tree (its exceptions stop here),
// then each mapping is checked against its allowed keys, each scalar against
// its type, and every error carries the file, line and column of the node.
#include "coordinator/config/coordinator_config.h"

#include <charconv>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "linkage/status_macros.h"
#include "proto/metrics/listen_address.h"
#include "proto/runtime/peer_identity.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;

std::string Join(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view w : words) absl::StrAppend(&out, out.empty() ? "" : ", ", std::string(w));
  return out;
}

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    base_dir_ = fs::path(path).parent_path();
  }

  absl::Status Error(const YAML::Node& node, std::string_view key, std::string_view problem) const {
    const YAML::Mark mark = node.Mark();
    return absl::InvalidArgumentError(absl::StrCat(path_, ":", mark.line + 1, ":", mark.column + 1,
                                                   ": ", std::string(key), ": ",
                                                   std::string(problem)));
  }

  // A mapping whose keys are all in `allowed` (and none repeated; yaml-cpp
  // keeps the last of two equal keys, so they are counted here).
  absl::Status CheckMap(const YAML::Node& node, std::string_view key,
                        const std::vector<std::string_view>& allowed) const {
    if (!node.IsMap()) return Error(node, key, "must be a mapping");
    std::set<std::string> seen;
    for (const auto& item : node) {
      const std::string name = item.first.Scalar();
      bool known = false;
      for (std::string_view a : allowed) known = known || a == name;
      const std::string full = key.empty() ? name : absl::StrCat(std::string(key), ".", name);
      if (!known) {
        return Error(item.first, full,
                     absl::StrCat("unknown key (allowed: ", Join(allowed), ")"));
      }
      if (!seen.insert(name).second) return Error(item.first, full, "appears twice");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> String(const YAML::Node& node, std::string_view key) const {
    if (!node.IsScalar()) return Error(node, key, "must be a text value");
    return node.Scalar();
  }

  absl::StatusOr<uint64_t> Unsigned(const YAML::Node& node, std::string_view key,
                                    uint64_t min, uint64_t max) const {
    if (!node.IsScalar()) return Error(node, key, "must be a whole number");
    const std::string& text = node.Scalar();
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      return Error(node, key, absl::StrCat("must be a whole number in ", min, "..", max));
    }
    if (value < min || value > max) {
      return Error(node, key, absl::StrCat("must be in ", min, "..", max));
    }
    return value;
  }

  absl::StatusOr<std::string> Path(const YAML::Node& node, std::string_view key) const {
    FEDLINK_ASSIGN_OR_RETURN(std::string text, String(node, key));
    if (text.empty()) return Error(node, key, "must be a path");
    fs::path p(text);
    if (p.is_relative()) p = base_dir_ / p;
    return p.lexically_normal().string();
  }

  absl::StatusOr<std::string> Name(const YAML::Node& node, std::string_view key) const {
    FEDLINK_ASSIGN_OR_RETURN(std::string text, String(node, key));
    if (!proto::IsValidName(text)) {
      return Error(node, key, "must match [a-z0-9][a-z0-9._-]* (1..64 characters)");
    }
    return text;
  }

  absl::StatusOr<absl::Time> Date(const YAML::Node& node, std::string_view key) const {
    FEDLINK_ASSIGN_OR_RETURN(std::string text, String(node, key));
    absl::Time day;
    std::string error;
    if (!absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &day, &error)) {
      return Error(node, key, "must be a date YYYY-MM-DD");
    }
    // The whole day counts: expiry is the start of the next day (UTC).
    return day + absl::Hours(24);
  }

  absl::StatusOr<crypto::Ed25519PublicKey> DecisionKey(const YAML::Node& node,
                                                       std::string_view key) const {
    FEDLINK_ASSIGN_OR_RETURN(std::string file, Path(node, key));
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat(path_, ": ", std::string(key), ": cannot read ", file));
    std::stringstream content;
    content << in.rdbuf();
    if (content.str().size() > 65536) {
      return Error(node, key, absl::StrCat(file, " is too large for a public key"));
    }
    absl::StatusOr<crypto::Ed25519PublicKey> parsed = crypto::Ed25519PublicKey::FromPem(content.str());
    if (!parsed.ok()) {
      return Error(node, key, absl::StrCat(file, " holds no PEM Ed25519 public key"));
    }
    return *parsed;
  }

 private:
  std::string path_;
  fs::path base_dir_;
};

absl::Status ParseAgencies(const Reader& r, const YAML::Node& list, Registry& registry) {
  if (!list.IsSequence()) return r.Error(list, "agencies", "must be a list");
  std::set<std::string> agent_names;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node node = list[i];
    const std::string key = absl::StrCat("agencies[", i, "]");
    FEDLINK_RETURN_IF_ERROR(r.CheckMap(
        node, key, {"id", "display_name", "agent", "decision_key", "min_cell_count"}));
    // Filled below; the key is replaced by the registered one.
    AgencyEntry entry{"", "", "",
                      *crypto::Ed25519PublicKey::FromBytes(
                          std::vector<uint8_t>(crypto::kEd25519PublicKeySize, 0)),
                      0};
    if (!node["id"]) return r.Error(node, key + ".id", "is required");
    FEDLINK_ASSIGN_OR_RETURN(entry.id, r.Name(node["id"], key + ".id"));
    if (node["display_name"]) {
      FEDLINK_ASSIGN_OR_RETURN(entry.display_name,
                               r.String(node["display_name"], key + ".display_name"));
    }
    entry.agent_certificate_name = entry.id;
    if (node["agent"]) {
      FEDLINK_ASSIGN_OR_RETURN(entry.agent_certificate_name, r.Name(node["agent"], key + ".agent"));
    }
    if (!node["decision_key"]) return r.Error(node, key + ".decision_key", "is required");
    FEDLINK_ASSIGN_OR_RETURN(entry.decision_key,
                             r.DecisionKey(node["decision_key"], key + ".decision_key"));
    if (node["min_cell_count"]) {
      FEDLINK_ASSIGN_OR_RETURN(uint64_t floor, r.Unsigned(node["min_cell_count"],
                                                          key + ".min_cell_count", 0, 1000000));
      entry.min_cell_count = static_cast<uint32_t>(floor);
    }
    if (registry.agencies.count(entry.id) > 0) {
      return r.Error(node["id"], key + ".id", "names an agency listed before");
    }
    if (!agent_names.insert(entry.agent_certificate_name).second) {
      return r.Error(node, key + ".agent", "is the agent certificate of another agency");
    }
    registry.agencies.emplace(entry.id, std::move(entry));
  }
  return absl::OkStatus();
}

absl::Status ParseAnalysts(const Reader& r, const YAML::Node& list, Registry& registry) {
  if (!list.IsSequence()) return r.Error(list, "analysts", "must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node node = list[i];
    const std::string key = absl::StrCat("analysts[", i, "]");
    FEDLINK_RETURN_IF_ERROR(r.CheckMap(node, key, {"name", "display_name", "training_expires"}));
    AnalystEntry entry;
    if (!node["name"]) return r.Error(node, key + ".name", "is required");
    FEDLINK_ASSIGN_OR_RETURN(entry.name, r.Name(node["name"], key + ".name"));
    if (node["display_name"]) {
      FEDLINK_ASSIGN_OR_RETURN(entry.display_name,
                               r.String(node["display_name"], key + ".display_name"));
    }
    if (!node["training_expires"]) return r.Error(node, key + ".training_expires", "is required");
    FEDLINK_ASSIGN_OR_RETURN(entry.training_expires_at,
                             r.Date(node["training_expires"], key + ".training_expires"));
    if (registry.analysts.count(entry.name) > 0) {
      return r.Error(node["name"], key + ".name", "names an analyst listed before");
    }
    registry.analysts.emplace(entry.name, std::move(entry));
  }
  return absl::OkStatus();
}

absl::StatusOr<CoordinatorConfig> ParseTree(const Reader& r, const YAML::Node& root,
                                            const std::string& path) {
  FEDLINK_RETURN_IF_ERROR(r.CheckMap(root, "", {"version", "listen", "data_dir", "log_format",
                                                 "metrics", "tls", "audit_key", "aggregate",
                                                 "retention", "agencies", "analysts"}));
  CoordinatorConfig config;
  config.source_path = path;
  if (!root["version"]) return r.Error(root, "version", "is required");
  // The format version first: a newer file's other keys would mislead.
  FEDLINK_ASSIGN_OR_RETURN(uint64_t version, r.Unsigned(root["version"], "version", 1, 1));
  (void)version;
  for (const char* required : {"listen", "data_dir", "tls", "agencies"}) {
    if (!root[required]) return r.Error(root, required, "is required");
  }
  FEDLINK_ASSIGN_OR_RETURN(config.listen_address, r.String(root["listen"], "listen"));
  const size_t colon = config.listen_address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == config.listen_address.size()) {
    return r.Error(root["listen"], "listen", "must be host:port (e.g. 0.0.0.0:7443)");
  }
  FEDLINK_ASSIGN_OR_RETURN(config.data_dir, r.Path(root["data_dir"], "data_dir"));
  if (root["log_format"]) {
    FEDLINK_ASSIGN_OR_RETURN(std::string format, r.String(root["log_format"], "log_format"));
    if (format == "text") {
      config.log_format = LogFormat::kText;
    } else if (format == "json") {
      config.log_format = LogFormat::kJson;
    } else {
      return r.Error(root["log_format"], "log_format", "must be one of: text, json");
    }
  }
  if (root["metrics"]) {
    FEDLINK_RETURN_IF_ERROR(r.CheckMap(root["metrics"], "metrics", {"listen"}));
    const YAML::Node listen = root["metrics"]["listen"];
    if (!listen) return r.Error(root["metrics"], "metrics.listen", "is required");
    FEDLINK_ASSIGN_OR_RETURN(config.metrics_listen, r.String(listen, "metrics.listen"));
    if (absl::Status valid = metrics::CheckListenAddress(config.metrics_listen); !valid.ok()) {
      return r.Error(listen, "metrics.listen", std::string(valid.message()));
    }
  }
  const YAML::Node tls = root["tls"];
  FEDLINK_RETURN_IF_ERROR(r.CheckMap(tls, "tls", {"ca", "cert", "key", "crl_dir"}));
  for (const char* required : {"ca", "cert", "key"}) {
    if (!tls[required]) return r.Error(tls, absl::StrCat("tls.", required), "is required");
  }
  FEDLINK_ASSIGN_OR_RETURN(config.tls.ca_file, r.Path(tls["ca"], "tls.ca"));
  FEDLINK_ASSIGN_OR_RETURN(config.tls.cert_file, r.Path(tls["cert"], "tls.cert"));
  FEDLINK_ASSIGN_OR_RETURN(config.tls.key_file, r.Path(tls["key"], "tls.key"));
  if (tls["crl_dir"]) {
    FEDLINK_ASSIGN_OR_RETURN(config.tls_options.crl_directory, r.Path(tls["crl_dir"], "tls.crl_dir"));
  }
  if (root["audit_key"]) {
    FEDLINK_ASSIGN_OR_RETURN(config.audit_key_file, r.Path(root["audit_key"], "audit_key"));
  }
  if (root["aggregate"]) {
    FEDLINK_RETURN_IF_ERROR(r.CheckMap(root["aggregate"], "aggregate", {"min_cell_count"}));
    if (root["aggregate"]["min_cell_count"]) {
      FEDLINK_ASSIGN_OR_RETURN(uint64_t floor, r.Unsigned(root["aggregate"]["min_cell_count"],
                                                          "aggregate.min_cell_count", 1, 1000000));
      config.min_cell_count = static_cast<uint32_t>(floor);
    }
  }
  if (root["retention"]) {
    FEDLINK_RETURN_IF_ERROR(r.CheckMap(root["retention"], "retention", {"grace_hours"}));
    if (root["retention"]["grace_hours"]) {
      FEDLINK_ASSIGN_OR_RETURN(uint64_t hours, r.Unsigned(root["retention"]["grace_hours"],
                                                          "retention.grace_hours", 0, 24 * 3660));
      config.retention_grace = absl::Hours(static_cast<int64_t>(hours));
    }
  }
  FEDLINK_RETURN_IF_ERROR(ParseAgencies(r, root["agencies"], config.registry));
  if (config.registry.agencies.size() < 2) {
    return r.Error(root["agencies"], "agencies", "must list at least two agencies");
  }
  if (root["analysts"]) {
    FEDLINK_RETURN_IF_ERROR(ParseAnalysts(r, root["analysts"], config.registry));
  }
  return config;
}

}  // namespace

const AgencyEntry* Registry::AgencyForAgent(std::string_view certificate_name) const {
  for (const auto& [id, entry] : agencies) {
    if (entry.agent_certificate_name == certificate_name) return &entry;
  }
  return nullptr;
}

absl::StatusOr<CoordinatorConfig> ParseCoordinatorConfig(std::string_view yaml,
                                                         const std::string& path) {
  Reader reader(path);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": not valid YAML: ", e.msg));
  }
  try {
    return ParseTree(reader, root, path);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<CoordinatorConfig> LoadCoordinatorConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream content;
  content << in.rdbuf();
  return ParseCoordinatorConfig(content.str(), path);
}

}  // namespace fedlink::coordinator
