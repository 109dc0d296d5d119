// Aggregate output (DESIGN.md §6): how many people were found in exactly
// each combination of parties, with small cells suppressed so that no
// count below the threshold is published or can be worked out.
//
// Cells: one per non-empty combination of parties (all combinations for up
// to kListAllCombinationsUpTo parties, otherwise the combinations that
// occur). A person is a cluster (one record per party) or an unlinked
// record (a one-party cell).
//
// What an analyst can add up: each party's upload size is shown with the
// job (the sum of the cells containing that party); the number of distinct
// people is not published (aggregate jobs get no cluster counts), so it is
// no equation. Suppression therefore works in two steps:
//  * primary: a cell with 0 < count < threshold;
//  * complementary: while some suppressed cell is still determined by those
//    sums and the published cells (its unit vector lies in the row space of
//    the sums restricted to the suppressed cells), the smallest published
//    positive cell is suppressed as well (a zero cell only when no positive
//    one is left).
// A zero count is published: it says nothing about any person.
#ifndef FEDLINK_COORDINATOR_JOBS_AGGREGATE_TABLE_H_
#define FEDLINK_COORDINATOR_JOBS_AGGREGATE_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "fedlink/v1/results.pb.h"
#include "linkage/match/types.h"

namespace fedlink::coordinator {

inline constexpr size_t kListAllCombinationsUpTo = 12;

struct AggregateCellInput {
  // Parties (indices into the party list), ascending, non-empty, unique.
  std::vector<match::PartyId> parties;
  uint64_t count = 0;
};

// Cell counts from a linkage result: clusters by party set, plus each
// party's unlinked records. InvalidArgument if a cluster holds two records
// of one party or an index outside `records_per_party`.
absl::StatusOr<std::vector<AggregateCellInput>> CountCells(
    absl::Span<const uint64_t> records_per_party, absl::Span<const match::Cluster> clusters);

// The published table: cells in ascending (size, parties) order with
// suppression applied. `party_names[p]` names party p. InvalidArgument for
// a cell naming an unknown party or a threshold of 0. Thread-safe.
absl::StatusOr<v1::AggregateTable> BuildAggregateTable(absl::Span<const std::string> party_names,
                                                       std::vector<AggregateCellInput> cells,
                                                       uint32_t min_cell_count);

// Whether any suppressed cell of `table` is determined by the party totals
// and the published cells (the check used above, exposed
// for tests). `party_names` as for BuildAggregateTable.
bool AnySuppressedCellDetermined(absl::Span<const std::string> party_names,
                                 const v1::AggregateTable& table);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_JOBS_AGGREGATE_TABLE_H_
