// `fedlink-agent ingest` while the agent daemon runs: the daemon holds the
// record store (RocksDB allows one process), so the file is streamed to it
// over its admin socket (AgentAdmin.Ingest) and the daemon runs the ingest
// pipeline; progress, rejected rows and the summary come back and are shown
// and written exactly as for a local ingest (ingest_output.h).
#ifndef FEDLINK_AGENT_CLI_INGEST_VIA_DAEMON_H_
#define FEDLINK_AGENT_CLI_INGEST_VIA_DAEMON_H_

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/cli/progress_display.h"
#include "agent/ingest/ingest_pipeline.h"

namespace fedlink::agent::cli {

struct DaemonIngestRequest {
  std::string socket;       // the daemon's admin socket
  std::string source_name;  // names the input (IngestSourceName)
  std::string schema_path;  // sent as text; the daemon parses it again
  std::istream* input = nullptr;
  uint64_t total_bytes = 0;  // 0 = unknown
};

// Runs the ingest in the daemon at `request.socket`. Rejected rows go to
// `quarantine` (with their reason codes; the daemon does not send the
// explanations, so a quarantine file's details column stays empty), progress
// to `display`. The summary as a local ingest's (records_in_store from the
// daemon's status; batch size is the daemon's). Errors: of reading the
// schema file; Unavailable when no daemon answers on the socket; those of
// AdminClient::Ingest (the daemon's ingest errors name the input and line
// and say how many batches were committed); the sink's.
absl::StatusOr<ingest::IngestSummary> IngestViaDaemon(
    const DaemonIngestRequest& request, ingest::QuarantineSink* quarantine,
    ProgressDisplay* display);

// The problems in a QuarantinedRow.reason of the daemon ("column: code;
// code"), for the quarantine sink. An unknown code (a newer daemon) becomes
// invalid_value with the code in the detail.
std::vector<ingest::Problem> ProblemsFromDaemonReason(std::string_view reason);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_INGEST_VIA_DAEMON_H_
