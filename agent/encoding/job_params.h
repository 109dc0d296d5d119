// What one agency needs from a job to encode its part: taken from the job
// spec it approved (whose bytes the caller has checked against the signed
// hash) and from the coordinator's EncodeJob work item.
#ifndef FEDLINK_AGENT_ENCODING_JOB_PARAMS_H_
#define FEDLINK_AGENT_ENCODING_JOB_PARAMS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "fedlink/v1/coordinator.pb.h"
#include "fedlink/v1/job.pb.h"
#include "fedlink/v1/linkage_schema.pb.h"

namespace fedlink::agent::encoding {

struct EncodeJobParams {
  std::string job_id;  // 1..64 bytes, as in EncodingBatch.job_id
  std::string agency;  // this agency's id, 1..64 bytes
  v1::LinkageMethod method = v1::LINKAGE_METHOD_UNSPECIFIED;
  // The schema and the fingerprint the job was submitted (and approved)
  // with; the encoder recomputes the fingerprint and refuses a mismatch.
  v1::LinkageSchemaSpec linkage_schema;
  // This agency's cohort filter (its Party.cohort).
  v1::CohortFilter cohort;
  // EncodeJob.job_nonce: the HKDF salt of the job keys, 32 bytes.
  std::string job_nonce;
  // The attribute column whose per-record category codes this agency sends
  // (an aggregate job broken down by a column of this agency); empty: none.
  std::string category_column;
};

// The parameters for `agency` from `spec` and `encode`. NotFound if
// `agency` is not one of the spec's parties (the message names the agency
// and the job). Nothing else is checked here: JobEncoder::Create does.
// Thread-safe.
absl::StatusOr<EncodeJobParams> EncodeJobParamsFor(std::string_view job_id,
                                                   std::string_view agency,
                                                   const v1::JobSpec& spec,
                                                   const v1::EncodeJob& encode);

}  // namespace fedlink::agent::encoding

#endif  // FEDLINK_AGENT_ENCODING_JOB_PARAMS_H_
