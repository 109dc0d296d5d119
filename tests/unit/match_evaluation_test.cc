#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/match/evaluation.h"
#include "linkage/match/score_histogram.h"
#include "linkage/match/threshold_sweep.h"
#include "linkage/match/truth_histogram.h"

namespace fedlink::match {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

RecordRef A(RecordIndex i) { return RecordRef{0, i}; }
RecordRef B(RecordIndex i) { return RecordRef{1, i}; }
RecordRef C(RecordIndex i) { return RecordRef{2, i}; }

// Party A: entities 1 2 3 4; party B: entities 1 2 5 3. True matches:
// (A0,B0), (A1,B1), (A2,B3).
GroundTruth TwoParties() { return GroundTruth{{{1, 2, 3, 4}, {1, 2, 5, 3}}}; }

TEST(CountTrueMatchesTest, CountsCrossPartyPairsOnly) {
  EXPECT_EQ(CountTrueMatches(TwoParties()), 3u);
  // Entity 7 twice in A, once in B and C: A0B0 A1B0 A0C0 A1C0 B0C0; the
  // pair A0A1 is inside one party and does not count.
  EXPECT_EQ(CountTrueMatches(GroundTruth{{{7, 7}, {7}, {7}}}), 5u);
  EXPECT_EQ(CountTrueMatches(GroundTruth{}), 0u);
}

TEST(EvaluatePairsTest, HandComputedPrecisionRecallF1) {
  std::vector<ScoredPair> predicted = {
      {A(0), B(0), 0.9},  // true
      {A(1), B(2), 0.8},  // false
      {A(2), B(3), 0.7},  // true
      {B(3), A(2), 0.7},  // the same pair again: counted once
  };
  absl::StatusOr<PairMetrics> metrics = EvaluatePairs(predicted, TwoParties());
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->predicted, 3u);
  EXPECT_EQ(metrics->true_positives, 2u);
  EXPECT_EQ(metrics->false_positives, 1u);
  EXPECT_EQ(metrics->false_negatives, 1u);
  EXPECT_THAT(metrics->precision, DoubleEq(2.0 / 3));
  EXPECT_THAT(metrics->recall, DoubleEq(2.0 / 3));
  EXPECT_THAT(metrics->f1, DoubleEq(2.0 / 3));
}

TEST(EvaluatePairsTest, UnevenPrecisionAndRecall) {
  std::vector<ScoredPair> predicted = {{A(0), B(0), 1}};
  absl::StatusOr<PairMetrics> metrics = EvaluatePairs(predicted, TwoParties());
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(metrics->precision, DoubleEq(1.0));
  EXPECT_THAT(metrics->recall, DoubleEq(1.0 / 3));
  EXPECT_THAT(metrics->f1, DoubleEq(0.5));  // 2·1·⅓ / (1 + ⅓)
}

TEST(EvaluatePairsTest, NothingPredictedGivesZerosNotNan) {
  absl::StatusOr<PairMetrics> metrics = EvaluatePairs({}, TwoParties());
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->false_negatives, 3u);
  EXPECT_EQ(metrics->precision, 0.0);
  EXPECT_EQ(metrics->recall, 0.0);
  EXPECT_EQ(metrics->f1, 0.0);
}

TEST(EvaluatePairsTest, RejectsARecordOutsideTheGroundTruth) {
  std::vector<ScoredPair> predicted = {{A(0), B(4), 1}};
  absl::Status status = EvaluatePairs(predicted, TwoParties()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("record 4 of party 1"));
  std::vector<ScoredPair> no_party = {{A(0), C(0), 1}};
  EXPECT_EQ(EvaluatePairs(no_party, TwoParties()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EvaluateClustersTest, CountsEveryCrossPartyPairInACluster) {
  GroundTruth truth{{{1, 2}, {1, 2}, {1, 9}}};  // true: A0B0 A0C0 B0C0 A1B1
  std::vector<Cluster> clusters = {{A(0), B(0), C(0)}, {A(1), B(1), C(1)}};
  absl::StatusOr<PairMetrics> metrics = EvaluateClusters(clusters, truth);
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->predicted, 6u);
  EXPECT_EQ(metrics->true_positives, 4u);  // all of the first, A1B1 of the second
  EXPECT_EQ(metrics->false_positives, 2u);
  EXPECT_EQ(metrics->false_negatives, 0u);
  EXPECT_THAT(metrics->precision, DoubleEq(4.0 / 6));
  EXPECT_THAT(metrics->recall, DoubleEq(1.0));
}

TEST(EvaluateClustersTest, PairsInsideOnePartyAreNotCounted) {
  GroundTruth truth{{{1, 1}, {1}}};  // true: A0B0 A1B0
  std::vector<Cluster> clusters = {{A(0), A(1), B(0)}};
  absl::StatusOr<PairMetrics> metrics = EvaluateClusters(clusters, truth);
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->predicted, 2u);
  EXPECT_EQ(metrics->true_positives, 2u);
}

TEST(EvaluateClustersTest, RejectsARecordInTwoClusters) {
  std::vector<Cluster> clusters = {{A(0), B(0)}, {A(0), B(1)}};
  absl::Status status = EvaluateClusters(clusters, TwoParties()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("cluster 1"));
}

