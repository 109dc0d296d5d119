#include "agent/cli/ingest_output.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "agent/cli/progress_display.h"
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

}  // namespace

absl::StatusOr<std::unique_ptr<IngestQuarantine>> IngestQuarantine::Open(
    const std::string& path, std::ostream* err) {
  std::unique_ptr<IngestQuarantine> quarantine(new IngestQuarantine());
  quarantine->path_ = path;
  if (path.empty()) {
    quarantine->sink_ = std::make_unique<ListingSink>(err);
    return quarantine;
  }
  FEDLINK_ASSIGN_OR_RETURN(quarantine->writer_,
                           ingest::QuarantineWriter::Create(path));
  quarantine->sink_ =
      std::make_unique<ingest::QuarantineFileSink>(quarantine->writer_.get());
  return quarantine;
}

absl::Status IngestQuarantine::Close() {
  if (writer_ == nullptr) return absl::OkStatus();
  FEDLINK_RETURN_IF_ERROR(writer_->Close());
  if (writer_->rows_written() == 0 && unlink(path_.c_str()) != 0) {
    return absl::InternalError(absl::StrCat(
        "remove empty quarantine file ", path_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string IngestSourceName(const std::string& path) {
  if (path.size() <= 256) return path;
  const size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.size() > 256) base.resize(256);
  return base;
}

void PrintIngestSummary(const ingest::IngestSummary& s,
                        const std::string& data_dir,
                        const std::string& quarantine, const std::string& via,
                        absl::Duration elapsed, std::ostream& out) {
  const double seconds = std::max(1e-3, absl::ToDoubleSeconds(elapsed));
  out << "ingested " << s.source << " into " << data_dir
      << (via.empty() ? "" : " ") << via << "\n";
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
  // `quality` opens the store, which the daemon holds while it runs.
  if (via.empty()) {
    out << "  data-quality report: fedlink-agent quality --data-dir "
        << data_dir << "\n";
  }
}

}  // namespace fedlink::agent::cli
