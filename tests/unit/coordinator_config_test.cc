#include "coordinator/config/coordinator_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/fedlink-config-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    for (const char* agency : {"edu", "health"}) {
      auto key = crypto::Ed25519PrivateKey::Generate();
      ASSERT_TRUE(key.ok());
      std::ofstream(dir_ / (std::string(agency) + ".pub")) << key->public_key().ToPem().value();
    }
    std::ofstream(dir_ / "not-a-key.pub") << "hello\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  absl::StatusOr<CoordinatorConfig> Parse(const std::string& yaml) {
    return ParseCoordinatorConfig(yaml, (dir_ / "coordinator.yaml").string());
  }

  std::string Valid(const std::string& extra = "") {
    return "version: 1\n"
           "listen: 0.0.0.0:7443\n"
           "data_dir: data\n"
           "tls:\n  ca: pki/ca.crt\n  cert: pki/c.crt\n  key: pki/c.key\n  crl_dir: crl\n"
           "agencies:\n"
           "  - id: edu\n    decision_key: edu.pub\n    min_cell_count: 11\n"
           "  - id: health\n    agent: health-agent\n    decision_key: health.pub\n"
           "analysts:\n  - name: alice\n    training_expires: 2027-06-30\n" +
           extra;
  }

  fs::path dir_;
};

TEST_F(ConfigTest, ReadsEverySettingWithDefaults) {
  absl::StatusOr<CoordinatorConfig> c = Parse(Valid());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen_address, "0.0.0.0:7443");
  EXPECT_EQ(c->data_dir, (dir_ / "data").string());
  EXPECT_EQ(c->tls.ca_file, (dir_ / "pki/ca.crt").string());
  EXPECT_EQ(c->tls_options.crl_directory, (dir_ / "crl").string());
  EXPECT_EQ(c->min_cell_count, 10u);
  EXPECT_EQ(c->retention_grace, absl::Hours(168));
  EXPECT_EQ(c->log_format, LogFormat::kText);
  ASSERT_EQ(c->registry.agencies.size(), 2u);
  EXPECT_EQ(c->registry.agencies.at("edu").min_cell_count, 11u);
  EXPECT_EQ(c->registry.AgencyForAgent("health-agent")->id, "health");
  EXPECT_EQ(c->registry.AgencyForAgent("health"), nullptr);
  // Training counts through the whole day (UTC).
  EXPECT_EQ(c->registry.analysts.at("alice").training_expires_at,
            absl::FromCivil(absl::CivilDay(2027, 7, 1), absl::UTCTimeZone()));
}

TEST_F(ConfigTest, OverridesAreRead) {
  absl::StatusOr<CoordinatorConfig> c = Parse(
      Valid("log_format: json\naggregate:\n  min_cell_count: 20\nretention:\n  grace_hours: 2\n"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->log_format, LogFormat::kJson);
  EXPECT_EQ(c->min_cell_count, 20u);
  EXPECT_EQ(c->retention_grace, absl::Hours(2));
}

TEST_F(ConfigTest, ErrorsNameFileLineKeyAndAllowedValues) {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::string file = (dir_ / "coordinator.yaml").string();
  for (const Case& c : {
           Case{Valid("log_format: xml\n"), ":19:13: log_format: must be one of: text, json"},
           Case{Valid("colour: red\n"), ":19:1: colour: unknown key (allowed: version, listen"},
           Case{Valid("aggregate:\n  min_cell_count: 0\n"), "aggregate.min_cell_count: must be in 1..1000000"},
           Case{Valid("retention:\n  grace_hours: soon\n"), "retention.grace_hours: must be a whole number"},
           Case{"version: 2\n", "version: must be in 1..1"},
           Case{"version: 1\n", "listen: is required"},
           Case{"[1, 2", "not valid YAML"},
       }) {
    absl::StatusOr<CoordinatorConfig> config = Parse(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.expected)) << c.yaml;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(file));
  }
}

TEST_F(ConfigTest, RegistryEntriesAreChecked) {
  std::string yaml = Valid();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string y = yaml;
    y.replace(y.find(from), from.size(), to);
    return Parse(y).status();
  };
  EXPECT_THAT(std::string(with("id: health", "id: edu").message()),
              HasSubstr("agencies[1].id: names an agency listed before"));
  EXPECT_THAT(std::string(with("id: health", "id: Health").message()),
              HasSubstr("agencies[1].id: must match [a-z0-9]"));
  EXPECT_THAT(std::string(with("decision_key: health.pub", "decision_key: not-a-key.pub").message()),
              HasSubstr("holds no PEM Ed25519 public key"));
  EXPECT_EQ(with("decision_key: health.pub", "decision_key: missing.pub").code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(with("training_expires: 2027-06-30", "training_expires: June").message()),
              HasSubstr("analysts[0].training_expires: must be a date YYYY-MM-DD"));
  EXPECT_THAT(std::string(with("agent: health-agent", "agent: edu").message()),
              HasSubstr("is the agent certificate of another agency"));
  EXPECT_THAT(std::string(with("listen: 0.0.0.0:7443", "listen: 7443").message()),
              HasSubstr("listen: must be host:port"));
}

TEST_F(ConfigTest, MetricsEndpointIsOptionalAndItsAddressChecked) {
  absl::StatusOr<CoordinatorConfig> off = Parse(Valid());
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->metrics_listen, "");
  absl::StatusOr<CoordinatorConfig> on = Parse(Valid("metrics:\n  listen: 127.0.0.1:9464\n"));
  ASSERT_TRUE(on.ok()) << on.status();
  EXPECT_EQ(on->metrics_listen, "127.0.0.1:9464");
  struct Case {
    std::string extra;
    std::string expected;
  };
  for (const Case& c : {
           Case{"metrics:\n  listen: localhost:9464\n",
                ":20:11: metrics.listen: the host must be an IP address (allowed: <IPv4>:<port>"},
           Case{"metrics:\n  listen: 127.0.0.1:0\n",
                ":20:11: metrics.listen: the port must be a number in 1..65535"},
           Case{"metrics:\n  port: 9464\n", ":20:3: metrics.port: unknown key (allowed: listen)"},
           Case{"metrics: {}\n", "metrics.listen: is required"},
           Case{"metrics: 9464\n", "metrics: must be a mapping"},
       }) {
    absl::StatusOr<CoordinatorConfig> config = Parse(Valid(c.extra));
    ASSERT_FALSE(config.ok()) << c.extra;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.expected)) << c.extra;
  }
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadCoordinatorConfig((dir_ / "nope.yaml").string()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fedlink::coordinator
