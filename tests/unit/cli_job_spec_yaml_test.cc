#include "coordinator/fedlink_cli/job_spec_yaml.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "coordinator/fedlink_cli/client_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/x25519.h"

namespace fedlink::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kValidSpec[] = R"(title: Injury admissions
purpose: |
  Outcomes after injury.
irb_reference: IRB-2026-114
data_sharing_agreement: DSA-77
expires_at: 2030-03-01T00:00:00Z
method: tokens_and_bloom
output: linked_microdata
linkage_schema: schema.yaml
match: {min_shared_tokens: 1, bloom_threshold: 0.85}
analyst_key:
  public_key: analyst.pub.pem
  label: alice-laptop
parties:
  - agency: health-dept
    columns: [admission_date, diagnosis]
    cohort:
      - {column: admission_year, comparison: greater_or_equal, compare_as: number, values: ["2020"]}
  - agency: police
    columns: [incident_type]
)";

class JobSpecYamlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> schema =
        ReadWholeFile(absl::StrCat(FEDLINK_SOURCE_DIR, "/deploy/examples/linkage-schema.yaml"));
    ASSERT_TRUE(schema.ok()) << schema.status();
    files_["schema.yaml"] = *schema;
    absl::StatusOr<crypto::X25519PrivateKey> key = crypto::X25519PrivateKey::Generate();
    ASSERT_TRUE(key.ok());
    absl::StatusOr<std::string> pem = key->public_key().ToPem();
    ASSERT_TRUE(pem.ok());
    files_["analyst.pub.pem"] = *pem;
    public_key_ = std::string(key->public_key().bytes().begin(), key->public_key().bytes().end());
  }

  absl::StatusOr<v1::JobSpec> Parse(const std::string& yaml) {
    return ParseJobSpecYaml(yaml, "job.yaml", [this](const std::string& path)
                                                  -> absl::StatusOr<std::string> {
      auto it = files_.find(path);
      if (it == files_.end()) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
      return it->second;
    });
  }

  // The error message for `yaml` (which must fail with InvalidArgument).
  std::string ErrorOf(const std::string& yaml) {
    absl::StatusOr<v1::JobSpec> spec = Parse(yaml);
    EXPECT_FALSE(spec.ok());
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument) << spec.status();
    return std::string(spec.status().message());
  }

  std::string Replace(std::string_view from, std::string_view to) {
    std::string yaml = kValidSpec;
    const size_t at = yaml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) yaml.replace(at, from.size(), to);
    return yaml;
  }

  std::map<std::string, std::string> files_;
  std::string public_key_;
};

TEST_F(JobSpecYamlTest, ParsesEveryField) {
  absl::StatusOr<v1::JobSpec> spec = Parse(kValidSpec);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->title(), "Injury admissions");
  EXPECT_EQ(spec->purpose(), "Outcomes after injury.\n");
  EXPECT_EQ(spec->expires_at().seconds(), 1898553600);
  EXPECT_EQ(spec->method(), v1::LINKAGE_METHOD_TOKENS_AND_BLOOM);
  EXPECT_EQ(spec->output_mode(), v1::OUTPUT_MODE_LINKED_MICRODATA);
  EXPECT_EQ(spec->linkage_schema().fingerprint().size(), 32u);
  EXPECT_DOUBLE_EQ(spec->match().bloom_threshold(), 0.85);
  EXPECT_EQ(spec->analyst_key().x25519_public_key(), public_key_);
  EXPECT_EQ(spec->analyst_key().aead(), v1::HPKE_AEAD_AES_128_GCM);
  ASSERT_EQ(spec->parties_size(), 2);
  EXPECT_EQ(spec->parties(0).agency(), "health-dept");
  ASSERT_EQ(spec->parties(0).columns_size(), 2);
  EXPECT_EQ(spec->parties(0).columns(1), "diagnosis");
  ASSERT_EQ(spec->parties(0).cohort().all_of_size(), 1);
  const v1::CohortCondition& condition = spec->parties(0).cohort().all_of(0);
  EXPECT_EQ(condition.comparison(), v1::COMPARISON_GREATER_OR_EQUAL);
  EXPECT_EQ(condition.compare_as(), v1::VALUE_TYPE_NUMBER);
  EXPECT_EQ(condition.values(0), "2020");
  EXPECT_EQ(spec->parties(1).agency(), "police");
}

TEST_F(JobSpecYamlTest, UnknownMethodListsAllowedValuesWithPosition) {
  const std::string message = ErrorOf(Replace("method: tokens_and_bloom", "method: fuzzy"));
  EXPECT_THAT(message, HasSubstr("job.yaml:7:9: method: unknown value"));
  EXPECT_THAT(message, HasSubstr("allowed: tokens, bloom, tokens_and_bloom"));
  EXPECT_THAT(message, Not(HasSubstr("fuzzy")));  // never quotes the value
}

TEST_F(JobSpecYamlTest, UnknownOutputAndComparisonAreNamed) {
  EXPECT_THAT(ErrorOf(Replace("output: linked_microdata", "output: rows")),
              HasSubstr("output: unknown value (allowed: linked_microdata, aggregate)"));
  EXPECT_THAT(ErrorOf(Replace("greater_or_equal", "bigger")),
              HasSubstr("parties[0].cohort[0].comparison: unknown value (allowed: equal,"));
  EXPECT_THAT(ErrorOf(Replace("compare_as: number", "compare_as: int")),
              HasSubstr("compare_as: unknown value (allowed: text, number, date)"));
}

