// FEBRL4 linked end to end by the real processes: two agencies ("edu" holds
// originals of dataset4a, "health" their corrupted duplicates from
// dataset4b) ingest with `fedlink-agent ingest`, run `fedlink-agent serve`
// against `fedlink-coordinator serve` over mutual TLS, the analyst submits
// a tokens+Bloom microdata job with `fedlink job submit`, both stewards
// approve with `fedlink-agent jobs approve`, and `fedlink job results`
// decrypts the joined CSV. The linkage is scored on the released
// truth_entity attribute (e2e_test_data.h says why that is an attribute).
//
// A subset of FEBRL4 keeps the test fast under sanitizers; the pipeline's
// quality on the full set is in tests/febrl/match_linkage_febrl4_test.cc.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

using ::testing::HasSubstr;

constexpr size_t kPairs = 1000;

TEST(FebrlMicrodataTest, TwoAgenciesLinkFebrl4WithF1AtLeast099) {
  absl::StatusOr<FebrlPairs> febrl = LoadFebrl4Pairs(kPairs);
  ASSERT_TRUE(febrl.ok()) << febrl.status();
  absl::StatusOr<std::string> schema = FebrlIngestSchemaWithTruth();
  ASSERT_TRUE(schema.ok()) << schema.status();
  ClusterOptions options;
  options.agencies = {{"edu", *schema, {"truth_entity"}}, {"health", *schema, {"truth_entity"}}};
  absl::StatusOr<std::unique_ptr<E2eCluster>> made = E2eCluster::Create(options);
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  for (const auto& [agency, records] :
       {std::pair{"edu", &febrl->originals}, std::pair{"health", &febrl->duplicates}}) {
    CommandResult ingest = cluster.Ingest(agency, FebrlCsv(*records));
    ASSERT_EQ(ingest.exit_code, 0) << ingest.Describe();
    EXPECT_THAT(ingest.out, HasSubstr(absl::StrCat(kPairs))) << ingest.Describe();
  }
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  absl::Status agents = cluster.StartAllAgents();
  ASSERT_TRUE(agents.ok()) << agents;

  JobOptions job;
  job.title = "FEBRL4 two-party linkage";
  job.linkage_schema = FebrlLinkageSchemaPath();
  job.method = "tokens_and_bloom";
  job.bloom_threshold = 0.7;
  job.parties = {{"edu", {"truth_entity"}}, {"health", {"truth_entity"}}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();

  for (const char* agency : {"edu", "health"}) {
    CommandResult approved = cluster.Approve(agency, *job_id);
    ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
    EXPECT_THAT(approved.out, HasSubstr("delivered to the coordinator")) << approved.Describe();
  }
  absl::StatusOr<v1::Job> done = cluster.WaitForJobState(*job_id, v1::JOB_STATE_COMPLETE);
  ASSERT_TRUE(done.ok()) << done.status();
  for (const v1::PartyProgress& party : done->parties()) {
    EXPECT_EQ(party.records_uploaded(), kPairs) << party.agency();
    EXPECT_TRUE(party.payload_complete()) << party.agency();
  }

  CommandResult status = cluster.JobStatus(*job_id);
  EXPECT_EQ(status.exit_code, 0) << status.Describe();
  EXPECT_THAT(status.out, HasSubstr("COMPLETE")) << status.Describe();

  CommandResult results = cluster.Results(*job_id, "linked.csv");
  ASSERT_EQ(results.exit_code, 0) << results.Describe();
  absl::StatusOr<std::vector<std::vector<std::string>>> csv =
      ParseCsv(ReadFileBytes(cluster.analyst_dir() / "linked.csv"));
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_FALSE(csv->empty());
  EXPECT_EQ((*csv)[0], (std::vector<std::string>{"research_id", "edu.truth_entity",
                                                 "health.truth_entity"}));

  // Predicted pairs: lines with a row from both parties. A true pair is one
  // FEBRL entity; each appears once per agency.
  size_t predicted = 0, correct = 0;
  std::map<std::string, int> lines_per_research_id;
  for (size_t i = 1; i < csv->size(); ++i) {
    const std::vector<std::string>& row = (*csv)[i];
    ASSERT_EQ(row.size(), 3u) << "line " << i;
    EXPECT_EQ(row[0].size(), 32u) << "research ids are 128-bit hex";
    ++lines_per_research_id[row[0]];
    if (row[1].empty() || row[2].empty()) continue;
    ++predicted;
    if (row[1] == row[2]) ++correct;
  }
  const double precision = predicted == 0 ? 0 : static_cast<double>(correct) / predicted;
  const double recall = static_cast<double>(correct) / kPairs;
  const double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
  ::testing::Test::RecordProperty("precision", absl::StrCat(precision));
  ::testing::Test::RecordProperty("recall", absl::StrCat(recall));
  ::testing::Test::RecordProperty("f1", absl::StrCat(f1));
  EXPECT_GE(f1, 0.99) << "precision " << precision << ", recall " << recall << " ("
                      << correct << " of " << predicted << " linked pairs correct)";
  // Only linked people are released: no line lacks a party, and no
  // research id names two lines (each person is one record per agency).
  EXPECT_EQ(predicted, csv->size() - 1);
  for (const auto& [research_id, lines] : lines_per_research_id) EXPECT_EQ(lines, 1) << research_id;
  EXPECT_EQ(done->quality().clusters(), predicted);
}

}  // namespace
}  // namespace fedlink::e2e
