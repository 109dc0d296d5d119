#include "coordinator/fedlink_cli/results_table.h"

#include <sstream>
#include <string>

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

}  // namespace
}  // namespace fedlink::cli
