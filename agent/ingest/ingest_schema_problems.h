// Internal to agent/ingest: the rule violations behind ValidateIngestSchema,
// kept structured so that the YAML reader can place each at the line and
// column of the key it names.
#ifndef FEDLINK_AGENT_INGEST_INGEST_SCHEMA_PROBLEMS_H_
#define FEDLINK_AGENT_INGEST_INGEST_SCHEMA_PROBLEMS_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "agent/ingest/ingest_schema.h"
#include "linkage/document/document_problem.h"

namespace fedlink::agent::ingest::internal {

// A rule violation, placed by the YAML reader at its key's line.
using SchemaProblem = document::DocumentProblem;
using document::ProblemsToStatus;

// Every rule violation in `schema`, in the order of the keys.
std::vector<SchemaProblem> FindIngestSchemaProblems(const IngestSchema& schema);

// `text` in single quotes for a message: bytes outside printable ASCII are
// escaped as \xHH, and it is cut after 64 bytes. Only for names from the
// schema or the header, never for data values.
std::string Quote(std::string_view text);

// [a-z][a-z0-9_]*, at most kMaxNameBytes: the rule for stored names.
bool IsValidName(std::string_view name);

}  // namespace fedlink::agent::ingest::internal

#endif  // FEDLINK_AGENT_INGEST_INGEST_SCHEMA_PROBLEMS_H_
