// An aggregate job across three agencies: the analyst gets only counts per
// combination of agencies, printed by `fedlink job results`, with every
// cell below the threshold suppressed (primary) and as many more as it
// takes that no suppressed cell can be worked out from the published cells
// and the per-agency upload sizes (complementary).
//
// The people are synthetic exact copies, so the linkage is exact and the
// cells are known: edu only 3, health only 40, wages only 40, each pair
// 20, all three 50; threshold 10. The 3 is suppressed; edu's total (93)
// minus its published cells would give it away until the three pair cells
// are suppressed too (each would otherwise follow from one total), which
// leaves four unknowns in three equations.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

using ::testing::HasSubstr;

std::vector<int> Concat(std::initializer_list<std::vector<int>> parts) {
  std::vector<int> all;
  for (const std::vector<int>& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

TEST(AggregateJobTest, SmallCellsAreSuppressedInThePrintedTable) {
  const std::vector<int> edu_only = Range(0, 3), health_only = Range(100, 140),
                         wages_only = Range(200, 240), edu_health = Range(300, 320),
                         edu_wages = Range(400, 420), health_wages = Range(500, 520),
                         everyone = Range(600, 650);
  absl::StatusOr<std::unique_ptr<E2eCluster>> made = StartSyntheticCluster(
      {{"edu", Concat({edu_only, edu_health, edu_wages, everyone})},
       {"health", Concat({health_only, edu_health, health_wages, everyone})},
       {"wages", Concat({wages_only, edu_wages, health_wages, everyone})}});
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  JobOptions job;
  job.title = "How many people are known to which agencies";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.method = "tokens";
  job.output = "aggregate";
  job.parties = {{"edu", {}}, {"health", {}}, {"wages", {}}};
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
  EXPECT_THAT(results.out, HasSubstr("cells below 10 are suppressed")) << results.out;
  // "PARTIES (padded to 48) COUNT" lines, up to the quality report.
  std::map<std::string, std::string> cells;
  bool in_table = false;
  for (absl::string_view line : absl::StrSplit(results.out, '\n')) {
    if (absl::StartsWith(line, "PARTIES")) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (line.empty() || absl::StartsWith(line, "quality report")) break;
    ASSERT_GT(line.size(), 49u) << line;
    cells[std::string(absl::StripAsciiWhitespace(line.substr(0, 48)))] =
        std::string(absl::StripAsciiWhitespace(line.substr(49)));
  }
  const std::map<std::string, std::string> expected = {
      {"edu", "suppressed (primary)"},
      {"health", "40"},
      {"wages", "40"},
      {"edu + health", "suppressed (complementary)"},
      {"edu + wages", "suppressed (complementary)"},
      {"health + wages", "suppressed (complementary)"},
      {"edu + health + wages", "50"}};
  EXPECT_EQ(cells, expected) << results.out;
  // No published count is below the threshold.
  for (const auto& [parties, count] : cells) {
    int value = 0;
    if (absl::SimpleAtoi(count, &value)) {
      EXPECT_TRUE(value == 0 || value >= 10) << parties;
    }
  }
  // The job's report gives the upload sizes only (they are the sums above).
  ASSERT_EQ(done->parties_size(), 3);
  EXPECT_EQ(done->parties(0).records_uploaded(), 93u);
  EXPECT_EQ(done->parties(1).records_uploaded(), 130u);
  EXPECT_EQ(done->parties(2).records_uploaded(), 130u);
  EXPECT_EQ(done->quality().clusters(), 0u) << "cluster counts would undo suppression";
}

}  // namespace
}  // namespace fedlink::e2e
