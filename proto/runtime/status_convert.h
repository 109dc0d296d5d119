// The one place where absl::Status and grpc::Status meet. Service adapters
// return ToGrpcStatus(...) of the library's result; clients turn a failed
// call back into an absl::Status with FromGrpcStatus.
#ifndef FEDLINK_PROTO_RUNTIME_STATUS_CONVERT_H_
#define FEDLINK_PROTO_RUNTIME_STATUS_CONVERT_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace fedlink::proto {

// Same code, same message. Codes have identical meanings in both libraries
// (both follow google.rpc.Code); a code outside that set becomes UNKNOWN.
// Status payloads are not carried over: nothing in fedlink puts data there.
// Thread-safe.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse of ToGrpcStatus; error details (binary) are dropped.
// Thread-safe.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_STATUS_CONVERT_H_
