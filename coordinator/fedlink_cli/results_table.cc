#include "coordinator/fedlink_cli/results_table.h"

#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace fedlink::cli {
namespace {

void WriteCsvField(std::string_view value, std::ostream& out) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << value;
    return;
  }
  out << '"';
  for (const char c : value) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

}  // namespace

uint64_t WriteJoinedCsv(const std::vector<PartyRows>& parties, std::ostream& out) {
  // research id → per party, the indices of its rows.
  std::map<std::string, std::vector<std::vector<int>>> by_id;
  for (size_t p = 0; p < parties.size(); ++p) {
    for (int r = 0; r < parties[p].rows.rows_size(); ++r) {
      auto& slots = by_id[parties[p].rows.rows(r).research_id()];
      slots.resize(parties.size());
      slots[p].push_back(r);
    }
  }
  out << "research_id";
  for (const PartyRows& party : parties) {
    for (const std::string& column : party.rows.columns()) {
      out << ',';
      WriteCsvField(absl::StrCat(party.agency, ".", column), out);
    }
  }
  out << "\r\n";
  uint64_t lines = 0;
  for (const auto& [research_id, slots] : by_id) {
    // Odometer over the parties' rows (an absent party counts as one blank).
    std::vector<size_t> pick(parties.size(), 0);
    while (true) {
      out << absl::BytesToHexString(research_id);
      for (size_t p = 0; p < parties.size(); ++p) {
        const int columns = parties[p].rows.columns_size();
        const v1::ReleasedRow* row =
            slots[p].empty() ? nullptr : &parties[p].rows.rows(slots[p][pick[p]]);
        for (int c = 0; c < columns; ++c) {
          out << ',';
          if (row != nullptr && c < row->values_size()) WriteCsvField(row->values(c), out);
        }
      }
      out << "\r\n";
      ++lines;
      size_t p = 0;
      for (; p < parties.size(); ++p) {
        if (++pick[p] < std::max<size_t>(slots[p].size(), 1)) break;
        pick[p] = 0;
      }
      if (p == parties.size()) break;
    }
  }
  return lines;
}

std::string FormatAggregateTable(const v1::AggregateTable& table) {
  std::string text = absl::StrCat("cells below ", table.min_cell_count(), " are suppressed\n");
  absl::StrAppend(&text, absl::StrFormat("%-48s %s%s\n", "PARTIES",
                                         table.by_category() ? "CATEGORY  " : "", "COUNT"));
  for (const v1::AggregateCell& cell : table.cells()) {
    std::string count;
    switch (cell.suppression()) {
      case v1::SUPPRESSION_PRIMARY:
        count = "suppressed (primary)";
        break;
      case v1::SUPPRESSION_COMPLEMENTARY:
        count = "suppressed (complementary)";
        break;
      default:
        count = absl::StrCat(cell.count());
    }
    absl::StrAppend(&text, absl::StrFormat("%-48s %s%s\n", absl::StrJoin(cell.agencies(), " + "),
                                           table.by_category()
                                               ? absl::StrFormat("%-9d ", cell.category_code())
                                               : "",
                                           count));
  }
  return text;
}

}  // namespace fedlink::cli
