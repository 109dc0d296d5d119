#include "agent/ingest/quality_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/ingest/suspicious_values.h"

namespace fedlink::agent::ingest {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kFormat = "fedlink-quality-report";
constexpr int kFormatVersion = 1;
constexpr size_t kTopReasons = 3;

std::string TwoDigits(unsigned v) { return absl::StrCat(v < 10 ? "0" : "", v); }

// The UTC calendar day of `t` as {year, month, day}.
std::chrono::year_month_day DayOf(std::chrono::system_clock::time_point t) {
  return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t));
}

std::string Yyyymmdd(int year, unsigned month, unsigned day) {
  return absl::StrCat(year, TwoDigits(month), TwoDigits(day));
}

std::string Iso8601(std::chrono::system_clock::time_point t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(
      std::chrono::floor<std::chrono::seconds>(t - day));
  return absl::StrCat(
      static_cast<int>(ymd.year()), "-",
      TwoDigits(static_cast<unsigned>(ymd.month())), "-",
      TwoDigits(static_cast<unsigned>(ymd.day())), "T",
      TwoDigits(static_cast<unsigned>(hms.hours().count())), ":",
      TwoDigits(static_cast<unsigned>(hms.minutes().count())), ":",
      TwoDigits(static_cast<unsigned>(hms.seconds().count())), "Z");
}

double Percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return 0.0;
  return std::round(10000.0 * static_cast<double>(part) /
                    static_cast<double>(whole)) /
         100.0;
}

std::string_view UseName(ColumnUse use) {
  switch (use) {
    case ColumnUse::kLocalId:
      return "local_id";
    case ColumnUse::kIdentifier:
      return "identifier";
    case ColumnUse::kAttribute:
      return "attribute";
  }
  return "invalid";
}

// {code: count} as a list sorted by count (largest first), then code.
template <typename K>
Json CountList(const std::map<K, uint64_t>& counts, std::string_view (*code)(K),
               const char* key_name, const char* count_name) {
  std::vector<std::pair<std::string_view, uint64_t>> items;
  for (const auto& [key, n] : counts) items.emplace_back(code(key), n);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  Json list = Json::array();
  for (const auto& [name, n] : items) {
    list.push_back({{key_name, std::string(name)}, {count_name, n}});
  }
  return list;
}

std::string Pad(std::string text, size_t width, bool right) {
  if (text.size() >= width) return text;
  const std::string fill(width - text.size(), ' ');
  return right ? fill + text : text + fill;
}

std::string FormatPercent(double pct) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", pct);
  return buf;
}

// "impossible_date 4, unparseable_date 2" from a count list; at most `top`.
std::string JoinCounts(const Json& list, const char* key, const char* count,
                       size_t top) {
  std::string out;
  for (size_t i = 0; i < list.size() && i < top; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ", ",
                    list[i].at(key).get<std::string>(), " ",
                    list[i].at(count).get<uint64_t>());
  }
  if (list.size() > top) absl::StrAppend(&out, ", ...");
  return out;
}

}  // namespace

std::string_view SuspicionCode(Suspicion suspicion) {
  switch (suspicion) {
    case Suspicion::kFutureDate:
      return "future_date";
    case Suspicion::kAgeOver120:
      return "age_over_120";
    case Suspicion::kDefaultDate:
      return "default_date";
    case Suspicion::kPlaceholderName:
      return "placeholder_name";
    case Suspicion::kPlaceholderSsn:
      return "placeholder_ssn";
    case Suspicion::kImpossibleSsn:
      return "impossible_ssn";
  }
  return "invalid";
}

QualityReport::QualityReport(const RowValidator& validator, Clock clock)
    : clock_(std::move(clock)) {
  const std::chrono::year_month_day today = DayOf(clock_());
  const int year = static_cast<int>(today.year());
  const unsigned month = static_cast<unsigned>(today.month());
  const unsigned day = static_cast<unsigned>(today.day());
  as_of_ = Yyyymmdd(year, month, day);
  age_limit_ = Yyyymmdd(year - 120, month, day);
  as_of_display_ =
      absl::StrCat(year, "-", TwoDigits(month), "-", TwoDigits(day));

  const IngestSchema& schema = validator.schema();
  for (const BoundColumn& binding : validator.columns()) {
    ColumnQuality column;
    column.binding = binding;
    IdentifierRole role = IdentifierRole::kOther;
    schema::FieldKind kind = schema::FieldKind::kText;
    switch (binding.use) {
      case ColumnUse::kLocalId:
        column.kind = "local_id";
        break;
      case ColumnUse::kIdentifier: {
        const IdentifierColumn& id = schema.identifiers[binding.schema_index];
        role = id.role;
        kind = id.kind;
        column.kind = std::string(IdentifierRoleName(id.role));
        break;
      }
      case ColumnUse::kAttribute:
        column.kind = std::string(
            AttributeTypeName(schema.attributes[binding.schema_index].type));
        break;
    }
    roles_.push_back(role);
    kinds_.push_back(kind);
    columns_.push_back(std::move(column));
  }
}