TEST_F(JobSpecYamlTest, UnknownAndMissingKeysAreNamed) {
  EXPECT_THAT(ErrorOf(Replace("irb_reference:", "irb_ref:")),
              HasSubstr("job.yaml:4:1: irb_ref: unknown key (allowed: title, purpose,"));
  EXPECT_THAT(ErrorOf(Replace("expires_at: 2030-03-01T00:00:00Z\n", "")),
              HasSubstr("expires_at: missing (required)"));
  EXPECT_THAT(ErrorOf(Replace("title: Injury admissions\n", "")),
              HasSubstr("title: missing (required)"));
  EXPECT_THAT(ErrorOf(Replace("  - agency: police\n", "  - agencyy: police\n")),
              HasSubstr("parties[1].agencyy: unknown key (allowed: agency, columns, cohort)"));
}

TEST_F(JobSpecYamlTest, BadValuesAreRefused) {
  EXPECT_THAT(ErrorOf(Replace("2030-03-01T00:00:00Z", "next march")),
              HasSubstr("expires_at: must be an RFC 3339 time"));
  EXPECT_THAT(ErrorOf(Replace("bloom_threshold: 0.85", "bloom_threshold: 1.5")),
              HasSubstr("match.bloom_threshold: must be a number in (0, 1]"));
  EXPECT_THAT(ErrorOf(Replace("values: [\"2020\"]", "values: [\"2020\", \"2021\"]")),
              HasSubstr("needs exactly one value"));
  EXPECT_THAT(ErrorOf(Replace("agency: police", "agency: health-dept")),
              HasSubstr("parties[1].agency: agency listed twice"));
  EXPECT_THAT(ErrorOf(Replace("columns: [admission_date, diagnosis]",
                              "columns: [diagnosis, diagnosis]")),
              HasSubstr("parties[0].columns[1]: column requested twice"));
}

TEST_F(JobSpecYamlTest, MicrodataNeedsAnAnalystKey) {
  EXPECT_THAT(ErrorOf(Replace("analyst_key:\n  public_key: analyst.pub.pem\n  label: alice-laptop\n",
                              "")),
              HasSubstr("analyst_key: required for output: linked_microdata"));
}

TEST_F(JobSpecYamlTest, AggregateBreakdownByCategoryNeedsAgencyColumnAndKey) {
  const std::string breakdown = Replace(
      "output: linked_microdata\n",
      "output: aggregate\naggregate:\n  min_cell_count: 15\n"
      "  category: {agency: police, column: incident_type}\n");
  absl::StatusOr<v1::JobSpec> spec = Parse(breakdown);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->output_mode(), v1::OUTPUT_MODE_AGGREGATE);
  EXPECT_EQ(spec->aggregate().min_cell_count(), 15u);
  EXPECT_EQ(spec->aggregate().category().agency(), "police");
  EXPECT_EQ(spec->aggregate().category().column(), "incident_type");
  EXPECT_THAT(DescribeJobSpec(*spec), HasSubstr("broken down by: incident_type of police"));

  std::string no_column = breakdown;
  no_column.replace(no_column.find(", column: incident_type"), 23, "");
  EXPECT_THAT(ErrorOf(no_column), HasSubstr("aggregate.category.column: missing (required)"));
  std::string no_key = breakdown;
  const size_t key = no_key.find("analyst_key:");
  no_key.erase(key, no_key.find("parties:") - key);
  EXPECT_THAT(ErrorOf(no_key), HasSubstr("analyst_key: required for a breakdown by category"));
}

TEST_F(JobSpecYamlTest, TheAggregateExampleParses) {
  absl::StatusOr<std::string> example =
      ReadWholeFile(absl::StrCat(FEDLINK_SOURCE_DIR, "/deploy/examples/job-aggregate.yaml"));
  ASSERT_TRUE(example.ok()) << example.status();
  files_["linkage-schema.yaml"] = files_["schema.yaml"];
  absl::StatusOr<v1::JobSpec> spec = Parse(*example);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->aggregate().category().agency(), "edu");
  EXPECT_EQ(spec->aggregate().category().column(), "school_type");
}

TEST_F(JobSpecYamlTest, ReferencedFilesMustExistAndHoldTheRightThing) {
  EXPECT_THAT(ErrorOf(Replace("schema.yaml", "missing.yaml")),
              HasSubstr("linkage_schema: cannot read the file: missing.yaml: no such file"));
  files_["analyst.pub.pem"] = "not a key";
  EXPECT_THAT(ErrorOf(kValidSpec),
              HasSubstr("analyst_key.public_key: the file holds no X25519 PUBLIC KEY"));
  files_["schema.yaml"] = "version: 1\nfields: 7\n";
  EXPECT_THAT(ErrorOf(kValidSpec), HasSubstr("job.yaml:9:17: linkage_schema: schema.yaml:"));
}

TEST_F(JobSpecYamlTest, MalformedYamlAndTooFewPartiesAreRefused) {
  EXPECT_THAT(ErrorOf("title: [unclosed\n"), HasSubstr("job.yaml:"));
  EXPECT_THAT(ErrorOf(""), HasSubstr("job.yaml:1:1: the file is empty"));
  const std::string one_party = Replace("  - agency: police\n    columns: [incident_type]\n", "");
  EXPECT_THAT(ErrorOf(one_party), HasSubstr("parties: must be a list of 2..32 parties"));
}

}  // namespace
}  // namespace fedlink::cli
