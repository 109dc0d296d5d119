#include "agent/ingest/row_validator.h"

#include <charconv>
#include <map>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/ingest/ingest_schema_problems.h"
#include "agent/ingest/utf8.h"
#include "linkage/normalize/normalizers.h"

namespace fedlink::agent::ingest {
namespace {

using internal::Quote;

std::string_view TrimAscii(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// A status message as a std::string_view.
std::string_view MessageOf(const absl::Status& status) {
  const absl::string_view m = status.message();
  return std::string_view(m.data(), m.size());
}

// The normalisers' date errors, by the rule they report (their messages are
// fixed texts without the value; agent_row_validator_test pins the mapping).
Reason DateReason(std::string_view message) {
  if (message.find("does not exist") != std::string_view::npos ||
      message.find("month out of range") != std::string_view::npos) {
    return Reason::kImpossibleDate;
  }
  if (message.find("year outside") != std::string_view::npos) {
    return Reason::kDateOutOfRange;
  }
  if (message.find("matches none") != std::string_view::npos) {
    return Reason::kUnparseableDate;
  }
  return Reason::kInvalidValue;
}

Reason ReasonForKind(schema::FieldKind kind, std::string_view message) {
  switch (kind) {
    case schema::FieldKind::kDate:
      return DateReason(message);
    case schema::FieldKind::kName:
      return Reason::kInvalidName;
    case schema::FieldKind::kSex:
      return Reason::kInvalidSex;
    case schema::FieldKind::kPostcode:
    case schema::FieldKind::kIdentifier:
    case schema::FieldKind::kText:
      break;
  }
  return Reason::kInvalidValue;
}

bool HasControlCharacter(std::string_view s) {
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

// "YYYYMMDD" → "YYYY-MM-DD".
std::string IsoDate(std::string_view yyyymmdd) {
  return absl::StrCat(Sv(yyyymmdd.substr(0, 4)), "-", Sv(yyyymmdd.substr(4, 2)),
                      "-", Sv(yyyymmdd.substr(6, 2)));
}

std::string JoinProblems(const std::vector<std::string>& problems) {
  constexpr size_t kMaxReported = 10;
  std::string out;
  for (size_t i = 0; i < problems.size() && i < kMaxReported; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : "; ", problems[i]);
  }
  if (problems.size() > kMaxReported) {
    absl::StrAppend(&out, "; and ", problems.size() - kMaxReported, " more");
  }
  return out;
}

}  // namespace

std::string_view ReasonCode(Reason reason) {
  switch (reason) {
    case Reason::kUnterminatedQuote:
      return "unterminated_quote";
    case Reason::kBadQuote:
      return "bad_quote";
    case Reason::kFieldTooLarge:
      return "field_too_large";
    case Reason::kRecordTooLarge:
      return "record_too_large";
    case Reason::kTooManyFields:
      return "too_many_fields";
    case Reason::kTooManyLines:
      return "too_many_lines";
    case Reason::kWrongColumnCount:
      return "wrong_column_count";
    case Reason::kInvalidUtf8:
      return "invalid_utf8";
    case Reason::kMissingRequired:
      return "missing_required";
    case Reason::kValueTooLong:
      return "value_too_long";
    case Reason::kMissingLocalId:
      return "missing_local_id";
    case Reason::kDuplicateLocalId:
      return "duplicate_local_id";
    case Reason::kLocalIdTooLong:
      return "local_id_too_long";
    case Reason::kInvalidLocalId:
      return "invalid_local_id";
    case Reason::kImpossibleDate:
      return "impossible_date";
    case Reason::kUnparseableDate:
      return "unparseable_date";
    case Reason::kDateOutOfRange:
      return "date_out_of_range";
    case Reason::kInvalidName:
      return "invalid_name";
    case Reason::kInvalidSex:
      return "invalid_sex";
    case Reason::kInvalidValue:
      return "invalid_value";
    case Reason::kNotAnInteger:
      return "not_an_integer";
    case Reason::kIntegerOutOfRange:
      return "integer_out_of_range";
    case Reason::kNotInCategory:
      return "not_in_category";
  }
  return "invalid";
}

std::optional<Reason> ReasonFromCode(std::string_view code) {
  for (int i = static_cast<int>(Reason::kUnterminatedQuote);
       i <= static_cast<int>(Reason::kNotInCategory); ++i) {
    const Reason reason = static_cast<Reason>(i);
    if (ReasonCode(reason) == code) return reason;
  }
  return std::nullopt;
}

Reason ReasonForCsvError(CsvErrorCode code) {
  switch (code) {
    case CsvErrorCode::kUnterminatedQuote:
      return Reason::kUnterminatedQuote;
    case CsvErrorCode::kBadQuote:
      return Reason::kBadQuote;
    case CsvErrorCode::kFieldTooLarge:
      return Reason::kFieldTooLarge;
    case CsvErrorCode::kRecordTooLarge:
      return Reason::kRecordTooLarge;
    case CsvErrorCode::kTooManyFields:
      return Reason::kTooManyFields;
    case CsvErrorCode::kTooManyLines:
      return Reason::kTooManyLines;
  }
  return Reason::kBadQuote;
}

absl::StatusOr<std::unique_ptr<RowValidator>> RowValidator::Create(
    const IngestSchema& schema, const CsvRecord& header) {
  if (absl::Status s = ValidateIngestSchema(schema); !s.ok()) return s;
  const std::string where = absl::StrCat("header (line ", header.line(), ")");
  if (header.error().has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", header.error()->Message()));
  }
  std::unique_ptr<RowValidator> v(new RowValidator());
  v->schema_ = schema;
  v->header_size_ = header.size();

  std::vector<std::string> problems;
  // Header name → 0-based position.
  std::map<std::string, size_t, std::less<>> positions;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string_view name = TrimAscii(header[i]);
    if (!IsValidUtf8(name)) {
      problems.push_back(
          absl::StrCat("header column ", i + 1, " is not valid UTF-8"));
      continue;
    }
    auto [it, inserted] = positions.emplace(std::string(name), i);
    if (!inserted) {
      problems.push_back(absl::StrCat("header columns ", it->second + 1,
                                      " and ", i + 1, " have the same name"));
    }
  }
  std::vector<bool> claimed(header.size(), false);
  // Finds `column` (named by schema key `key`) in the header.
  auto bind = [&](const std::string& column,
                  const std::string& key) -> std::optional<size_t> {
    auto it = positions.find(column);
    if (it != positions.end()) {
      claimed[it->second] = true;
      return it->second;
    }
    std::string hint;
    for (const auto& [name, pos] : positions) {
      if (absl::EqualsIgnoreCase(name, Sv(column))) {
        hint = absl::StrCat(" (header column ", pos + 1,
                            " differs only in letter case)");
        break;
      }
    }
    problems.push_back(absl::StrCat("column ", Quote(column), " (", key,
                                    ") is not in the header", hint));
    return std::nullopt;
  };

