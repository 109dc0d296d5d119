// The rules a configuration document (linkage schema, ingest schema, agent
// policy) breaks, found by its validator after reading: each names the entry
// by its path, so that a YAML reader can place it at its line
// (YamlReader::PrefixFor) and the error lists them all at once.
#ifndef FEDLINK_LINKAGE_DOCUMENT_DOCUMENT_PROBLEM_H_
#define FEDLINK_LINKAGE_DOCUMENT_DOCUMENT_PROBLEM_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace fedlink::document {

struct DocumentProblem {
  // The entry, in the dotted/indexed form of the YAML keys:
  // "fields[1].name", "identifiers[2].column", "bloom.hardening.xor_fold".
  std::string path;
  std::string message;  // what is wrong and what is allowed
};

inline constexpr size_t kMaxReportedProblems = 10;

// OK when `problems` is empty; otherwise InvalidArgument listing at most
// kMaxReportedProblems of them as "<prefix(path)><path>: <message>" joined by
// "; " (then "; and N more problems"). `prefix` is YamlReader::PrefixFor, or
// gives "" for a document that was not read from YAML.
absl::Status ProblemsToStatus(const std::vector<DocumentProblem>& problems,
                              const std::function<std::string(const std::string& path)>& prefix);

}  // namespace fedlink::document

#endif  // FEDLINK_LINKAGE_DOCUMENT_DOCUMENT_PROBLEM_H_
