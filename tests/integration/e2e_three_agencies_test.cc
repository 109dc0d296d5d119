// Three agencies, one microdata job: edu holds 300 FEBRL4 originals, health
// their corrupted duplicates, wages exact copies of the first 150 originals
// under its own local ids. After every steward approved, the analyst's CSV
// has a line with rows from all three agencies for (nearly) each of those
// 150 people and edu + health lines for the other 150, every line naming
// one person (scored on the released truth_entity attribute).
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

constexpr size_t kPeople = 300, kAtWages = 150;

TEST(ThreeAgenciesTest, JobCompletesWithRowsLinkedAcrossAllThree) {
  absl::StatusOr<FebrlPairs> febrl = LoadFebrl4Pairs(kPeople);
  ASSERT_TRUE(febrl.ok()) << febrl.status();
  absl::StatusOr<std::string> schema = FebrlIngestSchemaWithTruth();
  ASSERT_TRUE(schema.ok()) << schema.status();
  ClusterOptions options;
  for (const char* agency : {"edu", "health", "wages"}) {
    options.agencies.push_back({agency, *schema, {"truth_entity"}});
  }
  absl::StatusOr<std::unique_ptr<E2eCluster>> made = E2eCluster::Create(options);
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;
  const std::vector<testing::FebrlRecord> wages(febrl->originals.begin(),
                                                febrl->originals.begin() + kAtWages);
  for (const auto& [agency, csv] :
       std::vector<std::pair<std::string, std::string>>{
           {"edu", FebrlCsv(febrl->originals)},
           {"health", FebrlCsv(febrl->duplicates)},
           {"wages", FebrlCsv(wages, "w-")}}) {
    CommandResult ingest = cluster.Ingest(agency, csv);
    ASSERT_EQ(ingest.exit_code, 0) << ingest.Describe();
  }
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  absl::Status agents = cluster.StartAllAgents();
  ASSERT_TRUE(agents.ok()) << agents;

  JobOptions job;
  job.title = "FEBRL4 across three agencies";
  job.linkage_schema = FebrlLinkageSchemaPath();
  job.bloom_threshold = 0.7;
  job.parties = {{"edu", {"truth_entity"}}, {"health", {"truth_entity"}},
                 {"wages", {"truth_entity"}}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();
  for (const std::string& agency : cluster.agencies()) {
    CommandResult approved = cluster.Approve(agency, *job_id);
    ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  }
  absl::StatusOr<v1::Job> done = cluster.WaitForJobState(*job_id, v1::JOB_STATE_COMPLETE);
  ASSERT_TRUE(done.ok()) << done.status();

  CommandResult results = cluster.Results(*job_id);
  ASSERT_EQ(results.exit_code, 0) << results.Describe();
  absl::StatusOr<std::vector<std::vector<std::string>>> csv =
      ParseCsv(ReadFileBytes(cluster.analyst_dir() / "linked.csv"));
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_FALSE(csv->empty());
  EXPECT_EQ((*csv)[0], (std::vector<std::string>{"research_id", "edu.truth_entity",
                                                 "health.truth_entity", "wages.truth_entity"}));
  size_t all_three = 0, edu_and_health = 0, mixed = 0;
  for (size_t i = 1; i < csv->size(); ++i) {
    const std::vector<std::string>& row = (*csv)[i];
    ASSERT_EQ(row.size(), 4u);
    std::set<std::string> people;
    for (size_t c = 1; c < 4; ++c) {
      if (!row[c].empty()) people.insert(row[c]);
    }
    if (people.size() > 1) {
      ++mixed;
      continue;
    }
    if (!row[1].empty() && !row[2].empty() && !row[3].empty()) ++all_three;
    if (!row[1].empty() && !row[2].empty() && row[3].empty()) ++edu_and_health;
  }
  EXPECT_LE(mixed, kPeople / 100) << "research ids that joined different people";
  EXPECT_GE(all_three, kAtWages * 98 / 100);
  EXPECT_GE(edu_and_health, (kPeople - kAtWages) * 98 / 100);
  for (const v1::PartyProgress& party : done->parties()) {
    EXPECT_GT(party.assignments(), 0u) << party.agency();
    EXPECT_TRUE(party.payload_complete()) << party.agency();
  }

  // An agency auditor exports edu's local log through its daemon and checks
  // it offline with the agency's own key pinned: the steward's decision and
  // the release are in it, signed.
  const std::filesystem::path archive = cluster.agency_dir("edu") / "edu-audit.fla";
  CommandResult exported =
      cluster.RunAgentCli({"audit", "export", "--out", archive.string(), "--config",
                           (cluster.agency_dir("edu") / "agent.yaml").string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.Describe();
  EXPECT_THAT(exported.out, ::testing::HasSubstr("exported the audit log of agency edu"));
  EXPECT_FALSE(std::filesystem::exists(archive.string() + ".partial"));
  const std::filesystem::path config = cluster.agency_dir("edu") / "auditor-client.yaml";
  const std::string key = (cluster.agent_data_dir("edu") / "signing_key.pub.pem").string();
  ASSERT_TRUE(
      WriteFileBytes(config, "audit:\n  log_key: " + key + "\n  log_id: agent/edu\n").ok());
  CommandResult verified = cluster.RunCli(
      {"--config", config.string(), "audit", "verify", "--archive", archive.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.Describe();
  EXPECT_THAT(verified.out, ::testing::HasSubstr("audit log OK"));
  CommandResult entries = cluster.RunCli({"--config", config.string(), "audit", "log",
                                          "--archive", archive.string(), "--job", *job_id});
  EXPECT_EQ(entries.exit_code, 0) << entries.Describe();
  EXPECT_THAT(entries.out, ::testing::HasSubstr("decision_signed"));
  EXPECT_THAT(entries.out, ::testing::HasSubstr("rows_released"));
}

}  // namespace
}  // namespace fedlink::e2e
