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
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "agent/cli/agent_store_access.h"
#include "agent/cli/progress_display.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/ingest/quarantine.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::cli {
namespace {

// Without a quarantine file: the first rejected rows by line and reason
// code on stderr (never their bytes), then a count.
class ListingSink : public ingest::QuarantineSink {
 public:
  explicit ListingSink(std::ostream* err) : err_(err) {}

  absl::Status Write(const ingest::QuarantinedRow& row) override {
    if (++rows_ > kMaxListed) return absl::OkStatus();
    std::vector<std::string> reasons;
    for (const ingest::Problem& p : row.problems) {
      std::string_view code = ingest::ReasonCode(p.reason);
      reasons.push_back(p.column.empty()
                            ? std::string(code)
                            : absl::StrCat(p.column, ":",
                                           absl::string_view(code.data(),
                                                             code.size())));
    }
    *err_ << "rejected: line " << row.line << ": "
          << absl::StrJoin(reasons, "|") << "\n";
    if (rows_ == kMaxListed) {
      *err_ << "rejected: (further rejected rows are counted only; use "
               "--quarantine FILE to keep them)\n";
    }
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }

 private:
  static constexpr uint64_t kMaxListed = 20;
  std::ostream* err_;
  uint64_t rows_ = 0;
};

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

// The input's name in messages and the store: its path, or its file name
// if the path is too long for an ingest source name.
std::string SourceName(const std::string& path) {
  if (path.size() <= 256) return path;
  const size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.size() > 256) base.resize(256);
  return base;
}

void PrintSummary(const ingest::IngestSummary& s, const std::string& data_dir,
                  const std::string& quarantine, absl::Duration elapsed,
                  std::ostream& out) {
  const double seconds = std::max(1e-3, absl::ToDoubleSeconds(elapsed));
  out << "ingested " << s.source << " into " << data_dir << "\n";
  out << absl::StrFormat("  rows read         %d (%s)\n", s.rows_read,
                         ProgressDisplay::Bytes(s.bytes_read));
  out << absl::StrFormat(
      "  committed         %d (inserted %d, updated %d) in %d batches\n",
      s.rows_committed, s.rows_inserted, s.rows_updated, s.batches_committed);
  out << absl::StrFormat("  quarantined       %d%s\n", s.rows_quarantined,
                         s.rows_quarantined > 0 && !quarantine.empty()
                             ? absl::StrCat(" (rows in ", quarantine, ")")
                             : std::string());
  for (const auto& [reason, rows] : s.rejections) {
    out << absl::StrFormat("    %-22s %d\n", reason, rows);
  }
  out << absl::StrFormat("  records in store  %d\n", s.records_in_store);
  out << absl::StrFormat("  time              %.1f s (%.0f rows/s)\n",
                         seconds, static_cast<double>(s.rows_read) / seconds);
  out << "  data-quality report: fedlink-agent quality --data-dir " << data_dir
      << "\n";
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
  FEDLINK_ASSIGN_OR_RETURN(OpenedStore opened,
                           OpenAgentStore(options.data_dir, {}));

  std::unique_ptr<ingest::QuarantineWriter> writer;
  std::unique_ptr<ingest::QuarantineSink> sink;
  if (!options.quarantine.empty()) {
    FEDLINK_ASSIGN_OR_RETURN(
        writer, ingest::QuarantineWriter::Create(options.quarantine));
    sink = std::make_unique<ingest::QuarantineFileSink>(writer.get());
  } else {
    sink = std::make_unique<ListingSink>(&err);
  }

  const absl::Time start = absl::Now();
  ProgressDisplay display(&err, options.progress_terminal, start);
  ingest::IngestOptions ingest_options;
  ingest_options.batch_size = options.batch_size;
  ingest_options.clock = [] { return std::chrono::system_clock::now(); };
  ingest_options.on_progress = [&](const ingest::IngestProgress& p) {
    display.Update(p, absl::Now());
  };
  if (options.test_pause_after_batches > 0) {
    const uint64_t pause_after = options.test_pause_after_batches;
    ingest_options.after_commit = [pause_after](uint64_t batch) {
      if (batch != pause_after) return;
      std::cerr << "test hook: paused after batch " << batch << std::endl;
      while (true) pause();  // until killed
    };
  }

  absl::StatusOr<ingest::IngestSummary> summary = ingest::RunIngest(
      schema,
      ingest::IngestInput{.stream = &file,
                          .name = SourceName(options.input),
                          .total_bytes = total_bytes,
                          .end_status = nullptr},
      opened.store.get(), sink.get(), ingest_options);
  display.Finish();
  absl::Status close_status = absl::OkStatus();
  if (writer != nullptr) {
    close_status = writer->Close();
    // An empty quarantine file says nothing and would block the next run
    // (it is never overwritten): remove it.
    if (close_status.ok() && writer->rows_written() == 0 &&
        unlink(options.quarantine.c_str()) != 0) {
      close_status = absl::InternalError(
          absl::StrCat("remove empty quarantine file ", options.quarantine,
                       ": ", std::strerror(errno)));
    }
  }
  if (!summary.ok()) return summary.status();
  FEDLINK_RETURN_IF_ERROR(close_status);
  PrintSummary(*summary, opened.layout.root, options.quarantine,
               absl::Now() - start, out);
  return absl::OkStatus();
}

}  // namespace fedlink::agent::cli
