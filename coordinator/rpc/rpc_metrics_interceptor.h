// Counts every call the coordinator's gRPC server answers — the Coordinator
// service and the health service — by method and status code
// (fedlink_coordinator_rpcs_total), without touching the handlers: refusals
// of identity, role and validation show up by their code.
#ifndef FEDLINK_COORDINATOR_RPC_RPC_METRICS_INTERCEPTOR_H_
#define FEDLINK_COORDINATOR_RPC_RPC_METRICS_INTERCEPTOR_H_

#include <memory>

#include <grpcpp/support/server_interceptor.h>

#include "coordinator/rpc/coordinator_metrics.h"

namespace fedlink::coordinator {

// For ServerBuilder::experimental().SetInterceptorCreators. `metrics` must
// outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeRpcMetricsInterceptorFactory(CoordinatorMetrics* metrics);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_RPC_RPC_METRICS_INTERCEPTOR_H_
