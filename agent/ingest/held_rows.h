// The input rows of one ingest batch, kept until the batch commits. Only
// then does the pipeline learn, from the store, which accepted rows repeat a
// local id of the file (RecordStore::RemoveRepeatedRunWrites); it writes
// those to the quarantine together with the rows the validator rejected, in
// line order, before the batch commits.
//
// Holds raw input rows, i.e. identifiers: the byte buffer is wiped whenever
// it is released (growth, Clear, destruction). Not thread-safe; it moves
// from thread to thread with its batch.
#ifndef FEDLINK_AGENT_INGEST_HELD_ROWS_H_
#define FEDLINK_AGENT_INGEST_HELD_ROWS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "agent/ingest/csv_reader.h"
#include "agent/ingest/quarantine.h"
#include "agent/ingest/row_validator.h"

namespace fedlink::agent::ingest {

class HeldRows {
 public:
  HeldRows() = default;
  HeldRows(const HeldRows&) = delete;
  HeldRows& operator=(const HeldRows&) = delete;
  ~HeldRows();

  // An accepted row: the batch's next record.
  void AddAccepted(const CsvRecord& record);
  // A rejected row with its problems.
  void AddRejected(const CsvRecord& record, std::vector<Problem> problems);

  size_t accepted() const { return accepted_.size(); }
  size_t rejected() const { return rejected_.size(); }
  // Raw bytes held.
  size_t bytes() const { return bytes_.size(); }

  // Writes to `sink`, in line order, every rejected row and the accepted
  // rows numbered `repeated` (0-based in the order added, ascending) with
  // `repeat_problems`, then flushes the sink if anything was written.
  // The sink's first error.
  absl::Status WriteToQuarantine(absl::Span<const size_t> repeated,
                                 absl::Span<const Problem> repeat_problems,
                                 QuarantineSink* sink) const;

  // Wipes and forgets every row.
  void Clear();

 private:
  struct Row {
    uint64_t line = 0;
    bool raw_truncated = false;
    size_t raw_offset = 0;
    size_t raw_size = 0;
  };
  struct RejectedRow {
    Row row;
    std::vector<Problem> problems;
  };

  Row Hold(const CsvRecord& record);
  QuarantinedRow Quarantined(const Row& row,
                             absl::Span<const Problem> problems) const;

  std::string bytes_;  // the raw rows, back to back
  std::vector<Row> accepted_;
  std::vector<RejectedRow> rejected_;
};

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_HELD_ROWS_H_
