// The address a daemon's metrics endpoint listens on (`metrics.listen` in
// coordinator.yaml and agent.yaml): "<IPv4>:<port>" or "[<IPv6>]:<port>".
// Host names are not taken: the HTTP server binds literal addresses only,
// and an operator should see exactly which interface the endpoint is on.
#ifndef FEDLINK_PROTO_METRICS_LISTEN_ADDRESS_H_
#define FEDLINK_PROTO_METRICS_LISTEN_ADDRESS_H_

#include <string_view>

#include "absl/status/status.h"

namespace fedlink::metrics {

// OK for "127.0.0.1:9464", "0.0.0.0:9464", "[::1]:9464"; InvalidArgument
// saying what is wrong and what is allowed otherwise (the config readers
// prefix it with file:line:col and the key). Thread-safe.
absl::Status CheckListenAddress(std::string_view address);

}  // namespace fedlink::metrics

#endif  // FEDLINK_PROTO_METRICS_LISTEN_ADDRESS_H_
