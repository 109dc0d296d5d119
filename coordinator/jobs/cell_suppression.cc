#include "coordinator/jobs/cell_suppression.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace fedlink::coordinator {
namespace {

constexpr double kEps = 1e-9;
constexpr size_t kNone = std::numeric_limits<size_t>::max();

using Matrix = std::vector<std::vector<double>>;

// Reduces `m` to reduced row echelon form in place; returns (row, column)
// of each pivot.
std::vector<std::pair<size_t, size_t>> ReduceRows(Matrix& m) {
  std::vector<std::pair<size_t, size_t>> pivots;
  if (m.empty() || m[0].empty()) return pivots;
  const size_t rows = m.size(), cols = m[0].size();
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
  return pivots;
}

bool OnlyEntryAt(const std::vector<double>& row, size_t at) {
  for (size_t j = 0; j < row.size(); ++j) {
    if (j != at && std::fabs(row[j]) > kEps) return false;
  }
  return true;
}

bool ShareParty(const std::vector<match::PartyId>& a, const std::vector<match::PartyId>& b) {
  for (match::PartyId p : a) {
    if (std::binary_search(b.begin(), b.end(), p)) return true;
  }
  return false;
}

// Whether `candidate` is a better cell to hide than `best` (kNone: none
// yet): the smallest positive count, a zero count only without a positive
// one; the lower index on ties.
bool Better(absl::Span<const SuppressionCell> cells, size_t candidate, size_t best) {
  if (best == kNone) return true;
  const uint64_t a = cells[candidate].count, b = cells[best].count;
  if (a == 0 || b == 0) return a != 0 && b == 0;
  return a < b;
}

}  // namespace

// The margins, restricted to the hidden cells, form a matrix M with one
// row per party (its cells) and one per category (the category party's
// cells of that category); hidden cell j is determined exactly when e_j is
// in M's row space, i.e. when some row of M's reduced row echelon form is
// e_j. The category rows are disjoint, so they are eliminated first by
// hand: each category with hidden cells pivots on its first hidden cell
// (its base) and leaves, in the party rows, the differences u_k − u_base of
// the other hidden cells of the category (u = party indicator). Those P
// rows are then reduced numerically. A hidden cell that is the only one of
// its category is determined by the category total.
std::vector<size_t> DeterminedCells(size_t party_count, absl::Span<const SuppressionCell> cells,
                                    const std::vector<bool>& hidden) {
  std::vector<size_t> columns;  // column → cell
  for (size_t i = 0; i < cells.size() && i < hidden.size(); ++i) {
    if (hidden[i]) columns.push_back(i);
  }
  const size_t n = columns.size();
  if (n == 0) return {};
  std::map<uint32_t, std::vector<size_t>> categories;  // category → its columns
  for (size_t c = 0; c < n; ++c) {
    if (cells[columns[c]].category.has_value()) categories[*cells[columns[c]].category].push_back(c);
  }
  std::vector<size_t> base_of(n, kNone);
  std::vector<bool> is_base(n, false);
  std::set<size_t> determined;
  for (const auto& [category, members] : categories) {
    is_base[members[0]] = true;
    for (size_t m : members) base_of[m] = members[0];
    if (members.size() == 1) determined.insert(columns[members[0]]);
  }

  Matrix reduced(party_count, std::vector<double>(n, 0.0));
  for (size_t c = 0; c < n; ++c) {
    if (is_base[c]) continue;  // eliminated by its category row
    for (match::PartyId p : cells[columns[c]].parties) {
      if (p < party_count) reduced[p][c] += 1.0;
    }
    if (base_of[c] != kNone) {
      for (match::PartyId p : cells[columns[base_of[c]]].parties) {
        if (p < party_count) reduced[p][c] -= 1.0;
      }
    }
  }
  const std::vector<std::pair<size_t, size_t>> pivots = ReduceRows(reduced);
  std::map<size_t, size_t> pivot_row;  // column → row
  for (const auto& [row, column] : pivots) {
    pivot_row[column] = row;
    if (OnlyEntryAt(reduced[row], column)) determined.insert(columns[column]);
  }
  // A category's own row, reduced against the party rows' pivots: its
  // indicator minus the pivot rows of its columns (the party rows are zero
  // at every base). Without a pivot among its columns it keeps ≥ 2 entries.
  for (const auto& [category, members] : categories) {
    if (members.size() < 2) continue;
    std::vector<double> row(n, 0.0);
    for (size_t m : members) row[m] = 1.0;
    bool reduced_any = false;
    for (size_t m : members) {
      auto it = pivot_row.find(m);
      if (it == pivot_row.end()) continue;
      reduced_any = true;
      for (size_t j = 0; j < n; ++j) row[j] -= reduced[it->second][j];
    }
    if (reduced_any && OnlyEntryAt(row, members[0])) determined.insert(columns[members[0]]);
  }
  return std::vector<size_t>(determined.begin(), determined.end());
}

