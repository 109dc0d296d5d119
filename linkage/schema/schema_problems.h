// Internal to linkage/schema: the list of rule violations behind
// ValidateSchema, kept structured so that the YAML reader can place each one
// at the line and column of the entry it names.
#ifndef FEDLINK_LINKAGE_SCHEMA_SCHEMA_PROBLEMS_H_
#define FEDLINK_LINKAGE_SCHEMA_SCHEMA_PROBLEMS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "linkage/document/document_problem.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::schema::internal {

using SchemaProblem = document::DocumentProblem;

// Every rule violation in `schema`, in the order the entries appear.
std::vector<SchemaProblem> FindSchemaProblems(const LinkageSchema& schema);

// Our APIs use std::string_view; Debian's Abseil has its own string_view,
// which StrCat and StrJoin need.
inline absl::string_view Sv(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace fedlink::schema::internal

#endif  // FEDLINK_LINKAGE_SCHEMA_SCHEMA_PROBLEMS_H_
