#include "tests/tools/linkage_bench/row_source.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "linkage/match/parallel.h"
#include "linkage/status_macros.h"
#include "tests/datagen/csv.h"
#include "tests/datagen/writer.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::tools {
namespace {

namespace fs = std::filesystem;

// ---- Generated in memory --------------------------------------------------

class Generated final : public RowSource {
 public:
  Generated(std::shared_ptr<const datagen::DatasetGenerator> generator, size_t party, int threads)
      : generator_(std::move(generator)), party_(party), threads_(threads) {
    const datagen::PartySpec& spec = generator_->config().parties[party_];
    for (const datagen::ColumnSpec& column : spec.columns) columns_.push_back(column.name);
    date_format_ = spec.date_format;
  }

  const std::vector<std::string>& columns() const override { return columns_; }
  const std::string& date_format() const override { return date_format_; }
  std::optional<uint64_t> expected_rows() const override {
    return generator_->PositionCount(party_);
  }

  absl::Status Next(size_t max_rows, RowBatch* batch) override {
    const uint64_t end = std::min<uint64_t>(generator_->PositionCount(party_), next_ + max_rows);
    const size_t n = static_cast<size_t>(end - next_);
    if (records_.size() < n) records_.resize(n);
    yields_.assign(n, 0);
    constexpr size_t kChunk = 1024;
    const uint64_t first = next_;
    match::ParallelFor(threads_, (n + kChunk - 1) / kChunk, [&](size_t chunk) {
      const size_t stop = std::min(n, (chunk + 1) * kChunk);
      for (size_t i = chunk * kChunk; i < stop; ++i) {
        yields_[i] = generator_->Generate(party_, first + i, &records_[i]) ? 1 : 0;
      }
    });
    next_ = end;
    // Keep the rows in position order, dropping positions that yield none;
    // swapping keeps every string's capacity for the next batch.
    batch->count = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!yields_[i]) continue;
      if (batch->rows.size() <= batch->count) batch->rows.resize(batch->count + 1);
      if (batch->entities.size() <= batch->count) batch->entities.resize(batch->count + 1);
      std::swap(batch->rows[batch->count], records_[i].values);
      batch->entities[batch->count] = records_[i].entity;
      ++batch->count;
    }
    return absl::OkStatus();
  }

 private:
  std::shared_ptr<const datagen::DatasetGenerator> generator_;
  size_t party_;
  int threads_;
  std::vector<std::string> columns_;
  std::string date_format_;
  uint64_t next_ = 0;
  std::vector<datagen::GeneratedRecord> records_;
  std::vector<uint8_t> yields_;
};

// ---- Read from a datagen directory ----------------------------------------

