#include "tests/datagen/writer.h"

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/datagen/absl_view.h"
#include "tests/datagen/csv.h"
#include "tests/datagen/person.h"

namespace fedlink::datagen {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kChunkPositions = 16384;
constexpr size_t kFlushBytes = size_t{1} << 20;

// A file written under "<path>.tmp" and renamed to <path> by Commit().
class OutputFile {
 public:
  static absl::StatusOr<std::unique_ptr<OutputFile>> Open(const fs::path& path) {
    const fs::path temporary = fs::path(path).concat(".tmp");
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    if (file == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("cannot create ", temporary.string(), ": ", std::strerror(errno)));
    }
    return std::unique_ptr<OutputFile>(new OutputFile(path, temporary, file));
  }

  ~OutputFile() {
    if (file_ != nullptr) {
      std::fclose(file_);
      std::error_code ignored;
      fs::remove(temporary_, ignored);
    }
  }

  std::string& buffer() { return buffer_; }

  absl::Status MaybeFlush() { return buffer_.size() >= kFlushBytes ? Flush() : absl::OkStatus(); }

  absl::Status Flush() {
    if (!buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      return absl::UnavailableError(
          absl::StrCat("cannot write ", temporary_.string(), ": ", std::strerror(errno)));
    }
    buffer_.clear();
    return absl::OkStatus();
  }

  absl::Status Commit() {
    if (absl::Status status = Flush(); !status.ok()) return status;
    const int closed = std::fclose(file_);
    file_ = nullptr;
    if (closed != 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot close ", temporary_.string(), ": ", std::strerror(errno)));
    }
    std::error_code error;
    fs::rename(temporary_, path_, error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("cannot rename ", temporary_.string(), ": ", error.message()));
    }
    return absl::OkStatus();
  }

 private:
  OutputFile(fs::path path, fs::path temporary, std::FILE* file)
      : path_(std::move(path)), temporary_(std::move(temporary)), file_(file) {
    buffer_.reserve(kFlushBytes + (kFlushBytes >> 2));
  }

  fs::path path_;
  fs::path temporary_;
  std::FILE* file_;
  std::string buffer_;
};

// What one chunk of positions produced.
struct ChunkOutput {
  std::string rows;
  std::string truth;
  PartySummary counts;
  GeneratedRecord record;
};

// The index of `party`'s first column holding `field`, or -1.
int ColumnOf(const PartySpec& party, Field field) {
  for (size_t c = 0; c < party.columns.size(); ++c) {
    if (party.columns[c].field == field) return static_cast<int>(c);
  }
  return -1;
}

// Whether ground_truth.csv gets an eval_key column: when any party has one.
bool HasEvalKeys(const DatasetConfig& config) {
  for (const PartySpec& party : config.parties) {
    if (ColumnOf(party, Field::kEvalKey) >= 0) return true;
  }
  return false;
}

void GenerateChunk(const DatasetGenerator& generator, size_t party, uint64_t begin, uint64_t end,
                   std::string_view line_end, ChunkOutput* out) {
  const DatasetConfig& config = generator.config();
  const PartySpec& spec = config.parties[party];
  const auto id_column = static_cast<size_t>(ColumnOf(spec, Field::kLocalId));
  const bool truth_has_eval_keys = HasEvalKeys(config);
  const int eval_column = ColumnOf(spec, Field::kEvalKey);
  out->rows.clear();
  out->truth.clear();
  out->counts = PartySummary{};
  for (uint64_t position = begin; position < end; ++position) {
    if (!generator.Generate(party, position, &out->record)) continue;
    const GeneratedRecord& record = out->record;
    AppendCsvRow(record.values, line_end, &out->rows);
    AppendCsvField(spec.name, &out->truth);
    out->truth.push_back(',');
    AppendCsvField(record.values[id_column], &out->truth);
    absl::StrAppend(&out->truth, ",", record.entity);
    if (truth_has_eval_keys) {
      out->truth.push_back(',');
      if (eval_column >= 0) out->truth.append(record.values[static_cast<size_t>(eval_column)]);
    }
    out->truth.append(line_end);
    ++out->counts.rows;
    if (record.duplicate) ++out->counts.duplicate_rows;
    for (int k = 0; k < kCorruptionCount; ++k) {
      if (record.Has(static_cast<Corruption>(k))) ++out->counts.corruptions[static_cast<size_t>(k)];
    }
    ++out->counts.rows_by_error_count[std::min(std::popcount(record.corruptions), 3)];
  }
}

void AddCounts(const PartySummary& from, PartySummary* to) {
  to->rows += from.rows;
  to->duplicate_rows += from.duplicate_rows;
  for (size_t k = 0; k < from.corruptions.size(); ++k) to->corruptions[k] += from.corruptions[k];
  for (size_t e = 0; e < from.rows_by_error_count.size(); ++e) {
    to->rows_by_error_count[e] += from.rows_by_error_count[e];
  }
}

