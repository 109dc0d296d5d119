// The CLI's side of the AgentAdmin service: connects to the daemon's UNIX
// socket with local credentials and turns each call's gRPC status back into
// an absl::Status (same code and message).
#ifndef FEDLINK_AGENT_ADMIN_ADMIN_CLIENT_H_
#define FEDLINK_AGENT_ADMIN_ADMIN_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fedlink/v1/agent_admin.grpc.pb.h"

namespace fedlink::agent::admin {

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

  v1::AgentAdmin::Stub& stub() { return *stub_; }

 private:
  AdminClient(std::string socket_path, std::unique_ptr<v1::AgentAdmin::Stub> stub,
              absl::Duration deadline)
      : socket_path_(std::move(socket_path)), stub_(std::move(stub)), deadline_(deadline) {}
  template <typename Request, typename Response, typename Method>
  absl::StatusOr<Response> Call(Method method, const Request& request);

  const std::string socket_path_;
  std::unique_ptr<v1::AgentAdmin::Stub> stub_;
  const absl::Duration deadline_;
};

}  // namespace fedlink::agent::admin

#endif  // FEDLINK_AGENT_ADMIN_ADMIN_CLIENT_H_