// Streams an RFC 4180 file in blocks and parses whole records only, so memory
// holds one block, not the file.
class CsvChunkReader {
 public:
  static absl::StatusOr<CsvChunkReader> Open(const fs::path& path, std::string line_end) {
    CsvChunkReader reader;
    reader.path_ = path.string();
    reader.line_end_ = std::move(line_end);
    reader.in_ = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*reader.in_) return absl::NotFoundError(absl::StrCat(reader.path_, ": cannot open"));
    return reader;
  }

  const std::string& path() const { return path_; }
  // Records returned so far (the header included), for error messages.
  uint64_t records_read() const { return records_read_; }

  // Appends up to `max_records` records to *out; fewer only at the end of
  // the file. InvalidArgument (naming the file and record) for malformed
  // CSV; Unavailable on a read error.
  absl::Status Read(size_t max_records, std::vector<std::vector<std::string>>* out) {
    size_t wanted = max_records;
    while (wanted > 0) {
      size_t found = 0;
      const size_t end = ScanRecords(wanted, &found);
      if (found > 0) {
        auto parsed =
            datagen::ParseCsv(std::string_view(buffer_).substr(pos_, end - pos_), line_end_);
        if (!parsed.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(path_, ": after record ", records_read_,
                                                         ": ", parsed.status().message()));
        }
        for (std::vector<std::string>& record : *parsed) out->push_back(std::move(record));
        records_read_ += found;
        wanted -= found;
        pos_ = end;
        scan_ = end;
        in_quotes_ = false;
        continue;
      }
      if (eof_) {
        if (pos_ < buffer_.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat(path_, ": record ", records_read_ + 1, " is not ended by a line break"));
        }
        break;
      }
      FEDLINK_RETURN_IF_ERROR(Fill());
    }
    return absl::OkStatus();
  }

 private:
  CsvChunkReader() = default;

  // Finds up to `wanted` complete records from pos_ (continuing an earlier
  // partial scan at scan_); returns the offset just past the last one.
  size_t ScanRecords(size_t wanted, size_t* found) {
    size_t end = pos_;
    size_t i = scan_;
    const size_t n = buffer_.size();
    while (i < n && *found < wanted) {
      const char c = buffer_[i];
      if (c == '"') {
        in_quotes_ = !in_quotes_;  // a doubled quote toggles twice
        ++i;
      } else if (!in_quotes_ && c == line_end_[0] &&
                 std::string_view(buffer_).substr(i, line_end_.size()) == line_end_) {
        i += line_end_.size();
        end = i;
        ++*found;
      } else if (!in_quotes_ && c == line_end_[0] && i + line_end_.size() > n) {
        break;  // a line end may be split across blocks
      } else {
        ++i;
      }
    }
    if (*found == 0) {
      scan_ = i;  // nothing complete yet: resume here after the next Fill
    } else {
      in_quotes_ = false;  // the caller restarts after `end`, outside quotes
    }
    return end;
  }

  absl::Status Fill() {
    constexpr size_t kBlock = size_t{8} << 20;
    buffer_.erase(0, pos_);
    scan_ -= pos_;
    pos_ = 0;
    const size_t old = buffer_.size();
    buffer_.resize(old + kBlock);
    in_->read(buffer_.data() + old, static_cast<std::streamsize>(kBlock));
    const auto got = static_cast<size_t>(in_->gcount());
    buffer_.resize(old + got);
    if (in_->bad()) return absl::UnavailableError(absl::StrCat(path_, ": read error"));
    if (got < kBlock) eof_ = true;
    return absl::OkStatus();
  }

  std::string path_;
  std::string line_end_;
  std::unique_ptr<std::ifstream> in_;
  std::string buffer_;
  size_t pos_ = 0;   // start of the first unreturned record
  size_t scan_ = 0;  // where an incomplete scan stopped
  bool in_quotes_ = false;
  bool eof_ = false;
  uint64_t records_read_ = 0;
};

struct PartyManifest {
  std::string name;
  std::string file;
  std::string id_column;
  std::string date_format;
  uint64_t rows = 0;
};

struct Manifest {
  std::string line_end;
  std::string ground_truth_file;
  std::vector<PartyManifest> parties;
};

absl::StatusOr<Manifest> ReadManifest(const std::string& directory) {
  const fs::path path = fs::path(directory) / datagen::kManifestFile;
  if (!fs::exists(path)) return absl::NotFoundError(absl::StrCat(path.string(), ": no such file"));
  // yaml-cpp reports errors by exception; they stop here.
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    Manifest manifest;
    manifest.line_end = root["line_ending"].as<std::string>() == "lf" ? "\n" : "\r\n";
    manifest.ground_truth_file = root["ground_truth"]["file"].as<std::string>();
    for (const YAML::Node& party : root["parties"]) {
      manifest.parties.push_back({party["name"].as<std::string>(), party["file"].as<std::string>(),
                                  party["id_column"].as<std::string>(),
                                  party["date_format"].as<std::string>(),
                                  party["rows"].as<uint64_t>()});
    }
    return manifest;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.string(), ": not a fedlink-datagen manifest (line ", e.mark.line + 1, ")"));
  }
}

class FromDirectory final : public RowSource {
 public:
  FromDirectory(PartyManifest party, CsvChunkReader rows, CsvChunkReader truth)
      : party_(std::move(party)), rows_(std::move(rows)), truth_(std::move(truth)) {}

