// Writes a generated data set to a directory: one CSV per party
// (<party>.csv), the ground truth (ground_truth.csv: party, local_id,
// entity_id, and eval_key when a party has that column) and a manifest (manifest.yaml: layouts, date formats, counts).
// Output is streamed in fixed-size chunks, so memory does not grow with the
// number of rows.
#ifndef FEDLINK_TESTS_DATAGEN_WRITER_H_
#define FEDLINK_TESTS_DATAGEN_WRITER_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/datagen/config.h"
#include "tests/datagen/generator.h"

namespace fedlink::datagen {

inline constexpr std::string_view kGroundTruthFile = "ground_truth.csv";
inline constexpr std::string_view kManifestFile = "manifest.yaml";

struct PartySummary {
  std::string name;
  std::string file;
  uint64_t rows = 0;
  uint64_t persons = 0;                                  // distinct entities
  uint64_t duplicate_rows = 0;                           // extra within-party rows
  std::array<uint64_t, kCorruptionCount> corruptions{};  // rows with each kind
  std::array<uint64_t, 4> rows_by_error_count{};         // 0, 1, 2, 3+ corruptions
};

struct OverlapSummary {
  uint32_t party_mask = 0;
  uint64_t persons = 0;  // entities held by every party in the mask
};

struct DatasetSummary {
  std::vector<PartySummary> parties;
  std::vector<OverlapSummary> overlaps;  // every set of >= 2 parties sharing someone
  uint64_t ground_truth_rows = 0;
};

struct WriteOptions {
  bool overwrite = false;  // replace existing output files
  int threads = 1;         // rows generated in parallel; output is identical for any value
};

// Writes every file into `directory` (created if missing). Files are written
// under a temporary name and renamed when complete. Errors: FailedPrecondition
// when an output file exists and !overwrite; Internal/Unavailable on I/O
// failure, naming the file.
absl::StatusOr<DatasetSummary> WriteDataset(const DatasetGenerator& generator,
                                            const std::string& directory,
                                            const WriteOptions& options = {});

// A human-readable report: rows per party, overlaps, corruption counts.
std::string FormatSummary(const DatasetConfig& config, const DatasetSummary& summary);

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_WRITER_H_
