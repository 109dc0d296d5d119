#include "agent/admin/admin_service.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/cli/quality_command.h"
#include "agent/ingest/ingest_pipeline.h"
#include "agent/ingest/ingest_pipeline_input.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/ingest/row_validator.h"
#include "proto/audit/audit_archive.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/status_convert.h"

namespace fedlink::agent::admin {
namespace {

// Sends what is written to it as AuditArchiveChunks of at most 1 MiB (the
// message's limit); a Write the client no longer takes fails the stream.
class ArchiveChunkBuffer : public std::streambuf {
 public:
  explicit ArchiveChunkBuffer(grpc::ServerWriter<v1::AuditArchiveChunk>* writer)
      : writer_(writer), buffer_(kChunkBytes) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!Send()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return Send() ? 0 : -1; }

 private:
  static constexpr size_t kChunkBytes = 1 << 20;

  bool Send() {
    const std::ptrdiff_t size = pptr() - pbase();
    if (size > 0) {
      chunk_.set_data(pbase(), static_cast<size_t>(size));
      if (!writer_->Write(chunk_)) return false;
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return true;
  }

  grpc::ServerWriter<v1::AuditArchiveChunk>* const writer_;
  std::vector<char> buffer_;
  v1::AuditArchiveChunk chunk_;
};

using proto::ToGrpcStatus;

constexpr size_t kMaxQuarantinedRawBytes = 65536;

// Streams rejected rows to the client (which writes the quarantine file: the
// rows stay on this host). The pipeline never calls it while its progress
// callback (which writes to the same stream) runs.
class StreamQuarantineSink : public ingest::QuarantineSink {
 public:
  explicit StreamQuarantineSink(
      grpc::ServerReaderWriter<v1::IngestEvent, v1::IngestRequest>* stream)
      : stream_(stream) {}

  absl::Status Write(const ingest::QuarantinedRow& rejected) override {
    v1::IngestEvent event;
    v1::QuarantinedRow* row = event.mutable_quarantined();
    row->set_line(rejected.line == 0 ? 1 : rejected.line);
    std::vector<std::string> reasons;
    for (const ingest::Problem& problem : rejected.problems) {
      reasons.push_back(problem.column.empty()
                            ? std::string(ingest::ReasonCode(problem.reason))
                            : absl::StrCat(problem.column, ": ",
                                           std::string(ingest::ReasonCode(problem.reason))));
    }
    std::string reason = absl::StrJoin(reasons, "; ");
    if (reason.empty()) reason = "rejected";
    row->set_reason(reason.substr(0, 1000));
    const std::string_view raw = rejected.raw;
    row->set_raw(std::string(raw.substr(0, kMaxQuarantinedRawBytes)));
    row->set_raw_truncated(rejected.raw_truncated || raw.size() > kMaxQuarantinedRawBytes);
    if (!stream_->Write(event)) return absl::CancelledError("the ingest client went away");
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }

 private:
  grpc::ServerReaderWriter<v1::IngestEvent, v1::IngestRequest>* stream_;
};

// A name from a report as an identifier-syntax word for the proto.
std::string Identifier(std::string text) {
  for (char& c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) c = '_';
  }
  if (text.empty()) text = "unknown";
  if (text[0] >= '0' && text[0] <= '9') text = "c_" + text;
  return text.substr(0, 64);
}

uint64_t JsonCount(const nlohmann::json& json, const char* key) {
  if (!json.is_object() || !json.contains(key) || !json.at(key).is_number_unsigned()) return 0;
  return json.at(key).get<uint64_t>();
}

}  // namespace