void QualityReport::CheckSuspicious(const ColumnQuality& column,
                                    const ValidatedRow& row, size_t k,
                                    std::map<Suspicion, uint64_t>* out) const {
  if (column.binding.use != ColumnUse::kIdentifier) return;
  const ColumnCheck& check = row.checks[k];
  const IdentifierRole role = roles_[k];
  const schema::FieldKind kind = kinds_[k];
  if (check.state == ValueState::kMissing && check.placeholder) {
    if (kind == schema::FieldKind::kName) ++(*out)[Suspicion::kPlaceholderName];
    if (role == IdentifierRole::kSsn) ++(*out)[Suspicion::kPlaceholderSsn];
    return;
  }
  if (check.state != ValueState::kPresent) return;
  const std::string_view value = row.values[k]->Expose();
  switch (kind) {
    case schema::FieldKind::kDate:
      if (value > as_of_) ++(*out)[Suspicion::kFutureDate];
      if (role == IdentifierRole::kDob && value < age_limit_) {
        ++(*out)[Suspicion::kAgeOver120];
      }
      if (IsDefaultDate(value)) ++(*out)[Suspicion::kDefaultDate];
      break;
    case schema::FieldKind::kName:
      if (IsPlaceholderName(value)) ++(*out)[Suspicion::kPlaceholderName];
      break;
    case schema::FieldKind::kSex:
    case schema::FieldKind::kPostcode:
    case schema::FieldKind::kIdentifier:
    case schema::FieldKind::kText:
      break;
  }
  if (role == IdentifierRole::kSsn) {
    if (IsPlaceholderSsn(value)) ++(*out)[Suspicion::kPlaceholderSsn];
    if (IsImpossibleSsn(value)) ++(*out)[Suspicion::kImpossibleSsn];
  }
}

void QualityReport::Add(const ValidatedRow& row) {
  ++rows_read_;
  if (row.ok()) {
    ++rows_accepted_;
  } else {
    std::set<Reason> reasons;
    for (const Problem& problem : row.problems) reasons.insert(problem.reason);
    for (Reason reason : reasons) ++rejections_[reason];
  }
  if (!row.parsed) return;
  ++rows_parsed_;
  for (size_t k = 0; k < columns_.size(); ++k) {
    ColumnQuality& column = columns_[k];
    const ColumnCheck& check = row.checks[k];
    switch (check.state) {
      case ValueState::kPresent:
        ++column.present;
        column.distinct.Add(row.values[k]->Expose());
        break;
      case ValueState::kMissing:
        ++column.missing;
        if (check.placeholder) ++column.placeholder;
        break;
      case ValueState::kInvalid:
        ++column.invalid;
        ++column.invalid_reasons[check.reason];
        break;
    }
    CheckSuspicious(column, row, k, &column.suspicious);
  }
}

void QualityReport::AddDuplicateLocalIds(uint64_t rows) {
  if (rows == 0) return;
  rows = std::min(rows, rows_accepted_);
  rows_accepted_ -= rows;
  duplicate_local_ids_ += rows;
  rejections_[Reason::kDuplicateLocalId] += rows;
}

Json QualityReport::ToJson() const {
  Json report;
  report["format"] = std::string(kFormat);
  report["version"] = kFormatVersion;
  report["generated_at"] = Iso8601(clock_());
  report["as_of_date"] = as_of_display_;
  report["rows"] = {{"read", rows_read_},
                    {"parsed", rows_parsed_},
                    {"accepted", rows_accepted_},
                    {"rejected", rows_read_ - rows_accepted_},
                    {"duplicate_local_ids", duplicate_local_ids_}};
  report["rejections"] =
      CountList<Reason>(rejections_, &ReasonCode, "reason", "rows");
  Json columns = Json::array();
  for (const ColumnQuality& c : columns_) {
    Json column = {
        {"column", c.binding.column},
        {"name", c.binding.name},
        {"use", std::string(UseName(c.binding.use))},
        {"kind", c.kind},
        {"present", c.present},
        {"missing", c.missing},
        {"placeholder", c.placeholder},
        {"invalid", c.invalid},
        {"missing_pct", Percent(c.missing, rows_parsed_)},
        {"invalid_pct", Percent(c.invalid, rows_parsed_)},
        {"invalid_reasons",
         CountList<Reason>(c.invalid_reasons, &ReasonCode, "reason", "count")},
        {"distinct", c.distinct.Count()},
        {"distinct_exact", c.distinct.exact()},
        {"suspicious",
         CountList<Suspicion>(c.suspicious, &SuspicionCode, "check", "count")},
    };
    columns.push_back(std::move(column));
  }
  report["columns"] = std::move(columns);
  return report;
}

