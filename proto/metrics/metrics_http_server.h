// A daemon's plain-HTTP observation endpoint (civetweb, GET only):
//   /metrics  the registry in the Prometheus text format (version 0.0.4);
//   /healthz  200 while the process serves HTTP (liveness);
//   /readyz   200 when the daemon says it is ready, else 503, with a short
//             reason (the coordinator: serving; the agent: connected to the
//             coordinator);
// anything else is 404. No TLS and no authentication: bind it to loopback
// or a monitoring network. What it serves are counts, sizes and state
// names — never a job id, an identifier or an attribute value (the metric
// families are built that way; see coordinator/rpc/coordinator_metrics.h
// and agent/daemon/agent_metrics.h).
#ifndef FEDLINK_PROTO_METRICS_METRICS_HTTP_SERVER_H_
#define FEDLINK_PROTO_METRICS_METRICS_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/registry.h"

class CivetServer;
class CivetHandler;

namespace fedlink::metrics {

struct Readiness {
  bool ready = false;
  // One line for the probe's body, e.g. "connected to coord:7443".
  std::string detail;
};

struct MetricsHttpOptions {
  // Checked with CheckListenAddress.
  std::string listen_address;
  std::shared_ptr<prometheus::Registry> registry;
  // Runs before each scrape to set the gauges that are read from the
  // daemon's state (job counts, store size). May run on two threads at once.
  std::function<void()> before_scrape;
  // Answers /readyz. Unset: always ready.
  std::function<Readiness()> readiness;
};

// Thread-safe. Stops (and joins its threads) on destruction, so the objects
// the callbacks read must outlive it.
class MetricsHttpServer {
 public:
  // Starts listening. InvalidArgument for a bad address or a missing
  // registry; Unavailable naming the address when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(MetricsHttpOptions options);
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // The bound port.
  int port() const { return port_; }

 private:
  explicit MetricsHttpServer(MetricsHttpOptions options);
  // Opens and closes one connection to the listening socket.
  void PokeListener() const;

  const MetricsHttpOptions options_;
  // Handlers are declared first so that the server, which calls them, is
  // destroyed (stopped) before them.
  std::vector<std::unique_ptr<CivetHandler>> handlers_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
};

}  // namespace fedlink::metrics

#endif  // FEDLINK_PROTO_METRICS_METRICS_HTTP_SERVER_H_
