// The agent policy file: the documented example parses to what its comments
// say, every structural mistake and every rule is refused with an error that
// names the file, line, key and the allowed values.
#include "agent/policy/agent_policy.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "agent/policy/policy_internal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "tests/unit/agent_policy_test_util.h"

namespace fedlink::agent::policy {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestKey;
using testing::TestPolicy;

std::string HexKey(uint8_t seed) {
  return crypto::ToHex(absl::MakeConstSpan(TestKey(seed).public_key().bytes()));
}

// A minimal valid policy; `extra` lines are appended at the top level.
std::string MinimalYaml(const std::string& extra = "") {
  return absl::StrCat(
      "version: 1\n"
      "agency: edu\n"
      "partners:\n"
      "  - agency: wages\n"
      "    ed25519_public_key: ", HexKey(2), "\n"
      "analysts: [alice]\n"
      "attributes:\n"
      "  allow: [program_code]\n"
      "  max_sensitivity: internal\n"
      "methods: [tokens]\n"
      "output_modes: [aggregate]\n"
      "max_cohort_size: 1000\n"
      "max_job_days: 30\n",
      extra);
}

absl::Status ParseStatus(const std::string& yaml) {
  return ParseAgentPolicyYaml(yaml, "policy.yaml").status();
}

void ExpectError(const std::string& yaml, const std::string& location,
                 const std::string& text) {
  const absl::Status status = ParseStatus(yaml);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), AllOf(HasSubstr(location), HasSubstr(text)));
}

TEST(AgentPolicyTest, ExampleFileParsesAsDocumented) {
  const absl::StatusOr<AgentPolicy> policy =
      LoadAgentPolicyFile(FEDLINK_SOURCE_DIR "/deploy/examples/agent-policy.yaml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->agency, "edu");
  ASSERT_EQ(policy->partners.size(), 2u);
  EXPECT_EQ(policy->partners[0].agency, "health");  // PEM form
  EXPECT_EQ(policy->partners[1].agency, "justice");  // hex form
  EXPECT_EQ(crypto::ToHex(absl::MakeConstSpan(policy->partners[1].public_key.bytes())),
            "cf429f4eba8c590618fb7c0782487b6cddefdcf66b05ab4238a9838335a66611");
  EXPECT_NE(policy->partners[0].public_key, policy->partners[1].public_key);
  EXPECT_EQ(policy->analysts, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(policy->columns.size(), 4u);
  EXPECT_EQ(policy->max_sensitivity, ingest::Sensitivity::kInternal);
  EXPECT_EQ(policy->methods.size(), 3u);
  EXPECT_EQ(policy->output_modes,
            (std::vector<v1::OutputMode>{v1::OUTPUT_MODE_LINKED_MICRODATA,
                                         v1::OUTPUT_MODE_AGGREGATE}));
  EXPECT_EQ(policy->max_cohort_size, 250000u);
  EXPECT_EQ(policy->min_cell_count, 20u);
  EXPECT_EQ(policy->max_job_duration, absl::Hours(24 * 365));
}

TEST(AgentPolicyTest, MinimalPolicyTakesDefaults) {
  const absl::StatusOr<AgentPolicy> policy = ParseAgentPolicyYaml(MinimalYaml(), "p.yaml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->min_cell_count, kMinCellCountFloor);
  EXPECT_EQ(policy->partners[0].public_key, TestKey(2).public_key());
  EXPECT_EQ(policy->methods, std::vector<v1::LinkageMethod>{v1::LINKAGE_METHOD_TOKENS});
  EXPECT_EQ(policy->max_job_duration, absl::Hours(24 * 30));
}

TEST(AgentPolicyTest, PemKeyEqualsHexKey) {
  const std::string pem = TestKey(2).public_key().ToPem().value();
  std::string indented = "|\n      " + absl::StrReplaceAll(pem, {{"\n", "\n      "}});
  std::string yaml = absl::StrReplaceAll(MinimalYaml(), {{HexKey(2), indented}});
  const absl::StatusOr<AgentPolicy> policy = ParseAgentPolicyYaml(yaml, "p.yaml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->partners[0].public_key, TestKey(2).public_key());
}

TEST(AgentPolicyTest, UnknownKeySuggestsTheNearestAndListsAllowed) {
  ExpectError(MinimalYaml("min_cell_cuont: 20\n"), "policy.yaml:14:1:",
              "unknown key 'min_cell_cuont' (did you mean 'min_cell_count'? allowed: version, "
              "agency, partners");
}

TEST(AgentPolicyTest, MissingRequiredKeyIsNamed) {
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"max_job_days: 30\n", ""}}), "policy.yaml:1:1:",
              "missing required key 'max_job_days'");
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"  max_sensitivity: internal\n", ""}}),
              "policy.yaml:8:3: attributes",
              "missing required key 'max_sensitivity' (allowed: public, internal, confidential, "
              "restricted)");
}

