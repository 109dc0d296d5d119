// A minimal HTTP/1.1 GET over a loopback TCP socket, for tests that scrape
// the daemons' metrics endpoint (proto/metrics/metrics_http_server.h): one
// request, "Connection: close", the whole answer read until EOF. Header
// only, no dependency beyond POSIX sockets.
#ifndef FEDLINK_TESTS_SUPPORT_HTTP_GET_H_
#define FEDLINK_TESTS_SUPPORT_HTTP_GET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace fedlink::test_http {

struct HttpResponse {
  int status = 0;        // e.g. 200
  std::string headers;   // the header block, status line included
  std::string body;
};

// GET `path` from 127.0.0.1:`port` (`method` "HEAD" for a HEAD request);
// nullopt when nothing answers or the answer is not HTTP. Gives up after
// 5 s of silence.
inline std::optional<HttpResponse> HttpGet(int port, const std::string& path,
                                           const std::string& method = "GET") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  const std::string request =
      method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string raw;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0) raw.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos || raw.size() < 12) {
    return std::nullopt;
  }
  HttpResponse response;
  response.status = std::atoi(raw.substr(9, 3).c_str());
  response.headers = raw.substr(0, end);
  response.body = raw.substr(end + 4);
  return response;
}

}  // namespace fedlink::test_http

#endif  // FEDLINK_TESTS_SUPPORT_HTTP_GET_H_
