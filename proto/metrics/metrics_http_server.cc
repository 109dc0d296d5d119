#include "proto/metrics/metrics_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <string_view>
#include <thread>
#include <utility>

#include <CivetServer.h>

#include "absl/strings/str_cat.h"
#include "prometheus/text_serializer.h"
#include "proto/metrics/listen_address.h"

namespace fedlink::metrics {
namespace {

struct Response {
  int code = 200;
  std::string body;
  const char* content_type = "text/plain; charset=utf-8";
};

const char* Reason(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 503:
      return "Service Unavailable";
    default:
      return "Internal Server Error";
  }
}

// One exact path (civetweb also routes "<path>/…" here; those get 404).
class Route final : public CivetHandler {
 public:
  Route(std::string path, std::function<Response()> respond)
      : path_(std::move(path)), respond_(std::move(respond)) {}

  bool handleGet(CivetServer*, mg_connection* conn) override { return Handle(conn, true); }
  bool handleHead(CivetServer*, mg_connection* conn) override { return Handle(conn, false); }

  const std::string& path() const { return path_; }

 private:
  bool Handle(mg_connection* conn, bool with_body) {
    const mg_request_info* request = mg_get_request_info(conn);
    Response response;
    if (request == nullptr || request->local_uri == nullptr || path_ != request->local_uri) {
      response = {404, "not found\n"};
    } else {
      // Nothing may unwind through civetweb's C frames.
      try {
        response = respond_();
      } catch (const std::exception&) {
        response = {500, "internal error\n"};
      }
    }
    const std::string head = absl::StrCat(
        "HTTP/1.1 ", response.code, " ", Reason(response.code),
        "\r\nContent-Type: ", response.content_type,
        "\r\nContent-Length: ", response.body.size(),
        "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
    mg_write(conn, head.data(), head.size());
    if (with_body) mg_write(conn, response.body.data(), response.body.size());
    return true;
  }

  const std::string path_;
  const std::function<Response()> respond_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    MetricsHttpOptions options) {
  if (absl::Status valid = CheckListenAddress(options.listen_address); !valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics.listen ", options.listen_address, ": ", valid.message()));
  }
  if (options.registry == nullptr) {
    return absl::InvalidArgumentError("MetricsHttpServer: no registry");
  }
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer(std::move(options)));
  const MetricsHttpOptions& o = server->options_;

  server->handlers_.push_back(std::make_unique<Route>("/metrics", [&o] {
    if (o.before_scrape) o.before_scrape();
    Response response;
    response.body = prometheus::TextSerializer().Serialize(o.registry->Collect());
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  }));
  server->handlers_.push_back(
      std::make_unique<Route>("/healthz", [] { return Response{200, "ok\n"}; }));
  server->handlers_.push_back(std::make_unique<Route>("/readyz", [&o] {
    const Readiness readiness = o.readiness ? o.readiness() : Readiness{true, ""};
    std::string body = readiness.ready ? "ready" : "not ready";
    if (!readiness.detail.empty()) absl::StrAppend(&body, ": ", readiness.detail);
    return Response{readiness.ready ? 200 : 503, body + "\n"};
  }));

  // No document root: nothing but the routes above is served.
  const std::vector<std::string> civet_options = {
      "listening_ports", o.listen_address, "num_threads", "2", "request_timeout_ms", "10000",
      "enable_keep_alive", "no"};
  try {
    server->server_ = std::make_unique<CivetServer>(civet_options);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics.listen ", o.listen_address, ": cannot listen (", e.what(), ")"));
  }
  for (const std::unique_ptr<CivetHandler>& handler : server->handlers_) {
    server->server_->addHandler(static_cast<Route&>(*handler).path(), handler.get());
  }
  const std::vector<int> ports = server->server_->getListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(absl::StrCat("metrics.listen ", o.listen_address, ": not bound"));
  }
  server->port_ = ports.front();
  return server;
}

MetricsHttpServer::MetricsHttpServer(MetricsHttpOptions options) : options_(std::move(options)) {}

MetricsHttpServer::~MetricsHttpServer() {
  if (server_ == nullptr) return;
  // civetweb's accept loop looks at its stop flag only between polls of the
  // listening socket (every 2 s). Connections made while it stops end that
  // poll at once; one that slips in before the flag is set is accepted and
  // closed (it sends nothing), hence the repeats until close() returns.
  std::atomic<bool> stopped{false};
  std::thread waker([this, &stopped] {
    while (!stopped.load()) {
      PokeListener();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  server_->close();
  stopped = true;
  waker.join();
}

void MetricsHttpServer::PokeListener() const {
  // The listen address was checked: "<IPv4>:<port>" or "[<IPv6>]:<port>".
  const std::string& address = options_.listen_address;
  std::string host = address.substr(0, address.rfind(':'));
  const bool v6 = host.front() == '[';
  if (v6) host = host.substr(1, host.size() - 2);
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port_));
    if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) != 1) return;
    length = sizeof(*in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<uint16_t>(port_));
    if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) != 1) return;
    length = sizeof(*in4);
  }
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&storage), length);
  ::close(fd);
}

}  // namespace fedlink::metrics
