#include "agent/ingest/csv_reader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/sensitive.h"

namespace fedlink::agent::ingest {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

bool IsLineBreak(int c) { return c == '\n' || c == '\r'; }

}  // namespace

absl::Status ValidateCsvOptions(const CsvOptions& options) {
  const char d = options.delimiter;
  if (d == '"' || d == '\r' || d == '\n' || d == '\0') {
    return absl::InvalidArgumentError(
        "csv.delimiter: must not be a double quote, a line break or NUL");
  }
  if (d == ' ' && options.skip_initial_space) {
    return absl::InvalidArgumentError(
        "csv.delimiter: a space delimiter cannot be combined with "
        "skip_initial_space");
  }
  auto check = [](std::string_view name, size_t value,
                  size_t limit) -> absl::Status {
    if (value == 0 || value > limit) {
      return absl::InvalidArgumentError(
          absl::StrCat("csv.", absl::string_view(name.data(), name.size()),
                       ": ", value, " is outside 1..", limit));
    }
    return absl::OkStatus();
  };
  if (auto s = check("max_field_bytes", options.max_field_bytes,
                     kMaxFieldBytesLimit);
      !s.ok()) {
    return s;
  }
  if (auto s = check("max_record_bytes", options.max_record_bytes,
                     kMaxRecordBytesLimit);
      !s.ok()) {
    return s;
  }
  if (auto s = check("max_fields", options.max_fields, kMaxFieldsLimit);
      !s.ok()) {
    return s;
  }
  if (auto s = check("max_record_lines", options.max_record_lines,
                     kMaxRecordLinesLimit);
      !s.ok()) {
    return s;
  }
  if (options.max_record_bytes < options.max_field_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "csv.max_record_bytes: ", options.max_record_bytes,
        " is less than csv.max_field_bytes (", options.max_field_bytes, ")"));
  }
  return absl::OkStatus();
}

std::string_view CsvErrorCodeName(CsvErrorCode code) {
  switch (code) {
    case CsvErrorCode::kUnterminatedQuote:
      return "unterminated_quote";
    case CsvErrorCode::kBadQuote:
      return "bad_quote";
    case CsvErrorCode::kFieldTooLarge:
      return "field_too_large";
    case CsvErrorCode::kRecordTooLarge:
      return "record_too_large";
    case CsvErrorCode::kTooManyFields:
      return "too_many_fields";
    case CsvErrorCode::kTooManyLines:
      return "too_many_lines";
  }
  return "invalid";
}

std::string CsvError::Message() const {
  std::string what;
  switch (code) {
    case CsvErrorCode::kUnterminatedQuote:
      what =
          "unterminated quote: the quoted field opened here is not closed "
          "before the end of the input";
      break;
    case CsvErrorCode::kBadQuote:
      what =
          "misplaced quote: a quote may only open a field, close it right "
          "before a delimiter or line break, or be doubled inside a quoted "
          "field";
      break;
    case CsvErrorCode::kFieldTooLarge:
      what = absl::StrCat("field longer than the limit of ", limit, " bytes");
      break;
    case CsvErrorCode::kRecordTooLarge:
      what = absl::StrCat("record longer than the limit of ", limit, " bytes");
      break;
    case CsvErrorCode::kTooManyFields:
      what = absl::StrCat("more than the limit of ", limit, " fields");
      break;
    case CsvErrorCode::kTooManyLines:
      what = absl::StrCat("the quoted field opened here spans more than ",
                          limit, " lines (is its closing quote missing?)");
      break;
  }
  return absl::StrCat("line ", line, ", column ", column, " (field ", field,
                      "): ", what);
}

CsvRecord::~CsvRecord() {
  WipeString(data_);
  WipeString(raw_);
}

void CsvRecord::Clear() {
  data_.clear();
  ends_.clear();
  raw_.clear();
  raw_truncated_ = false;
  line_ = 0;
  last_line_ = 0;
  error_.reset();
}

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::Create(
    std::istream* in, CsvOptions options) {
  if (absl::Status s = ValidateCsvOptions(options); !s.ok()) return s;
  return std::unique_ptr<CsvReader>(new CsvReader(in, options));
}

