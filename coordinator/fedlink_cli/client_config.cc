#include "coordinator/fedlink_cli/client_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fedlink::cli {
namespace {

std::string Where(std::string_view source, const YAML::Node& node, std::string_view key) {
  const YAML::Mark mark = node.Mark();
  return absl::StrCat(std::string(source), ":", mark.line + 1, ":", mark.column + 1, ": ",
                      std::string(key), ": ");
}

std::string Resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(std::string(base_dir)) / path).string();
}

absl::StatusOr<std::string> ScalarString(std::string_view source, const YAML::Node& node,
                                         std::string_view key) {
  if (!node.IsScalar()) {
    return absl::InvalidArgumentError(absl::StrCat(Where(source, node, key), "must be a string"));
  }
  return node.Scalar();
}

absl::Status ParseAudit(std::string_view source, std::string_view base_dir,
                        const YAML::Node& audit, ClientConfig& config) {
  static const char* const kAllowed[] = {"log_key", "log_id", "state", "agency_keys"};
  if (!audit.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(Where(source, audit, "audit"), "must be a map"));
  }
  for (const auto& item : audit) {
    const std::string key = item.first.Scalar();
    const std::string path = absl::StrCat("audit.", key);
    if (key == "agency_keys") {
      if (!item.second.IsMap()) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(source, item.second, path), "must be a map agency: key file"));
      }
      for (const auto& agency : item.second) {
        auto file = ScalarString(source, agency.second,
                                 absl::StrCat(path, ".", agency.first.Scalar()));
        if (!file.ok()) return file.status();
        config.agency_key_files[agency.first.Scalar()] = Resolve(base_dir, *file);
      }
      continue;
    }
    auto value = ScalarString(source, item.second, path);
    if (!value.ok()) return value.status();
    if (key == "log_key") {
      config.audit_log_key_file = Resolve(base_dir, *value);
    } else if (key == "log_id") {
      config.audit_log_id = *value;
    } else if (key == "state") {
      config.audit_state_file = Resolve(base_dir, *value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(Where(source, item.first, path),
                                                     "unknown key (allowed: ",
                                                     absl::StrJoin(kAllowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ClientConfig> ParseClientConfig(std::string_view yaml,
                                               std::string_view source_name,
                                               std::string_view base_dir) {
  static const char* const kAllowed[] = {"coordinator", "ca", "cert", "key", "audit"};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source_name), ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1, ": ", e.msg));
  }
  ClientConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(source_name), ":1:1: the file must be a map of keys"));
  }
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    if (key == "audit") {
      absl::Status status = ParseAudit(source_name, base_dir, item.second, config);
      if (!status.ok()) return status;
      continue;
    }
    auto value = ScalarString(source_name, item.second, key);
    if (!value.ok()) return value.status();
    if (key == "coordinator") {
      config.coordinator = *value;
    } else if (key == "ca") {
      config.ca_file = Resolve(base_dir, *value);
    } else if (key == "cert") {
      config.cert_file = Resolve(base_dir, *value);
    } else if (key == "key") {
      config.key_file = Resolve(base_dir, *value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(Where(source_name, item.first, key),
                                                     "unknown key (allowed: ",
                                                     absl::StrJoin(kAllowed, ", "), ")"));
    }
  }
  return config;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return absl::UnavailableError(absl::StrCat(path, ": cannot read"));
  }
  return text.str();
}

absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseClientConfig(*text, path, std::filesystem::path(path).parent_path().string());
}

std::string DefaultClientConfigPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return absl::StrCat(xdg, "/fedlink/client.yaml");
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return absl::StrCat(home, "/.config/fedlink/client.yaml");
  }
  return "";
}

}  // namespace fedlink::cli
