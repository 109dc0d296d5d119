// Aggregate output (DESIGN.md §6): how many people were found in exactly
// each combination of parties — optionally also by the category one party
// supplies (JobSpec.aggregate.category) — with small cells suppressed so
// that no count below the threshold is published or can be worked out
// (cell_suppression.h says how, and what an analyst is assumed to know).
//
// Cells: one per non-empty combination of parties (all combinations for up
// to kListAllCombinationsUpTo parties, otherwise the combinations that
// occur). A person is a cluster (one record per party) or an unlinked
// record (a one-party cell). With a breakdown, a person's category is the
// code of the category party's record in their cluster; combinations
// without that party have code 0 ("no category"), combinations with it are
// listed once per code its records carry (0 for a blank value).
#ifndef FEDLINK_COORDINATOR_JOBS_AGGREGATE_TABLE_H_
#define FEDLINK_COORDINATOR_JOBS_AGGREGATE_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "fedlink/v1/results.pb.h"
#include "linkage/match/types.h"

namespace fedlink::coordinator {

inline constexpr size_t kListAllCombinationsUpTo = 12;
// AggregateTable.cells holds at most this many cells (results.proto).
inline constexpr size_t kMaxAggregateCells = 65536;

struct AggregateCellInput {
  // Parties (indices into the party list), ascending, non-empty, unique.
  std::vector<match::PartyId> parties;
  uint64_t count = 0;
  // Breakdown only: the category code (0: none, and always 0 for a
  // combination without the category party).
  uint32_t category_code = 0;
};

// A breakdown by one party's category column.
struct CategoryBreakdown {
  match::PartyId party = 0;  // the party that owns the column
  // codes[i]: the category code of that party's record i (pseudonym i);
  // 0 for a record without a category.
  std::vector<uint32_t> codes;
};

// Cell counts from a linkage result: clusters by party set, plus each
// party's unlinked records. InvalidArgument if a cluster holds two records
// of one party or an index outside `records_per_party`.
absl::StatusOr<std::vector<AggregateCellInput>> CountCells(
    absl::Span<const uint64_t> records_per_party, absl::Span<const match::Cluster> clusters);

// The same broken down by category: every combination (with the category
// party: once per code present among its records). InvalidArgument as
// above, or if the breakdown's party is unknown, its codes are not one per
// record, or there are more than kListAllCombinationsUpTo parties;
// ResourceExhausted if the table would have more than kMaxAggregateCells
// cells (the message gives parties, categories and cells, never a code).
absl::StatusOr<std::vector<AggregateCellInput>> CountCellsByCategory(
    absl::Span<const uint64_t> records_per_party, absl::Span<const match::Cluster> clusters,
    const CategoryBreakdown& breakdown);

// The published table: cells in ascending (size, parties, category code)
// order with suppression applied. `party_names[p]` names party p;
// `category_party` is the breakdown's party (nullopt: no breakdown, every
// code must be 0). InvalidArgument for a cell naming an unknown party, a
// code on a combination without the category party, a threshold of 0;
// ResourceExhausted for more than kMaxAggregateCells cells. Thread-safe.
absl::StatusOr<v1::AggregateTable> BuildAggregateTable(
    absl::Span<const std::string> party_names, std::vector<AggregateCellInput> cells,
    uint32_t min_cell_count, std::optional<match::PartyId> category_party = std::nullopt);

// Whether any suppressed cell of `table` is determined by the margins and
// the published cells (the check used above, exposed for tests).
// `party_names` and `category_party` as for BuildAggregateTable.
bool AnySuppressedCellDetermined(absl::Span<const std::string> party_names,
                                 const v1::AggregateTable& table,
                                 std::optional<match::PartyId> category_party = std::nullopt);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_JOBS_AGGREGATE_TABLE_H_
