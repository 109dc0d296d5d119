#include "coordinator/fedlink_cli/results_table.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
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

CategoryLabels LabelsFromLegend(std::string agency, const v1::CategoryLegend& legend) {
  CategoryLabels labels;
  labels.agency = std::move(agency);
  labels.column = legend.column();
  for (const v1::CategoryLabel& label : legend.labels()) labels.labels[label.code()] = label.label();
  return labels;
}

std::string CategoryText(const v1::AggregateTable& table, const v1::AggregateCell& cell,
                         const CategoryLabels* categories) {
  if (!table.by_category()) return "";
  if (categories != nullptr &&
      std::find(cell.agencies().begin(), cell.agencies().end(), categories->agency) ==
          cell.agencies().end()) {
    return "-";
  }
  if (cell.category_code() == 0) return categories != nullptr ? "(blank)" : "code 0";
  if (categories != nullptr) {
    auto it = categories->labels.find(cell.category_code());
    if (it != categories->labels.end()) {
      const bool plain = std::all_of(it->second.begin(), it->second.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
      });
      return plain ? it->second : absl::CHexEscape(it->second);
    }
  }
  return absl::StrCat("code ", cell.category_code());
}

namespace {

std::string CountText(const v1::AggregateCell& cell) {
  switch (cell.suppression()) {
    case v1::SUPPRESSION_PRIMARY:
      return "suppressed (primary)";
    case v1::SUPPRESSION_COMPLEMENTARY:
      return "suppressed (complementary)";
    default:
      return absl::StrCat(cell.count());
  }
}

std::string_view SuppressionName(v1::Suppression suppression) {
  switch (suppression) {
    case v1::SUPPRESSION_PRIMARY:
      return "primary";
    case v1::SUPPRESSION_COMPLEMENTARY:
      return "complementary";
    default:
      return "none";
  }
}

}  // namespace

std::string FormatAggregateTable(const v1::AggregateTable& table,
                                 const CategoryLabels* categories) {
  std::string text = absl::StrCat("cells below ", table.min_cell_count(), " are suppressed\n");
  std::string header = "CATEGORY";
  if (table.by_category() && categories != nullptr) {
    header = absl::StrCat(absl::AsciiStrToUpper(categories->column), " (", categories->agency, ")");
    absl::StrAppend(&text, "broken down by ", categories->column, " of ", categories->agency,
                    "; \"-\": not found at ", categories->agency, "\n");
  }
  std::vector<std::string> category_texts;
  size_t width = header.size();
  for (const v1::AggregateCell& cell : table.cells()) {
    category_texts.push_back(CategoryText(table, cell, categories));
    width = std::max(width, category_texts.back().size());
  }
  width = std::min<size_t>(width, 48);
  auto category_column = [&](const std::string& value) {
    return table.by_category() ? absl::StrFormat("%-*s ", static_cast<int>(width), value)
                               : std::string();
  };
  absl::StrAppend(&text,
                  absl::StrFormat("%-48s %s%s\n", "PARTIES", category_column(header), "COUNT"));
  for (int i = 0; i < table.cells_size(); ++i) {
    const v1::AggregateCell& cell = table.cells(i);
    absl::StrAppend(&text, absl::StrFormat("%-48s %s%s\n", absl::StrJoin(cell.agencies(), " + "),
                                           category_column(category_texts[i]), CountText(cell)));
  }
  return text;
}

std::string AggregateTableJson(const v1::AggregateTable& table,
                               const CategoryLabels* categories) {
  return AggregateTableJsonObject(table, categories)
             .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

nlohmann::ordered_json AggregateTableJsonObject(const v1::AggregateTable& table,
                                                const CategoryLabels* categories) {
  nlohmann::ordered_json out;
  out["min_cell_count"] = table.min_cell_count();
  out["by_category"] = table.by_category();
  if (table.by_category() && categories != nullptr) {
    out["category_agency"] = categories->agency;
    out["category_column"] = categories->column;
  }
  nlohmann::ordered_json cells = nlohmann::ordered_json::array();
  for (const v1::AggregateCell& cell : table.cells()) {
    nlohmann::ordered_json c;
    c["agencies"] = std::vector<std::string>(cell.agencies().begin(), cell.agencies().end());
    if (table.by_category()) {
      c["category_code"] = cell.category_code();
      c["category"] = CategoryText(table, cell, categories);
    }
    c["suppression"] = std::string(SuppressionName(cell.suppression()));
    if (cell.suppression() == v1::SUPPRESSION_NONE) {
      c["count"] = cell.count();
    } else {
      c["count"] = nullptr;
    }
    cells.push_back(std::move(c));
  }
  out["cells"] = std::move(cells);
  return out;
}

}  // namespace fedlink::cli