std::string YamlString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string_view RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kPerson:
      return "person";
    case RecordKind::kEnrollment:
      return "enrollment";
    case RecordKind::kWageQuarter:
      return "wage_quarter";
  }
  return "person";
}

std::string PartyList(const DatasetConfig& config, uint32_t mask, std::string_view separator) {
  std::string out;
  for (size_t p = 0; p < config.parties.size(); ++p) {
    if (!((mask >> p) & 1u)) continue;
    if (!out.empty()) out.append(separator);
    out.append(config.parties[p].name);
  }
  return out;
}

std::string Manifest(const DatasetConfig& config, const DatasetSummary& summary) {
  std::string out = absl::StrCat(
      "# Written by fedlink-datagen: synthetic records, no real people.\n",
      "generator: fedlink-datagen\n", "preset: ", YamlString(config.preset), "\n",
      "seed: ", config.seed, "\n", "reference_date: \"2024-06-30\"\n",
      "line_ending: ", config.crlf ? "crlf" : "lf", "\n", "ground_truth:\n",
      "  file: ", YamlString(kGroundTruthFile), "\n", "  columns: [party, local_id, entity_id",
      HasEvalKeys(config) ? ", eval_key" : "", "]\n",
      "  rows: ", summary.ground_truth_rows, "\n", "parties:\n");
  for (size_t p = 0; p < config.parties.size(); ++p) {
    const PartySpec& spec = config.parties[p];
    const PartySummary& counts = summary.parties[p];
    std::string id_column;
    for (const ColumnSpec& column : spec.columns) {
      if (column.field == Field::kLocalId) id_column = column.name;
    }
    absl::StrAppend(&out, "  - name: ", YamlString(spec.name), "\n",
                    "    file: ", YamlString(counts.file), "\n",
                    "    record_kind: ", Av(RecordKindName(spec.record_kind)), "\n",
                    "    rows: ", counts.rows, "\n", "    persons: ", counts.persons, "\n",
                    "    duplicate_rows: ", counts.duplicate_rows, "\n",
                    "    id_column: ", YamlString(id_column), "\n",
                    "    date_format: ", YamlString(spec.date_format), "\n",
                    "    ssn_format: ", spec.ssn_style == SsnStyle::kDashed ? "dashed" : "digits",
                    "\n", "    columns:\n");
    for (const ColumnSpec& column : spec.columns) {
      absl::StrAppend(&out, "      - {name: ", YamlString(column.name),
                      ", field: ", Av(FieldName(column.field)), "}\n");
    }
  }
  absl::StrAppend(&out, "overlaps:\n");
  for (const OverlapSummary& overlap : summary.overlaps) {
    absl::StrAppend(&out, "  - {parties: [", PartyList(config, overlap.party_mask, ", "),
                    "], persons: ", overlap.persons, "}\n");
  }
  return out;
}

absl::Status WriteSmallFile(const fs::path& path, std::string_view content) {
  auto file = OutputFile::Open(path);
  if (!file.ok()) return file.status();
  (*file)->buffer().append(content);
  return (*file)->Commit();
}

}  // namespace

