// The YAML reader of agent.yaml: strict about shape (no unknown or repeated
// keys, no silent type conversions) and every error placed at the line and
// column of the key it concerns.
#include "agent/daemon/agent_config.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "linkage/status_macros.h"
#include "proto/metrics/listen_address.h"
#include "proto/runtime/peer_identity.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::agent::daemon {
namespace {

// A value and where it was: at the value itself, or at its key when the
// value is empty (yaml-cpp gives empty nodes no position).
struct Entry {
  Entry(const YAML::Mark& key_mark, const YAML::Node& node)
      : mark(node.Mark().is_null() ? key_mark : node.Mark()), value(node) {}
  YAML::Mark mark;
  YAML::Node value;
};
using Entries = std::map<std::string, Entry>;

class ConfigReader {
 public:
  ConfigReader(std::string_view source, std::string_view base_dir)
      : source_(source), base_dir_(base_dir) {}

  absl::StatusOr<AgentConfig> Read(const YAML::Node& root) {
    AgentConfig config;
    FEDLINK_ASSIGN_OR_RETURN(
        Entries top,
        GetEntries(root, "", {"version", "agency", "data_dir", "policy_file",
                              "ingest_schema_file", "coordinator", "admin",
                              "log", "metrics", "reconnect", "encoding"}));
    FEDLINK_ASSIGN_OR_RETURN(const Entry* version, Required(root, top, "", "version"));
    FEDLINK_ASSIGN_OR_RETURN(int64_t v, ReadInt(*version, "version", 1, 1000));
    if (v != kAgentConfigVersion) {
      return Error(version->mark, "version",
                   absl::StrCat("unsupported version ", v, " (allowed: ",
                                kAgentConfigVersion, ")"));
    }
    FEDLINK_ASSIGN_OR_RETURN(const Entry* agency, Required(root, top, "", "agency"));
    FEDLINK_ASSIGN_OR_RETURN(config.agency, ReadText(*agency, "agency"));
    if (!proto::IsValidName(config.agency)) {
      return Error(agency->mark, "agency",
                   "not an agency id (allowed: [a-z0-9][a-z0-9._-]*, 1..64 "
                   "bytes, as in the agent certificate)");
    }
    FEDLINK_ASSIGN_OR_RETURN(config.data_dir, ReadPath(root, top, "", "data_dir"));
    FEDLINK_ASSIGN_OR_RETURN(config.policy_file, ReadPath(root, top, "", "policy_file"));
    FEDLINK_ASSIGN_OR_RETURN(config.ingest_schema_file,
                             ReadPath(root, top, "", "ingest_schema_file"));

    FEDLINK_ASSIGN_OR_RETURN(const Entry* coordinator,
                             Required(root, top, "", "coordinator"));
    FEDLINK_ASSIGN_OR_RETURN(
        Entries c, GetEntries(coordinator->value, "coordinator.",
                              {"address", "ca_file", "cert_file", "key_file",
                               "crl_directory", "tree_head_key"}));
    FEDLINK_ASSIGN_OR_RETURN(const Entry* address,
                             Required(coordinator->value, c, "coordinator.", "address"));
    FEDLINK_ASSIGN_OR_RETURN(config.coordinator_address,
                             ReadText(*address, "coordinator.address"));
    if (config.coordinator_address.find(':') == std::string::npos ||
        config.coordinator_address.find_first_of(" \t/") != std::string::npos) {
      return Error(address->mark, "coordinator.address",
                   "not host:port (allowed: e.g. coord.example.org:7443)");
    }
    FEDLINK_ASSIGN_OR_RETURN(config.ca_file,
                             ReadPath(coordinator->value, c, "coordinator.", "ca_file"));
    FEDLINK_ASSIGN_OR_RETURN(config.cert_file,
                             ReadPath(coordinator->value, c, "coordinator.", "cert_file"));
    FEDLINK_ASSIGN_OR_RETURN(config.key_file,
                             ReadPath(coordinator->value, c, "coordinator.", "key_file"));
    if (auto it = c.find("crl_directory"); it != c.end()) {
      FEDLINK_ASSIGN_OR_RETURN(std::string crl,
                               ReadText(it->second, "coordinator.crl_directory"));
      config.crl_directory = Resolve(crl);
    }
    if (auto it = c.find("tree_head_key"); it != c.end()) {
      FEDLINK_ASSIGN_OR_RETURN(std::string key,
                               ReadText(it->second, "coordinator.tree_head_key"));
      config.coordinator_tree_head_key_file = Resolve(key);
    }

    FEDLINK_ASSIGN_OR_RETURN(const Entry* admin, Required(root, top, "", "admin"));
    FEDLINK_ASSIGN_OR_RETURN(Entries a, GetEntries(admin->value, "admin.", {"socket", "mode"}));
    FEDLINK_ASSIGN_OR_RETURN(config.admin_socket,
                             ReadPath(admin->value, a, "admin.", "socket"));
    if (auto it = a.find("mode"); it != a.end()) {
      FEDLINK_ASSIGN_OR_RETURN(std::string mode, ReadText(it->second, "admin.mode"));
      if (mode == "0600" || mode == "600") {
        config.admin_socket_mode = 0600;
      } else if (mode == "0660" || mode == "660") {
        config.admin_socket_mode = 0660;
      } else {
        return Error(it->second.mark, "admin.mode",
                     absl::StrCat("unknown mode '", Printable(mode),
                                  "' (allowed: 0600, 0660)"));
      }
    }

    if (auto it = top.find("log"); it != top.end()) {
      FEDLINK_ASSIGN_OR_RETURN(Entries l,
                               GetEntries(it->second.value, "log.", {"format", "level"}));
      if (auto f = l.find("format"); f != l.end()) {
        FEDLINK_ASSIGN_OR_RETURN(std::string format, ReadText(f->second, "log.format"));
        if (format == "json") {
          config.log_format = LogFormat::kJson;
        } else if (format == "text") {
          config.log_format = LogFormat::kText;
        } else {
          return Error(f->second.mark, "log.format",
                       absl::StrCat("unknown format '", Printable(format),
                                    "' (allowed: json, text)"));
        }
      }
      if (auto f = l.find("level"); f != l.end()) {
        FEDLINK_ASSIGN_OR_RETURN(config.log_level, ReadText(f->second, "log.level"));
        static const std::set<std::string> kLevels = {"trace", "debug", "info",
                                                      "warn", "error"};
        if (kLevels.count(config.log_level) == 0) {
          return Error(f->second.mark, "log.level",
                       absl::StrCat("unknown level '", Printable(config.log_level),
                                    "' (allowed: trace, debug, info, warn, error)"));
        }
      }
    }

    if (auto it = top.find("metrics"); it != top.end()) {
      FEDLINK_ASSIGN_OR_RETURN(Entries m, GetEntries(it->second.value, "metrics.", {"listen"}));
      FEDLINK_ASSIGN_OR_RETURN(const Entry* listen,
                               Required(it->second.value, m, "metrics.", "listen"));
      FEDLINK_ASSIGN_OR_RETURN(config.metrics_listen, ReadText(*listen, "metrics.listen"));
      if (absl::Status valid = metrics::CheckListenAddress(config.metrics_listen); !valid.ok()) {
        return Error(listen->mark, "metrics.listen", std::string(valid.message()));
      }
    }

    if (auto it = top.find("reconnect"); it != top.end()) {
      FEDLINK_ASSIGN_OR_RETURN(
          Entries r, GetEntries(it->second.value, "reconnect.",
                                {"initial_ms", "max_ms", "multiplier", "jitter"}));
      if (auto f = r.find("initial_ms"); f != r.end()) {
        FEDLINK_ASSIGN_OR_RETURN(int64_t ms,
                                 ReadInt(f->second, "reconnect.initial_ms", 1, 3600000));
        config.reconnect.initial = absl::Milliseconds(ms);
      }
      if (auto f = r.find("max_ms"); f != r.end()) {
        FEDLINK_ASSIGN_OR_RETURN(int64_t ms,
                                 ReadInt(f->second, "reconnect.max_ms", 1, 3600000));
        config.reconnect.max = absl::Milliseconds(ms);
      }
      if (auto f = r.find("multiplier"); f != r.end()) {
        FEDLINK_ASSIGN_OR_RETURN(config.reconnect.multiplier,
                                 ReadDouble(f->second, "reconnect.multiplier", 1.0, 16.0, true));
      }
      if (auto f = r.find("jitter"); f != r.end()) {
        FEDLINK_ASSIGN_OR_RETURN(config.reconnect.jitter,
                                 ReadDouble(f->second, "reconnect.jitter", 0.0, 1.0, false));
      }
      if (config.reconnect.max < config.reconnect.initial) {
        return Error(it->second.mark, "reconnect.max_ms",
                     "smaller than reconnect.initial_ms (allowed: max_ms >= initial_ms)");
      }
    }

    if (auto it = top.find("encoding"); it != top.end()) {
      FEDLINK_ASSIGN_OR_RETURN(
          Entries e,
          GetEntries(it->second.value, "encoding.", {"threads", "max_records_per_batch"}));
      if (auto f = e.find("threads"); f != e.end()) {
        FEDLINK_ASSIGN_OR_RETURN(int64_t threads, ReadInt(f->second, "encoding.threads", 0, 256));
        config.encode_threads = static_cast<int>(threads);
      }
      if (auto f = e.find("max_records_per_batch"); f != e.end()) {
        FEDLINK_ASSIGN_OR_RETURN(
            int64_t records, ReadInt(f->second, "encoding.max_records_per_batch", 1, 65536));
        config.max_records_per_batch = static_cast<uint32_t>(records);
      }
    }
    return config;
  }

