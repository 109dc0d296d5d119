#include "agent/ingest/ingest_pipeline.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/ingest/batch_committer.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::ingest {
namespace {

absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

std::string Iso8601(std::chrono::system_clock::time_point t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromChrono(t),
                          absl::UTCTimeZone());
}

// Prefixes `status` with the input's name, keeping its code.
absl::Status WithSource(const absl::Status& status, std::string_view source) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("ingest of ", Sv(source),
                                                  ": ", status.message()));
}

absl::Status ValidateOptions(const IngestOptions& options,
                             const IngestInput& input) {
  if (input.stream == nullptr) {
    return absl::InvalidArgumentError("ingest: no input stream");
  }
  if (input.name.empty() || input.name.size() > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest: input name is ", input.name.size(),
                     " bytes (allowed: 1..256)"));
  }
  for (const char c : input.name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "ingest: input name contains a control character");
    }
  }
  if (options.batch_size < 1 || options.batch_size > kMaxIngestBatchSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest: batch size ", options.batch_size,
                     " is out of range (allowed: 1..", kMaxIngestBatchSize,
                     ")"));
  }
  if (options.seal_threads < 1 || options.seal_threads > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest: seal threads ", options.seal_threads,
                     " is out of range (allowed: 1..16)"));
  }
  if (options.max_batches_in_flight < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ingest: max batches in flight ", options.max_batches_in_flight,
        " is out of range (allowed: 2 or more)"));
  }
  if (!options.clock) {
    return absl::InvalidArgumentError("ingest: no clock");
  }
  return absl::OkStatus();
}

// A random non-zero run number, different for every ingest
// (StoredRecord::ingest_run): two runs sharing one would take an update of
// the earlier run's records for duplicates, with probability 2^-64 per pair.
absl::StatusOr<uint64_t> NewIngestRun() {
  while (true) {
    FEDLINK_ASSIGN_OR_RETURN(const crypto::SecretBytes bytes,
                             crypto::SecretBytes::Random(sizeof(uint64_t)));
    uint64_t run = 0;
    std::memcpy(&run, bytes.data(), sizeof(run));
    if (run != 0) return run;
  }
}

absl::StatusOr<std::optional<nlohmann::json>> LoadMetaJson(
    const RecordStore& store, std::string_view name) {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> value,
                           store.GetMeta(name));
  if (!value.has_value()) return std::optional<nlohmann::json>();
  nlohmann::json j = nlohmann::json::parse(*value, nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError(absl::StrCat("record store ", store.path(),
                                            ": meta entry ", Sv(name),
                                            " is not a JSON object"));
  }
  return std::optional<nlohmann::json>(std::move(j));
}

}  // namespace

nlohmann::json IngestSummaryToJson(const IngestSummary& summary,
                                   std::string_view finished_at) {
  nlohmann::json j;
  j["format"] = "fedlink-ingest-summary";
  j["version"] = 1;
  j["source"] = summary.source;
  j["finished_at"] = std::string(finished_at);
  j["bytes_read"] = summary.bytes_read;
  j["rows_read"] = summary.rows_read;
  j["rows_committed"] = summary.rows_committed;
  j["rows_inserted"] = summary.rows_inserted;
  j["rows_updated"] = summary.rows_updated;
  j["rows_quarantined"] = summary.rows_quarantined;
  j["batches_committed"] = summary.batches_committed;
  j["records_in_store"] = summary.records_in_store;
  nlohmann::json rejections = nlohmann::json::array();
  for (const auto& [reason, rows] : summary.rejections) {
    rejections.push_back({{"reason", reason}, {"rows", rows}});
  }
  j["rejections"] = std::move(rejections);
  j["quality_report"] = summary.quality_report;
  return j;
}

absl::StatusOr<std::optional<nlohmann::json>> LoadLastIngest(
    const RecordStore& store) {
  return LoadMetaJson(store, kLastIngestMeta);
}

absl::StatusOr<std::optional<nlohmann::json>> LoadIngestCheckpoint(
    const RecordStore& store) {
  return LoadMetaJson(store, kIngestCheckpointMeta);
}

