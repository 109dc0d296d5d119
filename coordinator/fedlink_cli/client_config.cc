#include "coordinator/fedlink_cli/client_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "linkage/document/yaml_reader.h"
#include "linkage/status_macros.h"
#include "proto/runtime/yaml_file.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::cli {
namespace {

class ClientConfigReader : public document::YamlReader {
 public:
  ClientConfigReader(std::string_view source, std::string_view base_dir)
      : YamlReader(source), base_dir_(base_dir) {}

  absl::StatusOr<ClientConfig> Read(const YAML::Node& root) {
    ClientConfig config;
    FEDLINK_ASSIGN_OR_RETURN(document::YamlEntries top,
                             GetEntries(root, "", "the client configuration"));
    FEDLINK_RETURN_IF_ERROR(AllowOnly(top, "", {"coordinator", "ca", "cert", "key", "audit"}));
    if (const YAML::Node* coordinator = Optional(top, "coordinator")) {
      FEDLINK_ASSIGN_OR_RETURN(config.coordinator, ReadText(*coordinator, "coordinator"));
    }
    FEDLINK_RETURN_IF_ERROR(ReadPath(top, "", "ca", &config.ca_file));
    FEDLINK_RETURN_IF_ERROR(ReadPath(top, "", "cert", &config.cert_file));
    FEDLINK_RETURN_IF_ERROR(ReadPath(top, "", "key", &config.key_file));
    if (const YAML::Node* audit = Optional(top, "audit")) {
      FEDLINK_RETURN_IF_ERROR(ReadAudit(*audit, config));
    }
    return config;
  }

 private:
  absl::Status ReadAudit(const YAML::Node& node, ClientConfig& config) {
    FEDLINK_ASSIGN_OR_RETURN(document::YamlEntries audit,
                             GetEntries(node, "audit", "the audit section"));
    FEDLINK_RETURN_IF_ERROR(
        AllowOnly(audit, "audit", {"log_key", "log_id", "state", "agency_keys"}));
    FEDLINK_RETURN_IF_ERROR(ReadPath(audit, "audit.", "log_key", &config.audit_log_key_file));
    if (const YAML::Node* log_id = Optional(audit, "log_id")) {
      FEDLINK_ASSIGN_OR_RETURN(config.audit_log_id, ReadText(*log_id, "audit.log_id"));
    }
    FEDLINK_RETURN_IF_ERROR(ReadPath(audit, "audit.", "state", &config.audit_state_file));
    if (const YAML::Node* keys = Optional(audit, "agency_keys")) {
      FEDLINK_ASSIGN_OR_RETURN(
          document::YamlEntries agencies,
          GetEntries(*keys, "audit.agency_keys", "the agency keys (agency: key file)"));
      for (const auto& [agency, entry] : agencies) {
        FEDLINK_ASSIGN_OR_RETURN(std::string file,
                                 ReadText(entry.value, "audit.agency_keys." + agency));
        config.agency_key_files[agency] = Resolve(file);
      }
    }
    return absl::OkStatus();
  }

  // The optional file path `key` (of the section whose keys are written
  // `prefix`key), relative to the configuration's folder.
  absl::Status ReadPath(const document::YamlEntries& entries, const std::string& prefix,
                        const std::string& key, std::string* path) const {
    const YAML::Node* node = Optional(entries, key);
    if (node == nullptr) return absl::OkStatus();
    FEDLINK_ASSIGN_OR_RETURN(std::string text, ReadText(*node, prefix + key));
    *path = Resolve(text);
    return absl::OkStatus();
  }

  std::string Resolve(const std::string& path) const {
    if (path.empty() || path.front() == '/' || base_dir_.empty()) return path;
    return (std::filesystem::path(base_dir_) / path).string();
  }

  std::string base_dir_;
};

}  // namespace

absl::StatusOr<ClientConfig> ParseClientConfig(std::string_view yaml,
                                               std::string_view source_name,
                                               std::string_view base_dir) {
  // An empty file sets nothing: the command line gives every field.
  if (absl::StripAsciiWhitespace(absl::string_view(yaml.data(), yaml.size())).empty()) {
    return ClientConfig();
  }
  ClientConfigReader reader(source_name, base_dir);
  return document::ParseYamlDocument<ClientConfig>(
      yaml, source_name, "a client configuration", kMaxClientConfigBytes, reader,
      [&reader](const YAML::Node& root) { return reader.Read(root); });
}

absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& path) {
  FEDLINK_ASSIGN_OR_RETURN(
      const std::string text,
      proto::ReadYamlFile(path, "client configuration", kMaxClientConfigBytes));
  return ParseClientConfig(text, path, std::filesystem::path(path).parent_path().string());
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