  if (auto pos = bind(schema.local_id_column, "local_id.column")) {
    v->columns_.push_back(
        {ColumnUse::kLocalId, 0, *pos, schema.local_id_column, "local_id"});
  }
  for (size_t i = 0; i < schema.identifiers.size(); ++i) {
    const IdentifierColumn& id = schema.identifiers[i];
    if (auto pos = bind(id.column, absl::StrCat("identifiers[", i, "]"))) {
      v->columns_.push_back(
          {ColumnUse::kIdentifier, i, *pos, id.column, id.field});
    }
  }
  v->categories_.resize(schema.attributes.size());
  for (size_t i = 0; i < schema.attributes.size(); ++i) {
    const AttributeColumn& a = schema.attributes[i];
    if (auto pos = bind(a.column, absl::StrCat("attributes[", i, "]"))) {
      v->columns_.push_back({ColumnUse::kAttribute, i, *pos, a.column, a.name});
    }
    v->categories_[i].insert(a.values.begin(), a.values.end());
  }
  for (const BoundColumn& c : v->columns_) {
    v->identifier_columns_ += c.use == ColumnUse::kIdentifier;
    v->attribute_columns_ += c.use == ColumnUse::kAttribute;
  }
  for (size_t i = 0; i < schema.ignore_columns.size(); ++i) {
    bind(schema.ignore_columns[i], absl::StrCat("ignore_columns[", i, "]"));
  }
  size_t unclaimed = 0;
  for (size_t i = 0; i < header.size(); ++i) {
    if (claimed[i]) continue;
    ++unclaimed;
    problems.push_back(
        absl::StrCat("header column ", i + 1,
                     " is not in the schema (map it, or list its name under "
                     "ignore_columns)"));
  }
  if (!problems.empty()) {
    std::string hint;
    if (unclaimed == header.size()) {
      hint =
          " (no header column matches the schema: does the file start "
          "with a header row, and is csv.delimiter right?)";
    }
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", JoinProblems(problems), hint));
  }