 private:
  absl::Status Error(const YAML::Mark& mark, std::string_view key,
                     std::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(source_), ":", mark.line + 1, ":", mark.column + 1, ": ",
        std::string(key), ": ", std::string(message)));
  }

  // A name or word from the file for a message: printable ASCII, cut short.
  static std::string Printable(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 32)) {
      out.push_back(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
    }
    if (text.size() > 32) out += "...";
    return out;
  }

  absl::StatusOr<Entries> GetEntries(const YAML::Node& node, std::string_view prefix,
                                     const std::vector<std::string>& allowed) const {
    const std::string where = prefix.empty() ? std::string("the document")
                                             : std::string(prefix.substr(0, prefix.size() - 1));
    if (!node.IsMap()) {
      return Error(node.Mark(), prefix.empty() ? "(top)" : where, "must be a mapping of keys");
    }
    Entries entries;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        return Error(kv.first.Mark(), where, "keys must be plain words");
      }
      const std::string key = kv.first.Scalar();
      const std::string full = absl::StrCat(std::string(prefix), key);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Error(kv.first.Mark(), full,
                     absl::StrCat("unknown key (allowed: ", absl::StrJoin(allowed, ", "), ")"));
      }
      if (!entries.emplace(key, Entry(kv.first.Mark(), kv.second)).second) {
        return Error(kv.first.Mark(), full, "repeated key");
      }
    }
    return entries;
  }

  absl::StatusOr<const Entry*> Required(const YAML::Node& parent, const Entries& entries,
                                        std::string_view prefix, std::string_view key) const {
    auto it = entries.find(std::string(key));
    if (it == entries.end()) {
      return Error(parent.Mark(), absl::StrCat(std::string(prefix), std::string(key)),
                   "missing (required)");
    }
    return &it->second;
  }

  absl::StatusOr<std::string> ReadText(const Entry& entry, std::string_view key) const {
    if (!entry.value.IsScalar() || entry.value.Scalar().empty()) {
      return Error(entry.mark, key, "must be a non-empty text value");
    }
    const std::string& text = entry.value.Scalar();
    if (text.size() > 4096) return Error(entry.mark, key, "longer than 4096 bytes");
    for (unsigned char ch : text) {
      if (ch < 0x20 || ch == 0x7f) return Error(entry.mark, key, "contains a control character");
    }
    return text;
  }

  std::string Resolve(const std::string& path) const {
    std::filesystem::path p(path);
    if (p.is_relative() && !base_dir_.empty()) p = std::filesystem::path(base_dir_) / p;
    return p.lexically_normal().string();
  }

  absl::StatusOr<std::string> ReadPath(const YAML::Node& parent, const Entries& entries,
                                       std::string_view prefix, std::string_view key) const {
    FEDLINK_ASSIGN_OR_RETURN(const Entry* entry, Required(parent, entries, prefix, key));
    FEDLINK_ASSIGN_OR_RETURN(std::string text,
                             ReadText(*entry, absl::StrCat(std::string(prefix), std::string(key))));
    return Resolve(text);
  }

  // A plain (untagged, unquoted) decimal integer in [min, max].
  absl::StatusOr<int64_t> ReadInt(const Entry& entry, std::string_view key, int64_t min,
                                  int64_t max) const {
    const std::string allowed = absl::StrCat("(allowed: integer ", min, "..", max, ")");
    if (!entry.value.IsScalar() || entry.value.Tag() != "?") {
      return Error(entry.mark, key, absl::StrCat("must be an unquoted integer ", allowed));
    }
    const std::string& text = entry.value.Scalar();
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
      return Error(entry.mark, key, absl::StrCat("out of range or not an integer ", allowed));
    }
    return value;
  }

  absl::StatusOr<double> ReadDouble(const Entry& entry, std::string_view key, double min,
                                    double max, bool max_inclusive) const {
    const std::string allowed = absl::StrCat("(allowed: number ", min, " <= x ",
                                             max_inclusive ? "<= " : "< ", max, ")");
    if (!entry.value.IsScalar() || entry.value.Tag() != "?") {
      return Error(entry.mark, key, absl::StrCat("must be an unquoted number ", allowed));
    }
    const std::string& text = entry.value.Scalar();
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    const bool in_range = value >= min && (max_inclusive ? value <= max : value < max);
    if (text.empty() || errno != 0 || end != text.c_str() + text.size() || !in_range) {
      return Error(entry.mark, key, absl::StrCat("out of range or not a number ", allowed));
    }
    return value;
  }

  const std::string_view source_;
  const std::string_view base_dir_;
};

}  // namespace

absl::StatusOr<AgentConfig> ParseAgentConfigYaml(std::string_view yaml,
                                                 std::string_view source_name,
                                                 std::string_view base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source_name), ":",
                                                   e.mark.line + 1, ":", e.mark.column + 1,
                                                   ": malformed YAML: ", e.msg));
  } catch (const std::exception&) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(source_name), ": malformed YAML"));
  }
  try {
    return ConfigReader(source_name, base_dir).Read(root);
  } catch (const std::exception&) {
    // yaml-cpp may throw on malformed node access; report, never crash.
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(source_name), ": malformed configuration structure"));
  }
}

absl::StatusOr<AgentConfig> LoadAgentConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    if (error == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    if (error == EACCES) return absl::PermissionDeniedError(absl::StrCat(path, ": permission denied"));
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(error)));
  }
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxAgentConfigBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": larger than ", kMaxAgentConfigBytes, " bytes"));
    }
  }
  const std::string base = std::filesystem::path(path).parent_path().string();
  return ParseAgentConfigYaml(text, path, base.empty() ? "." : base);
}

}  // namespace fedlink::agent::daemon
