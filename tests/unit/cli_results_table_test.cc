#include "coordinator/fedlink_cli/results_table.h"

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::cli {
namespace {

std::string Id(char fill) { return std::string(16, fill); }

PartyRows Party(std::string agency, std::vector<std::string> columns,
                std::vector<std::pair<std::string, std::vector<std::string>>> rows) {
  PartyRows party;
  party.agency = std::move(agency);
  for (const std::string& column : columns) party.rows.add_columns(column);
  for (const auto& [id, values] : rows) {
    v1::ReleasedRow* row = party.rows.add_rows();
    row->set_research_id(id);
    for (const std::string& value : values) row->add_values(value);
  }
  return party;
}

TEST(WriteJoinedCsvTest, OuterJoinsOnResearchIdInIdOrder) {
  std::vector<PartyRows> parties = {
      Party("health", {"diagnosis"}, {{Id('\x02'), {"J45"}}, {Id('\x01'), {"S72, hip"}}}),
      Party("police", {"incident", "year"}, {{Id('\x01'), {"fall", "2021"}},
                                             {Id('\x03'), {"say \"hi\"", ""}}})};
  std::ostringstream csv;
  EXPECT_EQ(WriteJoinedCsv(parties, csv), 3u);
  EXPECT_EQ(csv.str(),
            "research_id,health.diagnosis,police.incident,police.year\r\n"
            "01010101010101010101010101010101,\"S72, hip\",fall,2021\r\n"
            "02020202020202020202020202020202,J45,,\r\n"
            "03030303030303030303030303030303,,\"say \"\"hi\"\"\",\r\n");
}

TEST(WriteJoinedCsvTest, DuplicatesInAClusterGiveEveryCombination) {
  std::vector<PartyRows> parties = {
      Party("a", {"x"}, {{Id('\x01'), {"a1"}}, {Id('\x01'), {"a2"}}}),
      Party("b", {"y"}, {{Id('\x01'), {"b1"}}, {Id('\x01'), {"b2"}}})};
  std::ostringstream csv;
  EXPECT_EQ(WriteJoinedCsv(parties, csv), 4u);
  EXPECT_THAT(csv.str(), ::testing::HasSubstr(",a2,b2\r\n"));
  EXPECT_THAT(csv.str(), ::testing::HasSubstr(",a1,b2\r\n"));
}

TEST(FormatAggregateTableTest, ShowsSuppressionInsteadOfCounts) {
  v1::AggregateTable table;
  table.set_min_cell_count(10);
  v1::AggregateCell* both = table.add_cells();
  both->add_agencies("health");
  both->add_agencies("police");
  both->set_count(120);
  v1::AggregateCell* small = table.add_cells();
  small->add_agencies("police");
  small->set_suppression(v1::SUPPRESSION_PRIMARY);
  const std::string text = FormatAggregateTable(table);
  EXPECT_THAT(text, ::testing::HasSubstr("cells below 10 are suppressed"));
  EXPECT_THAT(text, ::testing::ContainsRegex("health \\+ police +120"));
  EXPECT_THAT(text, ::testing::ContainsRegex("police +suppressed \\(primary\\)"));
}

v1::AggregateCell* AddCell(v1::AggregateTable& table, std::vector<std::string> agencies,
                           uint32_t code, v1::Suppression suppression, uint64_t count) {
  v1::AggregateCell* cell = table.add_cells();
  for (const std::string& a : agencies) cell->add_agencies(a);
  cell->set_category_code(code);
  cell->set_suppression(suppression);
  cell->set_count(count);
  return cell;
}

v1::AggregateTable BreakdownTable() {
  v1::AggregateTable table;
  table.set_min_cell_count(10);
  table.set_by_category(true);
  AddCell(table, {"edu"}, 0, v1::SUPPRESSION_NONE, 0);
  AddCell(table, {"edu"}, 2, v1::SUPPRESSION_NONE, 41);
  AddCell(table, {"edu"}, 7, v1::SUPPRESSION_COMPLEMENTARY, 0);
  AddCell(table, {"wages"}, 0, v1::SUPPRESSION_NONE, 75);
  AddCell(table, {"edu", "wages"}, 2, v1::SUPPRESSION_NONE, 30);
  AddCell(table, {"edu", "wages"}, 7, v1::SUPPRESSION_PRIMARY, 0);
  return table;
}

CategoryLabels SchoolLabels() {
  v1::CategoryLegend legend;
  legend.set_column("school_type");
  for (auto [code, label] : std::vector<std::pair<uint32_t, std::string>>{{7, "charter"},
                                                                          {2, "public"}}) {
    v1::CategoryLabel* l = legend.add_labels();
    l->set_code(code);
    l->set_label(label);
  }
  return LabelsFromLegend("edu", legend);
}

TEST(FormatAggregateTableTest, BreakdownShowsDecryptedLabels) {
  const CategoryLabels labels = SchoolLabels();
  const std::string text = FormatAggregateTable(BreakdownTable(), &labels);
  EXPECT_THAT(text, ::testing::HasSubstr("broken down by school_type of edu"));
  EXPECT_THAT(text, ::testing::ContainsRegex("PARTIES +SCHOOL_TYPE \\(edu\\) +COUNT"));
  EXPECT_THAT(text, ::testing::ContainsRegex("\nedu +\\(blank\\) +0\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("\nedu +public +41\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("\nedu +charter +suppressed \\(complementary\\)\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("\nwages +- +75\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("edu \\+ wages +charter +suppressed \\(primary\\)"));
  // Without the legend the codes are all there is.
  const std::string bare = FormatAggregateTable(BreakdownTable());
  EXPECT_THAT(bare, ::testing::ContainsRegex("\nedu +code 2 +41\n"));
  EXPECT_THAT(bare, ::testing::Not(::testing::HasSubstr("public")));
}

TEST(FormatAggregateTableTest, LabelsWithControlCharactersAreEscaped) {
  v1::AggregateTable table;
  table.set_by_category(true);
  AddCell(table, {"edu"}, 1, v1::SUPPRESSION_NONE, 12);
  CategoryLabels labels;
  labels.agency = "edu";
  labels.column = "school";
  labels.labels[1] = "evil\x1b[2Jname";
  EXPECT_EQ(CategoryText(table, table.cells(0), &labels), "evil\\x1b[2Jname");
  // A code the legend lacks shows as a code.
  labels.labels.clear();
  EXPECT_EQ(CategoryText(table, table.cells(0), &labels), "code 1");
}

TEST(AggregateTableJsonTest, CellsWithLabelsAndNullForSuppressed) {
  const CategoryLabels labels = SchoolLabels();
  const nlohmann::json json = nlohmann::json::parse(AggregateTableJson(BreakdownTable(), &labels));
  EXPECT_EQ(json["min_cell_count"], 10);
  EXPECT_EQ(json["by_category"], true);
  EXPECT_EQ(json["category_agency"], "edu");
  EXPECT_EQ(json["category_column"], "school_type");
  ASSERT_EQ(json["cells"].size(), 6u);
  EXPECT_EQ(json["cells"][1]["category"], "public");
  EXPECT_EQ(json["cells"][1]["category_code"], 2);
  EXPECT_EQ(json["cells"][1]["count"], 41);
  EXPECT_EQ(json["cells"][1]["suppression"], "none");
  EXPECT_EQ(json["cells"][5]["agencies"], nlohmann::json({"edu", "wages"}));
  EXPECT_EQ(json["cells"][5]["suppression"], "primary");
  EXPECT_TRUE(json["cells"][5]["count"].is_null());
  EXPECT_EQ(json["cells"][3]["category"], "-");
  // Without a breakdown there are no category fields.
  v1::AggregateTable plain;
  AddCell(plain, {"edu"}, 0, v1::SUPPRESSION_NONE, 12);
  const nlohmann::json bare = nlohmann::json::parse(AggregateTableJson(plain));
  EXPECT_FALSE(bare["cells"][0].contains("category"));
  EXPECT_EQ(bare["cells"][0]["count"], 12);
}

}  // namespace
}  // namespace fedlink::cli
