#include "tests/support/febrl.h"

#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace fedlink::testing {

std::string FebrlPath(std::string_view file_name) {
  return absl::StrCat(FEDLINK_SHARED_DATA_DIR, "/febrl/", std::string(file_name));
}

absl::StatusOr<std::vector<FebrlRecord>> LoadFebrl(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  static const std::regex kRecId(R"(^rec-(\d+)-(org|dup-\d+)$)");
  std::vector<FebrlRecord> records;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number == 1 || line.empty()) continue;  // header
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() != 11) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", line_number, ": expected 11 fields, found ", cells.size()));
    }
    for (auto& cell : cells) cell = std::string(absl::StripAsciiWhitespace(cell));
    std::smatch match;
    if (!std::regex_match(cells[0], match, kRecId)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": malformed rec_id"));
    }
    records.push_back(FebrlRecord{cells[0], match[1].str(), cells[1], cells[2],
                                  cells[3], cells[4], cells[5], cells[6],
                                  cells[7], cells[8], cells[9], cells[10]});
  }
  return records;
}

}  // namespace fedlink::testing