grpc::Status AgentAdminService::Ingest(
    grpc::ServerContext* /*context*/,
    grpc::ServerReaderWriter<v1::IngestEvent, v1::IngestRequest>* stream) {
  std::unique_lock<std::mutex> lock(ingest_mu_, std::try_to_lock);
  if (!lock.owns_lock()) {
    return ToGrpcStatus(absl::FailedPreconditionError("another ingest is running"));
  }
  v1::IngestRequest request;
  if (!stream->Read(&request)) {
    return ToGrpcStatus(absl::InvalidArgumentError("IngestRequest: the stream had no IngestStart"));
  }
  if (absl::Status valid = proto::Validate(request); !valid.ok()) return ToGrpcStatus(valid);
  if (!request.has_start()) {
    return ToGrpcStatus(absl::InvalidArgumentError("IngestRequest: the first message must be start"));
  }
  const v1::IngestStart start = request.start();
  absl::StatusOr<ingest::IngestSchema> schema =
      ingest::ParseIngestSchemaYaml(start.schema_yaml(), start.schema_source_name());
  if (!schema.ok()) return ToGrpcStatus(schema.status());

  ingest::ChunkedInput input;
  StreamQuarantineSink sink(stream);
  ingest::IngestOptions options;
  options.batch_size = backend_.ingest_batch_size;
  options.clock = [] { return std::chrono::system_clock::now(); };
  options.on_progress = [stream](const ingest::IngestProgress& progress) {
    v1::IngestEvent event;
    v1::IngestProgress* p = event.mutable_progress();
    p->set_bytes_read(progress.bytes_read);
    p->set_rows_read(progress.rows_read);
    p->set_rows_committed(progress.rows_committed);
    p->set_rows_quarantined(progress.rows_quarantined);
    stream->Write(event);
  };
  absl::StatusOr<ingest::IngestSummary> result = absl::UnknownError("ingest did not run");
  std::thread worker([&] {
    result = ingest::RunIngest(*schema, input.AsIngestInput(start.source_name(), start.total_bytes()),
                               backend_.store, &sink, options);
    input.Close();
  });
  bool finished = false;
  absl::Status broken;
  while (stream->Read(&request)) {
    if (absl::Status valid = proto::Validate(request); !valid.ok()) {
      broken = valid;
      break;
    }
    if (request.has_data()) {
      if (!input.Push(request.data())) break;  // the ingest ended (an error)
    } else if (request.has_finish()) {
      finished = true;
      break;
    } else {
      broken = absl::InvalidArgumentError("IngestRequest: start sent twice");
      break;
    }
  }
  if (finished) {
    input.Finish();
  } else {
    input.Abort(broken.ok() ? absl::AbortedError(
                                  "the client's stream ended before IngestFinish; the last "
                                  "batch was not committed")
                            : broken);
  }
  worker.join();
  if (!result.ok()) return ToGrpcStatus(result.status());
  v1::IngestEvent event;
  v1::IngestSummary* summary = event.mutable_summary();
  summary->set_rows_read(result->rows_read);
  summary->set_rows_inserted(result->rows_inserted);
  summary->set_rows_updated(result->rows_updated);
  summary->set_rows_quarantined(result->rows_quarantined);
  summary->set_batches_committed(result->batches_committed);
  stream->Write(event);
  return grpc::Status::OK;
}

grpc::Status AgentAdminService::Quality(grpc::ServerContext* /*context*/,
                                        const v1::QualityRequest* /*request*/,
                                        v1::DataQualityReport* response) {
  absl::StatusOr<nlohmann::json> quality = cli::StoredQuality(*backend_.store);
  if (!quality.ok()) return ToGrpcStatus(quality.status());
  response->set_records(JsonCount(*quality, "records_in_store"));
  const nlohmann::json* report = nullptr;
  if (quality->contains("last_ingest") && quality->at("last_ingest").is_object() &&
      quality->at("last_ingest").contains("quality_report")) {
    report = &quality->at("last_ingest").at("quality_report");
  }
  if (report == nullptr || !report->is_object()) return grpc::Status::OK;
  if (report->contains("rows")) {
    response->set_duplicate_local_ids(JsonCount(report->at("rows"), "duplicate_local_ids"));
  }
  if (!report->contains("columns") || !report->at("columns").is_array()) return grpc::Status::OK;
  for (const nlohmann::json& c : report->at("columns")) {
    if (response->columns_size() >= 1024 || !c.is_object()) break;
    v1::ColumnQuality* column = response->add_columns();
    column->set_column(Identifier(c.value("name", c.value("column", ""))));
    const std::string use = c.value("use", "");
    column->set_role(Identifier(use == "attribute" ? "attribute" : c.value("kind", use)));
    column->set_missing(JsonCount(c, "missing"));
    column->set_invalid(JsonCount(c, "invalid"));
    column->set_records(JsonCount(c, "present") + JsonCount(c, "missing"));
    column->set_distinct(JsonCount(c, "distinct"));
    for (const char* list : {"invalid_reasons", "suspicious"}) {
      if (!c.contains(list) || !c.at(list).is_array()) continue;
      for (const nlohmann::json& item : c.at(list)) {
        if (!item.is_object()) continue;
        const bool invalid = std::string(list) == "invalid_reasons";
        if ((invalid ? column->invalid_reasons_size() : column->suspicious_size()) >= 10) break;
        v1::ReasonCount* count = invalid ? column->add_invalid_reasons() : column->add_suspicious();
        count->set_reason(item.value(invalid ? "reason" : "check", "unknown").substr(0, 200));
        count->set_count(JsonCount(item, "count"));
      }
    }
  }
  return grpc::Status::OK;
}

