// Small-cell suppression of an aggregate table (DESIGN.md §6): which cells
// to hide so that no count below the threshold is published or can be
// worked out from what is.
//
// What an analyst can add up (the margins): each party's upload size is
// shown with the job, and it is the sum of the cells that contain that
// party. With a breakdown by one party's category column, the number of
// that party's records in each category is assumed known as well: the
// coordinator does not publish it, but it is the agency's own statistic
// and may well be public elsewhere, so the check treats it as known. The
// number of distinct people is not published (aggregate jobs get no
// cluster counts), so it is no margin.
//
// Steps:
//  * primary: a cell with 0 < count < threshold; a zero count is
//    published (it says nothing about any person);
//  * complementary: while some hidden cell's value is determined by the
//    margins and the published cells — its unit vector lies in the row
//    space of the margins restricted to the hidden cells — more cells are
//    hidden. Each determined cell proposes one: for a category of which
//    one cell alone is hidden, the smallest published positive cell of
//    that category; otherwise the smallest published positive cell
//    sharing a party with it, preferring cells that open no new category.
//    Zero cells only when no positive candidate is left. Of up to 16
//    proposals, the one that leaves the fewest cells determined is hidden
//    and the round repeats; more proposals are all hidden at once (large
//    tables: fewer rounds, at the price of hiding more than needed).
// The test is linear: bounds from non-negativity are not considered.
#ifndef FEDLINK_COORDINATOR_JOBS_CELL_SUPPRESSION_H_
#define FEDLINK_COORDINATOR_JOBS_CELL_SUPPRESSION_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "fedlink/v1/results.pb.h"
#include "linkage/match/types.h"

namespace fedlink::coordinator {

// One cell as the suppression sees it.
struct SuppressionCell {
  // The parties (indices below the party count), ascending, non-empty.
  std::vector<match::PartyId> parties;
  // The category margin the cell adds to (a breakdown's category code, for
  // cells that contain the category party), or nullopt when it adds to none.
  std::optional<uint32_t> category;
  uint64_t count = 0;
};

// The suppression mark of every cell (same order). `cells` must be valid
// (the caller checks the party indices); min_cell_count >= 1. Thread-safe.
std::vector<v1::Suppression> SuppressCells(size_t party_count, absl::Span<const SuppressionCell> cells,
                                           uint32_t min_cell_count);

// Indices of the hidden cells (hidden[i]) whose value the margins and the
// other cells determine, ascending. Cost O(parties² × hidden cells).
// Thread-safe.
std::vector<size_t> DeterminedCells(size_t party_count, absl::Span<const SuppressionCell> cells,
                                    const std::vector<bool>& hidden);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_JOBS_CELL_SUPPRESSION_H_