TEST(AgentPolicyTest, UnknownEnumerationValuesListTheAllowedOnes) {
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"max_sensitivity: internal",
                                                   "max_sensitivity: secret"}}),
              "policy.yaml:9:20: attributes.max_sensitivity",
              "unknown sensitivity class 'secret' (allowed: public, internal, confidential, "
              "restricted)");
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"methods: [tokens]", "methods: [tokens, blom]"}}),
              "methods[1]",
              "unknown linkage method 'blom' (did you mean 'bloom'? allowed: tokens, bloom, "
              "tokens_and_bloom)");
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"output_modes: [aggregate]",
                                                   "output_modes: [microdata]"}}),
              "output_modes[0]", "allowed: linked_microdata, aggregate)");
}

TEST(AgentPolicyTest, CellThresholdBelowTenIsRefused) {
  ExpectError(MinimalYaml("min_cell_count: 5\n"), "policy.yaml:14:17: min_cell_count",
              "expected a whole number from 10 to 1000000, got '5'");
  AgentPolicy policy = TestPolicy();
  policy.min_cell_count = 9;
  EXPECT_THAT(std::string(ValidateAgentPolicy(policy).message()),
              HasSubstr("min_cell_count: 9 is outside 10 to 1000000"));
}

TEST(AgentPolicyTest, NumbersMustBePlainWholeNumbersInRange) {
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"max_job_days: 30", "max_job_days: \"30\""}}),
              "max_job_days", "expected a whole number from 1 to 3650, got a quoted or tagged value");
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"max_job_days: 30", "max_job_days: 4000"}}),
              "max_job_days", "from 1 to 3650, got '4000'");
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"max_cohort_size: 1000", "max_cohort_size: 0"}}),
              "max_cohort_size", "got '0'");
}

TEST(AgentPolicyTest, WrongShapesAreNamed) {
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"analysts: [alice]", "analysts: alice"}}),
              "policy.yaml:6:11: analysts", "expected a list, got 'alice'");
  ExpectError(absl::StrReplaceAll(MinimalYaml(), {{"agency: edu", "agency: [edu]"}}), "agency",
              "expected text, got a list");
  ExpectError("- just\n- a list\n", "policy.yaml:1:1:", "expected a mapping for the document");
}

TEST(AgentPolicyTest, VersionIsCheckedFirst) {
  ExpectError(absl::StrReplaceAll(MinimalYaml("future_key: 1\n"), {{"version: 1", "version: 2"}}),
              "policy.yaml:1:10: version", "unsupported version 2 (this build reads version 1)");
}

TEST(AgentPolicyTest, RepeatedKeyIsRefused) {
  ExpectError(MinimalYaml("agency: other\n"), "policy.yaml:14:1:",
              "key 'agency' appears twice (first at line 2)");
}

TEST(AgentPolicyTest, MalformedYamlGivesItsPosition) {
  ExpectError("version: 1\nagency: [edu\n", "policy.yaml:", "malformed YAML");
}

TEST(AgentPolicyTest, BadPartnerKeysAreRefusedWithoutQuotingThem) {
  for (const std::string& key :
       {std::string(63, 'a'), std::string(64, 'g'), std::string("-----BEGIN PUBLIC KEY-----")}) {
    const absl::Status status =
        ParseStatus(absl::StrReplaceAll(MinimalYaml(), {{HexKey(2), "\"" + key + "\""}}));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()),
                AllOf(HasSubstr("policy.yaml:5:25: partners[0].ed25519_public_key"),
                      HasSubstr("PEM PUBLIC KEY block"), HasSubstr("64 hexadecimal characters"),
                      Not(HasSubstr(key))));
  }
}

TEST(AgentPolicyTest, RuleViolationsPointAtTheirKeys) {
  const std::string yaml = absl::StrCat(
      "version: 1\n"
      "agency: edu\n"
      "partners:\n"
      "  - {agency: edu, ed25519_public_key: ", HexKey(2), "}\n"
      "  - {agency: wages, ed25519_public_key: ", HexKey(2), "}\n"
      "  - {agency: wages, ed25519_public_key: ", HexKey(3), "}\n"
      "analysts: [alice, Alice, alice]\n"
      "attributes: {allow: [gpa, GPA], max_sensitivity: public}\n"
      "methods: [tokens, tokens]\n"
      "output_modes: []\n"
      "max_cohort_size: 5\n"
      "max_job_days: 30\n");
  const absl::Status status = ParseStatus(yaml);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  const std::string message(status.message());
  EXPECT_THAT(message, HasSubstr("policy.yaml:4:14: partners[0].agency: is this agency itself"));
  EXPECT_THAT(message, HasSubstr("policy.yaml:5:41: partners[1].ed25519_public_key: the same key "
                                 "as partners[0].ed25519_public_key"));
  EXPECT_THAT(message, HasSubstr("partners[2].agency: the same agency as partners[1].agency"));
  EXPECT_THAT(message, HasSubstr("policy.yaml:7:19: analysts[1]: 'Alice' is not an analyst "
                                 "certificate name ([a-z0-9][a-z0-9._-]*, 1 to 64 bytes)"));
  EXPECT_THAT(message, HasSubstr("analysts[2]: the same analyst as analysts[0]"));
  EXPECT_THAT(message, HasSubstr("attributes.allow[1]: 'GPA' is not an attribute name"));
  EXPECT_THAT(message, HasSubstr("methods[1]: the same method as methods[0]"));
  EXPECT_THAT(message, HasSubstr("policy.yaml:10:15: output_modes: no output modes (at least one "
                                 "is required)"));
}

