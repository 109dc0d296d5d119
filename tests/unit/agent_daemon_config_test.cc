// agent.yaml parsing: a complete file, defaults, relative paths, and every
// kind of error naming file, line, column, key and the allowed values.
#include <string>

#include "agent/daemon/agent_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent::daemon {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kFull[] = R"(version: 1
agency: edu
data_dir: /var/lib/fedlink-agent
policy_file: policy.yaml
ingest_schema_file: /etc/fedlink/ingest-schema.yaml
coordinator:
  address: coord.example.org:7443
  ca_file: pki/ca.crt
  cert_file: pki/agent/edu.crt
  key_file: pki/agent/edu.key
  tree_head_key: pki/coordinator-log.pub.pem
admin:
  socket: /run/fedlink-agent/admin.sock
  mode: "0660"
log:
  format: json
  level: debug
reconnect:
  initial_ms: 250
  max_ms: 30000
  multiplier: 1.5
  jitter: 0.3
encoding:
  threads: 2
  max_records_per_batch: 1000
metrics:
  listen: 127.0.0.1:9465
)";

TEST(AgentConfigTest, ParsesEveryKeyAndResolvesRelativePaths) {
  absl::StatusOr<AgentConfig> config = ParseAgentConfigYaml(kFull, "agent.yaml", "/etc/fedlink");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->agency, "edu");
  EXPECT_EQ(config->data_dir, "/var/lib/fedlink-agent");
  EXPECT_EQ(config->policy_file, "/etc/fedlink/policy.yaml");
  EXPECT_EQ(config->ca_file, "/etc/fedlink/pki/ca.crt");
  EXPECT_EQ(config->coordinator_address, "coord.example.org:7443");
  EXPECT_EQ(config->coordinator_tree_head_key_file, "/etc/fedlink/pki/coordinator-log.pub.pem");
  EXPECT_EQ(config->admin_socket_mode, 0660u);
  EXPECT_EQ(config->log_format, LogFormat::kJson);
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->reconnect.initial, absl::Milliseconds(250));
  EXPECT_EQ(config->reconnect.max, absl::Seconds(30));
  EXPECT_DOUBLE_EQ(config->reconnect.multiplier, 1.5);
  EXPECT_DOUBLE_EQ(config->reconnect.jitter, 0.3);
  EXPECT_EQ(config->encode_threads, 2);
  EXPECT_EQ(config->max_records_per_batch, 1000u);
  EXPECT_EQ(config->metrics_listen, "127.0.0.1:9465");
}

TEST(AgentConfigTest, OptionalSectionsTakeDefaults) {
  absl::StatusOr<AgentConfig> config = ParseAgentConfigYaml(R"(version: 1
agency: edu
data_dir: /d
policy_file: /p.yaml
ingest_schema_file: /s.yaml
coordinator: {address: "127.0.0.1:7443", ca_file: /ca, cert_file: /c, key_file: /k}
admin: {socket: /run/a.sock}
)",
                                                            "agent.yaml", "/");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->admin_socket_mode, 0600u);
  EXPECT_EQ(config->log_format, LogFormat::kText);
  EXPECT_EQ(config->reconnect.initial, absl::Milliseconds(500));
  EXPECT_EQ(config->reconnect.max, absl::Seconds(60));
  EXPECT_EQ(config->encode_threads, 0);
  EXPECT_EQ(config->metrics_listen, "");
}

// The error of parsing kFull with `from` replaced by `to`.
std::string ErrorWith(const std::string& from, const std::string& to) {
  std::string yaml = kFull;
  const size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  yaml.replace(at, from.size(), to);
  absl::StatusOr<AgentConfig> config = ParseAgentConfigYaml(yaml, "agent.yaml", "/etc");
  EXPECT_FALSE(config.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(config.status())) << config.status();
  return std::string(config.status().message());
}

TEST(AgentConfigTest, UnknownKeyNamesLineColumnAndAllowedKeys) {
  EXPECT_THAT(ErrorWith("  level: debug", "  level: debug\n  colour: true"),
              AllOf(HasSubstr("agent.yaml:18:3: log.colour: unknown key"),
                    HasSubstr("allowed: format, level")));
}

