// Ingest without the store: reading, validating and accumulating the quality
// report for FEBRL-like CSV. The input is dataset4a.csv repeated with
// fresh record ids (as a real export has them) and held in memory, so the
// figure excludes disk reads. Duplicate local ids are found against the
// store at commit (ingest_pipeline.h), not here.
//   agent_ingest_bench --benchmark_filter=ReadValidate
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "agent/ingest/csv_reader.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/ingest/quality_report.h"
#include "agent/ingest/row_validator.h"
#include "benchmark/benchmark.h"
#include "tests/support/febrl.h"

namespace fedlink::agent::ingest {
namespace {

IngestSchema FebrlSchema() {
  absl::StatusOr<IngestSchema> schema = LoadIngestSchemaFile(
      (std::filesystem::path(FEDLINK_SOURCE_DIR) / "deploy" /
       "examples" / "febrl-ingest-schema.yaml")
          .lexically_normal()
          .string());
  if (!schema.ok()) std::abort();
  return *schema;
}

// dataset4a.csv's header and rows, repeated until `rows` rows, each copy's
// rec_id made unique by a suffix.
std::string FebrlLikeCsv(size_t rows) {
  std::ifstream in(testing::FebrlPath("dataset4a.csv"), std::ios::binary);
  std::string header;
  std::getline(in, header);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out = header + "\n";
  for (size_t i = 0; i < rows; ++i) {
    const std::string& line = lines[i % lines.size()];
    const size_t comma = line.find(',');
    out += line.substr(0, comma) + "-" + std::to_string(i / lines.size()) +
           line.substr(comma) + "\n";
  }
  return out;
}

void BM_ReadValidate(benchmark::State& state) {
  const IngestSchema schema = FebrlSchema();
  const std::string csv = FebrlLikeCsv(static_cast<size_t>(state.range(0)));
  const bool with_report = state.range(1) != 0;
  uint64_t accepted = 0;
  for (auto _ : state) {
    std::istringstream in(csv);
    auto reader = CsvReader::Create(&in, schema.csv);
    CsvRecord record;
    if (!*(*reader)->Next(&record)) std::abort();
    auto validator = RowValidator::Create(schema, record);
    if (!validator.ok()) std::abort();
    QualityReport report(**validator, [] {
      return std::chrono::system_clock::time_point(std::chrono::hours(0));
    });
    ValidatedRow row;
    while (*(*reader)->Next(&record)) {
      (*validator)->Validate(record, &row);
      if (with_report) report.Add(row);
      if (row.ok()) {
        StoredRecord r = (*validator)->TakeRecord(&row);
        benchmark::DoNotOptimize(r);
        ++accepted;
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * csv.size()));
  state.counters["accepted"] = static_cast<double>(accepted);
}
BENCHMARK(BM_ReadValidate)
    ->Args({100000, 0})
    ->Args({100000, 1})
    ->Unit(benchmark::kMillisecond);

void BM_ReadOnly(benchmark::State& state) {
  const IngestSchema schema = FebrlSchema();
  const std::string csv = FebrlLikeCsv(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::istringstream in(csv);
    auto reader = CsvReader::Create(&in, schema.csv);
    CsvRecord record;
    size_t fields = 0;
    while (*(*reader)->Next(&record)) fields += record.size();
    benchmark::DoNotOptimize(fields);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_ReadOnly)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fedlink::agent::ingest
