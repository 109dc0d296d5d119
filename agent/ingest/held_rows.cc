#include "agent/ingest/held_rows.h"

#include <algorithm>
#include <utility>

#include "linkage/sensitive.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::ingest {

HeldRows::~HeldRows() { WipeString(bytes_); }

HeldRows::Row HeldRows::Hold(const CsvRecord& record) {
  const std::string_view raw = record.raw();
  if (bytes_.size() + raw.size() > bytes_.capacity()) {
    // Grow by hand: std::string would free the old buffer unwiped.
    std::string grown;
    grown.reserve(std::max(2 * bytes_.capacity(), bytes_.size() + raw.size()));
    grown.append(bytes_);
    WipeString(bytes_);
    bytes_.swap(grown);
  }
  Row row{.line = record.line(),
          .raw_truncated = record.raw_truncated(),
          .raw_offset = bytes_.size(),
          .raw_size = raw.size()};
  bytes_.append(raw);
  return row;
}

void HeldRows::AddAccepted(const CsvRecord& record) {
  accepted_.push_back(Hold(record));
}

void HeldRows::AddRejected(const CsvRecord& record,
                           std::vector<Problem> problems) {
  rejected_.push_back(RejectedRow{Hold(record), std::move(problems)});
}

QuarantinedRow HeldRows::Quarantined(
    const Row& row, absl::Span<const Problem> problems) const {
  return QuarantinedRow{
      .line = row.line,
      .raw = std::string_view(bytes_).substr(row.raw_offset, row.raw_size),
      .raw_truncated = row.raw_truncated,
      .problems = problems};
}

absl::Status HeldRows::WriteToQuarantine(
    absl::Span<const size_t> repeated,
    absl::Span<const Problem> repeat_problems, QuarantineSink* sink) const {
  for (const size_t i : repeated) {
    if (i >= accepted_.size()) {
      return absl::InternalError(
          "ingest: a repeated local id refers to a row the batch does not "
          "hold");
    }
  }
  size_t r = 0;  // next rejected row
  size_t d = 0;  // next repeated accepted row
  while (r < rejected_.size() || d < repeated.size()) {
    const bool take_rejected =
        d == repeated.size() ||
        (r < rejected_.size() &&
         rejected_[r].row.line < accepted_[repeated[d]].line);
    if (take_rejected) {
      const RejectedRow& row = rejected_[r++];
      FEDLINK_RETURN_IF_ERROR(
          sink->Write(Quarantined(row.row, row.problems)));
    } else {
      FEDLINK_RETURN_IF_ERROR(
          sink->Write(Quarantined(accepted_[repeated[d++]], repeat_problems)));
    }
  }
  if (rejected_.empty() && repeated.empty()) return absl::OkStatus();
  return sink->Flush();
}

void HeldRows::Clear() {
  WipeString(bytes_);
  accepted_.clear();
  rejected_.clear();
}

}  // namespace fedlink::agent::ingest