namespace {

// Cells to hide so that the `determined` hidden cells are no longer
// determined, one per determined cell (see the header for the rules).
std::set<size_t> ComplementaryCandidates(absl::Span<const SuppressionCell> cells,
                                         const std::vector<bool>& hidden,
                                         const std::vector<size_t>& determined) {
  std::map<uint32_t, size_t> hidden_in_category;
  std::map<uint32_t, size_t> best_in_category;  // the published cell to hide next
  for (size_t i = 0; i < cells.size(); ++i) {
    if (!cells[i].category.has_value()) continue;
    const uint32_t category = *cells[i].category;
    if (hidden[i]) {
      ++hidden_in_category[category];
      continue;
    }
    auto [it, inserted] = best_in_category.try_emplace(category, i);
    if (!inserted && Better(cells, i, it->second)) it->second = i;
  }
  auto hidden_in = [&](uint32_t category) -> size_t {
    auto it = hidden_in_category.find(category);
    return it == hidden_in_category.end() ? 0 : it->second;
  };
  std::set<size_t> picks;
  for (size_t j : determined) {
    const SuppressionCell& cell = cells[j];
    if (cell.category.has_value() && hidden_in(*cell.category) == 1) {
      // Alone in its category: the category total gives it away.
      auto it = best_in_category.find(*cell.category);
      if (it != best_in_category.end()) {
        picks.insert(it->second);
        continue;
      }
    }
    // Determined by the party totals: hide a cell that adds to the same
    // party totals, preferring one that opens no new category margin.
    size_t best = kNone, sharing = kNone, any = kNone;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (hidden[i]) continue;
      if (Better(cells, i, any)) any = i;
      if (!ShareParty(cells[i].parties, cell.parties)) continue;
      if (Better(cells, i, sharing)) sharing = i;
      const bool opens_category = cells[i].category.has_value() && hidden_in(*cells[i].category) == 0;
      if (!opens_category && Better(cells, i, best)) best = i;
    }
    const size_t pick = best != kNone ? best : (sharing != kNone ? sharing : any);
    if (pick != kNone) picks.insert(pick);
  }
  return picks;
}

// Up to this many candidates, each is tried alone and only the best is
// hidden (one cell per round); above it, every candidate is hidden at once
// (a large table: fewer rounds at the price of hiding more than needed).
constexpr size_t kCandidatesTriedOneByOne = 16;

// The candidate whose hiding leaves the fewest determined cells; on ties
// the smaller count (less information withheld), then the lower index.
size_t LeastRevealingCandidate(size_t party_count, absl::Span<const SuppressionCell> cells,
                               std::vector<bool> hidden, const std::set<size_t>& candidates) {
  size_t best = kNone, best_determined = 0;
  for (size_t candidate : candidates) {
    hidden[candidate] = true;
    const size_t determined = DeterminedCells(party_count, cells, hidden).size();
    hidden[candidate] = false;
    if (best == kNone || determined < best_determined ||
        (determined == best_determined && Better(cells, candidate, best))) {
      best = candidate;
      best_determined = determined;
    }
  }
  return best;
}

}  // namespace

// Complementary cells are added greedily: each round hides the candidate
// that un-determines the most cells. Hiding every round's candidates at
// once would over-suppress: with three parties and one small single-party
// cell, the three pair cells suffice, but the round that hides the third
// pair would also hide the all-party cell.
std::vector<v1::Suppression> SuppressCells(size_t party_count, absl::Span<const SuppressionCell> cells,
                                           uint32_t min_cell_count) {
  std::vector<v1::Suppression> marks(cells.size(), v1::SUPPRESSION_NONE);
  std::vector<bool> hidden(cells.size(), false);
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].count > 0 && cells[i].count < min_cell_count) {
      marks[i] = v1::SUPPRESSION_PRIMARY;
      hidden[i] = true;
    }
  }
  for (;;) {
    const std::vector<size_t> determined = DeterminedCells(party_count, cells, hidden);
    if (determined.empty()) break;
    std::set<size_t> picks = ComplementaryCandidates(cells, hidden, determined);
    if (picks.empty()) break;  // everything is hidden already
    if (picks.size() > 1 && picks.size() <= kCandidatesTriedOneByOne) {
      picks = {LeastRevealingCandidate(party_count, cells, hidden, picks)};
    }
    for (size_t i : picks) {
      marks[i] = v1::SUPPRESSION_COMPLEMENTARY;
      hidden[i] = true;
    }
  }
  return marks;
}

}  // namespace fedlink::coordinator
