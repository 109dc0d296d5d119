#include "agent/encoding/job_params.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace fedlink::agent::encoding {

absl::StatusOr<EncodeJobParams> EncodeJobParamsFor(
    std::string_view job_id, std::string_view agency, const v1::JobSpec& spec,
    const v1::EncodeJob& encode) {
  for (const v1::Party& party : spec.parties()) {
    if (party.agency() != agency) continue;
    EncodeJobParams params;
    params.job_id = std::string(job_id);
    params.agency = std::string(agency);
    params.method = spec.method();
    params.linkage_schema = spec.linkage_schema();
    params.cohort = party.cohort();
    params.job_nonce = encode.job_nonce();
    if (spec.output_mode() == v1::OUTPUT_MODE_AGGREGATE &&
        spec.aggregate().has_category() &&
        spec.aggregate().category().agency() == agency) {
      params.category_column = spec.aggregate().category().column();
    }
    return params;
  }
  return absl::NotFoundError(absl::StrCat("job ", std::string(job_id),
                                          ": agency '", std::string(agency),
                                          "' is not one of its parties"));
}

}  // namespace fedlink::agent::encoding
