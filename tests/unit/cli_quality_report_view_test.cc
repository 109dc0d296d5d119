// How `fedlink job status` / `job results` show the linkage-quality report.
#include "coordinator/fedlink_cli/quality_report_view.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::PartyCount Count(const std::string& agency, uint64_t count) {
  v1::PartyCount party;
  party.set_agency(agency);
  party.set_count(count);
  return party;
}

// Three agencies, a bimodal score histogram over [0.5, 1] in 10 bins.
v1::LinkageQualityReport Report() {
  v1::LinkageQualityReport report;
  *report.add_records_per_party() = Count("edu", 93);
  *report.add_records_per_party() = Count("highered", 40);
  *report.add_records_per_party() = Count("employment", 0);
  *report.add_linked_records_per_party() = Count("edu", 80);
  *report.add_linked_records_per_party() = Count("highered", 36);
  report.set_clusters(82);
  v1::PartySetCount* pair = report.add_party_sets();
  pair->add_agencies("edu");
  pair->add_agencies("highered");
  pair->set_clusters(34);
  v1::ClusterSizeCount* size = report.add_cluster_sizes();
  size->set_size(2);
  size->set_clusters(34);
  report.set_clusters_with_party_duplicates(2);
  v1::AmbiguityCount* ambiguity = report.add_ambiguity();
  ambiguity->set_agency("edu");
  ambiguity->set_recipe_id(3);
  ambiguity->set_tokens(4);
  ambiguity->set_occurrences(9);
  report.set_ambiguous_token_matches(12);
  v1::ScoreHistogram* scores = report.mutable_accepted_scores();
  scores->set_lo(0.5);
  scores->set_hi(1.0);
  for (uint64_t count : {0, 0, 0, 0, 0, 0, 1, 0, 25, 50}) scores->add_counts(count);
  report.set_configured_threshold(0.8);
  v1::ThresholdSuggestion* suggestion = report.mutable_suggestion();
  suggestion->set_method(v1::SUGGESTION_METHOD_VALLEY);
  suggestion->set_threshold(0.85);
  suggestion->set_lower_mode(0.675);
  suggestion->set_upper_mode(0.975);
  return report;
}

TEST(FormatQualityReportTest, ShowsEverySectionReadably) {
  const std::string text = FormatQualityReport(Report(), "  ");
  EXPECT_THAT(text, HasSubstr("  AGENCY        RECORDS     LINKED\n"));
  EXPECT_THAT(text, HasSubstr("  edu                93         80  (86.0%)\n"));
  EXPECT_THAT(text, HasSubstr("  highered           40         36  (90.0%)\n"));
  // No share of nothing.
  EXPECT_THAT(text, HasSubstr("  employment          0          0\n"));
  EXPECT_THAT(text, HasSubstr("  clusters (research ids): 82\n"));
  EXPECT_THAT(text, HasSubstr("    edu + highered"));
  EXPECT_THAT(text, HasSubstr("  cluster sizes: 2 records: 34\n"));
  EXPECT_THAT(text, HasSubstr("two or more records of one agency: 2\n"));
  EXPECT_THAT(text, HasSubstr("    edu, recipe 3: 4 tokens on 9 records\n"));
  EXPECT_THAT(text, HasSubstr("left to the Bloom filters because of them: 12\n"));
  // Non-empty bins only; the largest gets the full bar, a small one a mark.
  EXPECT_THAT(text, HasSubstr("    0.950-1.000  " + std::string(40, '#') + " 50\n"));
  EXPECT_THAT(text, HasSubstr("    0.900-0.950  " + std::string(20, '#') + std::string(21, ' ') +
                              "25\n"));
  EXPECT_THAT(text, HasSubstr("    0.800-0.850  #" + std::string(40, ' ') + "1\n"));
  EXPECT_THAT(text, Not(HasSubstr("0.500-0.550")));
  EXPECT_THAT(text, HasSubstr("  threshold: 0.8 configured; suggested 0.85 (the valley between "
                              "the score modes at 0.675 and 0.975)\n"));
  // Every line carries the indent; no protobuf text format.
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StartsWith(line, "  ")) << line;
  }
  EXPECT_THAT(text, Not(HasSubstr("{")));
}

TEST(FormatQualityReportTest, LeavesOutSectionsWithNothingToSay) {
  v1::LinkageQualityReport report;
  *report.add_records_per_party() = Count("edu", 5);
  *report.add_records_per_party() = Count("health", 3);
  report.mutable_suggestion()->set_method(v1::SUGGESTION_METHOD_NO_SCORES);
  report.set_configured_threshold(0.8);
  const std::string text = FormatQualityReport(report);
  EXPECT_THAT(text, HasSubstr("edu             5          0  (0.0%)\n"));
  EXPECT_THAT(text, HasSubstr("clusters (research ids): 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("clusters by parties")));
  EXPECT_THAT(text, Not(HasSubstr("cluster sizes")));
  EXPECT_THAT(text, Not(HasSubstr("one agency")));
  EXPECT_THAT(text, Not(HasSubstr("accepted link scores")));
  EXPECT_THAT(text, HasSubstr("threshold: 0.8 configured; nothing was scored"));
}

TEST(QualityReportJsonTest, HoldsTheSameCountsAsNumbers) {
  const nlohmann::ordered_json json = QualityReportJson(Report());
  ASSERT_EQ(json["records_per_party"].size(), 3u);
  EXPECT_EQ(json["records_per_party"][0],
            nlohmann::ordered_json({{"agency", "edu"}, {"records", 93}, {"linked", 80}}));
  EXPECT_EQ(json["records_per_party"][2]["linked"], 0);
  EXPECT_EQ(json["clusters"], 82);
  EXPECT_EQ(json["party_sets"][0]["agencies"], nlohmann::ordered_json({"edu", "highered"}));
  EXPECT_EQ(json["party_sets"][0]["clusters"], 34);
  EXPECT_EQ(json["cluster_sizes"][0]["size"], 2);
  EXPECT_EQ(json["clusters_with_party_duplicates"], 2);
  EXPECT_EQ(json["ambiguity"][0]["recipe_id"], 3);
  EXPECT_EQ(json["ambiguity"][0]["occurrences"], 9);
  EXPECT_EQ(json["ambiguous_token_matches"], 12);
  ASSERT_EQ(json["accepted_scores"]["bins"].size(), 10u);
  EXPECT_EQ(json["accepted_scores"]["bins"][9]["count"], 50);
  EXPECT_DOUBLE_EQ(json["accepted_scores"]["bins"][9]["lo"].get<double>(), 0.95);
  EXPECT_DOUBLE_EQ(json["threshold"]["configured"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(json["threshold"]["suggested"].get<double>(), 0.85);
  EXPECT_EQ(json["threshold"]["method"], "valley");
  EXPECT_DOUBLE_EQ(json["threshold"]["upper_mode"].get<double>(), 0.975);
}

TEST(QualityReportJsonTest, NoScoresIsNull) {
  v1::LinkageQualityReport report;
  report.mutable_suggestion()->set_method(v1::SUGGESTION_METHOD_NOT_BIMODAL);
  const nlohmann::ordered_json json = QualityReportJson(report);
  EXPECT_TRUE(json["accepted_scores"].is_null());
  EXPECT_EQ(json["threshold"]["method"], "not_bimodal");
  EXPECT_FALSE(json["threshold"].contains("lower_mode"));
  EXPECT_TRUE(json["records_per_party"].empty());
}

}  // namespace
}  // namespace fedlink::cli