TEST(AgentPolicyTest, ValidateListsEveryProblemUpToTen) {
  AgentPolicy policy;  // empty: almost every rule fails
  policy.max_job_duration = absl::ZeroDuration();
  const std::string message(ValidateAgentPolicy(policy).message());
  EXPECT_THAT(message, HasSubstr("agency: an empty name is not an agency id"));
  EXPECT_THAT(message, HasSubstr("partners: no partner agencies"));
  EXPECT_THAT(message, HasSubstr("analysts: no analysts"));
  EXPECT_THAT(message, HasSubstr("methods: no linkage methods"));
  EXPECT_THAT(message, HasSubstr("output_modes: no output modes"));
  EXPECT_THAT(message, HasSubstr("max_cohort_size: must be at least 1"));
  EXPECT_THAT(message, HasSubstr("max_job_days: must be from 1 to 3650 days"));

  policy = TestPolicy();
  for (int i = 0; i < 12; ++i) policy.analysts.push_back("Bad");
  const std::string many(ValidateAgentPolicy(policy).message());
  EXPECT_THAT(many, HasSubstr("; and "));
  EXPECT_THAT(many, HasSubstr(" more"));
}

TEST(AgentPolicyTest, UnspecifiedEnumsAreRefused) {
  AgentPolicy policy = TestPolicy();
  policy.methods.push_back(v1::LINKAGE_METHOD_UNSPECIFIED);
  policy.output_modes.push_back(v1::OUTPUT_MODE_UNSPECIFIED);
  const std::string message(ValidateAgentPolicy(policy).message());
  EXPECT_THAT(message, HasSubstr("methods[2]: is not a linkage method"));
  EXPECT_THAT(message, HasSubstr("output_modes[2]: is not an output mode"));
}

TEST(AgentPolicyTest, TestPolicyIsValidAndLookupsWork) {
  const AgentPolicy policy = TestPolicy();
  EXPECT_TRUE(ValidateAgentPolicy(policy).ok()) << ValidateAgentPolicy(policy);
  ASSERT_NE(FindPartner(policy, "wages"), nullptr);
  EXPECT_EQ(FindPartner(policy, "wages")->public_key, TestKey(2).public_key());
  EXPECT_EQ(FindPartner(policy, "edu"), nullptr);
  EXPECT_TRUE(AllowsAnalyst(policy, "alice"));
  EXPECT_FALSE(AllowsAnalyst(policy, "mallory"));
  EXPECT_TRUE(AllowsColumn(policy, "gpa"));
  EXPECT_FALSE(AllowsColumn(policy, "iep_status"));
  EXPECT_TRUE(AllowsMethod(policy, v1::LINKAGE_METHOD_TOKENS));
  EXPECT_FALSE(AllowsMethod(policy, v1::LINKAGE_METHOD_BLOOM));
  EXPECT_TRUE(AllowsOutputMode(policy, v1::OUTPUT_MODE_AGGREGATE));
}

TEST(AgentPolicyTest, EnumerationNamesRoundTrip) {
  for (v1::LinkageMethod m : {v1::LINKAGE_METHOD_TOKENS, v1::LINKAGE_METHOD_BLOOM,
                              v1::LINKAGE_METHOD_TOKENS_AND_BLOOM}) {
    EXPECT_EQ(LinkageMethodFromName(LinkageMethodName(m)), m);
  }
  for (v1::OutputMode m : {v1::OUTPUT_MODE_LINKED_MICRODATA, v1::OUTPUT_MODE_AGGREGATE}) {
    EXPECT_EQ(OutputModeFromName(OutputModeName(m)), m);
  }
  EXPECT_EQ(LinkageMethodName(v1::LINKAGE_METHOD_UNSPECIFIED), "unspecified");
  EXPECT_FALSE(LinkageMethodFromName("unspecified").has_value());
  EXPECT_FALSE(OutputModeFromName("Aggregate").has_value());
}

TEST(AgentPolicyTest, QuoteEscapesAndTruncates) {
  EXPECT_EQ(internal::Quote("a'b\n"), "'a\\x27b\\x0a'");
  EXPECT_EQ(internal::Quote(std::string(70, 'x')), "'" + std::string(64, 'x') + "...'");
}

TEST(AgentPolicyTest, FileErrorsNameThePath) {
  const absl::Status missing = LoadAgentPolicyFile("/nonexistent/policy.yaml").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("/nonexistent/policy.yaml"));
  const absl::Status too_big =
      ParseAgentPolicyYaml(std::string(kMaxAgentPolicyBytes + 1, '#'), "big.yaml").status();
  EXPECT_EQ(too_big.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_big.message()), HasSubstr("big.yaml: 1048577 bytes"));
}

}  // namespace
}  // namespace fedlink::agent::policy
