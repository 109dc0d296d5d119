// The quarantine: the rows an ingest rejected, so that the agency can fix
// and re-ingest them. QuarantineSink is where the ingest pipeline sends
// them; QuarantineWriter writes the quarantine file (the CLI's sink), the
// daemon streams them to its client instead.
//
// SENSITIVITY: the file holds each rejected row exactly as it was in the
// input — names, dates of birth, SSNs. It is as sensitive as the input file,
// never leaves the agency, and must be handled (retained, backed up,
// deleted) under the same rules. It is therefore created with mode 0600
// (owner read/write only, whatever the umask), without following a symbolic
// link, and by default never over an existing file.
//
// Format: RFC 4180 CSV, UTF-8 apart from the raw rows (kept byte for byte),
// LF line breaks, header
//   line,reasons,details,raw
// line     the physical line of the input where the record starts;
// reasons  the reason codes, each "column:code" or "code" for a problem of
//          the whole row, joined by "|" (e.g. "dob:impossible_date");
// details  one sentence per reason, joined by "; " (positions and rules
//          only; no value);
// raw      the record's bytes as in the input, without its line break (cut
//          at csv.max_record_bytes for an oversized record).
#ifndef FEDLINK_AGENT_INGEST_QUARANTINE_H_
#define FEDLINK_AGENT_INGEST_QUARANTINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "agent/ingest/row_validator.h"

namespace fedlink::agent::ingest {

// One rejected record as the pipeline hands it over.
struct QuarantinedRow {
  uint64_t line = 0;            // the input line where the record starts
  std::string_view raw;         // its bytes, without the final line break
  bool raw_truncated = false;   // cut at csv.max_record_bytes
  absl::Span<const Problem> problems;
};

// Where rejected rows go. The pipeline calls Write and Flush from one
// thread at a time, never while its progress callback runs, so a sink that
// shares an output with the progress reports needs no lock of its own.
class QuarantineSink {
 public:
  virtual ~QuarantineSink() = default;
  virtual absl::Status Write(const QuarantinedRow& row) = 0;
  // Makes every row written so far durable; called before the batch those
  // rows were rejected from commits.
  virtual absl::Status Flush() = 0;
};

class QuarantineWriter {
 public:
  enum class IfExists {
    kFail,     // AlreadyExists when `path` exists (the default)
    kReplace,  // truncate it (a regular file owned by this user only)
  };

  // Creates `path` with mode 0600 and writes the header. AlreadyExists (with
  // kFail) if it exists; FailedPrecondition if it is a symbolic link or not
  // a regular file; the errno-derived code (naming the path) otherwise.
  static absl::StatusOr<std::unique_ptr<QuarantineWriter>> Create(
      const std::string& path, IfExists if_exists = IfExists::kFail);

  QuarantineWriter(const QuarantineWriter&) = delete;
  QuarantineWriter& operator=(const QuarantineWriter&) = delete;
  // Closes the file if Close was not called (errors are then lost).
  ~QuarantineWriter();

  // Appends one rejected row. Buffered: the bytes reach the file on Flush,
  // Close, or when the buffer fills. Not thread-safe.
  absl::Status Write(uint64_t line, absl::Span<const Problem> problems,
                     std::string_view raw);

  // Writes out the buffer and fsyncs the file, so that every row written so
  // far survives a crash (call it before committing the batch those rows
  // were rejected from).
  absl::Status Flush();

  // Flush, then close. Further writes fail with FailedPrecondition.
  absl::Status Close();

  uint64_t rows_written() const { return rows_written_; }
  const std::string& path() const { return path_; }

 private:
  QuarantineWriter(std::string path, int fd)
      : path_(std::move(path)), fd_(fd) {}
  absl::Status WriteBuffer();

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t rows_written_ = 0;
};

// QuarantineSink over a QuarantineWriter.
class QuarantineFileSink : public QuarantineSink {
 public:
  explicit QuarantineFileSink(QuarantineWriter* writer) : writer_(writer) {}
  absl::Status Write(const QuarantinedRow& row) override;
  absl::Status Flush() override;

 private:
  QuarantineWriter* writer_;
};

// `field` as one RFC 4180 CSV field: quoted (quotes doubled) when it
// contains a comma, quote, CR or LF, or starts or ends with a space.
void AppendCsvField(std::string_view field, std::string* out);

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_QUARANTINE_H_
