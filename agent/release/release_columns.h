// Which columns an agency releases for a job: the attribute columns the job
// spec requests from this agency, each checked again at release time against
// the agency's ingest schema and policy (approval checked them when the
// steward signed; the schema or policy may have changed since, and release
// is the step where values actually leave).
//
// Identifier columns can never be released, by construction: the result
// names only attribute columns of the ingest schema, and the row builder
// (row_releaser.h) reads values only from a record's attribute list, never
// from its identifiers or local id.
#ifndef FEDLINK_AGENT_RELEASE_RELEASE_COLUMNS_H_
#define FEDLINK_AGENT_RELEASE_RELEASE_COLUMNS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/policy/agent_policy.h"
#include "fedlink/v1/job.pb.h"

namespace fedlink::agent::release {

// The attribute names (ingest schema `name`) of the columns `agency` releases
// for `spec`, in the spec's order (Party.columns).
//
// Errors:
//   InvalidArgument     the schema fails ValidateIngestSchema, or the policy
//                       is for another agency;
//   FailedPrecondition  `agency` is not a party of the spec, or the job's
//                       output mode is not linked microdata;
//   PermissionDenied    "release refused for job columns: …" listing every
//                       refused column by index and name, never a value: a
//                       column that is the local id or an identifier (by
//                       stored field name or CSV header), is not an
//                       attribute of the schema, is requested twice, is not
//                       on the policy's column list, or whose sensitivity
//                       class is above the policy's max_sensitivity.
// Thread-safe.
absl::StatusOr<std::vector<std::string>> ResolveReleaseColumns(
    const v1::JobSpec& spec, std::string_view agency,
    const ingest::IngestSchema& schema, const policy::AgentPolicy& policy);

// The attribute name of the column an aggregate job breaks down by, when
// that column is `agency`'s (JobSpec.aggregate.category), checked now
// against the schema and policy by the same rules as a released column: the
// codes partition this agency's records by the column's values and the
// legend gives the analyst those values.
//
// Errors:
//   InvalidArgument     as ResolveReleaseColumns;
//   FailedPrecondition  the job is not an aggregate job broken down by a
//                       column of `agency`;
//   PermissionDenied    "breakdown refused for job column: …" naming the
//                       column and why (identifier or local id, not an
//                       attribute, not on the policy's list, too sensitive).
// Thread-safe.
absl::StatusOr<std::string> ResolveCategoryColumn(
    const v1::JobSpec& spec, std::string_view agency,
    const ingest::IngestSchema& schema, const policy::AgentPolicy& policy);

}  // namespace fedlink::agent::release

#endif  // FEDLINK_AGENT_RELEASE_RELEASE_COLUMNS_H_
