#include "coordinator/jobs/aggregate_table.h"

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "coordinator/jobs/cell_suppression.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::coordinator {
namespace {

const std::vector<std::string> kTwo = {"edu", "health"};
const std::vector<std::string> kThree = {"edu", "health", "labor"};

match::Cluster Pair(match::PartyId a, uint32_t ia, match::PartyId b, uint32_t ib) {
  return {{a, ia}, {b, ib}};
}

const v1::AggregateCell* Find(const v1::AggregateTable& t, std::vector<std::string> agencies,
                              uint32_t code = 0) {
  for (const v1::AggregateCell& c : t.cells()) {
    if (std::vector<std::string>(c.agencies().begin(), c.agencies().end()) == agencies &&
        c.category_code() == code) {
      return &c;
    }
  }
  return nullptr;
}

const AggregateCellInput* FindInput(const std::vector<AggregateCellInput>& cells,
                                    std::vector<match::PartyId> parties, uint32_t code) {
  for (const AggregateCellInput& c : cells) {
    if (c.parties == parties && c.category_code == code) return &c;
  }
  return nullptr;
}

TEST(AggregateTableTest, CountsClustersAndUnlinkedRecords) {
  // edu: 30 records, health: 25; 20 linked pairs.
  std::vector<match::Cluster> clusters;
  for (uint32_t i = 0; i < 20; ++i) clusters.push_back(Pair(0, i, 1, i));
  const std::vector<uint64_t> records = {30, 25};
  absl::StatusOr<std::vector<AggregateCellInput>> cells = CountCells(records, clusters);
  ASSERT_TRUE(cells.ok()) << cells.status();
  absl::StatusOr<v1::AggregateTable> table = BuildAggregateTable(kTwo, *cells, 5);
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->cells_size(), 3);
  EXPECT_EQ(Find(*table, {"edu"})->count(), 10u);
  EXPECT_EQ(Find(*table, {"health"})->count(), 5u);
  EXPECT_EQ(Find(*table, {"edu", "health"})->count(), 20u);
  for (const v1::AggregateCell& c : table->cells()) EXPECT_EQ(c.suppression(), v1::SUPPRESSION_NONE);
  EXPECT_EQ(table->min_cell_count(), 5u);
}

