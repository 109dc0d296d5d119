#include "coordinator/jobs/aggregate_table.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"

namespace fedlink::coordinator {
namespace {

// Membership matrix: one row per party total (public: each party's upload
// size); one column per suppressed cell.
using Matrix = std::vector<std::vector<double>>;

Matrix SuppressedColumns(size_t parties, const std::vector<std::vector<match::PartyId>>& cells,
                         const std::vector<size_t>& suppressed) {
  Matrix m(parties, std::vector<double>(suppressed.size(), 0.0));
  for (size_t c = 0; c < suppressed.size(); ++c) {
    for (match::PartyId p : cells[suppressed[c]]) {
      if (p < parties) m[p][c] = 1.0;
    }
  }
  return m;
}

// Columns (positions in `suppressed`) whose value the equations fix: after
// reduction to row echelon form, pivot columns whose row has no other entry.
std::optional<size_t> FirstDeterminedColumn(Matrix m) {
  if (m.empty() || m[0].empty()) return std::nullopt;
  const size_t rows = m.size(), cols = m[0].size();
  constexpr double kEps = 1e-9;
  std::vector<std::pair<size_t, size_t>> pivots;  // (row, column)
  size_t r = 0;
  for (size_t c = 0; c < cols && r < rows; ++c) {
    size_t best = r;
    for (size_t i = r + 1; i < rows; ++i) {
      if (std::fabs(m[i][c]) > std::fabs(m[best][c])) best = i;
    }
    if (std::fabs(m[best][c]) < kEps) continue;
    std::swap(m[r], m[best]);
    const double pivot = m[r][c];
    for (size_t j = c; j < cols; ++j) m[r][j] /= pivot;
    for (size_t i = 0; i < rows; ++i) {
      if (i == r || std::fabs(m[i][c]) < kEps) continue;
      const double f = m[i][c];
      for (size_t j = c; j < cols; ++j) m[i][j] -= f * m[r][j];
    }
    pivots.emplace_back(r, c);
    ++r;
  }
  for (const auto& [row, col] : pivots) {
    bool unit = true;
    for (size_t j = 0; j < cols && unit; ++j) {
      if (j != col && std::fabs(m[row][j]) > kEps) unit = false;
    }
    if (unit) return col;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::vector<AggregateCellInput>> CountCells(
    absl::Span<const uint64_t> records_per_party, absl::Span<const match::Cluster> clusters) {
  const size_t parties = records_per_party.size();
  std::map<std::vector<match::PartyId>, uint64_t> counts;
  std::vector<uint64_t> linked(parties, 0);
  for (size_t k = 0; k < clusters.size(); ++k) {
    std::vector<match::PartyId> set;
    for (const match::RecordRef& r : clusters[k]) {
      if (r.party >= parties || r.index >= records_per_party[r.party]) {
        return absl::InvalidArgumentError(
            absl::StrCat("cluster ", k, " names a record outside the uploads"));
      }
      set.push_back(r.party);
    }
    std::sort(set.begin(), set.end());
    if (std::adjacent_find(set.begin(), set.end()) != set.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cluster ", k, " holds two records of one party"));
    }
    for (match::PartyId p : set) ++linked[p];
    ++counts[set];
  }
  for (size_t p = 0; p < parties; ++p) {
    counts[{static_cast<match::PartyId>(p)}] += records_per_party[p] - linked[p];
  }
  if (parties <= kListAllCombinationsUpTo) {
    for (uint32_t mask = 1; mask < (1u << parties); ++mask) {
      std::vector<match::PartyId> set;
      for (size_t p = 0; p < parties; ++p) {
        if (mask & (1u << p)) set.push_back(static_cast<match::PartyId>(p));
      }
      counts.try_emplace(set, 0);
    }
  }
  std::vector<AggregateCellInput> cells;
  for (auto& [set, count] : counts) {
    if (count == 0 && parties > kListAllCombinationsUpTo) continue;
    cells.push_back({set, count});
  }
  return cells;
}

absl::StatusOr<v1::AggregateTable> BuildAggregateTable(absl::Span<const std::string> party_names,
                                                       std::vector<AggregateCellInput> cells,
                                                       uint32_t min_cell_count) {
  if (min_cell_count == 0) return absl::InvalidArgumentError("min_cell_count must be at least 1");
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].parties.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("aggregate cell ", i, " names no party"));
    }
    for (match::PartyId p : cells[i].parties) {
      if (p >= party_names.size()) {
        return absl::InvalidArgumentError(absl::StrCat("aggregate cell ", i, " names party ", p,
                                                       " of ", party_names.size()));
      }
    }
  }
  std::sort(cells.begin(), cells.end(), [](const AggregateCellInput& a, const AggregateCellInput& b) {
    if (a.parties.size() != b.parties.size()) return a.parties.size() < b.parties.size();
    return a.parties < b.parties;
  });

  std::vector<v1::Suppression> marks(cells.size(), v1::SUPPRESSION_NONE);
  std::vector<std::vector<match::PartyId>> sets;
  for (size_t i = 0; i < cells.size(); ++i) {
    sets.push_back(cells[i].parties);
    if (cells[i].count > 0 && cells[i].count < min_cell_count) marks[i] = v1::SUPPRESSION_PRIMARY;
  }
  for (;;) {
    std::vector<size_t> suppressed;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (marks[i] != v1::SUPPRESSION_NONE) suppressed.push_back(i);
    }
    if (suppressed.empty()) break;
    if (!FirstDeterminedColumn(SuppressedColumns(party_names.size(), sets, suppressed))) break;
    // Hide one more: the smallest positive published cell, else a zero one.
    std::optional<size_t> pick;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (marks[i] != v1::SUPPRESSION_NONE) continue;
      if (!pick.has_value()) {
        pick = i;
        continue;
      }
      const uint64_t a = cells[i].count, b = cells[*pick].count;
      const bool better = (a > 0 && (b == 0 || a < b));
      if (better) pick = i;
    }
    if (!pick.has_value()) break;  // everything is hidden already
    marks[*pick] = v1::SUPPRESSION_COMPLEMENTARY;
  }

  v1::AggregateTable table;
  table.set_min_cell_count(min_cell_count);
  table.set_by_category(false);
  for (size_t i = 0; i < cells.size(); ++i) {
    v1::AggregateCell* cell = table.add_cells();
    for (match::PartyId p : cells[i].parties) cell->add_agencies(party_names[p]);
    cell->set_suppression(marks[i]);
    cell->set_count(marks[i] == v1::SUPPRESSION_NONE ? cells[i].count : 0);
  }
  return table;
}

bool AnySuppressedCellDetermined(absl::Span<const std::string> party_names,
                                 const v1::AggregateTable& table) {
  std::vector<std::vector<match::PartyId>> sets;
  std::vector<size_t> suppressed;
  for (int i = 0; i < table.cells_size(); ++i) {
    std::vector<match::PartyId> set;
    for (const std::string& agency : table.cells(i).agencies()) {
      auto it = std::find(party_names.begin(), party_names.end(), agency);
      set.push_back(static_cast<match::PartyId>(it - party_names.begin()));
    }
    sets.push_back(std::move(set));
    if (table.cells(i).suppression() != v1::SUPPRESSION_NONE) suppressed.push_back(i);
  }
  if (suppressed.empty()) return false;
  return FirstDeterminedColumn(SuppressedColumns(party_names.size(), sets, suppressed)).has_value();
}

}  // namespace fedlink::coordinator
