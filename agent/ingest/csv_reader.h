// A streaming RFC 4180 CSV reader for agency exports.
//
// Accepted input: fields separated by a configurable one-byte delimiter;
// fields optionally enclosed in double quotes, inside which delimiters, line
// breaks and doubled quotes ("") are data; records ended by CRLF, LF or a lone
// CR; a UTF-8 byte order mark at the very start is skipped; the last record
// may lack a line break. Lines with no bytes at all are skipped (they still
// count for line numbers). With skip_initial_space, spaces right after a
// delimiter are dropped, so "a, b" reads as {"a", "b"} (the FEBRL files are
// written that way).
//
// Memory is bounded by the options, never by the input: a field longer than
// max_field_bytes or a record longer than max_record_bytes is reported, not
// stored.
//
// Errors are per record: a malformed record comes back with error() set,
// naming its kind, physical line and column (never its content), and the
// reader resynchronises so that the following records are still read:
//   * bad_quote (a quote inside an unquoted field, or anything but a delimiter
//     or line break after a closing quote): the rest of that physical line is
//     skipped and reading resumes on the next line; but when the quoted field
//     before the stray text ran over several lines, its opening quote is
//     blamed instead and reading resumes as for unterminated_quote;
//   * field_too_large, record_too_large, too_many_fields: the record is read
//     to its end (quotes still honoured) without storing it;
//   * unterminated_quote (a quoted field still open at the end of the input)
//     and too_many_lines (a quoted field running over more than
//     max_record_lines lines, almost always a missing closing quote): the
//     record ends at the line of the opening quote, and reading resumes on
//     the next line with the bytes already consumed read again. That
//     re-reading is bounded by max_record_lines and max_record_bytes, so a
//     file full of stray quotes costs at most a constant factor more; if the
//     record had already exceeded max_record_bytes its bytes are gone and
//     reading resumes after them.
#ifndef FEDLINK_AGENT_INGEST_CSV_READER_H_
#define FEDLINK_AGENT_INGEST_CSV_READER_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fedlink::agent::ingest {

// Upper bounds for the options (they keep a misconfigured limit from turning
// into unbounded memory).
inline constexpr size_t kMaxFieldBytesLimit = size_t{256} << 20;
inline constexpr size_t kMaxRecordBytesLimit = size_t{1} << 30;
inline constexpr size_t kMaxFieldsLimit = 100'000;
inline constexpr size_t kMaxRecordLinesLimit = 1'000'000;

struct CsvOptions {
  char delimiter = ',';
  bool skip_initial_space = false;
  size_t max_field_bytes = size_t{1} << 20;   // 1 MiB, after unquoting
  size_t max_record_bytes = size_t{4} << 20;  // 4 MiB, as in the input
  size_t max_fields = 4096;                   // per record
  size_t max_record_lines = 256;              // physical lines per record
};

// InvalidArgument naming the option when: the delimiter is '"', CR, LF or
// NUL, or a space while skip_initial_space is on; a limit is 0 or above its
// k*Limit; max_record_bytes < max_field_bytes. Thread-safe.
absl::Status ValidateCsvOptions(const CsvOptions& options);

enum class CsvErrorCode {
  kUnterminatedQuote,
  kBadQuote,
  kFieldTooLarge,
  kRecordTooLarge,
  kTooManyFields,
  kTooManyLines,
};

// "unterminated_quote", "bad_quote", "field_too_large", "record_too_large",
// "too_many_fields", "too_many_lines".
std::string_view CsvErrorCodeName(CsvErrorCode code);

struct CsvError {
  CsvErrorCode code = CsvErrorCode::kBadQuote;
  uint64_t line = 0;    // physical line, 1-based
  uint64_t column = 0;  // byte within that line, 1-based
  size_t field = 0;     // field of the record, 1-based
  // For too-large errors, the limit that was exceeded.
  size_t limit = 0;

  // "line 7, column 12 (field 3): unterminated quote: ..." — positions and
  // the rule broken, never any content.
  std::string Message() const;
};