CsvReader::CsvReader(std::istream* in, CsvOptions options)
    : in_(in), options_(options) {
  for (const unsigned char c : {'"', '\r', '\n'}) {
    special_quoted_[c] = true;
    special_unquoted_[c] = true;
  }
  special_unquoted_[static_cast<unsigned char>(options_.delimiter)] = true;
}

CsvReader::~CsvReader() { WipeString(buffer_); }

bool CsvReader::Refill() {
  if (stream_failed_ || !in_->good()) return false;
  buffer_.erase(0, pos_);
  pos_ = 0;
  const size_t old_size = buffer_.size();
  buffer_.resize(old_size + kReadChunk);
  in_->read(buffer_.data() + old_size, kReadChunk);
  const size_t got = static_cast<size_t>(in_->gcount());
  buffer_.resize(old_size + got);
  bytes_read_ += got;
  if (in_->bad()) stream_failed_ = true;
  return got > 0;
}

int CsvReader::Peek() {
  if (pos_ == buffer_.size() && !Refill()) return kEof;
  return static_cast<unsigned char>(buffer_[pos_]);
}

void CsvReader::Advance() {
  const char c = buffer_[pos_++];
  ++column_;
  AppendToRaw(&c, 1);
}

void CsvReader::AppendToRaw(const char* bytes, size_t n) {
  if (record_->raw_truncated_) return;
  const size_t room = options_.max_record_bytes - record_->raw_.size();
  if (n <= room) {
    record_->raw_.append(bytes, n);
    return;
  }
  record_->raw_.append(bytes, room);
  record_->raw_truncated_ = true;
  Fail(CsvErrorCode::kRecordTooLarge, record_->line_, 1,
       options_.max_record_bytes);
}

void CsvReader::ConsumeRun(bool quoted) {
  const bool* special = quoted ? special_quoted_ : special_unquoted_;
  while (pos_ < buffer_.size() || Refill()) {
    const char* begin = buffer_.data() + pos_;
    const char* end = buffer_.data() + buffer_.size();
    const char* p = begin;
    while (p < end && !special[static_cast<unsigned char>(*p)]) ++p;
    const size_t n = static_cast<size_t>(p - begin);
    AppendToRaw(begin, n);
    AppendToField(begin, n);
    pos_ += n;
    column_ += n;
    if (p < end) return;  // stopped at a byte that needs a decision
  }
}

void CsvReader::ConsumeLineBreak() {
  if (buffer_[pos_++] == '\r' && Peek() == '\n') ++pos_;
  ++line_;
  column_ = 1;
}

void CsvReader::Fail(CsvErrorCode code, uint64_t line, uint64_t column,
                     size_t limit) {
  skipping_ = true;
  // These two change where reading resumes, so they describe the record
  // better than whatever limit was hit before.
  const bool overrides = code == CsvErrorCode::kUnterminatedQuote ||
                         code == CsvErrorCode::kTooManyLines;
  if (record_->error_.has_value() && !overrides) return;
  record_->error_ = CsvError{code, line, column, field_number_, limit};
}

void CsvReader::AppendToField(const char* bytes, size_t n) {
  if (skipping_ || n == 0) return;
  if (record_->data_.size() - field_begin_ + n > options_.max_field_bytes) {
    Fail(CsvErrorCode::kFieldTooLarge, field_line_, field_column_,
         options_.max_field_bytes);
    return;
  }
  record_->data_.append(bytes, n);
}

void CsvReader::EndField() {
  if (skipping_) return;
  if (record_->ends_.size() == options_.max_fields) {
    Fail(CsvErrorCode::kTooManyFields, field_line_, field_column_,
         options_.max_fields);
    return;
  }
  record_->ends_.push_back(record_->data_.size());
}

void CsvReader::SkipRestOfLine() {
  while (true) {
    const int c = Peek();
    if (c == kEof) return;
    if (IsLineBreak(c)) {
      ConsumeLineBreak();
      return;
    }
    Advance();
  }
}

