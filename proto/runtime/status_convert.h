// Where other libraries' statuses become absl::Status, and back. Service
// adapters return ToGrpcStatus(...) of the library's result; clients turn a
// failed call back into an absl::Status with FromGrpcStatus; the RocksDB
// stores (agent records, coordinator state, audit logs) report through
// FromRocksDbStatus.
#ifndef FEDLINK_PROTO_RUNTIME_STATUS_CONVERT_H_
#define FEDLINK_PROTO_RUNTIME_STATUS_CONVERT_H_

#include <grpcpp/support/status.h>

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace fedlink::proto {

// Same code, same message. Codes have identical meanings in both libraries
// (both follow google.rpc.Code); a code outside that set becomes UNKNOWN.
// Status payloads are not carried over: nothing in fedlink puts data there.
// Thread-safe.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse of ToGrpcStatus; error details (binary) are dropped.
// Thread-safe.
absl::Status FromGrpcStatus(const grpc::Status& status);

// "<operation>: <RocksDB's text>". `operation` names what was attempted
// ("commit batch", "read records"), never a key or value; RocksDB's text
// holds file names and reasons. Corruption → DataLoss, NotFound → NotFound,
// InvalidArgument → InvalidArgument, NotSupported → Unimplemented,
// Busy/TimedOut/TryAgain/IOError/ShutdownInProgress → Unavailable,
// Aborted/Incomplete → Aborted, anything else → Internal. Thread-safe.
absl::Status FromRocksDbStatus(const rocksdb::Status& status, std::string_view operation);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_STATUS_CONVERT_H_
