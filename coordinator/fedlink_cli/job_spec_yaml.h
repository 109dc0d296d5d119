// `fedlink job submit job.yaml`: the analyst's job spec file → v1::JobSpec.
//
//   title: Hospital admissions after injury            # required strings:
//   purpose: |                                         # title, purpose,
//     Why the linkage is needed …                      # irb_reference,
//   irb_reference: IRB-2026-114                        # data_sharing_agreement
//   data_sharing_agreement: DSA-77
//   expires_at: 2027-03-01T00:00:00Z                   # RFC 3339, required
//   method: tokens_and_bloom                           # tokens | bloom | tokens_and_bloom
//   output: linked_microdata                           # linked_microdata | aggregate
//   linkage_schema: schema.yaml                        # linkage/schema YAML file
//   match: {min_shared_tokens: 1, bloom_threshold: 0.85}
//   aggregate:                                         # aggregate output only
//     min_cell_count: 10
//     category: {agency: health-dept, column: region}  # optional breakdown
//   analyst_key:                                       # required for linked_microdata
//                                                      # and a breakdown by category
//     public_key: analyst.pub.pem                      # X25519 PUBLIC KEY (PEM)
//     aead: aes-128-gcm                                # aes-128-gcm | chacha20-poly1305
//     label: alice-laptop
//   parties:                                           # 2..32, agencies unique
//     - agency: health-dept
//       columns: [admission_date, diagnosis]
//       cohort:
//         - {column: admission_year, comparison: greater_or_equal,
//            compare_as: number, values: ["2020"]}
//
// File paths are relative to the job file's folder. Every error names the
// file, line:column and key, and for enumerations the allowed values; it
// never quotes a value.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_JOB_SPEC_YAML_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_JOB_SPEC_YAML_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "fedlink/v1/job.pb.h"

namespace fedlink::cli {

// Reads a file the spec refers to (path as written in the spec).
using SpecFileReader = std::function<absl::StatusOr<std::string>(const std::string& path)>;

// Parses the job spec text `yaml` from `source_name`. InvalidArgument
// "source:line:col: key: message" for malformed YAML, an unknown, repeated
// or missing key, a wrong type, an unknown enumeration value (listing the
// allowed ones), a bad time, an out-of-range number, fewer than two or
// repeated parties, a microdata job without analyst_key; errors of
// `read_file` and of the referenced schema / key files, prefixed with the
// key that names them. Thread-safe if `read_file` is.
absl::StatusOr<v1::JobSpec> ParseJobSpecYaml(std::string_view yaml, std::string_view source_name,
                                             const SpecFileReader& read_file);

// Reads `path` and parses it, resolving referenced files against its
// folder. NotFound if it does not exist. Thread-safe.
absl::StatusOr<v1::JobSpec> LoadJobSpecYaml(const std::string& path);

// A human summary of a parsed spec (for --dry-run); no key bytes.
std::string DescribeJobSpec(const v1::JobSpec& spec);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_JOB_SPEC_YAML_H_