// One record: its fields (unquoted), where it was, and its bytes as they
// appeared in the input (for the quarantine file). The buffers are wiped when
// the record is destroyed: they hold identifiers.
class CsvRecord {
 public:
  CsvRecord() = default;
  CsvRecord(const CsvRecord&) = delete;
  CsvRecord& operator=(const CsvRecord&) = delete;
  ~CsvRecord();

  // Fields; 0 when error() is set.
  size_t size() const { return ends_.size(); }
  std::string_view operator[](size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(data_).substr(begin, ends_[i] - begin);
  }

  uint64_t line() const { return line_; }  // first physical line
  uint64_t last_line() const { return last_line_; }

  // The record's bytes without its final line break; at most
  // max_record_bytes of them (raw_truncated() says whether bytes were cut).
  std::string_view raw() const { return raw_; }
  bool raw_truncated() const { return raw_truncated_; }

  // Set when the record is malformed; its fields are then dropped.
  const std::optional<CsvError>& error() const { return error_; }

 private:
  friend class CsvReader;
  void Clear();

  std::string data_;          // every field, back to back
  std::vector<size_t> ends_;  // end offset of each field in data_
  std::string raw_;
  bool raw_truncated_ = false;
  uint64_t line_ = 0;
  uint64_t last_line_ = 0;
  std::optional<CsvError> error_;
};

class CsvReader {
 public:
  // Reads from *in, which must outlive the reader. InvalidArgument as
  // ValidateCsvOptions.
  static absl::StatusOr<std::unique_ptr<CsvReader>> Create(std::istream* in,
                                                           CsvOptions options);
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;
  ~CsvReader();

  // Reads the next record into *record (well-formed, or with error() set).
  // Returns false at the end of the input, DataLoss if the stream fails
  // (badbit). Not thread-safe.
  absl::StatusOr<bool> Next(CsvRecord* record);

  // Bytes taken from the stream so far (for progress display).
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  CsvReader(std::istream* in, CsvOptions options);

  static constexpr int kEof = -1;

  // The next byte without consuming it, or kEof; refills the buffer.
  int Peek();
  // Consumes the byte Peek() returned, adding it to the record's raw bytes.
  void Advance();
  // Consumes the longest run of bytes that need no decision (inside quotes:
  // all but quote, CR, LF; outside: also the delimiter), adding it to the
  // raw bytes and the current field.
  void ConsumeRun(bool quoted);
  void AppendToRaw(const char* bytes, size_t n);
  // Consumes a line break (CRLF, LF or CR) at the current position without
  // adding it to the raw bytes, and starts a new line.
  void ConsumeLineBreak();
  bool Refill();

  // Parsing steps for the record in record_; each returns when it is done.
  void ReadRecord();
  bool ReadQuotedField();  // false: the record ended inside the field
  void AppendToField(const char* bytes, size_t n);
  void EndField();
  void SkipRestOfLine();
  // Records an error on the current record (the first one wins, except that
  // unterminated_quote and too_many_lines replace an earlier one) and stops
  // storing its fields.
  void Fail(CsvErrorCode code, uint64_t line, uint64_t column,
            size_t limit = 0);
  // After an unterminated or distrusted quote: ends the record at the line
  // of the opening quote and queues the bytes after that line to be read
  // again. False (nothing done) when those bytes were not kept or there are
  // none.
  bool RewindAfterQuoteLine();

  std::istream* in_;
  CsvOptions options_;
  std::string buffer_;
  size_t pos_ = 0;
  bool started_ = false;
  bool stream_failed_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t line_ = 1;
  uint64_t column_ = 1;
  bool special_quoted_[256] = {};
  bool special_unquoted_[256] = {};

  // State of the record being read.
  CsvRecord* record_ = nullptr;
  bool skipping_ = false;    // a limit was hit: read to the end, store nothing
  size_t field_number_ = 0;  // 1-based, counted even while skipping
  size_t field_begin_ = 0;   // offset of the current field in data_
  uint64_t field_line_ = 0;
  uint64_t field_column_ = 0;
  size_t quote_raw_offset_ = 0;  // raw_ offset of the opening quote
};

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_CSV_READER_H_
