// What `fedlink job results` writes once the payloads are decrypted: the
// parties' released rows joined on research id into one CSV, or the
// aggregate table as text. Pure (streams in, streams out), so it is tested
// without a coordinator.
#ifndef FEDLINK_COORDINATOR_FEDLINK_CLI_RESULTS_TABLE_H_
#define FEDLINK_COORDINATOR_FEDLINK_CLI_RESULTS_TABLE_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

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

// The aggregate table, one line per cell: the parties, the category code
// (when broken down) and the count or "suppressed (primary|complementary)".
std::string FormatAggregateTable(const v1::AggregateTable& table);

}  // namespace fedlink::cli

#endif  // FEDLINK_COORDINATOR_FEDLINK_CLI_RESULTS_TABLE_H_
