#include "agent/release/row_releaser.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "linkage/sensitive.h"
#include "linkage/status_macros.h"
#include "proto/runtime/payload_crypto.h"

namespace fedlink::agent::release {
namespace {

// ReleasedRows.rows is field 2, length-delimited: a one-byte tag, the
// length as a varint, then the row.
size_t RowFieldBytes(size_t row_bytes) {
  return 1 + google::protobuf::io::CodedOutputStream::VarintSize64(row_bytes) +
         row_bytes;
}

// Values are attribute data: wipe them before the message frees them.
void WipeRows(v1::ReleasedRows& rows) {
  for (v1::ReleasedRow& row : *rows.mutable_rows()) {
    for (std::string& value : *row.mutable_values()) WipeString(value);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<RowReleaser>> RowReleaser::Create(
    std::string job_id, std::string agency, const v1::JobSpec& spec,
    std::vector<std::string> columns, const encoding::PseudonymMap& pseudonyms,
    const encoding::RecordSource& records, PayloadChunkSink sink,
    ReleaseOptions options) {
  const std::string job = absl::StrCat("release of job ", job_id);
  if (spec.output_mode() != v1::OUTPUT_MODE_LINKED_MICRODATA) {
    return absl::FailedPreconditionError(
        absl::StrCat(job, ": the job's output mode is not linked microdata"));
  }
  if (!spec.has_analyst_key()) {
    return absl::FailedPreconditionError(
        absl::StrCat(job, ": the job spec has no analyst key"));
  }
  FEDLINK_RETURN_IF_ERROR(
      proto::HpkeAeadFromProto(spec.analyst_key().aead()).status());
  if (spec.analyst_key().x25519_public_key().size() !=
      proto::kX25519PublicKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(job, ": the analyst key is ",
                     spec.analyst_key().x25519_public_key().size(),
                     " bytes, not ", proto::kX25519PublicKeyBytes));
  }
  if (columns.size() > proto::kMaxColumnsPerParty) {
    return absl::InvalidArgumentError(
        absl::StrCat(job, ": ", columns.size(), " columns (at most ",
                     proto::kMaxColumnsPerParty, ")"));
  }
  if (options.max_chunk_plaintext_bytes == 0 ||
      options.max_chunk_plaintext_bytes > proto::kMaxPayloadPlaintextBytes ||
      options.max_rows_per_chunk == 0 ||
      options.max_rows_per_chunk > proto::kMaxRowsPerPayloadChunk) {
    return absl::InvalidArgumentError(absl::StrCat(
        job, ": chunk limits must be 1..", proto::kMaxPayloadPlaintextBytes,
        " bytes and 1..", proto::kMaxRowsPerPayloadChunk, " rows"));
  }
  if (!sink)
    return absl::InvalidArgumentError(absl::StrCat(job, ": no chunk sink"));
  return std::unique_ptr<RowReleaser>(new RowReleaser(
      std::move(job_id), std::move(agency), spec.analyst_key(),
      std::move(columns), pseudonyms, records, std::move(sink), options));
}

RowReleaser::RowReleaser(std::string job_id, std::string agency,
                         v1::AnalystKey analyst_key,
                         std::vector<std::string> columns,
                         const encoding::PseudonymMap& pseudonyms,
                         const encoding::RecordSource& records,
                         PayloadChunkSink sink, ReleaseOptions options)
    : job_id_(std::move(job_id)),
      agency_(std::move(agency)),
      analyst_key_(std::move(analyst_key)),
      columns_(std::move(columns)),
      pseudonyms_(pseudonyms),
      records_(records),
      sink_(std::move(sink)),
      options_(options),
      assigned_(pseudonyms.size(), false) {
  summary_.columns = static_cast<uint32_t>(columns_.size());
  ResetPending();
  empty_chunk_bytes_ = pending_bytes_;
}

RowReleaser::~RowReleaser() { WipeRows(pending_); }

void RowReleaser::ResetPending() {
  WipeRows(pending_);
  pending_.Clear();
  for (const std::string& column : columns_) pending_.add_columns(column);
  pending_bytes_ = pending_.ByteSizeLong();
}

absl::Status RowReleaser::AddBatch(const v1::AssignmentBatch& batch) {
  if (!failure_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "release of job ", job_id_, " already failed: ", failure_.message()));
  }
  if (finished_ || final_batch_seen_) {
    return absl::FailedPreconditionError(
        absl::StrCat("release of job ", job_id_, ": assignment batch ",
                     batch.sequence(), " arrives after the final batch"));
  }
  absl::Status status = AddBatchUnchecked(batch);
  if (!status.ok()) failure_ = status;
  return status;
}

absl::Status RowReleaser::AddBatchUnchecked(const v1::AssignmentBatch& batch) {
  const std::string where = absl::StrCat(
      "release of job ", job_id_, ": assignment batch ", batch.sequence());
  FEDLINK_RETURN_IF_ERROR(proto::Validate(batch, where));
  if (batch.job_id() != job_id_) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " is for job ", batch.job_id()));
  }
  if (batch.sequence() != next_sequence_) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " is out of sequence (expected ", next_sequence_, ")"));
  }
  // Check every entry before building any row, so that a bad batch leaves
  // no trace in the pending chunk.
  for (int i = 0; i < batch.pseudonyms_size(); ++i) {
    const uint32_t pseudonym = batch.pseudonyms(i);
    if (pseudonym >= assigned_.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": pseudonyms[", i, "] is outside the job's ",
                       assigned_.size(), " pseudonyms"));
    }
    if (assigned_[pseudonym]) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": pseudonyms[", i, "] was already assigned a research id"));
    }
  }
  for (int i = 0; i < batch.pseudonyms_size(); ++i) {
    const uint32_t pseudonym = batch.pseudonyms(i);
    assigned_[pseudonym] = true;
    ++summary_.assignments;
    FEDLINK_ASSIGN_OR_RETURN(
        std::optional<StoredRecord> record,
        records_.Get(pseudonyms_.ExposeLocalId(pseudonym)));
    if (!record.has_value()) {
      ++summary_.records_missing;
      continue;
    }
    v1::ReleasedRow row;
    row.set_research_id(batch.research_ids().substr(
        static_cast<size_t>(i) * proto::kResearchIdBytes,
        proto::kResearchIdBytes));
    // Only the attribute list is read: identifiers and the local id have no
    // path into a row.
    for (const std::string& column : columns_) {
      const SensitiveString* value = record->FindAttribute(column);
      row.add_values(value == nullptr ? std::string()
                                      : std::string(value->Expose()));
    }
    FEDLINK_RETURN_IF_ERROR(AppendRow(std::move(row), batch.sequence(), i));
  }
  ++summary_.assignment_batches;
  ++next_sequence_;
  final_batch_seen_ = batch.final_batch();
  return absl::OkStatus();
}