std::string QualityReport::ToText() const {
  absl::StatusOr<std::string> text = QualityReportText(ToJson());
  // ToJson always produces the shape QualityReportText reads.
  return text.ok() ? *std::move(text) : std::string(text.status().message());
}

absl::StatusOr<std::string> QualityReportText(const Json& report) {
  try {
    if (report.at("format").get<std::string>() != kFormat ||
        report.at("version").get<int>() != kFormatVersion) {
      return absl::InvalidArgumentError(
          "not a fedlink-quality-report version 1");
    }
    const Json& rows = report.at("rows");
    std::string out = absl::StrCat(
        "fedlink data-quality report\n", "generated ",
        report.at("generated_at").get<std::string>(), ", as of ",
        report.at("as_of_date").get<std::string>(), "\n",
        "rows: ", rows.at("read").get<uint64_t>(), " read, ",
        rows.at("accepted").get<uint64_t>(), " accepted, ",
        rows.at("rejected").get<uint64_t>(), " rejected (quarantined); ",
        rows.at("duplicate_local_ids").get<uint64_t>(),
        " duplicate local ids\n");
    const Json& rejections = report.at("rejections");
    if (!rejections.empty()) {
      absl::StrAppend(&out, "rejected rows by reason: ",
                      JoinCounts(rejections, "reason", "rows", SIZE_MAX), "\n");
    }
    out += "\n";

    const std::vector<std::string> headings = {
        "column",  "stored as", "kind",     "present",
        "missing", "invalid",   "distinct", "notes"};
    std::vector<std::vector<std::string>> table;
    for (const Json& c : report.at("columns")) {
      const uint64_t present = c.at("present").get<uint64_t>();
      const uint64_t missing = c.at("missing").get<uint64_t>();
      const uint64_t invalid = c.at("invalid").get<uint64_t>();
      const uint64_t parsed = present + missing + invalid;
      std::string notes;
      const Json& reasons = c.at("invalid_reasons");
      if (!reasons.empty()) {
        absl::StrAppend(&notes, "invalid: ",
                        JoinCounts(reasons, "reason", "count", kTopReasons));
      }
      const Json& suspicious = c.at("suspicious");
      if (!suspicious.empty()) {
        absl::StrAppend(&notes, notes.empty() ? "" : "; ", "suspicious: ",
                        JoinCounts(suspicious, "check", "count", SIZE_MAX));
      }
      const uint64_t placeholders = c.at("placeholder").get<uint64_t>();
      if (placeholders > 0) {
        absl::StrAppend(&notes, notes.empty() ? "" : "; ", placeholders,
                        " placeholders counted as missing");
      }
      table.push_back(
          {c.at("column").get<std::string>(), c.at("name").get<std::string>(),
           c.at("kind").get<std::string>(),
           FormatPercent(Percent(present, parsed)),
           FormatPercent(c.at("missing_pct").get<double>()),
           FormatPercent(c.at("invalid_pct").get<double>()),
           absl::StrCat(c.at("distinct_exact").get<bool>() ? "" : "~",
                        c.at("distinct").get<uint64_t>()),
           notes});
    }
    std::vector<size_t> widths;
    for (const std::string& h : headings) widths.push_back(h.size());
    for (const auto& line : table) {
      for (size_t i = 0; i < line.size(); ++i) {
        widths[i] = std::max(widths[i], line[i].size());
      }
    }
    auto append_line = [&](const std::vector<std::string>& cells) {
      std::string line;
      for (size_t i = 0; i < cells.size(); ++i) {
        const bool numeric = i >= 3 && i <= 6;
        const bool last = i + 1 == cells.size();
        absl::StrAppend(&line, i == 0 ? "" : "  ",
                        last ? cells[i] : Pad(cells[i], widths[i], numeric));
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      absl::StrAppend(&out, line, "\n");
    };
    append_line(headings);
    for (const auto& line : table) append_line(line);
    absl::StrAppend(
        &out,
        "\npresent/missing/invalid: share of the well-formed rows; ~: "
        "estimated distinct count (HyperLogLog, about 0.8% error)\n");
    return out;
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed quality report: ", e.what()));
  }
}

}  // namespace fedlink::agent::ingest
