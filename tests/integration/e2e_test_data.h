// Inputs for the end-to-end tests: FEBRL4 records as an agency's CSV export
// with a ground-truth column, and small synthetic agencies whose people
// carry made-up, distinctive identifiers (for exact overlap counts and for
// canary searches that must not match by chance).
//
// Ground truth without releasing identifiers: each CSV carries the person's
// entity number as an ordinary *attribute* column (truth_entity /
// truth_person, sensitivity public), next to the identifiers. A job may
// request it like any attribute, so the analyst's linked CSV pairs research
// ids with entity numbers and a test can score the linkage without any
// identifier, local id or pseudonym leaving an agency. In a real deployment
// the column would be an outcome the job is about; the number means
// nothing outside the test.
#ifndef FEDLINK_TESTS_INTEGRATION_E2E_TEST_DATA_H_
#define FEDLINK_TESTS_INTEGRATION_E2E_TEST_DATA_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/integration/e2e_cluster.h"
#include "tests/support/febrl.h"

namespace fedlink::e2e {

// ---- FEBRL ----

// deploy/examples/febrl-linkage-schema.yaml.
std::filesystem::path FebrlLinkageSchemaPath();
// deploy/examples/febrl-ingest-schema.yaml plus the attribute truth_entity
// (integer, public) for FebrlCsv's column of that name.
absl::StatusOr<std::string> FebrlIngestSchemaWithTruth();
// The records as a CSV with the FEBRL columns (rec_id is the local id) and
// truth_entity (the entity number). `local_id_prefix` is put before rec_id
// (two agencies holding copies of one FEBRL record need distinct ids only
// within each agency, but a prefix keeps their files apart in a search).
std::string FebrlCsv(const std::vector<testing::FebrlRecord>& records,
                     const std::string& local_id_prefix = "");

// The first `count` originals of dataset4a and, in the same order, their
// duplicates from dataset4b (FEBRL4 pairs each original with exactly one).
struct FebrlPairs {
  std::vector<testing::FebrlRecord> originals;
  std::vector<testing::FebrlRecord> duplicates;
};
absl::StatusOr<FebrlPairs> LoadFebrl4Pairs(size_t count);

// ---- synthetic people ----

struct SyntheticPerson {
  int number = 0;
  std::string given_name;     // 9 made-up letters
  std::string surname;        // 11 made-up letters
  std::string date_of_birth;  // YYYY-MM-DD as written in the CSV
  std::string dob_normalised; // YYYYMMDD, as the agent normalises it
  std::string sex;            // F / M
  std::string ssn;            // ddd-dd-dddd as written
  std::string ssn_normalised; // 9 digits
  std::string postcode;       // 5 digits
};

// Person `number` (0..99999): the same person for the same number at every
// agency, exact copies (so token linkage finds every pair).
SyntheticPerson MakeSyntheticPerson(int number);
// The CSV an agency exports for `people`: RECORD_ID (`<id_prefix><n>`),
// identifiers, PROGRAM (a category attribute) and TRUTH_PERSON.
std::string SyntheticCsv(const std::vector<int>& people, const std::string& id_prefix);
// The ingest schema for SyntheticCsv; attributes program (internal) and
// truth_person (public).
std::string SyntheticIngestSchema();
// The local id SyntheticCsv gives person `number`.
std::string SyntheticLocalId(const std::string& id_prefix, int number);
// deploy/examples/linkage-schema.yaml (the built-in default schema).
std::filesystem::path DefaultLinkageSchemaPath();

// Identifier values of `people` that must never leave an agency: names,
// dates of birth and SSNs as written and normalised, local ids. Digit-only
// values are to be searched digit-bounded (ContainsValue).
struct CanaryValue {
  std::string value;
  bool digits_only = false;
};
std::vector<CanaryValue> SyntheticCanaries(const std::vector<int>& people,
                                           const std::string& id_prefix);

// A running cluster whose agencies hold synthetic people: each agency of
// `holdings` (agency → person numbers) gets SyntheticIngestSchema, a policy
// allowing program and truth_person, and its CSV ingested (local ids
// prefixed "<agency>-"); then the coordinator and every agent are started.
// `options.agencies` is replaced; its other settings are kept.
struct Holding {
  std::string agency;
  std::vector<int> people;
};
absl::StatusOr<std::unique_ptr<E2eCluster>> StartSyntheticCluster(
    const std::vector<Holding>& holdings, ClusterOptions options = {});

// Numbers from..to-1.
std::vector<int> Range(int from, int to);

}  // namespace fedlink::e2e

#endif  // FEDLINK_TESTS_INTEGRATION_E2E_TEST_DATA_H_
