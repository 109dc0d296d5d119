// The `fedlink` client configuration file: every key, relative paths, the
// empty file, and the errors an analyst or auditor sees for a bad one.
#include "coordinator/fedlink_cli/client_config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kFull[] = R"yaml(coordinator: coord.example.org:7443
ca: ca.pem
cert: /etc/fedlink/alice.pem
key: alice.key
audit:
  log_key: coordinator-audit.pub.pem
  log_id: state-coordinator
  state: audit-state.pb
  agency_keys:
    health-dept: keys/health.pub.pem
    edu: /keys/edu.pub.pem
)yaml";

std::string ErrorOf(const std::string& yaml) {
  absl::StatusOr<ClientConfig> parsed = ParseClientConfig(yaml, "client.yaml", "/home/a/.config");
  EXPECT_FALSE(parsed.ok());
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << parsed.status();
  return std::string(parsed.status().message());
}

TEST(ClientConfigTest, ReadsEveryKeyWithPathsRelativeToTheFile) {
  absl::StatusOr<ClientConfig> config = ParseClientConfig(kFull, "client.yaml", "/home/a/.config");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->coordinator, "coord.example.org:7443");
  EXPECT_EQ(config->ca_file, "/home/a/.config/ca.pem");
  EXPECT_EQ(config->cert_file, "/etc/fedlink/alice.pem");
  EXPECT_EQ(config->key_file, "/home/a/.config/alice.key");
  EXPECT_EQ(config->audit_log_key_file, "/home/a/.config/coordinator-audit.pub.pem");
  EXPECT_EQ(config->audit_log_id, "state-coordinator");
  EXPECT_EQ(config->audit_state_file, "/home/a/.config/audit-state.pb");
  ASSERT_EQ(config->agency_key_files.size(), 2u);
  EXPECT_EQ(config->agency_key_files.at("health-dept"), "/home/a/.config/keys/health.pub.pem");
  EXPECT_EQ(config->agency_key_files.at("edu"), "/keys/edu.pub.pem");
}

TEST(ClientConfigTest, AnEmptyFileIsTheDefault) {
  for (const std::string text : {"", "  \n\n"}) {
    absl::StatusOr<ClientConfig> config = ParseClientConfig(text, "client.yaml", "/x");
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_TRUE(config->coordinator.empty());
    EXPECT_EQ(config->audit_log_id, "coordinator");
  }
}

TEST(ClientConfigTest, UnknownRepeatedAndMistypedKeysPointAtTheirLine) {
  EXPECT_THAT(ErrorOf("coordinater: c:1\n"),
              HasSubstr("client.yaml:1:1: unknown key 'coordinater' (did you mean "
                        "'coordinator'? allowed: coordinator, ca, cert, key, audit)"));
  EXPECT_THAT(ErrorOf("ca: a.pem\nca: b.pem\n"),
              HasSubstr("client.yaml:2:1: key 'ca' appears twice (first at line 1)"));
  EXPECT_THAT(ErrorOf("cert: [a, b]\n"),
              HasSubstr("client.yaml:1:7: cert: expected text, got a list"));
  EXPECT_THAT(ErrorOf("audit:\n  log_keys: k.pem\n"),
              HasSubstr("client.yaml:2:3: audit: unknown key 'log_keys' (did you mean "
                        "'log_key'?"));
  EXPECT_THAT(ErrorOf("audit:\n  agency_keys: [a]\n"),
              HasSubstr("audit.agency_keys: expected a mapping for the agency keys (agency: "
                        "key file), got a list"));
  EXPECT_THAT(ErrorOf("audit:\n  agency_keys:\n    edu: {a: 1}\n"),
              HasSubstr("client.yaml:3:10: audit.agency_keys.edu: expected text"));
  EXPECT_THAT(ErrorOf("- coordinator\n"),
              HasSubstr("expected a mapping for the client configuration, got a list"));
  EXPECT_THAT(ErrorOf("coordinator: [c\n"), StartsWith("client.yaml:"));
  EXPECT_THAT(ErrorOf("# only a comment\n"), HasSubstr("the document is empty"));
  EXPECT_THAT(ErrorOf(std::string(kMaxClientConfigBytes + 1, '#')),
              HasSubstr("may have at most 65536"));
}

TEST(ClientConfigTest, LoadsAFileAndReportsAMissingOne) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    absl::StrCat("fedlink_client_config_", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "client.yaml").string();
  std::ofstream(path) << "coordinator: 127.0.0.1:7443\nca: ca.pem\n";
  absl::StatusOr<ClientConfig> config = LoadClientConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->coordinator, "127.0.0.1:7443");
  EXPECT_EQ(config->ca_file, (dir / "ca.pem").string());

  absl::StatusOr<ClientConfig> missing = LoadClientConfig((dir / "none.yaml").string());
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fedlink::cli