TEST(EvaluateCandidatesTest, CompletenessQualityAndReductionRatio) {
  std::vector<ScoredPair> candidates = {
      {A(0), B(0), 0}, {A(1), B(1), 0}, {A(1), B(2), 0}, {A(3), B(3), 0}, {B(0), A(0), 0}};
  absl::StatusOr<CandidateMetrics> metrics = EvaluateCandidates(candidates, TwoParties());
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->candidates, 4u);
  EXPECT_EQ(metrics->true_candidates, 2u);
  EXPECT_EQ(metrics->true_matches, 3u);
  EXPECT_EQ(metrics->comparison_space, 16u);
  EXPECT_THAT(metrics->pairs_completeness, DoubleEq(2.0 / 3));
  EXPECT_THAT(metrics->pairs_quality, DoubleEq(0.5));
  EXPECT_THAT(metrics->reduction_ratio, DoubleEq(0.75));
}

TEST(EvaluateCandidatesTest, ComparisonSpaceOfThreeParties) {
  GroundTruth truth{{{1, 2}, {3, 4, 5}, {6}}};
  absl::StatusOr<CandidateMetrics> metrics = EvaluateCandidates({}, truth);
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->comparison_space, 2u * 3 + 2 * 1 + 3 * 1);
  EXPECT_EQ(metrics->reduction_ratio, 1.0);
}

TEST(ScoreHistogramTest, BinsScoresOnTheirReportedEdges) {
  ScoreHistogram histogram = ScoreHistogram::Uniform(20);
  EXPECT_EQ(histogram.BinOf(0.0), 0u);
  EXPECT_EQ(histogram.BinOf(0.8), 16u);
  EXPECT_EQ(histogram.BinOf(0.7999), 15u);
  EXPECT_EQ(histogram.BinOf(1.0), 19u);
  EXPECT_EQ(histogram.BinOf(-3.0), 0u);
  EXPECT_EQ(histogram.BinOf(7.0), 19u);
  ScoreHistogram fine = ScoreHistogram::Uniform(100);
  for (size_t bin = 0; bin < 100; ++bin) {
    ASSERT_EQ(fine.BinOf(fine.BinLower(bin)), bin);
    ASSERT_EQ(fine.BinOf(static_cast<double>(bin) / 100), bin);
  }
}

TEST(ScoreHistogramTest, AddCountsAndSkipsNan) {
  ScoreHistogram histogram = ScoreHistogram::Uniform(4);
  for (double score : {0.1, 0.3, 0.3, 0.99, std::numeric_limits<double>::quiet_NaN()}) {
    histogram.Add(score);
  }
  EXPECT_THAT(histogram.counts, ElementsAre(1, 2, 0, 1));
  EXPECT_EQ(histogram.Total(), 4u);
}

