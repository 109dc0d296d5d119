#include "coordinator/jobs/aggregate_table.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::coordinator {
namespace {

const std::vector<std::string> kTwo = {"edu", "health"};
const std::vector<std::string> kThree = {"edu", "health", "labor"};

match::Cluster Pair(match::PartyId a, uint32_t ia, match::PartyId b, uint32_t ib) {
  return {{a, ia}, {b, ib}};
}

const v1::AggregateCell* Find(const v1::AggregateTable& t, std::vector<std::string> agencies) {
  for (const v1::AggregateCell& c : t.cells()) {
    if (std::vector<std::string>(c.agencies().begin(), c.agencies().end()) == agencies) return &c;
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

}  // namespace
}  // namespace fedlink::coordinator
