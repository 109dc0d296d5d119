#include "agent/release/release_columns.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::release {
namespace {

// Whether `column` names the local id or an identifier, by the stored field
// name or by the CSV header (a job cannot name either, but the check costs
// nothing and keeps the rule independent of the schema validator).
bool IsIdentifierName(const ingest::IngestSchema& schema,
                      std::string_view column) {
  if (column == "local_id" || column == schema.local_id_column) return true;
  for (const ingest::IdentifierColumn& id : schema.identifiers) {
    if (column == id.field || column == id.column) return true;
  }
  return false;
}

const ingest::AttributeColumn* FindAttribute(const ingest::IngestSchema& schema,
                                             std::string_view name) {
  for (const ingest::AttributeColumn& attribute : schema.attributes) {
    if (attribute.name == name) return &attribute;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ResolveReleaseColumns(
    const v1::JobSpec& spec, std::string_view agency,
    const ingest::IngestSchema& schema, const policy::AgentPolicy& policy) {
  FEDLINK_RETURN_IF_ERROR(ingest::ValidateIngestSchema(schema));
  if (policy.agency != agency) {
    return absl::InvalidArgumentError(absl::StrCat("the policy is for agency ",
                                                   policy.agency, ", not ",
                                                   std::string(agency)));
  }
  if (spec.output_mode() != v1::OUTPUT_MODE_LINKED_MICRODATA) {
    return absl::FailedPreconditionError(
        absl::StrCat("the job's output mode is ",
                     std::string(policy::OutputModeName(spec.output_mode())),
                     ": only linked_microdata releases rows"));
  }
  const v1::Party* party = nullptr;
  for (const v1::Party& p : spec.parties()) {
    if (p.agency() == agency) party = &p;
  }
  if (party == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "agency ", std::string(agency), " is not a party of the job"));
  }

  std::vector<std::string> columns;
  std::vector<std::string> refusals;
  absl::flat_hash_set<std::string_view> seen;
  for (int i = 0; i < party->columns_size(); ++i) {
    const std::string& name = party->columns(i);
    const std::string where = absl::StrCat("columns[", i, "] ", name);
    if (IsIdentifierName(schema, name)) {
      refusals.push_back(
          absl::StrCat(where, " is an identifier, never released"));
      continue;
    }
    const ingest::AttributeColumn* attribute = FindAttribute(schema, name);
    if (attribute == nullptr) {
      refusals.push_back(
          absl::StrCat(where, " is not an attribute of the ingest schema"));
      continue;
    }
    if (!seen.insert(name).second) {
      refusals.push_back(absl::StrCat(where, " is requested twice"));
      continue;
    }
    if (!policy::AllowsColumn(policy, name)) {
      refusals.push_back(
          absl::StrCat(where, " is not on the policy's column list"));
      continue;
    }
    if (attribute->sensitivity > policy.max_sensitivity) {
      refusals.push_back(absl::StrCat(
          where, " is ",
          std::string(ingest::SensitivityName(attribute->sensitivity)),
          ", above the policy's maximum ",
          std::string(ingest::SensitivityName(policy.max_sensitivity))));
      continue;
    }
    columns.push_back(name);
  }
  if (!refusals.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "release refused for job columns: ", absl::StrJoin(refusals, "; ")));
  }
  return columns;
}

}  // namespace fedlink::agent::release
