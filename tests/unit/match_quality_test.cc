#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/match/quality_report.h"
#include "linkage/match/threshold_suggestion.h"

namespace fedlink::match {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

RecordRef A(RecordIndex i) { return RecordRef{0, i}; }
RecordRef B(RecordIndex i) { return RecordRef{1, i}; }
RecordRef C(RecordIndex i) { return RecordRef{2, i}; }

ScoreHistogram HistogramOf(std::vector<uint64_t> counts) {
  ScoreHistogram histogram = ScoreHistogram::Uniform(counts.size());
  histogram.counts = std::move(counts);
  return histogram;
}

// Counts of a normal-shaped bump: `height`·exp(−(x−centre)²/(2·width²)) per bin.
std::vector<uint64_t> Bump(size_t bins, double centre, double width, double height) {
  std::vector<uint64_t> counts(bins);
  for (size_t i = 0; i < bins; ++i) {
    double x = (static_cast<double>(i) + 0.5) / static_cast<double>(bins);
    counts[i] = static_cast<uint64_t>(
        std::llround(height * std::exp(-(x - centre) * (x - centre) / (2 * width * width))));
  }
  return counts;
}

std::vector<uint64_t> Plus(std::vector<uint64_t> x, const std::vector<uint64_t>& y) {
  for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];
  return x;
}

TEST(SuggestThresholdTest, MiddleOfAnEmptyGapBetweenTwoModes) {
  // Non-matches in [0, 0.5), matches in [0.75, 1]: the smoothed histogram
  // is zero on bins 11..13 only, so the suggestion is the middle of
  // [0.55, 0.70).
  ScoreHistogram histogram = HistogramOf(
      {5, 40, 200, 800, 1500, 1200, 600, 200, 60, 10, 0, 0, 0, 0, 0, 3, 20, 60, 90, 40});
  ThresholdSuggestion suggestion = SuggestThreshold(histogram, 0.8);
  EXPECT_EQ(suggestion.method, SuggestionMethod::kValley);
  EXPECT_THAT(suggestion.threshold, DoubleNear(0.625, 1e-12));
  EXPECT_THAT(suggestion.lower_mode, DoubleNear(0.225, 1e-12));
  EXPECT_THAT(suggestion.upper_mode, DoubleNear(0.925, 1e-12));
}

TEST(SuggestThresholdTest, ValleyOfOverlappingBimodalScores) {
  // Many non-matches around 0.35, few matches around 0.9, overlapping tails.
  ScoreHistogram histogram =
      HistogramOf(Plus(Bump(50, 0.35, 0.08, 5000), Bump(50, 0.9, 0.04, 300)));
  ThresholdSuggestion suggestion = SuggestThreshold(histogram, 0.8);
  ASSERT_EQ(suggestion.method, SuggestionMethod::kValley);
  EXPECT_GT(suggestion.threshold, 0.65);
  EXPECT_LT(suggestion.threshold, 0.8);
  EXPECT_THAT(suggestion.lower_mode, DoubleNear(0.35, 0.02));
  EXPECT_THAT(suggestion.upper_mode, DoubleNear(0.9, 0.02));
}

TEST(SuggestThresholdTest, UnimodalScoresFallBackToTheConfiguredThreshold) {
  ScoreHistogram histogram = HistogramOf(Bump(20, 0.4, 0.1, 1000));
  ThresholdSuggestion suggestion = SuggestThreshold(histogram, 0.8);
  EXPECT_EQ(suggestion.method, SuggestionMethod::kNotBimodal);
  EXPECT_EQ(suggestion.threshold, 0.8);
  EXPECT_THAT(DescribeSuggestion(suggestion), HasSubstr("configured threshold"));
}

TEST(SuggestThresholdTest, ASmallBumpIsNotAMode) {
  // A second bump of at most 3 pairs per bin is noise, not a match mode.
  std::vector<uint64_t> counts = Bump(20, 0.3, 0.08, 1000);
  counts[17] = 2;
  counts[18] = 3;
  counts[19] = 2;
  ThresholdSuggestion suggestion = SuggestThreshold(HistogramOf(counts), 0.75);
  EXPECT_EQ(suggestion.method, SuggestionMethod::kNotBimodal);
  EXPECT_EQ(suggestion.threshold, 0.75);
}

TEST(SuggestThresholdTest, ShallowDipIsNotAValley) {
  // The dip between the two peaks is 80% of the lower one.
  ScoreHistogram histogram =
      HistogramOf({0, 100, 100, 100, 90, 80, 80, 80, 90, 100, 100, 100, 0});
  EXPECT_EQ(SuggestThreshold(histogram, 0.7).method, SuggestionMethod::kNotBimodal);
}

TEST(SuggestThresholdTest, EmptyHistogramFallsBack) {
  ThresholdSuggestion suggestion = SuggestThreshold(ScoreHistogram::Uniform(), 0.9);
  EXPECT_EQ(suggestion.method, SuggestionMethod::kNoScores);
  EXPECT_EQ(suggestion.threshold, 0.9);
}

QualityReportInput ThreePartyInput(const std::vector<Cluster>& clusters,
                                   const std::vector<ScoredPair>& accepted,
                                   const std::vector<AmbiguityCount>& ambiguity) {
  QualityReportInput input;
  input.records_per_party = {10, 8, 5};
  input.clusters = clusters;
  input.accepted_links = accepted;
  input.ambiguity = ambiguity;
  input.ambiguous_token_matches = 3;
  input.configured_threshold = 0.8;
  return input;
}

