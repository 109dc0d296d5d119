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

// Why `name` may not leave this agency (as a released column or a
// category), or "" when it may.
std::string ColumnRefusal(const ingest::IngestSchema& schema,
                          const policy::AgentPolicy& policy,
                          std::string_view name) {
  if (IsIdentifierName(schema, name)) return "is an identifier, never released";
  const ingest::AttributeColumn* attribute = FindAttribute(schema, name);
  if (attribute == nullptr) return "is not an attribute of the ingest schema";
  if (!policy::AllowsColumn(policy, name)) {
    return "is not on the policy's column list";
  }
  if (attribute->sensitivity > policy.max_sensitivity) {
    return absl::StrCat(
        "is ", std::string(ingest::SensitivityName(attribute->sensitivity)),
        ", above the policy's maximum ",
        std::string(ingest::SensitivityName(policy.max_sensitivity)));
  }
  return "";
}

}  // namespace

absl::StatusOr<std::string> ResolveCategoryColumn(
    const v1::JobSpec& spec, std::string_view agency,
    const ingest::IngestSchema& schema, const policy::AgentPolicy& policy) {
  FEDLINK_RETURN_IF_ERROR(ingest::ValidateIngestSchema(schema));
  if (policy.agency != agency) {
    return absl::InvalidArgumentError(absl::StrCat("the policy is for agency ",
                                                   policy.agency, ", not ",
                                                   std::string(agency)));
  }
  if (spec.output_mode() != v1::OUTPUT_MODE_AGGREGATE ||
      !spec.aggregate().has_category() ||
      spec.aggregate().category().agency() != agency) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the job is not broken down by a column of agency ",
        std::string(agency)));
  }
  const std::string& name = spec.aggregate().category().column();
  const std::string refusal = ColumnRefusal(schema, policy, name);
  if (!refusal.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "breakdown refused for job column: aggregate.category.column ", name,
        " ", refusal));
  }
  return name;
}

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
    const std::string refusal = ColumnRefusal(schema, policy, name);
    if (!refusal.empty()) {
      refusals.push_back(absl::StrCat(where, " ", refusal));
      continue;
    }
    if (!seen.insert(name).second) {
      refusals.push_back(absl::StrCat(where, " is requested twice"));
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
