// Reads the FEBRL benchmark files in ../shared/data/febrl (comma + space
// separated, no quoting, header line first) for tests, benchmarks and tools.
// Not a general CSV reader: the agent's ingest has that.
#ifndef FEDLINK_TESTS_SUPPORT_FEBRL_H_
#define FEDLINK_TESTS_SUPPORT_FEBRL_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fedlink::testing {

struct FebrlRecord {
  std::string rec_id;       // rec-<N>-org or rec-<N>-dup-<k>
  std::string entity;       // <N>: records with equal entity are the same person
  std::string given_name;
  std::string surname;
  std::string street_number;
  std::string address_1;
  std::string address_2;
  std::string suburb;
  std::string postcode;
  std::string state;
  std::string date_of_birth;  // YYYYMMDD as written, may be empty or invalid
  std::string soc_sec_id;
};

// Absolute path of a file in the FEBRL data folder, e.g. "dataset4a.csv".
std::string FebrlPath(std::string_view file_name);

// Loads every record; errors name the file and line.
absl::StatusOr<std::vector<FebrlRecord>> LoadFebrl(const std::string& path);

}  // namespace fedlink::testing

#endif  // FEDLINK_TESTS_SUPPORT_FEBRL_H_
