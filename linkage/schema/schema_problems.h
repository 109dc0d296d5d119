// Internal to linkage/schema: the list of rule violations behind
// ValidateSchema, kept structured so that the YAML reader can place each one
// at the line and column of the entry it names.
#ifndef FEDLINK_LINKAGE_SCHEMA_SCHEMA_PROBLEMS_H_
#define FEDLINK_LINKAGE_SCHEMA_SCHEMA_PROBLEMS_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::schema::internal {

struct SchemaProblem {
  // The entry, in the same dotted/indexed form as the YAML keys:
  // "fields[1].name", "token_recipes[2].parts[1]", "bloom.hardening.xor_fold".
  std::string path;
  std::string message;  // what is wrong and what is allowed
};

// Every rule violation in `schema`, in the order the entries appear.
std::vector<SchemaProblem> FindSchemaProblems(const LinkageSchema& schema);

// OK when `problems` is empty; otherwise InvalidArgument listing at most
// kMaxReportedProblems of them as "<prefix(path)><path>: <message>", joined
// by "; ".
inline constexpr size_t kMaxReportedProblems = 10;
absl::Status ProblemsToStatus(
    const std::vector<SchemaProblem>& problems,
    const std::function<std::string(const std::string& path)>& prefix);

// Our APIs use std::string_view; Debian's Abseil has its own string_view,
// which StrCat and StrJoin need.
inline absl::string_view Sv(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// `text` in single quotes for an error message, non-printable bytes escaped
// and cut after kMaxNameLength bytes.
std::string QuoteForMessage(std::string_view text);

}  // namespace fedlink::schema::internal

#endif  // FEDLINK_LINKAGE_SCHEMA_SCHEMA_PROBLEMS_H_
