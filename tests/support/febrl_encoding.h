// Normalises and encodes a FEBRL file with a linkage schema under one job's
// keys, the way an agent would, for FEBRL tests, benchmarks and the demo.
#ifndef FEDLINK_TESTS_SUPPORT_FEBRL_ENCODING_H_
#define FEDLINK_TESTS_SUPPORT_FEBRL_ENCODING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/encode/encodings.h"
#include "linkage/schema/linkage_schema.h"
#include "tests/support/febrl.h"

namespace fedlink::testing {

struct EncodedFebrl {
  std::vector<FebrlRecord> records;                 // as read, in file order
  std::vector<std::vector<encode::Token>> tokens;   // per record
  std::vector<encode::BloomFilter> filters;         // per record (CLK)
  size_t invalid_values = 0;  // values a normaliser rejected (then missing)
};

// The schema in deploy/examples/febrl-linkage-schema.yaml.
absl::StatusOr<schema::LinkageSchema> LoadFebrlSchema();

// Fixed test keys: a linkage secret and a job nonce derived from `job_label`
// (different labels give unrelated keys, as two jobs would).
absl::StatusOr<crypto::JobKeys> TestJobKeys(std::string_view job_label);

// Reads `file_name` from the FEBRL folder and encodes every record. Dates
// are read as YYYYMMDD. soc_sec_id is never passed to the encoders.
absl::StatusOr<EncodedFebrl> EncodeFebrl(std::string_view file_name,
                                         const schema::LinkageSchema& schema,
                                         const crypto::JobKeys& keys);

// Encodes records already read (e.g. LoadFebrl of a path outside the FEBRL
// folder), as EncodeFebrl does; they end up in the result's `records`.
absl::StatusOr<EncodedFebrl> EncodeFebrlRecords(std::vector<FebrlRecord> records,
                                                const schema::LinkageSchema& schema,
                                                const crypto::JobKeys& keys);

// Sørensen–Dice coefficient of two equally long filters (reference code for
// tests; the matcher has the fast kernels).
double DiceReference(const encode::BloomFilter& a, const encode::BloomFilter& b);

}  // namespace fedlink::testing

#endif  // FEDLINK_TESTS_SUPPORT_FEBRL_ENCODING_H_
