// The metrics endpoint both daemons serve: its address check, the three
// routes, readiness answers, and refusals of bad or taken addresses.
#include "proto/metrics/metrics_http_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "proto/metrics/listen_address.h"
#include "proto/metrics/rocksdb_size.h"
#include "rocksdb/db.h"
#include "tests/support/http_get.h"

namespace fedlink::metrics {
namespace {

using ::fedlink::test_http::HttpGet;
using ::testing::HasSubstr;
using ::testing::Not;

// A port nothing listens on now (the socket is closed before the test binds).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(MetricsListenAddressTest, AcceptsIpLiteralsWithPort) {
  EXPECT_TRUE(CheckListenAddress("127.0.0.1:9464").ok());
  EXPECT_TRUE(CheckListenAddress("0.0.0.0:1").ok());
  EXPECT_TRUE(CheckListenAddress("[::1]:65535").ok());
  EXPECT_TRUE(CheckListenAddress("[::]:9464").ok());
}

TEST(MetricsListenAddressTest, RefusesHostNamesBadPortsAndLists) {
  for (const char* bad : {"localhost:9464", "9464", ":9464", "127.0.0.1:", "127.0.0.1:0",
                          "127.0.0.1:65536", "127.0.0.1:+80", "127.0.0.1:80,0.0.0.0:81",
                          "::1:9464", "[::1:9464", "[nope]:9464", "127.0.0.1:80s", ""}) {
    absl::Status status = CheckListenAddress(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr("(allowed: <IPv4>:<port> or [<IPv6>]:<port>"))
        << bad;
  }
}

class MetricsHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<prometheus::Registry>();
    counter_ = &prometheus::BuildCounter()
                    .Name("fedlink_test_things_total")
                    .Help("Things")
                    .Register(*registry_)
                    .Add({{"kind", "a"}});
    gauge_ = &prometheus::BuildGauge().Name("fedlink_test_level").Help("Level").Register(*registry_).Add({});
  }

  std::unique_ptr<MetricsHttpServer> Start() {
    MetricsHttpOptions options;
    options.listen_address = absl::StrCat("127.0.0.1:", FreePort());
    options.registry = registry_;
    options.before_scrape = [this] { gauge_->Set(++scrapes_); };
    options.readiness = [this] { return Readiness{ready_.load(), "connected to x:1"}; };
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> server =
        MetricsHttpServer::Start(std::move(options));
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter* counter_ = nullptr;
  prometheus::Gauge* gauge_ = nullptr;
  int scrapes_ = 0;
  std::atomic<bool> ready_{false};
};

TEST_F(MetricsHttpServerTest, ServesTheRegistryInTextFormatAfterRefreshingGauges) {
  std::unique_ptr<MetricsHttpServer> server = Start();
  ASSERT_NE(server, nullptr);
  counter_->Increment(3);
  auto response = HttpGet(server->port(), "/metrics");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->headers, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  EXPECT_THAT(response->body, HasSubstr("# TYPE fedlink_test_things_total counter\n"));
  EXPECT_THAT(response->body, HasSubstr("fedlink_test_things_total{kind=\"a\"} 3\n"));
  EXPECT_THAT(response->body, HasSubstr("fedlink_test_level 1\n"));
  response = HttpGet(server->port(), "/metrics");
  ASSERT_TRUE(response.has_value());
  EXPECT_THAT(response->body, HasSubstr("fedlink_test_level 2\n"));
}

TEST_F(MetricsHttpServerTest, ProbesAnswerLivenessAndReadiness) {
  std::unique_ptr<MetricsHttpServer> server = Start();
  ASSERT_NE(server, nullptr);
  auto health = HttpGet(server->port(), "/healthz");
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  auto ready = HttpGet(server->port(), "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(ready->body, "not ready: connected to x:1\n");
  ready_ = true;
  ready = HttpGet(server->port(), "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "ready: connected to x:1\n");
  auto head = HttpGet(server->port(), "/healthz", "HEAD");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
}

TEST_F(MetricsHttpServerTest, AnswersNotFoundOutsideItsRoutes) {
  std::unique_ptr<MetricsHttpServer> server = Start();
  ASSERT_NE(server, nullptr);
  for (const char* path : {"/", "/metrics/extra", "/metricsx", "/etc/passwd", "/readyz/"}) {
    auto response = HttpGet(server->port(), path);
    ASSERT_TRUE(response.has_value()) << path;
    EXPECT_EQ(response->status, 404) << path;
    EXPECT_THAT(response->body, Not(HasSubstr("fedlink_test"))) << path;
  }
}

TEST_F(MetricsHttpServerTest, RefusesABadAddressAndOneInUse) {
  MetricsHttpOptions bad;
  bad.listen_address = "localhost:9464";
  bad.registry = registry_;
  absl::StatusOr<std::unique_ptr<MetricsHttpServer>> refused =
      MetricsHttpServer::Start(std::move(bad));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("metrics.listen localhost:9464"));

  std::unique_ptr<MetricsHttpServer> first = Start();
  ASSERT_NE(first, nullptr);
  MetricsHttpOptions taken;
  taken.listen_address = absl::StrCat("127.0.0.1:", first->port());
  taken.registry = registry_;
  absl::StatusOr<std::unique_ptr<MetricsHttpServer>> second =
      MetricsHttpServer::Start(std::move(taken));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(),
              HasSubstr(absl::StrCat("metrics.listen 127.0.0.1:", first->port(), ": cannot listen")));
}

TEST(RocksDbSizeTest, CountsMemtablesAndTableFiles) {
  char pattern[] = "/tmp/fedlink-metrics-rocksdb-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, std::string(pattern) + "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  const RocksDbSize empty = MeasureRocksDb(*db);
  EXPECT_EQ(empty.table_file_bytes, 0u);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "key", std::string(10000, 'v')).ok());
  const RocksDbSize written = MeasureRocksDb(*db);
  EXPECT_GT(written.memtable_bytes, empty.memtable_bytes);
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  EXPECT_GT(MeasureRocksDb(*db).table_file_bytes, 0u);
  db.reset();
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace fedlink::metrics
