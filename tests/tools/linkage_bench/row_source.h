// Where fedlink-linkage-bench gets one party's raw rows from: the synthetic
// generator in memory (nothing written to disk, any size), or a directory
// written by `fedlink-datagen pair|three`. Either way rows come in batches,
// with the ground-truth entity of every row, so that memory holds one batch
// of raw text at a time, never a whole party.
#ifndef FEDLINK_TESTS_TOOLS_LINKAGE_BENCH_ROW_SOURCE_H_
#define FEDLINK_TESTS_TOOLS_LINKAGE_BENCH_ROW_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/datagen/generator.h"

namespace fedlink::tools {

// A batch of rows. The vectors are reused from batch to batch (their strings
// keep their capacity); only the first `count` entries are valid.
struct RowBatch {
  std::vector<std::vector<std::string>> rows;  // values in the party's column order
  std::vector<uint64_t> entities;              // ground truth: the person behind each row
  size_t count = 0;
};

// Not thread-safe: one reader per party.
class RowSource {
 public:
  virtual ~RowSource() = default;

  // The party's column names (its CSV header), in row order.
  virtual const std::vector<std::string>& columns() const = 0;
  // The party's date format (datagen/normalize notation, e.g. "%m/%d/%Y").
  virtual const std::string& date_format() const = 0;
  // Rows the party will yield, when known in advance (for reserving).
  virtual std::optional<uint64_t> expected_rows() const = 0;

  // Replaces *batch with up to `max_rows` next rows (batch->count == 0: the
  // party is exhausted). Errors name the file and record number, never a
  // value: InvalidArgument for malformed CSV or a row without ground truth,
  // Unavailable on a read failure.
  virtual absl::Status Next(size_t max_rows, RowBatch* batch) = 0;
};

// Party `party` of a generator shared by all parties' sources. Generates
// each batch on up to `threads` threads (the rows do not depend on it).
std::unique_ptr<RowSource> GeneratedRows(std::shared_ptr<const datagen::DatasetGenerator> generator,
                                         size_t party, int threads);

// Party `party_name` of a `fedlink-datagen` output directory: reads
// <dir>/manifest.yaml (file, date format, line ending, id column, rows) and
// streams <file> and ground_truth.csv side by side. NotFound when the
// directory, manifest or party is missing; InvalidArgument for a manifest
// without the expected keys.
absl::StatusOr<std::unique_ptr<RowSource>> DatagenDirectoryRows(const std::string& directory,
                                                                const std::string& party_name);

// The party names listed in <dir>/manifest.yaml, in order. Errors as above.
absl::StatusOr<std::vector<std::string>> DatagenDirectoryParties(const std::string& directory);

}  // namespace fedlink::tools

#endif  // FEDLINK_TESTS_TOOLS_LINKAGE_BENCH_ROW_SOURCE_H_