absl::StatusOr<DatasetSummary> WriteDataset(const DatasetGenerator& generator,
                                            const std::string& directory,
                                            const WriteOptions& options) {
  const DatasetConfig& config = generator.config();
  const fs::path dir(directory);
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create directory ", directory, ": ", error.message()));
  }
  std::vector<std::string> names;
  for (const PartySpec& party : config.parties) names.push_back(party.name + ".csv");
  names.emplace_back(kGroundTruthFile);
  names.emplace_back(kManifestFile);
  if (!options.overwrite) {
    for (const std::string& name : names) {
      if (fs::exists(dir / name)) {
        return absl::FailedPreconditionError(absl::StrCat(
            (dir / name).string(), " exists; not replacing it (overwrite option, --force)"));
      }
    }
  }

  DatasetSummary summary;
  auto truth = OutputFile::Open(dir / kGroundTruthFile);
  if (!truth.ok()) return truth.status();
  const std::string_view line_end = config.crlf ? "\r\n" : "\n";
  absl::StrAppend(&(*truth)->buffer(), "party,local_id,entity_id",
                  HasEvalKeys(config) ? ",eval_key" : "", Av(line_end));

  const size_t threads = static_cast<size_t>(std::max(1, options.threads));
  std::vector<ChunkOutput> chunks(threads);
  for (size_t p = 0; p < config.parties.size(); ++p) {
    const PartySpec& spec = config.parties[p];
    PartySummary counts;
    counts.name = spec.name;
    counts.file = names[p];
    counts.persons = generator.MemberCount(p);
    auto file = OutputFile::Open(dir / names[p]);
    if (!file.ok()) return file.status();
    std::vector<std::string> header;
    for (const ColumnSpec& column : spec.columns) header.push_back(column.name);
    AppendCsvRow(header, line_end, &(*file)->buffer());

    const uint64_t positions = generator.PositionCount(p);
    for (uint64_t begin = 0; begin < positions; begin += kChunkPositions * threads) {
      // Chunks of one batch are generated in parallel and written in order,
      // so the output does not depend on the number of threads.
      std::vector<std::thread> workers;
      size_t used = 0;
      for (size_t t = 0; t < threads; ++t) {
        const uint64_t chunk_begin = begin + t * kChunkPositions;
        if (chunk_begin >= positions) break;
        const uint64_t chunk_end = std::min(positions, chunk_begin + kChunkPositions);
        ++used;
        if (threads == 1) {
          GenerateChunk(generator, p, chunk_begin, chunk_end, line_end, &chunks[t]);
        } else {
          workers.emplace_back(GenerateChunk, std::cref(generator), p, chunk_begin, chunk_end,
                               line_end, &chunks[t]);
        }
      }
      for (std::thread& worker : workers) worker.join();
      for (size_t t = 0; t < used; ++t) {
        (*file)->buffer().append(chunks[t].rows);
        (*truth)->buffer().append(chunks[t].truth);
        AddCounts(chunks[t].counts, &counts);
        if (absl::Status status = (*file)->MaybeFlush(); !status.ok()) return status;
        if (absl::Status status = (*truth)->MaybeFlush(); !status.ok()) return status;
      }
    }
    if (absl::Status status = (*file)->Commit(); !status.ok()) return status;
    summary.ground_truth_rows += counts.rows;
    summary.parties.push_back(std::move(counts));
  }
  if (absl::Status status = (*truth)->Commit(); !status.ok()) return status;

  const uint32_t all = (uint32_t{1} << config.parties.size()) - 1;
  for (uint32_t mask = 1; mask <= all; ++mask) {
    if (std::popcount(mask) < 2) continue;
    const uint64_t persons = EntitiesHeldByAll(config, mask);
    if (persons > 0) summary.overlaps.push_back({mask, persons});
  }
  if (absl::Status status = WriteSmallFile(dir / kManifestFile, Manifest(config, summary));
      !status.ok()) {
    return status;
  }
  return summary;
}

std::string FormatSummary(const DatasetConfig& config, const DatasetSummary& summary) {
  std::string out =
      absl::StrFormat("fedlink-datagen: preset %s, seed %d\n\n", config.preset, config.seed);
  absl::StrAppendFormat(&out, "%-14s %-18s %12s %12s %10s\n", "party", "file", "rows", "persons",
                        "dup rows");
  for (const PartySummary& party : summary.parties) {
    absl::StrAppendFormat(&out, "%-14s %-18s %12d %12d %10d\n", party.name, party.file, party.rows,
                          party.persons, party.duplicate_rows);
  }
  absl::StrAppendFormat(&out, "%-14s %-18s %12d\n", "ground truth", Av(kGroundTruthFile),
                        summary.ground_truth_rows);

  absl::StrAppend(&out, "\npersons held by all of:\n");
  for (const OverlapSummary& overlap : summary.overlaps) {
    absl::StrAppendFormat(&out, "  %-40s %12d\n", PartyList(config, overlap.party_mask, " & "),
                          overlap.persons);
  }

  absl::StrAppendFormat(&out, "\n%-16s", "corruption");
  for (const PartySummary& party : summary.parties)
    absl::StrAppendFormat(&out, " %12s", party.name);
  out.push_back('\n');
  for (int k = 0; k < kCorruptionCount; ++k) {
    absl::StrAppendFormat(&out, "%-16s", Av(CorruptionName(static_cast<Corruption>(k))));
    for (const PartySummary& party : summary.parties) {
      absl::StrAppendFormat(&out, " %12d", party.corruptions[static_cast<size_t>(k)]);
    }
    out.push_back('\n');
  }
  static constexpr std::string_view kErrorLabels[] = {"0 errors", "1 error", "2 errors",
                                                      "3+ errors"};
  for (size_t e = 0; e < 4; ++e) {
    absl::StrAppendFormat(&out, "rows, %-10s", Av(kErrorLabels[e]));
    for (const PartySummary& party : summary.parties) {
      const double share = party.rows == 0
                               ? 0.0
                               : 100.0 * static_cast<double>(party.rows_by_error_count[e]) /
                                     static_cast<double>(party.rows);
      absl::StrAppendFormat(&out, " %11.1f%%", share);
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace fedlink::datagen