grpc::Status AgentAdminService::ListJobs(grpc::ServerContext* /*context*/,
                                         const v1::AgentListJobsRequest* request,
                                         v1::AgentListJobsResponse* response) {
  if (absl::Status valid = proto::Validate(*request); !valid.ok()) return ToGrpcStatus(valid);
  const absl::Status listed = backend_.jobs->ForEach([&](const daemon::JobRecord& record) {
    bool wanted = request->states_size() == 0;
    for (int s : request->states()) wanted = wanted || s == record.state;
    if (wanted && response->jobs_size() < 10000) {
      *response->add_jobs() = backend_.steps->View(record, /*with_spec=*/false);
    }
    return absl::OkStatus();
  });
  return ToGrpcStatus(listed);
}

grpc::Status AgentAdminService::ShowJob(grpc::ServerContext* /*context*/,
                                        const v1::ShowJobRequest* request,
                                        v1::AgentJob* response) {
  if (absl::Status valid = proto::Validate(*request); !valid.ok()) return ToGrpcStatus(valid);
  absl::StatusOr<std::optional<daemon::JobRecord>> record = backend_.jobs->Get(request->job_id());
  if (!record.ok()) return ToGrpcStatus(record.status());
  if (!record->has_value()) {
    return ToGrpcStatus(absl::NotFoundError(
        absl::StrCat("job ", request->job_id(), ": no such job at this agent")));
  }
  *response = backend_.steps->View(**record, /*with_spec=*/true);
  return grpc::Status::OK;
}

grpc::Status AgentAdminService::Decide(grpc::ServerContext* /*context*/,
                                       const v1::DecideRequest* request,
                                       v1::DecideResponse* response) {
  absl::StatusOr<v1::DecideResponse> decided = backend_.steps->Decide(*request);
  if (!decided.ok()) return ToGrpcStatus(decided.status());
  *response = std::move(*decided);
  return grpc::Status::OK;
}

grpc::Status AgentAdminService::Status(grpc::ServerContext* /*context*/,
                                       const v1::AgentStatusRequest* /*request*/,
                                       v1::AgentStatus* response) {
  *response = backend_.status ? backend_.status() : v1::AgentStatus();
  absl::StatusOr<uint64_t> records = backend_.store->CountRecords();
  if (!records.ok()) return ToGrpcStatus(records.status());
  response->set_records(*records);
  std::map<int, uint64_t> counts;
  const absl::Status counted = backend_.jobs->ForEach([&](const daemon::JobRecord& record) {
    ++counts[record.state];
    return absl::OkStatus();
  });
  if (!counted.ok()) return ToGrpcStatus(counted);
  for (const auto& [state, jobs] : counts) {
    v1::AgentJobStateCount* count = response->add_jobs();
    count->set_state(static_cast<v1::AgentJobState>(state));
    count->set_jobs(jobs);
  }
  return grpc::Status::OK;
}

grpc::Status AgentAdminService::ExportAuditLog(grpc::ServerContext* /*context*/,
                                               const v1::ExportAuditLogRequest* /*request*/,
                                               grpc::ServerWriter<v1::AuditArchiveChunk>* writer) {
  if (backend_.audit_log == nullptr) {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "this agent keeps no audit log: set coordinator.tree_head_key in agent.yaml"));
  }
  ArchiveChunkBuffer buffer(writer);
  std::ostream out(&buffer);
  absl::Status written = fedlink::audit::WriteAuditArchive(backend_.audit_log->log(), out);
  if (written.ok() && !out.flush()) {
    written = absl::UnavailableError("ExportAuditLog: the client stopped reading");
  }
  return ToGrpcStatus(written);
}

}  // namespace fedlink::agent::admin
