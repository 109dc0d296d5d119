#include "coordinator/jobs/aggregate_table.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "coordinator/jobs/cell_suppression.h"

namespace fedlink::coordinator {
namespace {

using PartySet = std::vector<match::PartyId>;
using CellKey = std::pair<PartySet, uint32_t>;  // (parties, category code)

bool Contains(const PartySet& set, match::PartyId party) {
  return std::binary_search(set.begin(), set.end(), party);
}

// Counts people per (party set, code): clusters, then unlinked records.
// Without a breakdown every code is 0.
absl::StatusOr<std::map<CellKey, uint64_t>> CountPeople(absl::Span<const uint64_t> records_per_party,
                                                        absl::Span<const match::Cluster> clusters,
                                                        const CategoryBreakdown* breakdown) {
  const size_t parties = records_per_party.size();
  std::map<CellKey, uint64_t> counts;
  std::vector<uint64_t> linked(parties, 0);
  std::vector<bool> category_linked(breakdown != nullptr ? breakdown->codes.size() : 0, false);
  for (size_t k = 0; k < clusters.size(); ++k) {
    PartySet set;
    uint32_t code = 0;
    for (const match::RecordRef& r : clusters[k]) {
      if (r.party >= parties || r.index >= records_per_party[r.party]) {
        return absl::InvalidArgumentError(
            absl::StrCat("cluster ", k, " names a record outside the uploads"));
      }
      set.push_back(r.party);
      if (breakdown != nullptr && r.party == breakdown->party) {
        code = breakdown->codes[r.index];
        category_linked[r.index] = true;
      }
    }
    std::sort(set.begin(), set.end());
    if (std::adjacent_find(set.begin(), set.end()) != set.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cluster ", k, " holds two records of one party"));
    }
    for (match::PartyId p : set) ++linked[p];
    ++counts[{set, code}];
  }
  for (size_t p = 0; p < parties; ++p) {
    const PartySet alone = {static_cast<match::PartyId>(p)};
    if (breakdown != nullptr && p == breakdown->party) {
      for (size_t i = 0; i < breakdown->codes.size(); ++i) {
        if (!category_linked[i]) ++counts[{alone, breakdown->codes[i]}];
      }
    } else {
      counts[{alone, 0}] += records_per_party[p] - linked[p];
    }
  }
  return counts;
}

std::vector<PartySet> AllCombinations(size_t parties) {
  std::vector<PartySet> sets;
  for (uint32_t mask = 1; mask < (1u << parties); ++mask) {
    PartySet set;
    for (size_t p = 0; p < parties; ++p) {
      if (mask & (1u << p)) set.push_back(static_cast<match::PartyId>(p));
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

std::vector<AggregateCellInput> ToCells(const std::map<CellKey, uint64_t>& counts) {
  std::vector<AggregateCellInput> cells;
  cells.reserve(counts.size());
  for (const auto& [key, count] : counts) cells.push_back({key.first, count, key.second});
  return cells;
}

std::vector<SuppressionCell> ForSuppression(absl::Span<const AggregateCellInput> cells,
                                            std::optional<match::PartyId> category_party) {
  std::vector<SuppressionCell> out;
  out.reserve(cells.size());
  for (const AggregateCellInput& cell : cells) {
    SuppressionCell s{cell.parties, std::nullopt, cell.count};
    if (category_party.has_value() && Contains(cell.parties, *category_party)) {
      s.category = cell.category_code;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<AggregateCellInput>> CountCells(
    absl::Span<const uint64_t> records_per_party, absl::Span<const match::Cluster> clusters) {
  const size_t parties = records_per_party.size();
  absl::StatusOr<std::map<CellKey, uint64_t>> counts =
      CountPeople(records_per_party, clusters, nullptr);
  if (!counts.ok()) return counts.status();
  if (parties <= kListAllCombinationsUpTo) {
    for (PartySet& set : AllCombinations(parties)) counts->try_emplace({std::move(set), 0}, 0);
  } else {
    // Too many combinations to list: the ones that occur (a missing one is 0).
    for (auto it = counts->begin(); it != counts->end();) {
      it = it->second == 0 ? counts->erase(it) : std::next(it);
    }
  }
  return ToCells(*counts);
}

absl::StatusOr<std::vector<AggregateCellInput>> CountCellsByCategory(
    absl::Span<const uint64_t> records_per_party, absl::Span<const match::Cluster> clusters,
    const CategoryBreakdown& breakdown) {
  const size_t parties = records_per_party.size();
  if (breakdown.party >= parties) {
    return absl::InvalidArgumentError(
        absl::StrCat("the category party ", breakdown.party, " is not one of ", parties));
  }
  if (parties > kListAllCombinationsUpTo) {
    return absl::InvalidArgumentError(absl::StrCat("a breakdown by category takes at most ",
                                                   kListAllCombinationsUpTo, " parties, not ",
                                                   parties));
  }
  if (breakdown.codes.size() != records_per_party[breakdown.party]) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the category party uploaded ", records_per_party[breakdown.party], " records but ",
        breakdown.codes.size(), " category codes"));
  }
  // Every code of the category party's records; a party without records
  // still lists its combinations once, as "no category".
  std::set<uint32_t> codes(breakdown.codes.begin(), breakdown.codes.end());
  if (codes.empty()) codes.insert(0);
  const uint64_t half = uint64_t{1} << (parties - 1);  // combinations with (or without) the party
  const uint64_t cells = half * codes.size() + (half - 1);
  if (cells > kMaxAggregateCells) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a breakdown of ", parties, " parties into ", codes.size(), " categories has ", cells,
        " cells; an aggregate table holds at most ", kMaxAggregateCells));
  }
  absl::StatusOr<std::map<CellKey, uint64_t>> counts =
      CountPeople(records_per_party, clusters, &breakdown);
  if (!counts.ok()) return counts.status();
  for (const PartySet& set : AllCombinations(parties)) {
    if (!Contains(set, breakdown.party)) {
      counts->try_emplace({set, 0}, 0);
      continue;
    }
    for (uint32_t code : codes) counts->try_emplace({set, code}, 0);
  }
  return ToCells(*counts);
}

absl::StatusOr<v1::AggregateTable> BuildAggregateTable(absl::Span<const std::string> party_names,
                                                       std::vector<AggregateCellInput> cells,
                                                       uint32_t min_cell_count,
                                                       std::optional<match::PartyId> category_party) {
  if (min_cell_count == 0) return absl::InvalidArgumentError("min_cell_count must be at least 1");
  if (category_party.has_value() && *category_party >= party_names.size()) {
    return absl::InvalidArgumentError(absl::StrCat("the category party ", *category_party,
                                                   " is not one of ", party_names.size()));
  }
  if (cells.size() > kMaxAggregateCells) {
    return absl::ResourceExhaustedError(absl::StrCat("the table has ", cells.size(),
                                                     " cells; it may have at most ",
                                                     kMaxAggregateCells));
  }
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
    const bool coded = category_party.has_value() && Contains(cells[i].parties, *category_party);
    if (!coded && cells[i].category_code != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "aggregate cell ", i, " has a category code but not the category party"));
    }
  }
  std::sort(cells.begin(), cells.end(), [](const AggregateCellInput& a, const AggregateCellInput& b) {
    if (a.parties.size() != b.parties.size()) return a.parties.size() < b.parties.size();
    if (a.parties != b.parties) return a.parties < b.parties;
    return a.category_code < b.category_code;
  });

  const std::vector<v1::Suppression> marks =
      SuppressCells(party_names.size(), ForSuppression(cells, category_party), min_cell_count);

  v1::AggregateTable table;
  table.set_min_cell_count(min_cell_count);
  table.set_by_category(category_party.has_value());
  for (size_t i = 0; i < cells.size(); ++i) {
    v1::AggregateCell* cell = table.add_cells();
    for (match::PartyId p : cells[i].parties) cell->add_agencies(party_names[p]);
    cell->set_category_code(cells[i].category_code);
    cell->set_suppression(marks[i]);
    cell->set_count(marks[i] == v1::SUPPRESSION_NONE ? cells[i].count : 0);
  }
  return table;
}

bool AnySuppressedCellDetermined(absl::Span<const std::string> party_names,
                                 const v1::AggregateTable& table,
                                 std::optional<match::PartyId> category_party) {
  std::vector<AggregateCellInput> cells;
  std::vector<bool> hidden;
  for (const v1::AggregateCell& cell : table.cells()) {
    AggregateCellInput input;
    for (const std::string& agency : cell.agencies()) {
      auto it = std::find(party_names.begin(), party_names.end(), agency);
      input.parties.push_back(static_cast<match::PartyId>(it - party_names.begin()));
    }
    std::sort(input.parties.begin(), input.parties.end());
    input.count = cell.count();
    input.category_code = cell.category_code();
    cells.push_back(std::move(input));
    hidden.push_back(cell.suppression() != v1::SUPPRESSION_NONE);
  }
  if (!table.by_category()) category_party.reset();
  return !DeterminedCells(party_names.size(), ForSuppression(cells, category_party), hidden).empty();
}

}  // namespace fedlink::coordinator
