#include "agent/ingest/quarantine.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/sensitive.h"

namespace fedlink::agent::ingest {
namespace {

constexpr size_t kFlushThreshold = 256 * 1024;

absl::Status ErrnoStatus(std::string_view what, const std::string& path,
                         int err) {
  const std::string message =
      absl::StrCat(absl::string_view(what.data(), what.size()), " ", path, ": ",
                   std::strerror(err));
  switch (err) {
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case ELOOP:
      return absl::FailedPreconditionError(
          absl::StrCat(message,
                       " (a quarantine file must not be a symbolic "
                       "link)"));
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace

void AppendCsvField(std::string_view field, std::string* out) {
  const bool quote =
      field.find_first_of(",\"\r\n") != std::string_view::npos ||
      (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

absl::StatusOr<std::unique_ptr<QuarantineWriter>> QuarantineWriter::Create(
    const std::string& path, IfExists if_exists) {
  // O_NONBLOCK: opening a FIFO planted at `path` must not hang; it is
  // refused below as not a regular file. No O_TRUNC: an existing file is
  // checked before it is emptied.
  int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  if (if_exists == IfExists::kFail) flags |= O_EXCL;
  const int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) return ErrnoStatus("cannot create quarantine file", path, errno);
  std::unique_ptr<QuarantineWriter> writer(new QuarantineWriter(path, fd));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return ErrnoStatus("cannot inspect quarantine file", path, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "quarantine file ", path, " exists and is not a regular file"));
  }
  if (st.st_uid != ::geteuid()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "quarantine file ", path,
        " exists and belongs to another user; choose another path"));
  }
  // A replaced file keeps its old mode: narrow it to 0600 before writing.
  if (::fchmod(fd, 0600) != 0) {
    return ErrnoStatus("cannot set mode 0600 on quarantine file", path, errno);
  }
  if (::ftruncate(fd, 0) != 0) {
    return ErrnoStatus("cannot empty quarantine file", path, errno);
  }
  writer->buffer_ = "line,reasons,details,raw\n";
  if (absl::Status s = writer->WriteBuffer(); !s.ok()) return s;
  return writer;
}

QuarantineWriter::~QuarantineWriter() {
  if (fd_ >= 0) {
    (void)WriteBuffer();
    ::close(fd_);
  }
  WipeString(buffer_);
}

absl::Status QuarantineWriter::Write(uint64_t line,
                                     absl::Span<const Problem> problems,
                                     std::string_view raw) {
  if (fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("quarantine file ", path_, " is closed"));
  }
  std::string reasons;
  std::string details;
  for (const Problem& p : problems) {
    const std::string_view code = ReasonCode(p.reason);
    absl::StrAppend(&reasons, reasons.empty() ? "" : "|", p.column,
                    p.column.empty() ? "" : ":",
                    absl::string_view(code.data(), code.size()));
    if (p.detail.empty()) continue;  // e.g. rows the agent daemon reported
    absl::StrAppend(&details, details.empty() ? "" : "; ",
                    p.column.empty() ? "" : p.column + ": ", p.detail);
  }
  absl::StrAppend(&buffer_, line, ",");
  AppendCsvField(reasons, &buffer_);
  buffer_.push_back(',');
  AppendCsvField(details, &buffer_);
  buffer_.push_back(',');
  AppendCsvField(raw, &buffer_);
  buffer_.push_back('\n');
  ++rows_written_;
  if (buffer_.size() >= kFlushThreshold) return WriteBuffer();
  return absl::OkStatus();
}

absl::Status QuarantineWriter::WriteBuffer() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n =
        ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write quarantine file", path_, errno);
    }
    done += static_cast<size_t>(n);
  }
  WipeString(buffer_);
  return absl::OkStatus();
}

absl::Status QuarantineWriter::Flush() {
  if (fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("quarantine file ", path_, " is closed"));
  }
  if (absl::Status s = WriteBuffer(); !s.ok()) return s;
  if (::fsync(fd_) != 0) {
    return ErrnoStatus("cannot sync quarantine file", path_, errno);
  }
  return absl::OkStatus();
}

absl::Status QuarantineWriter::Close() {
  absl::Status status = Flush();
  if (fd_ >= 0 && ::close(fd_) != 0 && status.ok()) {
    status = ErrnoStatus("cannot close quarantine file", path_, errno);
  }
  fd_ = -1;
  return status;
}

absl::Status QuarantineFileSink::Write(const QuarantinedRow& row) {
  return writer_->Write(row.line, row.problems, row.raw);
}

absl::Status QuarantineFileSink::Flush() { return writer_->Flush(); }

}  // namespace fedlink::agent::ingest
