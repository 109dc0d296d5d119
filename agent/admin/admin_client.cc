#include "agent/admin/admin_client.h"

#include <chrono>
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
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::UnavailableError(absl::StrCat("the agent daemon at ", socket_path_,
                                               " is not reachable (is `fedlink-agent serve` "
                                               "running?): ",
                                               status.error_message()));
  }
  if (!status.ok()) return proto::FromGrpcStatus(status);
  return response;
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

}  // namespace fedlink::agent::admin