TEST(AggregateTableTest, SmallCellIsSuppressedAndCannotBeRecoveredFromTotals) {
  // Overlap of 3 < 10; the totals (edu 50, health 40) are public, so hiding
  // the overlap alone would not do: edu-only = 47 would reveal it.
  std::vector<match::Cluster> clusters;
  for (uint32_t i = 0; i < 3; ++i) clusters.push_back(Pair(0, i, 1, i));
  absl::StatusOr<std::vector<AggregateCellInput>> cells =
      CountCells(std::vector<uint64_t>{50, 40}, clusters);
  ASSERT_TRUE(cells.ok());
  absl::StatusOr<v1::AggregateTable> table = BuildAggregateTable(kTwo, *cells, 10);
  ASSERT_TRUE(table.ok());
  const v1::AggregateCell* overlap = Find(*table, {"edu", "health"});
  EXPECT_EQ(overlap->suppression(), v1::SUPPRESSION_PRIMARY);
  EXPECT_EQ(overlap->count(), 0u);
  EXPECT_EQ(Find(*table, {"edu"})->suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  EXPECT_EQ(Find(*table, {"health"})->suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  EXPECT_FALSE(AnySuppressedCellDetermined(kTwo, *table));
  for (const v1::AggregateCell& c : table->cells()) EXPECT_EQ(c.count(), 0u);
}

TEST(AggregateTableTest, DeterminationCheckCatchesPrimaryOnlySuppression) {
  v1::AggregateTable table;
  for (auto [agencies, suppression, count] :
       std::vector<std::tuple<std::vector<std::string>, v1::Suppression, uint64_t>>{
           {{"edu"}, v1::SUPPRESSION_NONE, 47},
           {{"health"}, v1::SUPPRESSION_NONE, 37},
           {{"edu", "health"}, v1::SUPPRESSION_PRIMARY, 0}}) {
    v1::AggregateCell* c = table.add_cells();
    for (const std::string& a : agencies) c->add_agencies(a);
    c->set_suppression(suppression);
    c->set_count(count);
  }
  EXPECT_TRUE(AnySuppressedCellDetermined(kTwo, table));
}

TEST(AggregateTableTest, ThreePartiesHideEnoughAndNoMore) {
  // One small three-way cell; everything else large.
  std::vector<AggregateCellInput> cells = {
      {{0}, 100}, {{1}, 120}, {{2}, 90}, {{0, 1}, 40}, {{0, 2}, 35}, {{1, 2}, 50}, {{0, 1, 2}, 4}};
  absl::StatusOr<v1::AggregateTable> table = BuildAggregateTable(kThree, cells, 10);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(Find(*table, {"edu", "health", "labor"})->suppression(), v1::SUPPRESSION_PRIMARY);
  EXPECT_FALSE(AnySuppressedCellDetermined(kThree, *table));
  int hidden = 0;
  for (const v1::AggregateCell& c : table->cells()) {
    if (c.suppression() != v1::SUPPRESSION_NONE) ++hidden;
  }
  EXPECT_GE(hidden, 2);
  EXPECT_LT(hidden, 7) << "suppressed the whole table";
  // Cells are ordered by size, then parties.
  EXPECT_EQ(table->cells(0).agencies_size(), 1);
  EXPECT_EQ(table->cells(6).agencies_size(), 3);
}

TEST(AggregateTableTest, OneSmallSinglePartyCellCostsThePairCellsButNotTheAllPartyCell) {
  // edu only 3: edu's total gives it away until edu + health and edu +
  // labor are hidden, and then each of those follows from one party total
  // until health + labor is hidden too. Four unknowns in three equations:
  // the all-party cell stays published.
  const std::vector<AggregateCellInput> cells = {{{0}, 3},       {{1}, 40},      {{2}, 40},
                                                 {{0, 1}, 20},   {{0, 2}, 20},   {{1, 2}, 20},
                                                 {{0, 1, 2}, 50}};
  absl::StatusOr<v1::AggregateTable> table = BuildAggregateTable(kThree, cells, 10);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(Find(*table, {"edu"})->suppression(), v1::SUPPRESSION_PRIMARY);
  EXPECT_EQ(Find(*table, {"edu", "health"})->suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  EXPECT_EQ(Find(*table, {"edu", "labor"})->suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  EXPECT_EQ(Find(*table, {"health", "labor"})->suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  EXPECT_EQ(Find(*table, {"edu", "health", "labor"})->suppression(), v1::SUPPRESSION_NONE);
  EXPECT_EQ(Find(*table, {"edu", "health", "labor"})->count(), 50u);
  EXPECT_EQ(Find(*table, {"health"})->count(), 40u);
  EXPECT_FALSE(AnySuppressedCellDetermined(kThree, *table));
}

TEST(AggregateTableTest, ZeroCellsArePublishedAndLargeTablesUntouched) {
  std::vector<AggregateCellInput> cells = {{{0}, 0}, {{1}, 30}, {{0, 1}, 0}};
  absl::StatusOr<v1::AggregateTable> table = BuildAggregateTable(kTwo, cells, 10);
  ASSERT_TRUE(table.ok());
  for (const v1::AggregateCell& c : table->cells()) EXPECT_EQ(c.suppression(), v1::SUPPRESSION_NONE);
}

TEST(AggregateTableTest, ListsEveryCombinationForFewParties) {
  absl::StatusOr<std::vector<AggregateCellInput>> cells =
      CountCells(std::vector<uint64_t>{5, 5, 5}, {});
  ASSERT_TRUE(cells.ok());
  EXPECT_EQ(cells->size(), 7u);
}

TEST(AggregateTableTest, RefusesBadInput) {
  EXPECT_EQ(BuildAggregateTable(kTwo, {{{0}, 3}}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildAggregateTable(kTwo, {{{2}, 3}}, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CountCells(std::vector<uint64_t>{2, 2}, {Pair(0, 0, 0, 1)}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CountCells(std::vector<uint64_t>{2, 2}, {Pair(0, 0, 1, 5)}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AggregateTableTest, CountsByCategoryOfTheCategoryPartysRecord) {
  // edu (the category party) has 6 records with codes 1 1 2 2 0 1; health 4.
  // Linked: edu0–health0 (code 1), edu2–health1 (code 2), edu4–health2 (no category).
  const CategoryBreakdown breakdown{0, {1, 1, 2, 2, 0, 1}};
  absl::StatusOr<std::vector<AggregateCellInput>> cells = CountCellsByCategory(
      std::vector<uint64_t>{6, 4}, {Pair(0, 0, 1, 0), Pair(0, 2, 1, 1), Pair(0, 4, 1, 2)},
      breakdown);
  ASSERT_TRUE(cells.ok()) << cells.status();
  // Every combination with edu once per code present (0, 1, 2); health alone once.
  EXPECT_EQ(cells->size(), 7u);
  EXPECT_EQ(FindInput(*cells, {0}, 1)->count, 2u);  // edu1, edu5
  EXPECT_EQ(FindInput(*cells, {0}, 2)->count, 1u);  // edu3
  EXPECT_EQ(FindInput(*cells, {0}, 0)->count, 0u);  // edu4 is linked
  EXPECT_EQ(FindInput(*cells, {1}, 0)->count, 1u);  // health3
  EXPECT_EQ(FindInput(*cells, {0, 1}, 1)->count, 1u);
  EXPECT_EQ(FindInput(*cells, {0, 1}, 2)->count, 1u);
  EXPECT_EQ(FindInput(*cells, {0, 1}, 0)->count, 1u);
  uint64_t people = 0;
  for (const AggregateCellInput& c : *cells) people += c.count;
  EXPECT_EQ(people, 7u);  // 6 + 4 records, 3 links

  absl::StatusOr<v1::AggregateTable> table = BuildAggregateTable(kTwo, *cells, 1, 0);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_TRUE(table->by_category());
  // Ordered by size, parties, then code.
  EXPECT_EQ(table->cells(0).category_code(), 0u);
  EXPECT_EQ(table->cells(1).category_code(), 1u);
  EXPECT_EQ(table->cells(2).category_code(), 2u);
  EXPECT_EQ(table->cells(3).agencies(0), "health");
}

TEST(AggregateTableTest, CategoryTotalsWouldRevealACellThatPartyTotalsDoNot) {
  // The two overlap cells are small. Party totals give only their sum, but
  // edu's records per category (54 with code 1, 63 with code 2) are its own
  // statistic and may be public: 54 − 50 reveals the first overlap.
  const std::vector<AggregateCellInput> cells = {{{0}, 50, 1}, {{0}, 60, 2}, {{1}, 80, 0},
                                                 {{0, 1}, 4, 1}, {{0, 1}, 3, 2}};
  v1::AggregateTable primary_only;
  primary_only.set_by_category(true);
  for (const AggregateCellInput& c : cells) {
    v1::AggregateCell* cell = primary_only.add_cells();
    for (match::PartyId p : c.parties) cell->add_agencies(kTwo[p]);
    cell->set_category_code(c.category_code);
    const bool small = c.count < 10;
    cell->set_suppression(small ? v1::SUPPRESSION_PRIMARY : v1::SUPPRESSION_NONE);
    cell->set_count(small ? 0 : c.count);
  }
  EXPECT_FALSE(AnySuppressedCellDetermined(kTwo, primary_only)) << "party totals alone";
  EXPECT_TRUE(AnySuppressedCellDetermined(kTwo, primary_only, 0)) << "with category totals";

  absl::StatusOr<v1::AggregateTable> table = BuildAggregateTable(kTwo, cells, 10, 0);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(Find(*table, {"edu", "health"}, 1)->suppression(), v1::SUPPRESSION_PRIMARY);
  EXPECT_EQ(Find(*table, {"edu", "health"}, 2)->suppression(), v1::SUPPRESSION_PRIMARY);
  // Each category's other cell goes too; health's total stays.
  EXPECT_EQ(Find(*table, {"edu"}, 1)->suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  EXPECT_EQ(Find(*table, {"edu"}, 2)->suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  EXPECT_EQ(Find(*table, {"health"}, 0)->suppression(), v1::SUPPRESSION_NONE);
  EXPECT_EQ(Find(*table, {"health"}, 0)->count(), 80u);
  EXPECT_FALSE(AnySuppressedCellDetermined(kTwo, *table, 0));
}

// The plain definition: hidden cell j is determined iff e_j lies in the row
// space of all margins (party rows and category rows) restricted to the
// hidden cells. Dense elimination over every margin at once.
std::vector<size_t> DeterminedByDefinition(size_t parties, const std::vector<SuppressionCell>& cells,
                                           const std::vector<bool>& hidden) {
  std::vector<size_t> columns;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (hidden[i]) columns.push_back(i);
  }
  std::map<uint32_t, size_t> category_rows;
  for (size_t i : columns) {
    if (cells[i].category.has_value()) category_rows.try_emplace(*cells[i].category, category_rows.size());
  }
  const size_t rows = parties + category_rows.size(), n = columns.size();
  std::vector<std::vector<double>> m(rows, std::vector<double>(n, 0.0));
  for (size_t c = 0; c < n; ++c) {
    for (match::PartyId p : cells[columns[c]].parties) m[p][c] = 1.0;
    if (cells[columns[c]].category.has_value()) {
      m[parties + category_rows[*cells[columns[c]].category]][c] = 1.0;
    }
  }
  std::vector<size_t> determined;
  size_t r = 0;
  std::vector<std::pair<size_t, size_t>> pivots;
  for (size_t c = 0; c < n && r < rows; ++c) {
    size_t best = r;
    for (size_t i = r; i < rows; ++i) {
      if (std::fabs(m[i][c]) > std::fabs(m[best][c])) best = i;
    }
    if (std::fabs(m[best][c]) < 1e-9) continue;
    std::swap(m[r], m[best]);
    const double pivot = m[r][c];
    for (double& v : m[r]) v /= pivot;
    for (size_t i = 0; i < rows; ++i) {
      if (i == r) continue;
      const double f = m[i][c];
      for (size_t j = 0; j < n; ++j) m[i][j] -= f * m[r][j];
    }
    pivots.emplace_back(r++, c);
  }
  for (const auto& [row, col] : pivots) {
    bool unit = true;
    for (size_t j = 0; j < n; ++j) {
      if (j != col && std::fabs(m[row][j]) > 1e-9) unit = false;
    }
    if (unit) determined.push_back(columns[col]);
  }
  std::sort(determined.begin(), determined.end());
  return determined;
}

TEST(AggregateTableTest, DeterminationMatchesTheDefinitionOnRandomTables) {
  std::mt19937 rng(20240607);
  for (int round = 0; round < 300; ++round) {
    const size_t parties = 2 + rng() % 3;  // 2..4, the category party is 0
    const uint32_t categories = 1 + rng() % 4;
    std::vector<SuppressionCell> cells;
    for (uint32_t mask = 1; mask < (1u << parties); ++mask) {
      std::vector<match::PartyId> set;
      for (size_t p = 0; p < parties; ++p) {
        if (mask & (1u << p)) set.push_back(static_cast<match::PartyId>(p));
      }
      if ((mask & 1u) == 0) {
        cells.push_back({set, std::nullopt, rng() % 30});
        continue;
      }
      for (uint32_t code = 1; code <= categories; ++code) cells.push_back({set, code, rng() % 30});
    }
    std::vector<bool> hidden(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) hidden[i] = rng() % 3 == 0;
    EXPECT_EQ(DeterminedCells(parties, cells, hidden), DeterminedByDefinition(parties, cells, hidden))
        << "round " << round;

    // And the suppression hides every small cell and leaves nothing determined.
    const std::vector<v1::Suppression> marks = SuppressCells(parties, cells, 10);
    std::vector<bool> after(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
      after[i] = marks[i] != v1::SUPPRESSION_NONE;
      if (cells[i].count > 0 && cells[i].count < 10) {
        EXPECT_EQ(marks[i], v1::SUPPRESSION_PRIMARY) << "round " << round;
      }
    }
    EXPECT_TRUE(DeterminedByDefinition(parties, cells, after).empty()) << "round " << round;
  }
}

TEST(AggregateTableTest, BreakdownRefusesTablesTooLargeAndCodesWithoutTheParty) {
  CategoryBreakdown many{0, {}};
  for (uint32_t code = 1; code <= 40000; ++code) many.codes.push_back(code);
  absl::StatusOr<std::vector<AggregateCellInput>> cells =
      CountCellsByCategory(std::vector<uint64_t>{40000, 3}, {}, many);
  EXPECT_EQ(cells.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(cells.status().message()), ::testing::HasSubstr("40000 categories"));
  // One code per record of the category party.
  EXPECT_EQ(CountCellsByCategory(std::vector<uint64_t>{3, 3}, {}, {0, {1, 2}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A code on a combination without the category party.
  EXPECT_EQ(BuildAggregateTable(kTwo, {{{1}, 30, 4}}, 10, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Codes without a breakdown.
  EXPECT_EQ(BuildAggregateTable(kTwo, {{{0}, 30, 4}}, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::coordinator