TEST(AgentConfigTest, LogFormatListsAllowedValues) {
  EXPECT_THAT(ErrorWith("format: json", "format: xml"),
              AllOf(HasSubstr("agent.yaml:16:11: log.format"), HasSubstr("allowed: json, text")));
}

TEST(AgentConfigTest, SocketModeListsAllowedValues) {
  EXPECT_THAT(ErrorWith("mode: \"0660\"", "mode: \"0666\""),
              AllOf(HasSubstr("admin.mode"), HasSubstr("allowed: 0600, 0660")));
}

TEST(AgentConfigTest, MissingRequiredKeyIsNamed) {
  EXPECT_THAT(ErrorWith("  key_file: pki/agent/edu.key\n", ""),
              HasSubstr("coordinator.key_file: missing (required)"));
}

TEST(AgentConfigTest, RepeatedKeyIsRefused) {
  EXPECT_THAT(ErrorWith("agency: edu\n", "agency: edu\nagency: wages\n"),
              HasSubstr("agent.yaml:3:1: agency: repeated key"));
}

TEST(AgentConfigTest, QuotedNumberIsNotAnInteger) {
  EXPECT_THAT(ErrorWith("initial_ms: 250", "initial_ms: \"250\""),
              AllOf(HasSubstr("reconnect.initial_ms: must be an unquoted integer"),
                    HasSubstr("allowed: integer 1..3600000")));
}

TEST(AgentConfigTest, BackoffCapBelowInitialIsRefused) {
  EXPECT_THAT(ErrorWith("max_ms: 30000", "max_ms: 100"), HasSubstr("reconnect.max_ms"));
}

TEST(AgentConfigTest, JitterMustBeBelowOne) {
  EXPECT_THAT(ErrorWith("jitter: 0.3", "jitter: 1"), HasSubstr("reconnect.jitter"));
}

TEST(AgentConfigTest, AgencyMustBeAName) {
  EXPECT_THAT(ErrorWith("agency: edu", "agency: Edu Dept"),
              AllOf(HasSubstr("agent.yaml:2:9: agency"), HasSubstr("[a-z0-9][a-z0-9._-]*")));
}

TEST(AgentConfigTest, AddressNeedsAPort) {
  EXPECT_THAT(ErrorWith("coord.example.org:7443", "coord.example.org"),
              HasSubstr("coordinator.address: not host:port"));
}

TEST(AgentConfigTest, UnsupportedVersionIsRefused) {
  EXPECT_THAT(ErrorWith("version: 1", "version: 2"), HasSubstr("version: unsupported version 2"));
}

TEST(AgentConfigTest, MalformedYamlNamesThePosition) {
  absl::StatusOr<AgentConfig> config =
      ParseAgentConfigYaml("version: 1\nagency: [edu\n", "agent.yaml", "/");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("agent.yaml:"));
  EXPECT_THAT(config.status().message(), HasSubstr("malformed YAML"));
}

TEST(AgentConfigTest, MissingFileIsNotFound) {
  absl::StatusOr<AgentConfig> config = LoadAgentConfigFile("/nonexistent/agent.yaml");
  EXPECT_TRUE(absl::IsNotFound(config.status())) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/agent.yaml"));
}

TEST(AgentConfigTest, MetricsAddressIsChecked) {
  EXPECT_THAT(ErrorWith("listen: 127.0.0.1:9465", "listen: metrics.example.org:9465"),
              AllOf(HasSubstr("agent.yaml:27:11: metrics.listen: the host must be an IP address"),
                    HasSubstr("(allowed: <IPv4>:<port> or [<IPv6>]:<port>")));
  EXPECT_THAT(ErrorWith("listen: 127.0.0.1:9465", "listen: 127.0.0.1:70000"),
              HasSubstr("agent.yaml:27:11: metrics.listen: the port must be a number in 1..65535"));
  EXPECT_THAT(ErrorWith("  listen: 127.0.0.1:9465", "  path: /metrics"),
              AllOf(HasSubstr("agent.yaml:27:3: metrics.path: unknown key"),
                    HasSubstr("allowed: listen")));
}

}  // namespace
}  // namespace fedlink::agent::daemon
