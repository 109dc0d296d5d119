// The identifier canary over a whole microdata job run by the real
// processes: afterwards no identifier of the input (names, dates of birth
// and SSNs as written and as normalised, the agencies' local ids) is in
// any file of the coordinator (RocksDB, keys, its log), in the agents'
// logs or data directories (sealed at rest), in anything a command printed
// or in the analyst's linked CSV. The people are synthetic with made-up
// names of 9 and 11 letters, so a hit is a leak, not a coincidence;
// digit-only values count only where they are not part of a longer number
// (RocksDB's LOG files are full of microsecond timestamps).
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

namespace fs = std::filesystem;

TEST(IdentifierCanaryTest, NoIdentifierLeavesAnAgencyDuringAFullJob) {
  const std::vector<int> edu_people = Range(0, 60), health_people = Range(30, 90);
  absl::StatusOr<std::unique_ptr<E2eCluster>> made =
      StartSyntheticCluster({{"edu", edu_people}, {"health", health_people}});
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  JobOptions job;
  job.title = "Canary job";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.method = "tokens_and_bloom";
  job.parties = {{"edu", {"program", "truth_person"}}, {"health", {"truth_person"}}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();
  for (const std::string& agency : cluster.agencies()) {
    CommandResult approved = cluster.Approve(agency, *job_id);
    ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  }
  ASSERT_TRUE(cluster.WaitForJobState(*job_id, v1::JOB_STATE_COMPLETE).ok());
  CommandResult results = cluster.Results(*job_id);
  ASSERT_EQ(results.exit_code, 0) << results.Describe();
  EXPECT_EQ(cluster.JobStatus(*job_id).exit_code, 0);
  EXPECT_EQ(cluster.RunAgentCli({"jobs", "show", *job_id, "--socket",
                                 cluster.agent_socket("edu").string()})
                .exit_code,
            0);

  // The job did its work: the 30 shared people, linked correctly.
  absl::StatusOr<std::vector<std::vector<std::string>>> csv =
      ParseCsv(ReadFileBytes(cluster.analyst_dir() / "linked.csv"));
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_EQ(csv->size(), 31u);
  EXPECT_EQ((*csv)[0], (std::vector<std::string>{"research_id", "edu.program",
                                                 "edu.truth_person", "health.truth_person"}));
  for (size_t i = 1; i < csv->size(); ++i) EXPECT_EQ((*csv)[i][2], (*csv)[i][3]);

  // Stop everything so that logs and stores are flushed to their files.
  ASSERT_TRUE(cluster.StopAgent("edu").ok());
  ASSERT_TRUE(cluster.StopAgent("health").ok());
  ASSERT_TRUE(cluster.StopCoordinator().ok());

  std::vector<CanaryValue> canaries = SyntheticCanaries(edu_people, "edu-");
  for (const CanaryValue& v : SyntheticCanaries(health_people, "health-")) canaries.push_back(v);
  // Sanity: the agencies' input files hold the raw values.
  const std::string inputs = ReadFileBytes(cluster.agency_dir("edu") / "input.csv") +
                             ReadFileBytes(cluster.agency_dir("health") / "input.csv");
  size_t in_inputs = 0;
  for (const CanaryValue& canary : canaries) {
    in_inputs += ContainsValue(inputs, canary.value, canary.digits_only) ? 1 : 0;
  }
  ASSERT_EQ(in_inputs, 120u * 5) << "names, dates, SSNs and local ids as written";

  // Everything else the deployment wrote.
  size_t files = 0, bytes = 0;
  std::set<std::string> leaks;
  for (const auto& [path, content] : ReadTree(cluster.root())) {
    if (path.filename() == "input.csv") continue;
    ++files;
    bytes += content.size();
    for (const CanaryValue& canary : canaries) {
      if (ContainsValue(content, canary.value, canary.digits_only)) {
        leaks.insert(absl::StrCat(fs::relative(path, cluster.root()).string(), ": ",
                                  canary.value));
      }
    }
  }
  std::string some;
  for (auto it = leaks.begin(); it != leaks.end() && some.size() < 2000; ++it) {
    absl::StrAppend(&some, "\n  ", *it);
  }
  EXPECT_TRUE(leaks.empty()) << leaks.size() << " leaks:" << some;
  ::testing::Test::RecordProperty("files_searched", absl::StrCat(files));
  ::testing::Test::RecordProperty("bytes_searched", absl::StrCat(bytes));
  EXPECT_GT(files, 20u);
}

}  // namespace
}  // namespace fedlink::e2e