  return v;
}

void RowValidator::Validate(const CsvRecord& record,
                            ValidatedRow* row) const {
  row->line = record.line();
  row->parsed = false;
  row->problems.clear();
  row->checks.assign(columns_.size(), ColumnCheck{});
  row->values.resize(columns_.size());
  for (auto& value : row->values) value.reset();
  row->integers.assign(columns_.size(), 0);

  if (record.error().has_value()) {
    row->problems.push_back({"", ReasonForCsvError(record.error()->code),
                             record.error()->Message()});
    return;
  }
  if (record.size() != header_size_) {
    row->problems.push_back(
        {"", Reason::kWrongColumnCount,
         absl::StrCat("line ", record.line(), ": ", record.size(),
                      " fields, the header has ", header_size_)});
    return;
  }
  row->parsed = true;
  for (size_t k = 0; k < columns_.size(); ++k) {
    const BoundColumn& c = columns_[k];
    const std::string_view raw = record[c.csv_index];
    switch (c.use) {
      case ColumnUse::kLocalId:
        CheckLocalId(c, raw, k, row);
        break;
      case ColumnUse::kIdentifier:
        CheckIdentifier(c, raw, k, row);
        break;
      case ColumnUse::kAttribute:
        CheckAttribute(c, raw, k, row);
        break;
    }
  }
}

void RowValidator::CheckLocalId(const BoundColumn& c, std::string_view raw,
                                size_t k, ValidatedRow* row) const {
  ColumnCheck& check = row->checks[k];
  auto reject = [&](Reason reason, std::string detail) {
    check.state = ValueState::kInvalid;
    check.reason = reason;
    row->problems.push_back({c.column, reason, std::move(detail)});
  };
  if (!IsValidUtf8(raw)) {
    reject(Reason::kInvalidUtf8, "the local id is not valid UTF-8");
    return;
  }
  const std::string_view id = TrimAscii(raw);
  if (id.empty()) {
    check.state = ValueState::kMissing;
    row->problems.push_back(
        {c.column, Reason::kMissingLocalId, "every row needs a local id"});
    return;
  }
  if (id.size() > kMaxLocalIdBytes) {
    reject(Reason::kLocalIdTooLong,
           absl::StrCat("the local id has ", id.size(), " bytes (at most ",
                        kMaxLocalIdBytes, ")"));
    return;
  }
  if (HasControlCharacter(id)) {
    reject(Reason::kInvalidLocalId, "the local id contains control characters");
    return;
  }
  check.state = ValueState::kPresent;
  row->values[k] = SensitiveString(std::string(id));
}

void RowValidator::Settle(const BoundColumn& c, bool required,
                          OnInvalid on_invalid, std::string detail, size_t k,
                          ValidatedRow* row) const {
  ColumnCheck& check = row->checks[k];
  if (check.state == ValueState::kInvalid) {
    row->values[k].reset();
    if (check.reason == Reason::kInvalidUtf8 ||
        on_invalid == OnInvalid::kReject) {
      row->problems.push_back({c.column, check.reason, std::move(detail)});
      return;
    }
  }
  if (required && check.state != ValueState::kPresent) {
    row->problems.push_back(
        {c.column, Reason::kMissingRequired,
         check.state == ValueState::kInvalid
             ? "the column is required and its value was invalid"
             : "the column is required and has no value"});
  }
}

void RowValidator::CheckIdentifier(const BoundColumn& c, std::string_view raw,
                                   size_t k, ValidatedRow* row) const {
  const IdentifierColumn& spec = schema_.identifiers[c.schema_index];
  ColumnCheck& check = row->checks[k];
  std::string detail;
  if (!IsValidUtf8(raw)) {
    check.state = ValueState::kInvalid;
    check.reason = Reason::kInvalidUtf8;
    detail = "the value is not valid UTF-8";
  } else if (raw.size() > kMaxFieldValueBytes) {
    check.state = ValueState::kInvalid;
    check.reason = Reason::kValueTooLong;
    detail = absl::StrCat("the value has ", raw.size(), " bytes (at most ",
                          kMaxFieldValueBytes, ")");
  } else {
    normalize::MaybeValue value =
        normalize::NormalizeField(spec.kind, raw, spec.date);
    if (!value.ok()) {
      check.state = ValueState::kInvalid;
      check.reason = ReasonForKind(spec.kind, MessageOf(value.status()));
      detail = std::string(value.status().message());
    } else if (!value->has_value()) {
      check.state = ValueState::kMissing;
      check.placeholder = !TrimAscii(raw).empty();
    } else {
      check.state = ValueState::kPresent;
      row->values[k] = std::move(**value);
    }
  }
  Settle(c, spec.required, spec.on_invalid, std::move(detail), k, row);
}

void RowValidator::CheckAttribute(const BoundColumn& c, std::string_view raw,
                                  size_t k, ValidatedRow* row) const {
  const AttributeColumn& spec = schema_.attributes[c.schema_index];
  ColumnCheck& check = row->checks[k];
  std::string detail;
  auto invalid = [&](Reason reason, std::string why) {
    check.state = ValueState::kInvalid;
    check.reason = reason;
    detail = std::move(why);
  };
  const std::string_view text = TrimAscii(raw);
  if (!IsValidUtf8(raw)) {
    invalid(Reason::kInvalidUtf8, "the value is not valid UTF-8");
  } else if (text.empty()) {
    check.state = ValueState::kMissing;
  } else if (text.size() > kMaxFieldValueBytes) {
    invalid(Reason::kValueTooLong,
            absl::StrCat("the value has ", text.size(), " bytes (at most ",
                         kMaxFieldValueBytes, ")"));
  } else {
    switch (spec.type) {
      case AttributeType::kString:
        check.state = ValueState::kPresent;
        row->values[k] = SensitiveString(std::string(text));
        break;
      case AttributeType::kInteger: {
        std::string_view digits = text;
        if (digits.front() == '+') digits.remove_prefix(1);
        int64_t n = 0;
        const char* end = digits.data() + digits.size();
        auto [ptr, ec] = std::from_chars(digits.data(), end, n);
        if (ec == std::errc::result_out_of_range && ptr == end) {
          invalid(Reason::kIntegerOutOfRange,
                  "the value does not fit a 64-bit integer");
        } else if (digits.empty() || ec != std::errc() || ptr != end) {
          invalid(Reason::kNotAnInteger,
                  "expected a whole number in decimal digits");
        } else if ((spec.min.has_value() && n < *spec.min) ||
                   (spec.max.has_value() && n > *spec.max)) {
          invalid(
              Reason::kIntegerOutOfRange,
              absl::StrCat(
                  "the value is outside ",
                  spec.min.has_value() ? absl::StrCat(*spec.min) : "-inf", "..",
                  spec.max.has_value() ? absl::StrCat(*spec.max) : "inf"));
        } else {
          check.state = ValueState::kPresent;
          row->integers[k] = n;
          row->values[k] = SensitiveString(absl::StrCat(n));
        }
        break;
      }
      case AttributeType::kCategory:
        if (categories_[c.schema_index].contains(Sv(text))) {
          check.state = ValueState::kPresent;
          row->values[k] = SensitiveString(std::string(text));
        } else {
          invalid(Reason::kNotInCategory,
                  absl::StrCat("the value is not one of the ",
                               spec.values.size(), " allowed by the schema"));
        }
        break;
      case AttributeType::kDate: {
        normalize::MaybeValue date = normalize::NormalizeDate(text, spec.date);
        if (!date.ok()) {
          invalid(DateReason(MessageOf(date.status())),
                  std::string(date.status().message()));
        } else if (!date->has_value()) {
          check.state = ValueState::kMissing;
          check.placeholder = true;
        } else {
          check.state = ValueState::kPresent;
          row->values[k] = SensitiveString(IsoDate((*date)->Expose()));
        }
        break;
      }
    }
  }
  Settle(c, spec.required, spec.on_invalid, std::move(detail), k, row);
}

StoredRecord RowValidator::TakeRecord(ValidatedRow* row) const {
  StoredRecord record;
  record.identifiers.reserve(identifier_columns_);
  record.attributes.reserve(attribute_columns_);
  for (size_t k = 0; k < columns_.size(); ++k) {
    std::optional<SensitiveString>& value = row->values[k];
    if (!value.has_value()) continue;
    const BoundColumn& c = columns_[k];
    switch (c.use) {
      case ColumnUse::kLocalId:
        record.local_id = std::move(*value);
        break;
      case ColumnUse::kIdentifier:
        record.identifiers.emplace_back(c.name, std::move(*value));
        break;
      case ColumnUse::kAttribute:
        record.attributes.emplace_back(c.name, std::move(*value));
        break;
    }
    value.reset();
  }
  return record;
}

}  // namespace fedlink::agent::ingest
