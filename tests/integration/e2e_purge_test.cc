// A cancelled job's encodings are gone from the coordinator's files, not
// just from its API. The job is held in ENCODING (health approved, then its
// agent was stopped; edu approved and uploaded), so the coordinator's
// RocksDB holds edu's sealed encoding batches and the job's sealed data
// key. The test reads those values with the coordinator's store code (the
// coordinator stopped), checks that a byte search of the data directory
// finds them (so the search could fail), restarts the coordinator, has the
// analyst cancel the job with `fedlink job cancel`, and searches every file
// of the data directory again: no slice of any of those values is left.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/integration/e2e_coordinator_store.h"
#include "tests/integration/e2e_test_data.h"

namespace fedlink::e2e {
namespace {

namespace fs = std::filesystem;

// 24-byte slices of the stored values: long enough never to occur by
// chance, short enough to sit inside one file block.
std::vector<std::string> Probes(const JobDataByFamily& data) {
  std::vector<std::string> probes;
  for (const auto& [family, values] : data) {
    for (const std::string& value : values) {
      if (value.size() < 24) continue;
      for (size_t at : {size_t{0}, value.size() / 2, value.size() - 24}) {
        probes.push_back(value.substr(at, 24));
      }
    }
  }
  return probes;
}

// How many probes occur in some file under `dir`.
size_t ProbesFound(const fs::path& dir, const std::vector<std::string>& probes,
                   std::string* where) {
  const auto files = ReadTree(dir);
  size_t found = 0;
  for (const std::string& probe : probes) {
    for (const auto& [path, bytes] : files) {
      if (bytes.find(probe) != std::string::npos) {
        ++found;
        absl::StrAppend(where, path.filename().string(), " ");
        break;
      }
    }
  }
  return found;
}

TEST(PurgeTest, CancelledJobLeavesNoEncodingOrKeyInTheCoordinatorFiles) {
  ClusterOptions options;
  options.max_records_per_batch = 16;  // several batches
  absl::StatusOr<std::unique_ptr<E2eCluster>> made =
      StartSyntheticCluster({{"edu", Range(0, 50)}, {"health", Range(25, 75)}}, options);
  ASSERT_TRUE(made.ok()) << made.status();
  E2eCluster& cluster = **made;

  JobOptions job;
  job.title = "A job cancelled while encoding";
  job.linkage_schema = DefaultLinkageSchemaPath();
  job.parties = {{"edu", {"program"}}, {"health", {"program"}}};
  absl::StatusOr<std::string> job_id = cluster.SubmitJob(job);
  ASSERT_TRUE(job_id.ok()) << job_id.status();

  // health approves, then goes away: the job cannot finish encoding.
  CommandResult approved = cluster.Approve("health", *job_id);
  ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  ASSERT_TRUE(cluster
                  .WaitForJob(*job_id,
                              [](const v1::Job& j) {
                                return j.parties(1).verdict() == v1::VERDICT_APPROVE;
                              })
                  .ok());
  ASSERT_TRUE(cluster.StopAgent("health").ok());
  approved = cluster.Approve("edu", *job_id);
  ASSERT_EQ(approved.exit_code, 0) << approved.Describe();
  absl::StatusOr<v1::Job> encoding = cluster.WaitForJob(*job_id, [](const v1::Job& j) {
    return j.parties(0).upload_complete();
  });
  ASSERT_TRUE(encoding.ok()) << encoding.status();
  EXPECT_EQ(encoding->state(), v1::JOB_STATE_ENCODING);
  EXPECT_EQ(encoding->parties(0).records_uploaded(), 50u);

  // What the store holds for the job now.
  ASSERT_TRUE(cluster.StopCoordinator().ok());
  absl::StatusOr<JobDataByFamily> before =
      ReadStoredJobData(cluster.coordinator_data_dir(), *job_id);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->at("encodings").size(), 4u) << "50 records in batches of 16";
  EXPECT_EQ(before->at("job_keys").size(), 1u);
  const std::vector<std::string> probes = Probes(*before);
  ASSERT_EQ(probes.size(), 15u);
  std::string where;
  EXPECT_EQ(ProbesFound(cluster.coordinator_data_dir(), probes, &where), probes.size())
      << "the byte search must see the stored values before the purge";

  ASSERT_TRUE(cluster.StartCoordinator().ok());
  CommandResult cancelled = cluster.CancelJob(*job_id, "study withdrawn");
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.Describe();
  absl::StatusOr<v1::Job> gone = cluster.WaitForJob(*job_id, [](const v1::Job& j) {
    return j.state() == v1::JOB_STATE_CANCELLED || j.state() == v1::JOB_STATE_PURGED;
  });
  ASSERT_TRUE(gone.ok()) << gone.status();
  // The analyst is told there is nothing to fetch.
  CommandResult results = cluster.Results(*job_id);
  EXPECT_NE(results.exit_code, 0) << results.Describe();

  // Searched in the files as the running coordinator left them, then after
  // a clean stop.
  where.clear();
  EXPECT_EQ(ProbesFound(cluster.coordinator_data_dir(), probes, &where), 0u)
      << "left in: " << where;
  ASSERT_TRUE(cluster.StopCoordinator().ok());
  where.clear();
  EXPECT_EQ(ProbesFound(cluster.coordinator_data_dir(), probes, &where), 0u)
      << "left in: " << where;
  absl::StatusOr<JobDataByFamily> after =
      ReadStoredJobData(cluster.coordinator_data_dir(), *job_id);
  ASSERT_TRUE(after.ok()) << after.status();
  for (const auto& [family, values] : *after) {
    EXPECT_TRUE(values.empty()) << family << " still holds " << values.size() << " values";
  }
}

}  // namespace
}  // namespace fedlink::e2e