TEST(QualityReportTest, CountsPartyCombinationsSizesAndDuplicates) {
  std::vector<Cluster> clusters = {{A(0), B(0)},         {A(1), B(1), C(1)}, {A(2), C(0)},
                                   {A(3), A(4), B(2)},   {A(5), B(3)},       {B(4), C(2)}};
  std::vector<ScoredPair> accepted = {{A(0), B(0), 0.97}, {A(1), B(1), 0.91},
                                      {B(1), C(1), 0.83}, {A(2), C(0), 0.88}};
  std::vector<AmbiguityCount> ambiguity = {{1, 3, 2, 4}, {0, 1, 1, 2}};
  absl::StatusOr<QualityReport> report =
      BuildQualityReport(ThreePartyInput(clusters, accepted, ambiguity));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->clusters, 6u);
  EXPECT_THAT(report->linked_records_per_party, ElementsAre(6, 5, 3));
  EXPECT_THAT(report->party_sets,
              ElementsAre(PartySetCount{{0, 1}, 3}, PartySetCount{{0, 2}, 1},
                          PartySetCount{{1, 2}, 1}, PartySetCount{{0, 1, 2}, 1}));
  EXPECT_THAT(report->cluster_sizes,
              ElementsAre(ClusterSizeCount{2, 4}, ClusterSizeCount{3, 2}));
  EXPECT_EQ(report->clusters_with_party_duplicates, 1u);
  EXPECT_THAT(report->ambiguity,
              ElementsAre(AmbiguityCount{0, 1, 1, 2}, AmbiguityCount{1, 3, 2, 4}));
  EXPECT_EQ(report->ambiguous_token_matches, 3u);
  EXPECT_EQ(report->accepted_scores.Total(), 4u);
  EXPECT_EQ(report->accepted_scores.counts[19], 1u);  // 0.97
  EXPECT_EQ(report->accepted_scores.counts[16], 1u);  // 0.83
  EXPECT_EQ(report->suggestion.method, SuggestionMethod::kNoScores);
  EXPECT_EQ(report->suggestion.threshold, 0.8);
}

TEST(QualityReportTest, SuggestsFromCandidateScoresWhenGiven) {
  ScoreHistogram candidates = HistogramOf(
      {5, 40, 200, 800, 1500, 1200, 600, 200, 60, 10, 0, 0, 0, 0, 0, 3, 20, 60, 90, 40});
  QualityReportInput input = ThreePartyInput({}, {}, {});
  input.candidate_scores = &candidates;
  absl::StatusOr<QualityReport> report = BuildQualityReport(input);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->suggestion.method, SuggestionMethod::kValley);
  EXPECT_THAT(report->suggestion.threshold, DoubleNear(0.625, 1e-12));
  EXPECT_THAT(report->party_sets, IsEmpty());
}

TEST(QualityReportTest, RejectsRecordsOutsideTheUploadsOrRepeated) {
  std::vector<Cluster> outside = {{A(0), C(5)}};
  absl::Status status = BuildQualityReport(ThreePartyInput(outside, {}, {})).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("cluster 0"));
  std::vector<Cluster> no_party = {{A(0), RecordRef{3, 0}}};
  EXPECT_EQ(BuildQualityReport(ThreePartyInput(no_party, {}, {})).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<Cluster> repeated = {{A(0), B(0)}, {A(0), C(0)}};
  EXPECT_EQ(BuildQualityReport(ThreePartyInput(repeated, {}, {})).status().code(),
            absl::StatusCode::kInvalidArgument);
  QualityReportInput no_bins = ThreePartyInput({}, {}, {});
  no_bins.score_bins = 0;
  EXPECT_EQ(BuildQualityReport(no_bins).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(QualityReportTest, RendersCountsWithPartyNames) {
  std::vector<Cluster> clusters = {{A(0), B(0)}, {A(1), B(1), C(4)}, {A(7), B(6)}};
  std::vector<ScoredPair> accepted = {{A(0), B(0), 0.97}};
  std::vector<AmbiguityCount> ambiguity = {{1, 3, 2, 4}};
  absl::StatusOr<QualityReport> report =
      BuildQualityReport(ThreePartyInput(clusters, accepted, ambiguity));
  ASSERT_TRUE(report.ok());
  std::vector<std::string> names = {"education", "employment"};
  std::string text = RenderQualityReport(*report, names);
  EXPECT_THAT(text, HasSubstr("education"));
  EXPECT_THAT(text, HasSubstr("party 2"));  // no name given
  EXPECT_THAT(text, HasSubstr("{education, employment}"));
  EXPECT_THAT(text, HasSubstr("{education, employment, party 2}"));
  EXPECT_THAT(text, HasSubstr("30.0%"));  // 3 of 10 education records linked
  EXPECT_THAT(text, HasSubstr("recipe 3"));
  EXPECT_THAT(text, HasSubstr("[0.95, 1.00]"));
  EXPECT_THAT(text, HasSubstr("configured 0.8;"));
  // Aggregates only: record indexes 6 and 7 appear nowhere.
  EXPECT_THAT(text, Not(HasSubstr(" 7 ")));
  EXPECT_THAT(text, Not(HasSubstr(" 6 ")));
}

}  // namespace
}  // namespace fedlink::match
