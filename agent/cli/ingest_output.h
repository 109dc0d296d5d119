// What `fedlink-agent ingest` shows and writes, the same whether the CLI runs
// the pipeline itself or the running daemon does (ingest_via_daemon.h): the
// quarantine (a file, or the first rejected lines on stderr) and the summary.
#ifndef FEDLINK_AGENT_CLI_INGEST_OUTPUT_H_
#define FEDLINK_AGENT_CLI_INGEST_OUTPUT_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/ingest/ingest_pipeline.h"
#include "agent/ingest/quarantine.h"

namespace fedlink::agent::cli {

// Where rejected rows go: the quarantine file `path` (a new file, mode
// 0600), or, with an empty path, a listing of the first rejected rows by
// line and reason code on `err` (never their bytes).
class IngestQuarantine {
 public:
  // Errors of QuarantineWriter::Create.
  static absl::StatusOr<std::unique_ptr<IngestQuarantine>> Open(
      const std::string& path, std::ostream* err);

  ingest::QuarantineSink* sink() { return sink_.get(); }

  // Closes the file; an empty quarantine file says nothing and would block
  // the next run (it is never overwritten), so it is removed. Errors of
  // QuarantineWriter::Close and unlink.
  absl::Status Close();

 private:
  IngestQuarantine() = default;

  std::string path_;
  std::unique_ptr<ingest::QuarantineWriter> writer_;
  std::unique_ptr<ingest::QuarantineSink> sink_;
};

// The input's name in messages and the store: its path, or its file name if
// the path is too long for an ingest source name (256 bytes).
std::string IngestSourceName(const std::string& path);

// The summary on `out`: rows read, committed (inserted, updated), rejected
// per reason, records in the store, time and rate. `via` (may be empty)
// says how the ingest ran, e.g. "through the agent daemon at SOCKET".
void PrintIngestSummary(const ingest::IngestSummary& summary,
                        const std::string& data_dir,
                        const std::string& quarantine, const std::string& via,
                        absl::Duration elapsed, std::ostream& out);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_INGEST_OUTPUT_H_