TEST(ScoreHistogramTest, RendersFromFirstToLastNonEmptyBin) {
  ScoreHistogram histogram = ScoreHistogram::Uniform(10);
  histogram.Add(0.35);
  histogram.Add(0.55);
  histogram.Add(0.56);
  std::string text = RenderHistogram(histogram, "");
  EXPECT_THAT(text, StartsWith("[0.30, 0.40)"));
  EXPECT_THAT(text, HasSubstr("[0.50, 0.60)          2  " + std::string(40, '#') + "\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("[0.60")));
  EXPECT_EQ(RenderHistogram(ScoreHistogram::Uniform(), ""), "(none)\n");
}

TEST(TruthHistogramTest, SplitsScoresByGroundTruth) {
  std::vector<ScoredPair> pairs = {
      {A(0), B(0), 0.95}, {A(1), B(1), 0.85}, {A(1), B(2), 0.15}, {A(3), B(0), 0.92}};
  absl::StatusOr<TruthHistograms> histograms = HistogramsByTruth(pairs, TwoParties(), 10);
  ASSERT_TRUE(histograms.ok()) << histograms.status();
  EXPECT_THAT(histograms->matches.counts, ElementsAre(0, 0, 0, 0, 0, 0, 0, 0, 1, 1));
  EXPECT_THAT(histograms->non_matches.counts, ElementsAre(0, 1, 0, 0, 0, 0, 0, 0, 0, 1));
  std::string csv = TruthHistogramCsv(*histograms);
  EXPECT_THAT(csv, StartsWith("bin_lower,bin_upper,matches,non_matches\n0,0.1,0,0\n"));
  EXPECT_THAT(csv, HasSubstr("\n0.9,1,1,1\n"));
  EXPECT_THAT(TruthHistogramTable(*histograms), HasSubstr("non-matches"));
}

// Five people in A and B. Scores: true pairs spread from 0.95 down to 0.55,
// false pairs from 0.85 down to 0.35.
std::vector<ScoredPair> SweepPairs() {
  return {{A(0), B(0), 0.95}, {A(1), B(1), 0.9},  {A(2), B(2), 0.75}, {A(3), B(3), 0.6},
          {A(4), B(4), 0.55}, {A(0), B(1), 0.85}, {A(2), B(3), 0.7},  {A(4), B(0), 0.5},
          {A(1), B(4), 0.4},  {A(3), B(2), 0.35}};
}
GroundTruth FivePeople() { return GroundTruth{{{0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}}}; }

TEST(ThresholdSweepTest, AllPairsSweepIsMonotone) {
  SweepOptions options;
  options.thresholds = ThresholdSteps(0.3, 1.0, 0.05);
  absl::StatusOr<std::vector<SweepRow>> rows = SweepThresholds(SweepPairs(), FivePeople(), options);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 15u);
  for (size_t i = 1; i < rows->size(); ++i) {
    const PairMetrics& lower = (*rows)[i - 1].metrics;
    const PairMetrics& higher = (*rows)[i].metrics;
    EXPECT_LT((*rows)[i - 1].threshold, (*rows)[i].threshold);
    EXPECT_LE(higher.predicted, lower.predicted);
    EXPECT_LE(higher.true_positives, lower.true_positives);
    EXPECT_LE(higher.false_positives, lower.false_positives);
    EXPECT_GE(higher.false_negatives, lower.false_negatives);
    EXPECT_LE(higher.recall, lower.recall);
  }
  // At 0.3 everything is predicted: 5 of 10 right, all 5 found.
  EXPECT_EQ(rows->front().metrics, (PairMetrics{10, 5, 5, 0, 0.5, 1.0, 2.0 / 3}));
  // At 0.7: 0.95 0.9 0.75 true, 0.85 0.7 false.
  const SweepRow& at_07 = (*rows)[8];
  EXPECT_DOUBLE_EQ(at_07.threshold, 0.7);
  EXPECT_EQ(at_07.metrics.predicted, 5u);
  EXPECT_EQ(at_07.metrics.true_positives, 3u);
  EXPECT_EQ(at_07.metrics.false_negatives, 2u);
  EXPECT_EQ(rows->back().metrics.predicted, 0u);
}

TEST(ThresholdSweepTest, OneToOneSweepResolvesConflicts) {
  SweepOptions options;
  options.thresholds = {0.5, 0.8};
  options.decision = SweepDecision::kGreedyOneToOne;
  absl::StatusOr<std::vector<SweepRow>> rows = SweepThresholds(SweepPairs(), FivePeople(), options);
  ASSERT_TRUE(rows.ok()) << rows.status();
  // At 0.8: A0B0 0.95 and A1B1 0.9 accepted, A0B1 0.85 conflicts.
  EXPECT_EQ((*rows)[1].metrics.predicted, 2u);
  EXPECT_EQ((*rows)[1].metrics.true_positives, 2u);
  // At 0.5: A2B2 0.75 blocks A2B3 0.7, A3B3 0.6 and A4B4 0.55 follow; A4B0 is taken.
  EXPECT_EQ((*rows)[0].metrics.predicted, 5u);
  EXPECT_EQ((*rows)[0].metrics.true_positives, 5u);
}

TEST(ThresholdSweepTest, ClusterSweepScoresClusters) {
  SweepOptions options;
  options.thresholds = {0.8};
  options.decision = SweepDecision::kGreedyClusters;
  absl::StatusOr<std::vector<SweepRow>> rows = SweepThresholds(SweepPairs(), FivePeople(), options);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].metrics.predicted, 2u);
  EXPECT_EQ((*rows)[0].metrics.true_positives, 2u);
}

TEST(ThresholdSweepTest, RowsAreSortedAndRepeatsDropped) {
  SweepOptions options;
  options.thresholds = {0.9, 0.5, 0.9};
  absl::StatusOr<std::vector<SweepRow>> rows = SweepThresholds(SweepPairs(), FivePeople(), options);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].threshold, 0.5);
  options.thresholds = {std::nan("")};
  EXPECT_EQ(SweepThresholds(SweepPairs(), FivePeople(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ThresholdSweepTest, TableAndCsvCarryEveryColumn) {
  std::vector<SweepRow> rows = {{0.8, PairMetrics{4, 3, 1, 2, 0.75, 0.6, 2.0 / 3}}};
  EXPECT_EQ(SweepCsv(rows),
            "threshold,predicted,tp,fp,fn,precision,recall,f1\n"
            "0.8,4,3,1,2,0.750000,0.600000,0.666667\n");
  std::string table = SweepTable(rows);
  EXPECT_THAT(table, HasSubstr("threshold  predicted"));
  EXPECT_THAT(table, HasSubstr("0.800          4          3          1          2"));
}

TEST(ThresholdStepsTest, StepsIncludeTheEndWithoutDrift) {
  EXPECT_THAT(ThresholdSteps(0.5, 1.0, 0.1), ElementsAre(0.5, 0.6, 0.7, 0.8, 0.9, 1.0));
  EXPECT_THAT(ThresholdSteps(0.0, 0.0, 0.1), ElementsAre(0.0));
  EXPECT_TRUE(ThresholdSteps(1.0, 0.5, 0.1).empty());
  EXPECT_TRUE(ThresholdSteps(0.0, 1.0, 0.0).empty());
}

}  // namespace
}  // namespace fedlink::match
