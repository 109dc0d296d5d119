#include "coordinator/jobs/job_validation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "coordinator/jobs/aggregate_table.h"
#include "linkage/document/quote_name.h"
#include "linkage/status_macros.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/linkage_schema_proto.h"

namespace fedlink::coordinator {

using document::QuoteName;

absl::Status ValidateSubmission(const v1::JobSpec& spec, std::string_view analyst_name,
                                const Registry& registry, absl::Time now) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(spec, "JobSpec"));

  auto analyst = registry.analysts.find(std::string(analyst_name));
  if (analyst == registry.analysts.end()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "analyst ", QuoteName(analyst_name), " is not in the coordinator's analyst registry"));
  }
  if (analyst->second.training_expires_at <= now) {
    return absl::PermissionDeniedError(absl::StrCat(
        "analyst ", QuoteName(analyst_name), "'s training certification expired on ",
        absl::FormatTime("%Y-%m-%d", analyst->second.training_expires_at - absl::Hours(24),
                         absl::UTCTimeZone())));
  }

  const absl::Time expires =
      absl::FromUnixSeconds(spec.expires_at().seconds()) + absl::Nanoseconds(spec.expires_at().nanos());
  if (expires <= now) {
    return absl::InvalidArgumentError("JobSpec.expires_at: must be in the future");
  }

  for (int i = 0; i < spec.parties_size(); ++i) {
    if (registry.agencies.count(spec.parties(i).agency()) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "JobSpec.parties[", i, "].agency: ", QuoteName(spec.parties(i).agency()),
          " is not a registered agency"));
    }
  }

  FEDLINK_RETURN_IF_ERROR(
      proto::VerifyLinkageSchemaSpec(spec.linkage_schema(), "JobSpec.linkage_schema").status());

  if (spec.output_mode() == v1::OUTPUT_MODE_LINKED_MICRODATA &&
      std::all_of(spec.parties().begin(), spec.parties().end(),
                  [](const v1::Party& p) { return p.columns().empty(); })) {
    return absl::InvalidArgumentError(
        "JobSpec.parties: linked microdata needs at least one requested column");
  }
  if (spec.output_mode() == v1::OUTPUT_MODE_AGGREGATE && spec.aggregate().has_category() &&
      static_cast<size_t>(spec.parties_size()) > kListAllCombinationsUpTo) {
    return absl::InvalidArgumentError(absl::StrCat(
        "JobSpec.aggregate.category: a breakdown by category takes at most ",
        kListAllCombinationsUpTo, " parties (every combination is listed per category), not ",
        spec.parties_size()));
  }
  return absl::OkStatus();
}

uint32_t EffectiveMinCellCount(const v1::JobSpec& spec, const Registry& registry,
                               uint32_t coordinator_floor) {
  uint32_t threshold = std::max(coordinator_floor, spec.aggregate().min_cell_count());
  for (const v1::Party& party : spec.parties()) {
    auto it = registry.agencies.find(party.agency());
    if (it != registry.agencies.end()) threshold = std::max(threshold, it->second.min_cell_count);
  }
  return std::max<uint32_t>(threshold, 1);
}

}  // namespace fedlink::coordinator
