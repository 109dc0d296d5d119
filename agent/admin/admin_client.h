// The CLI's side of the AgentAdmin service: connects to the daemon's UNIX
// socket with local credentials and turns each call's gRPC status back into
// an absl::Status (same code and message).
#ifndef FEDLINK_AGENT_ADMIN_ADMIN_CLIENT_H_
#define FEDLINK_AGENT_ADMIN_ADMIN_CLIENT_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fedlink/v1/agent_admin.grpc.pb.h"

namespace fedlink::agent::admin {

// Bytes of the file per IngestRequest.data (the proto allows 1 MiB).
inline constexpr size_t kIngestChunkBytes = 256 * 1024;

// What the daemon reports while it ingests (AdminClient::Ingest); both are
// called on the thread that called Ingest.
struct IngestEventHandlers {
  std::function<void(const v1::IngestProgress&)> on_progress;
  // A non-OK status cancels the ingest (the batches committed stay) and is
  // what Ingest returns.
  std::function<absl::Status(const v1::QuarantinedRow&)> on_quarantined;
};

// Thread-safe.
class AdminClient {
 public:
  // A client for the socket at `socket_path`. Connecting is lazy; a daemon
  // that is not running makes the first call fail with Unavailable, whose
  // message names the socket and suggests `fedlink-agent serve`.
  static std::unique_ptr<AdminClient> ForSocket(const std::string& socket_path,
                                                absl::Duration deadline = absl::Seconds(60));

  absl::StatusOr<std::vector<v1::AgentJob>> ListJobs(std::vector<v1::AgentJobState> states);
  absl::StatusOr<v1::AgentJob> ShowJob(const std::string& job_id);
  absl::StatusOr<v1::DecideResponse> Decide(const v1::DecideRequest& request);
  absl::StatusOr<v1::AgentStatus> Status();
  absl::StatusOr<v1::DataQualityReport> Quality();

  // Streams `input` (read to its end) into the daemon's record store:
  // `start`, the bytes in chunks of kIngestChunkBytes, then the finish
  // marker, while the daemon's events go to `handlers`. No deadline: an
  // ingest takes as long as the file does. The daemon's summary, or:
  // Unavailable (as the other calls) when no daemon answers; DataLoss if
  // `input` fails while being read (the call is cancelled, so the
  // incomplete last batch never commits); the daemon's error (ingest
  // errors name the input and line, and how many batches were committed);
  // a handler's error.
  absl::StatusOr<v1::IngestSummary> Ingest(const v1::IngestStart& start,
                                           std::istream* input,
                                           const IngestEventHandlers& handlers);

  // Writes the daemon's local audit log, as an archive file's bytes
  // (ExportAuditLog), to `out`; returns how many. No deadline: a long log
  // takes its time. Unavailable as the other calls; the daemon's error
  // (FailedPrecondition when it keeps no log); DataLoss when `out` fails.
  absl::StatusOr<uint64_t> ExportAuditLog(std::ostream* out);

  v1::AgentAdmin::Stub& stub() { return *stub_; }

 private:
  AdminClient(std::string socket_path, std::unique_ptr<v1::AgentAdmin::Stub> stub,
              absl::Duration deadline)
      : socket_path_(std::move(socket_path)), stub_(std::move(stub)), deadline_(deadline) {}
  template <typename Request, typename Response, typename Method>
  absl::StatusOr<Response> Call(Method method, const Request& request);
  // A call's final status as an absl::Status (Unavailable says the daemon
  // is not reachable).
  absl::Status CallStatus(const grpc::Status& status) const;

  const std::string socket_path_;
  std::unique_ptr<v1::AgentAdmin::Stub> stub_;
  const absl::Duration deadline_;
};

}  // namespace fedlink::agent::admin

#endif  // FEDLINK_AGENT_ADMIN_ADMIN_CLIENT_H_
