#include "tests/datagen/csv.h"

#include "absl/strings/str_cat.h"
#include "tests/datagen/absl_view.h"

namespace fedlink::datagen {

namespace {

bool NeedsQuotes(std::string_view field) {
  for (char c : field) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

}  // namespace

void AppendCsvField(std::string_view field, std::string* out) {
  if (!NeedsQuotes(field)) {
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

void AppendCsvRow(std::span<const std::string> fields, std::string_view line_end,
                  std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendCsvField(fields[i], out);
  }
  out->append(line_end);
}

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text,
                                                               std::string_view line_end) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  const auto error = [&](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("CSV record ", rows.size() + 1, ": ", Av(what)));
  };
  while (i < text.size()) {
    field.clear();
    if (text[i] == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) return error("unterminated quoted field");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(text[i++]);
      }
    } else {
      while (i < text.size() && text[i] != ',' && text.substr(i, line_end.size()) != line_end) {
        if (text[i] == '"') return error("quote inside an unquoted field");
        if (text[i] == '\r' || text[i] == '\n')
          return error("bare line break in an unquoted field");
        field.push_back(text[i++]);
      }
    }
    row.push_back(field);
    if (i < text.size() && text[i] == ',') {
      ++i;
      if (i == text.size()) return error("record not terminated by the line end");
      continue;
    }
    if (text.substr(i, line_end.size()) != line_end) {
      return error(i >= text.size() ? "record not terminated by the line end"
                                    : "unexpected character after a quoted field");
    }
    i += line_end.size();
    if (!rows.empty() && row.size() != rows.front().size()) {
      return error(
          absl::StrCat("has ", row.size(), " fields, the header has ", rows.front().size()));
    }
    rows.push_back(std::move(row));
    row.clear();
  }
  return rows;
}

}  // namespace fedlink::datagen
