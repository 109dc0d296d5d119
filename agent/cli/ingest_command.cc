#include "agent/cli/ingest_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/cli/admin_socket_option.h"
#include "agent/cli/agent_store_access.h"
#include "agent/cli/ingest_output.h"
#include "agent/cli/ingest_via_daemon.h"
#include "agent/cli/progress_display.h"
#include "agent/ingest/ingest_schema.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::cli {
namespace {

absl::StatusOr<uint64_t> InputSize(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    const int e = errno;
    const std::string message =
        absl::StrCat("input file ", path, ": ", std::strerror(e));
    if (e == ENOENT) return absl::NotFoundError(message);
    if (e == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("input file ", path, ": is a directory"));
  }
  return S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
}

// The ingest in this process, on the store it opened.
absl::StatusOr<ingest::IngestSummary> IngestHere(
    const IngestCommandOptions& options, const ingest::IngestSchema& schema,
    RecordStore* store, std::istream* file, uint64_t total_bytes,
    ingest::QuarantineSink* sink, ProgressDisplay* display) {
  ingest::IngestOptions ingest_options;
  ingest_options.batch_size = options.batch_size;
  ingest_options.clock = [] { return std::chrono::system_clock::now(); };
  ingest_options.on_progress = [display](const ingest::IngestProgress& p) {
    display->Update(p, absl::Now());
  };
  if (options.test_pause_after_batches > 0) {
    const uint64_t pause_after = options.test_pause_after_batches;
    ingest_options.after_commit = [pause_after](uint64_t batch) {
      if (batch != pause_after) return;
      std::cerr << "test hook: paused after batch " << batch << std::endl;
      while (true) pause();  // until killed
    };
  }
  return ingest::RunIngest(
      schema,
      ingest::IngestInput{.stream = file,
                          .name = IngestSourceName(options.input),
                          .total_bytes = total_bytes,
                          .end_status = nullptr},
      store, sink, ingest_options);
}

}  // namespace

absl::Status RunIngestCommand(const IngestCommandOptions& options,
                              std::ostream& out, std::ostream& err) {
  FEDLINK_ASSIGN_OR_RETURN(const ingest::IngestSchema schema,
                           ingest::LoadIngestSchemaFile(options.schema));
  FEDLINK_ASSIGN_OR_RETURN(const uint64_t total_bytes,
                           InputSize(options.input));
  std::ifstream file(options.input, std::ios::binary);
  if (!file.is_open()) {
    return absl::PermissionDeniedError(
        absl::StrCat("input file ", options.input, ": cannot be opened: ",
                     std::strerror(errno)));
  }
  absl::StatusOr<OpenedStore> opened = OpenAgentStore(options.data_dir, {});
  // Unavailable: another process holds the store, normally the daemon.
  const bool via_daemon = absl::IsUnavailable(opened.status());
  if (!opened.ok() && !via_daemon) return opened.status();
  std::string socket;
  if (via_daemon) {
    if (options.test_pause_after_batches > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          opened.status().message(),
          "; --test-pause-after-batches needs the store in this process"));
    }
    FEDLINK_ASSIGN_OR_RETURN(socket, ResolveAdminSocket(options.socket, options.config));
    err << "the record store in " << options.data_dir
        << " is in use by another process (the agent daemon?): ingesting "
           "through the daemon's admin socket "
        << socket << "\n";
  }

  FEDLINK_ASSIGN_OR_RETURN(
      std::unique_ptr<IngestQuarantine> quarantine,
      IngestQuarantine::Open(options.quarantine, &err));
  const absl::Time start = absl::Now();
  ProgressDisplay display(&err, options.progress_terminal, start);
  absl::StatusOr<ingest::IngestSummary> summary =
      via_daemon
          ? IngestViaDaemon(
                DaemonIngestRequest{.socket = socket,
                                    .source_name =
                                        IngestSourceName(options.input),
                                    .schema_path = options.schema,
                                    .input = &file,
                                    .total_bytes = total_bytes},
                quarantine->sink(), &display)
          : IngestHere(options, schema, opened->store.get(), &file,
                       total_bytes, quarantine->sink(), &display);
  display.Finish();
  const absl::Status close_status = quarantine->Close();
  if (via_daemon && absl::IsUnavailable(summary.status())) {
    // Neither this process nor a daemon can ingest: say both.
    return absl::UnavailableError(
        absl::StrCat(opened.status().message(), "; and ",
                     summary.status().message(),
                     " (stop the process holding the store, or point "
                     "--socket / --config at the daemon)"));
  }
  if (!summary.ok()) return summary.status();
  FEDLINK_RETURN_IF_ERROR(close_status);
  PrintIngestSummary(
      *summary, via_daemon ? options.data_dir : opened->layout.root,
      options.quarantine,
      via_daemon ? absl::StrCat("through the agent daemon at ", socket) : "",
      absl::Now() - start, out);
  return absl::OkStatus();
}

}  // namespace fedlink::agent::cli
