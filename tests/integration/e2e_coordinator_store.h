// Reads what a stopped coordinator's RocksDB store holds for one job, with
// the coordinator's own store code: for end-to-end tests that check that a
// purge removed a job's data, or that a denied job never stored any.
#ifndef FEDLINK_TESTS_INTEGRATION_E2E_COORDINATOR_STORE_H_
#define FEDLINK_TESTS_INTEGRATION_E2E_COORDINATOR_STORE_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fedlink::e2e {

// Raw values (as stored: sealed under the job's data key, or for job_keys
// under the store key) whose key starts with the job id, by family name
// ("encodings", "assignments", "payloads", "job_keys").
using JobDataByFamily = std::map<std::string, std::vector<std::string>>;

// Opens <data_dir>/db with the key in <data_dir>/store-key. The
// coordinator must not be running (RocksDB's lock). Store errors.
absl::StatusOr<JobDataByFamily> ReadStoredJobData(const std::filesystem::path& data_dir,
                                                  const std::string& job_id);

}  // namespace fedlink::e2e

#endif  // FEDLINK_TESTS_INTEGRATION_E2E_COORDINATOR_STORE_H_
