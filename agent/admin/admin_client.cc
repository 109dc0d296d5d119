#include "agent/admin/admin_client.h"

#include <openssl/crypto.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/status_convert.h"
#include "proto/runtime/tls_credentials.h"

namespace fedlink::agent::admin {

std::unique_ptr<AdminClient> AdminClient::ForSocket(const std::string& socket_path,
                                                    absl::Duration deadline) {
  grpc::ChannelArguments arguments;
  proto::ApplyMessageSizeLimits(arguments);
  auto channel = grpc::CreateCustomChannel("unix:" + socket_path,
                                           proto::MakeLocalAdminChannelCredentials(), arguments);
  return std::unique_ptr<AdminClient>(
      new AdminClient(socket_path, v1::AgentAdmin::NewStub(channel), deadline));
}

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> AdminClient::Call(Method method, const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline_));
  Response response;
  const grpc::Status status = ((*stub_).*method)(&context, request, &response);
  if (!status.ok()) return CallStatus(status);
  return response;
}

absl::Status AdminClient::CallStatus(const grpc::Status& status) const {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::UnavailableError(absl::StrCat("the agent daemon at ", socket_path_,
                                               " is not reachable (is `fedlink-agent serve` "
                                               "running?): ",
                                               status.error_message()));
  }
  return proto::FromGrpcStatus(status);
}

absl::StatusOr<std::vector<v1::AgentJob>> AdminClient::ListJobs(
    std::vector<v1::AgentJobState> states) {
  v1::AgentListJobsRequest request;
  for (v1::AgentJobState state : states) request.add_states(state);
  absl::StatusOr<v1::AgentListJobsResponse> response =
      Call<v1::AgentListJobsRequest, v1::AgentListJobsResponse>(&v1::AgentAdmin::Stub::ListJobs,
                                                                request);
  if (!response.ok()) return response.status();
  return std::vector<v1::AgentJob>(response->jobs().begin(), response->jobs().end());
}

absl::StatusOr<v1::AgentJob> AdminClient::ShowJob(const std::string& job_id) {
  v1::ShowJobRequest request;
  request.set_job_id(job_id);
  return Call<v1::ShowJobRequest, v1::AgentJob>(&v1::AgentAdmin::Stub::ShowJob, request);
}

absl::StatusOr<v1::DecideResponse> AdminClient::Decide(const v1::DecideRequest& request) {
  return Call<v1::DecideRequest, v1::DecideResponse>(&v1::AgentAdmin::Stub::Decide, request);
}

absl::StatusOr<v1::AgentStatus> AdminClient::Status() {
  return Call<v1::AgentStatusRequest, v1::AgentStatus>(&v1::AgentAdmin::Stub::Status,
                                                       v1::AgentStatusRequest());
}

absl::StatusOr<v1::DataQualityReport> AdminClient::Quality() {
  return Call<v1::QualityRequest, v1::DataQualityReport>(&v1::AgentAdmin::Stub::Quality,
                                                         v1::QualityRequest());
}

absl::StatusOr<v1::IngestSummary> AdminClient::Ingest(const v1::IngestStart& start,
                                                      std::istream* input,
                                                      const IngestEventHandlers& handlers) {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<v1::IngestRequest, v1::IngestEvent>> stream =
      stub_->Ingest(&context);
  // The file goes out on its own thread while events are read here: the
  // daemon's progress and quarantine writes would otherwise block it, and
  // it would stop taking the file.
  std::atomic<bool> stop{false};
  absl::Status read_failure;  // written by the sender, read after join
  std::thread sender([&] {
    v1::IngestRequest request;
    *request.mutable_start() = start;
    if (!stream->Write(request)) return;  // the call ended; Finish says why
    std::string chunk(kIngestChunkBytes, '\0');
    bool finished = false;
    while (!stop.load()) {
      input->read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const size_t n = static_cast<size_t>(input->gcount());
      if (input->bad()) {
        read_failure = absl::DataLossError(
            absl::StrCat("reading ", start.source_name(), " failed after some bytes were sent"));
        context.TryCancel();
        break;
      }
      if (n > 0) {
        request.Clear();
        request.set_data(chunk.data(), n);
        const bool sent = stream->Write(request);
        // File bytes are rows of the export: wipe the copies.
        OPENSSL_cleanse(request.mutable_data()->data(), request.data().size());
        if (!sent) break;
      }
      if (input->eof()) {
        request.Clear();
        request.mutable_finish();
        finished = stream->Write(request);
        break;
      }
    }
    OPENSSL_cleanse(chunk.data(), chunk.size());
    if (finished) stream->WritesDone();
  });

  absl::Status handler_failure;
  std::optional<v1::IngestSummary> summary;
  v1::IngestEvent event;
  while (stream->Read(&event)) {
    if (!handler_failure.ok()) continue;  // drain until the cancel lands
    if (event.has_progress()) {
      if (handlers.on_progress) handlers.on_progress(event.progress());
    } else if (event.has_quarantined()) {
      if (handlers.on_quarantined) {
        handler_failure = handlers.on_quarantined(event.quarantined());
        if (!handler_failure.ok()) {
          stop = true;
          context.TryCancel();
        }
      }
    } else if (event.has_summary()) {
      summary = event.summary();
    }
  }
  stop = true;
  sender.join();
  const grpc::Status status = stream->Finish();
  if (!handler_failure.ok()) return handler_failure;
  if (!read_failure.ok()) return read_failure;
  if (!status.ok()) return CallStatus(status);
  if (!summary.has_value()) {
    return absl::InternalError(absl::StrCat("the agent daemon at ", socket_path_,
                                            " ended the ingest without a summary"));
  }
  return *summary;
}

absl::StatusOr<uint64_t> AdminClient::ExportAuditLog(std::ostream* out) {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::AuditArchiveChunk>> reader =
      stub_->ExportAuditLog(&context, v1::ExportAuditLogRequest());
  v1::AuditArchiveChunk chunk;
  uint64_t bytes = 0;
  while (reader->Read(&chunk)) {
    if (!out->write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()))) {
      context.TryCancel();
      (void)reader->Finish();
      return absl::DataLossError(
          absl::StrCat("cannot write the audit log archive after ", bytes, " bytes"));
    }
    bytes += chunk.data().size();
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return CallStatus(status);
  return bytes;
}

}  // namespace fedlink::agent::admin