absl::Status RowReleaser::AppendRow(v1::ReleasedRow row, uint64_t sequence,
                                    int entry) {
  const size_t added = RowFieldBytes(row.ByteSizeLong());
  if (empty_chunk_bytes_ + added > options_.max_chunk_plaintext_bytes) {
    for (std::string& value : *row.mutable_values()) WipeString(value);
    return absl::ResourceExhaustedError(absl::StrCat(
        "release of job ", job_id_, ": the row of assignment batch ", sequence,
        " entry ", entry, " needs ", empty_chunk_bytes_ + added,
        " bytes, more than a chunk may hold (",
        options_.max_chunk_plaintext_bytes, ")"));
  }
  if (pending_.rows_size() > 0 &&
      (pending_bytes_ + added > options_.max_chunk_plaintext_bytes ||
       static_cast<size_t>(pending_.rows_size()) >=
           options_.max_rows_per_chunk)) {
    FEDLINK_RETURN_IF_ERROR(FlushChunk(/*final_chunk=*/false));
  }
  *pending_.add_rows() = std::move(row);
  pending_bytes_ += added;
  ++summary_.rows;
  return absl::OkStatus();
}

absl::Status RowReleaser::FlushChunk(bool final_chunk) {
  const uint32_t index = next_chunk_index_;
  summary_.plaintext_bytes += pending_bytes_;
  if (index >= options_.first_chunk_to_send) {
    std::string plaintext = pending_.SerializeAsString();
    absl::StatusOr<v1::PayloadChunk> chunk =
        proto::SealPayloadChunk(analyst_key_,
                                {.job_id = job_id_,
                                 .agency = agency_,
                                 .kind = v1::PAYLOAD_KIND_ROWS,
                                 .chunk_index = index,
                                 .final_chunk = final_chunk},
                                plaintext);
    WipeString(plaintext);
    if (!chunk.ok()) return chunk.status();
    summary_.ciphertext_bytes += chunk->ciphertext().size();
    FEDLINK_RETURN_IF_ERROR(sink_(*std::move(chunk)));
    ++summary_.chunks_sent;
  }
  ++next_chunk_index_;
  summary_.chunks = next_chunk_index_;
  ResetPending();
  return absl::OkStatus();
}

absl::StatusOr<ReleaseSummary> RowReleaser::Finish() {
  if (!failure_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "release of job ", job_id_, " already failed: ", failure_.message()));
  }
  if (finished_) {
    return absl::FailedPreconditionError(
        absl::StrCat("release of job ", job_id_, " is already finished"));
  }
  if (!final_batch_seen_) {
    return absl::FailedPreconditionError(
        absl::StrCat("release of job ", job_id_,
                     ": the final assignment batch has not arrived (",
                     next_sequence_, " batches so far)"));
  }
  absl::Status status = FlushChunk(/*final_chunk=*/true);
  if (!status.ok()) {
    failure_ = status;
    return status;
  }
  finished_ = true;
  return summary_;
}

}  // namespace fedlink::agent::release