bool CsvReader::RewindAfterQuoteLine() {
  CsvRecord* rec = record_;
  if (rec->raw_truncated_) return false;  // the bytes are gone
  const size_t brk = rec->raw_.find_first_of("\r\n", quote_raw_offset_);
  if (brk == std::string::npos) return false;  // no line after the quote's
  size_t after = brk + 1;
  if (rec->raw_[brk] == '\r' && after < rec->raw_.size() &&
      rec->raw_[after] == '\n') {
    ++after;
  }
  std::string rest = rec->raw_.substr(after);
  rest.append(buffer_, pos_, std::string::npos);
  WipeString(buffer_);
  buffer_ = std::move(rest);
  pos_ = 0;
  rec->raw_.resize(brk);
  line_ = field_line_ + 1;
  column_ = 1;
  rec->last_line_ = field_line_;
  return true;
}

// Reads the rest of a quoted field after its opening quote. Returns false if
// the record ended inside it (unterminated or too many lines).
bool CsvReader::ReadQuotedField() {
  while (true) {
    ConsumeRun(/*quoted=*/true);
    const int c = Peek();
    if (c == kEof) {
      Fail(CsvErrorCode::kUnterminatedQuote, field_line_, field_column_);
      record_->last_line_ = line_;
      RewindAfterQuoteLine();
      return false;
    }
    Advance();
    if (c == '"') {
      if (Peek() != '"') return true;
      Advance();
      AppendToField("\"", 1);
      continue;
    }
    const char byte = static_cast<char>(c);
    AppendToField(&byte, 1);
    if (!IsLineBreak(c)) continue;
    if (c == '\r' && Peek() == '\n') {
      Advance();
      AppendToField("\n", 1);
    }
    ++line_;
    column_ = 1;
    if (line_ - record_->line_ + 1 > options_.max_record_lines) {
      Fail(CsvErrorCode::kTooManyLines, field_line_, field_column_,
           options_.max_record_lines);
      record_->last_line_ = line_;
      RewindAfterQuoteLine();
      return false;
    }
  }
}

void CsvReader::ReadRecord() {
  while (true) {  // one iteration per field
    ++field_number_;
    if (options_.skip_initial_space) {
      while (Peek() == ' ') Advance();
    }
    field_begin_ = record_->data_.size();
    field_line_ = line_;
    field_column_ = column_;
    int c = Peek();
    if (c == '"') {
      quote_raw_offset_ = record_->raw_.size();
      Advance();
      if (!ReadQuotedField()) return;
      c = Peek();
      if (c != kEof && c != options_.delimiter && !IsLineBreak(c)) {
        if (line_ == field_line_) {
          Fail(CsvErrorCode::kBadQuote, line_, column_);
          record_->last_line_ = line_;
          SkipRestOfLine();
          return;
        }
        // A quoted field that ran over lines and then "closed" in the middle
        // of text: its opening quote was most likely stray. Blame it, and
        // read the lines after it again.
        Fail(CsvErrorCode::kBadQuote, field_line_, field_column_);
        record_->last_line_ = line_;
        if (!RewindAfterQuoteLine()) SkipRestOfLine();
        return;
      }
    } else {
      ConsumeRun(/*quoted=*/false);
      c = Peek();
      if (c == '"') {
        Fail(CsvErrorCode::kBadQuote, line_, column_);
        record_->last_line_ = line_;
        SkipRestOfLine();
        return;
      }
    }
    EndField();
    if (c == options_.delimiter) {
      Advance();
      continue;
    }
    record_->last_line_ = line_;
    if (c != kEof) ConsumeLineBreak();
    return;
  }
}

absl::StatusOr<bool> CsvReader::Next(CsvRecord* record) {
  record->Clear();
  if (!started_) {
    started_ = true;
    Refill();
    if (buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
  }
  // Lines with no bytes at all are not records.
  int c = Peek();
  while (IsLineBreak(c)) {
    ConsumeLineBreak();
    c = Peek();
  }
  if (c == kEof) {
    if (stream_failed_) {
      return absl::DataLossError(absl::StrCat(
          "reading the CSV input failed after ", bytes_read_, " bytes"));
    }
    return false;
  }
  record_ = record;
  skipping_ = false;
  field_number_ = 0;
  record->line_ = line_;
  ReadRecord();
  record_ = nullptr;
  if (stream_failed_) {
    return absl::DataLossError(absl::StrCat(
        "reading the CSV input failed after ", bytes_read_, " bytes"));
  }
  if (record->error_.has_value()) {
    record->data_.clear();
    record->ends_.clear();
  }
  return true;
}

}  // namespace fedlink::agent::ingest
