#include "linkage/document/document_problem.h"

#include "absl/strings/str_cat.h"

namespace fedlink::document {

absl::Status ProblemsToStatus(const std::vector<DocumentProblem>& problems,
                              const std::function<std::string(const std::string& path)>& prefix) {
  if (problems.empty()) return absl::OkStatus();
  std::string text;
  for (size_t i = 0; i < problems.size() && i < kMaxReportedProblems; ++i) {
    absl::StrAppend(&text, i == 0 ? "" : "; ", prefix(problems[i].path), problems[i].path, ": ",
                    problems[i].message);
  }
  if (problems.size() > kMaxReportedProblems) {
    absl::StrAppend(&text, "; and ", problems.size() - kMaxReportedProblems, " more problems");
  }
  return absl::InvalidArgumentError(text);
}

}  // namespace fedlink::document