  absl::Status Start() {
    std::vector<std::vector<std::string>> header;
    FEDLINK_RETURN_IF_ERROR(rows_.Read(1, &header));
    if (header.empty()) return absl::InvalidArgumentError(absl::StrCat(rows_.path(), ": empty"));
    columns_ = std::move(header[0]);
    const auto id = std::find(columns_.begin(), columns_.end(), party_.id_column);
    if (id == columns_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(rows_.path(), ": no id column '", party_.id_column, "'"));
    }
    id_column_ = static_cast<size_t>(id - columns_.begin());
    header.clear();
    FEDLINK_RETURN_IF_ERROR(truth_.Read(1, &header));  // party,local_id,entity_id
    return absl::OkStatus();
  }

  const std::vector<std::string>& columns() const override { return columns_; }
  const std::string& date_format() const override { return party_.date_format; }
  std::optional<uint64_t> expected_rows() const override { return party_.rows; }

  absl::Status Next(size_t max_rows, RowBatch* batch) override {
    scratch_.clear();
    FEDLINK_RETURN_IF_ERROR(rows_.Read(max_rows, &scratch_));
    batch->count = scratch_.size();
    if (batch->rows.size() < batch->count) batch->rows.resize(batch->count);
    if (batch->entities.size() < batch->count) batch->entities.resize(batch->count);
    for (size_t i = 0; i < batch->count; ++i) {
      if (scratch_[i].size() != columns_.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(rows_.path(), ": record ", row_number_ + i + 2, ": wrong field count"));
      }
      FEDLINK_ASSIGN_OR_RETURN(batch->entities[i], EntityOf(scratch_[i][id_column_]));
      std::swap(batch->rows[i], scratch_[i]);
    }
    row_number_ += batch->count;
    return absl::OkStatus();
  }

 private:
  // The next ground-truth row of this party, which must name `local_id`.
  absl::StatusOr<uint64_t> EntityOf(const std::string& local_id) {
    while (true) {
      if (truth_pos_ == truth_rows_.size()) {
        truth_rows_.clear();
        truth_pos_ = 0;
        FEDLINK_RETURN_IF_ERROR(truth_.Read(4096, &truth_rows_));
        if (truth_rows_.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(truth_.path(), ": ends before ",
                                                         party_.file, " record ", row_number_ + 2));
        }
      }
      const std::vector<std::string>& row = truth_rows_[truth_pos_++];
      if (row.size() != 3) {
        return absl::InvalidArgumentError(
            absl::StrCat(truth_.path(), ": record ", truth_.records_read(), ": not 3 fields"));
      }
      if (row[0] != party_.name) continue;
      uint64_t entity = 0;
      if (row[1] != local_id || !absl::SimpleAtoi(row[2], &entity)) {
        return absl::InvalidArgumentError(absl::StrCat(truth_.path(), ": the rows of party ",
                                                       party_.name, " do not follow ", party_.file,
                                                       " (near its record ", row_number_ + 2, ")"));
      }
      return entity;
    }
  }

  PartyManifest party_;
  CsvChunkReader rows_;
  CsvChunkReader truth_;
  std::vector<std::string> columns_;
  size_t id_column_ = 0;
  uint64_t row_number_ = 0;  // data rows returned so far
  std::vector<std::vector<std::string>> scratch_;
  std::vector<std::vector<std::string>> truth_rows_;
  size_t truth_pos_ = 0;
};

}  // namespace

std::unique_ptr<RowSource> GeneratedRows(std::shared_ptr<const datagen::DatasetGenerator> generator,
                                         size_t party, int threads) {
  return std::make_unique<Generated>(std::move(generator), party, threads);
}

absl::StatusOr<std::vector<std::string>> DatagenDirectoryParties(const std::string& directory) {
  FEDLINK_ASSIGN_OR_RETURN(Manifest manifest, ReadManifest(directory));
  std::vector<std::string> names;
  for (const PartyManifest& party : manifest.parties) names.push_back(party.name);
  return names;
}

absl::StatusOr<std::unique_ptr<RowSource>> DatagenDirectoryRows(const std::string& directory,
                                                                const std::string& party_name) {
  FEDLINK_ASSIGN_OR_RETURN(Manifest manifest, ReadManifest(directory));
  const auto party = std::find_if(manifest.parties.begin(), manifest.parties.end(),
                                  [&](const PartyManifest& p) { return p.name == party_name; });
  if (party == manifest.parties.end()) {
    return absl::NotFoundError(absl::StrCat(directory, "/", std::string(datagen::kManifestFile),
                                            ": no party '", party_name, "'"));
  }
  const fs::path dir(directory);
  FEDLINK_ASSIGN_OR_RETURN(CsvChunkReader rows,
                           CsvChunkReader::Open(dir / party->file, manifest.line_end));
  FEDLINK_ASSIGN_OR_RETURN(
      CsvChunkReader truth,
      CsvChunkReader::Open(dir / manifest.ground_truth_file, manifest.line_end));
  auto source = std::make_unique<FromDirectory>(*party, std::move(rows), std::move(truth));
  FEDLINK_RETURN_IF_ERROR(source->Start());
  return source;
}

}  // namespace fedlink::tools
