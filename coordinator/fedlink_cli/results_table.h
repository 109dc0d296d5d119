// What `fedlink job results` writes once the payloads are decrypted: the
// parties' released rows joined on research id into one CSV, or the
// aggregate table (with a breakdown's decrypted labels) as text or JSON. Pure (streams in, streams out), so it is tested
// without a coordinator.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_RESULTS_TABLE_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_RESULTS_TABLE_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fedlink/v1/payload.pb.h"
#include "fedlink/v1/results.pb.h"

namespace fedlink::cli {

struct PartyRows {
  std::string agency;
  v1::ReleasedRows rows;
};

// Writes an RFC 4180 CSV: `research_id` (32 hex digits), then
// `<agency>.<column>` for every party's columns in party order. One line per
// research id present at any party (sorted by research id); a party without
// a row for it leaves its columns empty. A research id with several rows at
// one party (duplicates inside a cluster) gives one line per combination of
// the parties' rows. Returns the number of data lines written.
// Thread-compatible.
uint64_t WriteJoinedCsv(const std::vector<PartyRows>& parties, std::ostream& out);

// A breakdown's legend as the analyst decrypted it (payload_crypto.h
// DecryptCategoryLegend): whose column it is and each code's value.
struct CategoryLabels {
  std::string agency;  // the party that owns the column
  std::string column;
  std::map<uint32_t, std::string> labels;  // code → value
};

// The labels of `legend`, owned by `agency`.
CategoryLabels LabelsFromLegend(std::string agency, const v1::CategoryLegend& legend);

// How a cell's category reads: "" without a breakdown; "-" for a
// combination without the category party; "(blank)" for its records
// without a value (code 0); the value (control characters escaped) or, when
// the legend lacks the code (or no legend is given), "code N".
std::string CategoryText(const v1::AggregateTable& table, const v1::AggregateCell& cell,
                         const CategoryLabels* categories);

// The aggregate table, one line per cell: the parties, the category (when
// broken down; headed by the column name when `categories` is given) and
// the count or "suppressed (primary|complementary)".
std::string FormatAggregateTable(const v1::AggregateTable& table,
                                 const CategoryLabels* categories = nullptr);

// The same as one JSON object: {"min_cell_count", "by_category",
// "category_agency", "category_column" (breakdown with labels only),
// "cells": [{"agencies", "category_code", "category", "suppression"
// ("none" | "primary" | "complementary"), "count" (null when suppressed)}]}.
std::string AggregateTableJson(const v1::AggregateTable& table,
                               const CategoryLabels* categories = nullptr);
// The same object, for callers that add to it.
nlohmann::ordered_json AggregateTableJsonObject(const v1::AggregateTable& table,
                                                const CategoryLabels* categories = nullptr);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_RESULTS_TABLE_H_
