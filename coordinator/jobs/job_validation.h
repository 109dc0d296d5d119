// The coordinator's admission check of a submitted JobSpec, beyond the
// contract's own limits (proto/runtime/limits.h): who may submit, whether
// the parties are known, whether the job can still run, whether its schema
// is the one its fingerprint names.
#ifndef FEDLINK_COORDINATOR_JOBS_JOB_VALIDATION_H_
#define FEDLINK_COORDINATOR_JOBS_JOB_VALIDATION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "coordinator/config/coordinator_config.h"
#include "fedlink/v1/job.pb.h"

namespace fedlink::coordinator {

// OK when `spec` may be accepted from analyst `analyst_name` at `now`:
//  * the contract's rules (Validate(JobSpec)): 2..32 unique parties, unique
//    column names, cohort value counts, method fits schema, analyst key
//    present for microdata or a category breakdown;
//  * the analyst is registered and the training certification has not
//    expired (PermissionDenied otherwise);
//  * expires_at is in the future;
//  * every party is a registered agency;
//  * the schema is valid and matches its fingerprint;
//  * linked microdata requests at least one column from some party;
//  * an aggregate breakdown by category has at most
//    kListAllCombinationsUpTo parties (its table lists every combination).
// InvalidArgument / FailedPrecondition naming the JobSpec field otherwise,
// never a value. Thread-safe.
absl::Status ValidateSubmission(const v1::JobSpec& spec, std::string_view analyst_name,
                                const Registry& registry, absl::Time now);

// The suppression threshold of an aggregate job: the largest of the
// coordinator's floor, the spec's request and every party's own floor.
uint32_t EffectiveMinCellCount(const v1::JobSpec& spec, const Registry& registry,
                               uint32_t coordinator_floor);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_JOBS_JOB_VALIDATION_H_