absl::StatusOr<IngestSummary> RunIngest(const IngestSchema& schema,
                                        const IngestInput& input,
                                        RecordStore* store,
                                        QuarantineSink* quarantine,
                                        const IngestOptions& options) {
  FEDLINK_RETURN_IF_ERROR(ValidateOptions(options, input));
  const std::string& source = input.name;
  auto end_of_input = [&]() -> absl::Status {
    if (!input.end_status) return absl::OkStatus();
    return WithSource(input.end_status(), source);
  };

  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader,
                           CsvReader::Create(input.stream, schema.csv));
  CsvRecord record;
  {
    absl::StatusOr<bool> has_header = reader->Next(&record);
    if (!has_header.ok()) return WithSource(has_header.status(), source);
    if (!*has_header) {
      FEDLINK_RETURN_IF_ERROR(end_of_input());
      return absl::InvalidArgumentError(absl::StrCat(
          "ingest of ", source,
          ": the input is empty (expected a header record naming the "
          "columns); nothing was written"));
    }
  }
  absl::StatusOr<std::unique_ptr<RowValidator>> validator_or =
      RowValidator::Create(schema, record);
  if (!validator_or.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest of ", source, ": header record (line ",
                     record.line(), ") does not fit the schema; nothing was "
                     "written: ",
                     validator_or.status().message()));
  }
  const RowValidator& validator = **validator_or;
  QualityReport report(validator, options.clock);
  FEDLINK_ASSIGN_OR_RETURN(const uint64_t run, NewIngestRun());

  IngestSummary summary;
  summary.source = source;
  uint64_t last_line = record.last_line();
  uint64_t rows_rejected = 0;  // by the validator
  uint64_t batches_submitted = 0;
  ValidatedRow row;
  auto batch = std::make_unique<PendingBatch>();
  batch->records.reserve(options.batch_size);

  std::mutex report_mu;
  BatchCommitter committer(CommitContext{
      .store = store,
      .quarantine = quarantine,
      .report_mu = &report_mu,
      .source = source,
      .started_at = Iso8601(options.clock()),
      .local_id_column = schema.local_id_column,
      .seal_threads = options.seal_threads,
      .max_batches_in_flight = options.max_batches_in_flight,
      .after_commit = options.after_commit});
  auto report_progress = [&] {
    if (!options.on_progress) return;
    const IngestProgress progress{
        .bytes_read = reader->bytes_read(),
        .total_bytes = input.total_bytes,
        .rows_read = summary.rows_read,
        .rows_committed = committer.rows_committed(),
        .rows_quarantined = rows_rejected + committer.rows_duplicate(),
        .batches_committed = committer.batches_committed()};
    std::lock_guard<std::mutex> lock(report_mu);
    options.on_progress(progress);
  };
  // Hands the current batch to the committer with where the input stands.
  auto submit = [&](bool last) -> absl::Status {
    batch->sequence = ++batches_submitted;
    batch->last = last;
    batch->rows_read = summary.rows_read;
    batch->rows_rejected = rows_rejected;
    batch->last_line = last_line;
    batch->bytes_read = reader->bytes_read();
    absl::Status status = committer.Submit(std::move(batch));
    batch = std::make_unique<PendingBatch>();
    batch->records.reserve(options.batch_size);
    return status;
  };

  // The ingest loop; returns the first fatal error.
  auto ingest = [&]() -> absl::Status {
    auto next_progress = absl::Now() + options.progress_interval;
    while (true) {
      absl::StatusOr<bool> more = reader->Next(&record);
      if (!more.ok()) return more.status();
      if (!*more) break;
      ++summary.rows_read;
      validator.Validate(record, &row);
      report.Add(row);
      last_line = record.last_line();
      if (row.ok()) {
        StoredRecord stored = validator.TakeRecord(&row);
        stored.ingest_run = run;
        batch->records.push_back(std::move(stored));
        // Kept in case the store finds its local id earlier in the file.
        if (quarantine != nullptr) batch->rows.AddAccepted(record);
      } else {
        ++rows_rejected;
        absl::flat_hash_set<Reason> reasons;
        for (const Problem& p : row.problems) {
          if (reasons.insert(p.reason).second) {
            ++summary.rejections[std::string(ReasonCode(p.reason))];
          }
        }
        if (quarantine != nullptr) {
          batch->rows.AddRejected(record, std::move(row.problems));
          row.problems.clear();
        }
      }
      if (batch->records.size() == options.batch_size ||
          batch->rows.rejected() >= options.batch_size ||
          batch->rows.bytes() >= kMaxHeldRowBytes) {
        FEDLINK_RETURN_IF_ERROR(submit(/*last=*/false));
      }
      if (options.on_progress && (summary.rows_read & 255) == 0 &&
          absl::Now() >= next_progress) {
        report_progress();
        next_progress = absl::Now() + options.progress_interval;
      }
    }
    // The stream has ended: make sure that was the end of the input before
    // the last (possibly truncated) record commits.
    FEDLINK_RETURN_IF_ERROR(end_of_input());
    return submit(/*last=*/true);
  };

  absl::Status status = ingest();
  absl::Status commit_status = committer.Finish();
  if (status.ok()) status = commit_status;
  summary.batches_committed = committer.batches_committed();
  summary.bytes_read = reader->bytes_read();
  summary.rows_committed = committer.rows_committed();
  report_progress();
  if (!status.ok()) {
    return absl::Status(
        status.code(),
        absl::StrCat(
            absl::StartsWith(status.message(), "ingest of ")
                ? std::string(status.message())
                : absl::StrCat("ingest of ", source, ": ", status.message()),
            " (", summary.batches_committed, " complete batches with ",
            summary.rows_committed,
            " rows were committed before this; re-running the whole file is "
            "safe: records are upserted)"));
  }

  // Rows the store found to repeat a local id of the file were accepted by
  // the validator, and counted so by the report.
  const uint64_t duplicates = committer.rows_duplicate();
  report.AddDuplicateLocalIds(duplicates);
  if (duplicates > 0) {
    summary.rejections[std::string(ReasonCode(Reason::kDuplicateLocalId))] +=
        duplicates;
  }
  summary.rows_quarantined = rows_rejected + duplicates;
  summary.rows_updated = committer.rows_updated();
  summary.rows_inserted = summary.rows_committed - summary.rows_updated;
  FEDLINK_ASSIGN_OR_RETURN(summary.records_in_store, store->CountRecords());
  summary.quality_report = report.ToJson();
  const nlohmann::json last =
      IngestSummaryToJson(summary, Iso8601(options.clock()));
  FEDLINK_RETURN_IF_ERROR(WithSource(
      store->PutMeta(kLastIngestMeta, last.dump()), source));
  return summary;
}

}  // namespace fedlink::agent::ingest
