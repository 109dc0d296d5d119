// `fedlink-agent ingest FILE.csv --schema SCHEMA.yaml --data-dir D
//  [--quarantine FILE] [--batch-size N] [--socket PATH | --config YAML]`: loads an agency export into the
// agent's encrypted record store with the ingest pipeline
// (agent/ingest/ingest_pipeline.h), showing progress on stderr and a
// summary on stdout.
//
// Rejected rows go to the quarantine file (mode 0600, never over an
// existing file: it is as sensitive as the input; removed again if no row
// was rejected, so that a re-run is not blocked by it); without --quarantine
// only their lines and reason codes are listed (the first 20), never their
// values. Exit status: 0 when the file was ingested (also if rows were
// quarantined: the summary says how many), non-zero on a fatal error, with
// a message naming the file, line and column or key, and how many complete
// batches had been committed before it.
//
// While the agent daemon runs it holds the store (RocksDB's lock), so the
// store cannot be opened here: the ingest then goes through the daemon's
// admin socket (--socket PATH, or --config agent.yaml's admin.socket, or
// the default socket), with the same progress, quarantine and summary
// (ingest_via_daemon.h); the daemon's batch size applies. If no daemon
// answers either, the error says both.
//
// Test hook (hidden flag --test-pause-after-batches N): after batch N has
// committed, print "test hook: paused after batch N" on stderr and stop
// there until killed. The crash test kills the process at that point.
#ifndef FEDLINK_AGENT_CLI_INGEST_COMMAND_H_
#define FEDLINK_AGENT_CLI_INGEST_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "agent/ingest/ingest_pipeline.h"

namespace fedlink::agent::cli {

struct IngestCommandOptions {
  std::string input;       // the CSV file
  std::string schema;      // the ingest schema (YAML)
  std::string data_dir;    // an initialised data directory
  std::string quarantine;  // empty: no quarantine file
  size_t batch_size = ingest::kDefaultIngestBatchSize;
  // The daemon's admin socket, used when it holds the store: --socket, or
  // the admin.socket of --config; empty both: the default socket.
  std::string socket;
  std::string config;
  // Progress: a bar when true, plain lines otherwise.
  bool progress_terminal = false;
  // Test hook; 0 = off.
  uint64_t test_pause_after_batches = 0;
};

// Runs the ingest. Progress and the first rejected lines go to `err`, the
// summary to `out`. Errors of LoadIngestSchemaFile (file:line:col: key:
// problem (allowed values)), of opening the input (naming the path), of
// OpenAgentStore, QuarantineWriter::Create and RunIngest — or, through the
// daemon, of IngestViaDaemon; Unavailable naming the store and the socket
// when the store is held and no daemon answers.
absl::Status RunIngestCommand(const IngestCommandOptions& options,
                              std::ostream& out, std::ostream& err);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_INGEST_COMMAND_H_
