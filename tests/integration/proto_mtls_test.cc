// Mutual TLS end to end: deploy/pki.sh makes a deployment PKI in a temporary
// directory, an in-process Coordinator server (one RPC implemented) listens on
// 127.0.0.1 with the credentials of proto/runtime/tls_credentials.h, and
// clients connect with good and bad certificates. A refused client is one
// whose call fails without the server's handler ever running.
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/peer_identity.h"
#include "proto/runtime/status_convert.h"
#include "proto/runtime/tls_credentials.h"

namespace fedlink::proto {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command, capturing its output. The commands are built from
// paths this test created, so quoting them in single quotes is enough.
CommandResult RunShell(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string Quote(const fs::path& path) { return "'" + path.string() + "'"; }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string content;
  char buffer[4096];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) content.append(buffer, in.gcount());
  return content;
}

void WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

// Answers GetStatus with the caller's identity URI in software_version, or
// with the identity error; counts the calls that reached it.
class IdentityEchoService final : public v1::Coordinator::Service {
 public:
  grpc::Status GetStatus(grpc::ServerContext* context, const v1::GetStatusRequest*,
                         v1::CoordinatorStatus* response) override {
    calls_.fetch_add(1);
    absl::StatusOr<PeerIdentity> identity = PeerIdentityFromAuthContext(*context->auth_context());
    if (!identity.ok()) return ToGrpcStatus(identity.status());
    response->set_software_version(IdentityUri(*identity));
    std::lock_guard<std::mutex> lock(mutex_);
    last_ = *identity;
    return grpc::Status::OK;
  }

  int calls() const { return calls_.load(); }
  PeerIdentity last() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_;
  }

 private:
  std::atomic<int> calls_{0};
  mutable std::mutex mutex_;
  PeerIdentity last_;
};

class MtlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // gRPC's c-ares resolver (as Debian builds it) leaks a few bytes per
    // name lookup, which LeakSanitizer reports; the native resolver does
    // not. Set before gRPC initialises.
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-mtls-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = new fs::path(pattern);
    const fs::path pki = fs::path(FEDLINK_SOURCE_DIR) / "deploy" / "pki.sh";
    CommandResult made = RunShell(
        absl::StrCat(Quote(pki), " --out ", Quote(*dir_),
                     " --coordinator coord --agent edu --steward edu/bob --analyst alice"));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    // The same identity issued by another deployment's CA.
    CommandResult other =
        RunShell(absl::StrCat(Quote(pki), " --out ", Quote(*dir_ / "other"), " --agent edu"));
    ASSERT_EQ(other.exit_code, 0) << other.output;
    MakeExtraCertificates();

    absl::StatusOr<TlsCredentials<grpc::ServerCredentials>> server_credentials =
        MakeServerCredentials(Files("coordinator/coord"));
    ASSERT_TRUE(server_credentials.ok()) << server_credentials.status();
    service_ = new IdentityEchoService;
    grpc::ServerBuilder builder;
    ApplyMessageSizeLimits(builder);
    builder.AddListeningPort("127.0.0.1:0", server_credentials->credentials, &port_);
    builder.RegisterService(service_);
    server_ = builder.BuildAndStart().release();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }

  static void TearDownTestSuite() {
    if (server_ != nullptr) server_->Shutdown();
    delete server_;
    delete service_;
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
  }

  // Certificates pki.sh would never issue, made with the openssl CLI and the
  // deployment CA: an expired one, one without a fedlink URI, one with a
  // fedlink URI naming no role.
  static void MakeExtraCertificates() {
    const fs::path extra = *dir_ / "extra";
    fs::create_directories(extra);
    WriteFile(extra / "index.txt", "");
    WriteFile(extra / "serial", "01\n");
    WriteFile(extra / "ca.cnf",
              absl::StrCat("[ca]\ndefault_ca = test_ca\n[test_ca]\n", "database = ",
                           (extra / "index.txt").string(), "\n", "new_certs_dir = ", extra.string(),
                           "\n", "serial = ", (extra / "serial").string(), "\n",
                           "default_md = sha256\npolicy = any\n",
                           "unique_subject = no\n[any]\ncommonName = supplied\n"));
    auto extensions = [](const std::string& san) {
      return absl::StrCat(
          "[leaf]\nbasicConstraints = critical, CA:FALSE\n"
          "keyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth\n",
          san.empty() ? "" : absl::StrCat("subjectAltName = ", san, "\n"));
    };
    struct Extra {
      const char* name;
      std::string san;
      const char* dates;
    };
    for (const Extra& e : {
             Extra{"expired", "URI:fedlink://agent/edu",
                   "-startdate 20200101000000Z -enddate 20200102000000Z"},
             Extra{"no_uri", "DNS:edu.example.org", "-days 30"},
             Extra{"bad_role", "URI:fedlink://root/edu", "-days 30"},
         }) {
      const fs::path key = extra / (std::string(e.name) + ".key");
      const fs::path csr = extra / (std::string(e.name) + ".csr");
      const fs::path ext = extra / (std::string(e.name) + ".ext");
      WriteFile(ext, extensions(e.san));
      CommandResult r = RunShell(absl::StrCat(
          "umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ",
          Quote(key), " && openssl req -new -key ", Quote(key), " -subj /CN=", e.name, " -out ",
          Quote(csr), " && openssl ca -batch -notext -config ", Quote(extra / "ca.cnf"), " -cert ",
          Quote(*dir_ / "ca.crt"), " -keyfile ", Quote(*dir_ / "ca.key"), " -in ", Quote(csr),
          " -out ", Quote(extra / (std::string(e.name) + ".crt")), " ", e.dates, " -extfile ",
          Quote(ext), " -extensions leaf"));
      ASSERT_EQ(r.exit_code, 0) << e.name << ": " << r.output;
    }
    // The expired certificate is refused for its dates and nothing else.
    CommandResult verify = RunShell(absl::StrCat("openssl verify -CAfile ", Quote(*dir_ / "ca.crt"),
                                                 " ", Quote(extra / "expired.crt")));
    ASSERT_NE(verify.exit_code, 0);
    ASSERT_THAT(verify.output, HasSubstr("certificate has expired"));
  }

  static TlsFiles Files(const std::string& identity, const fs::path& base = {}) {
    const fs::path root = base.empty() ? *dir_ : base;
    return TlsFiles{(*dir_ / "ca.crt").string(), (root / (identity + ".crt")).string(),
                    (root / (identity + ".key")).string()};
  }

  static std::string Target(const std::string& host) { return absl::StrCat(host, ":", port_); }

  // Calls GetStatus; returns the status and the echoed identity URI.
  static grpc::Status Call(const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                           const std::string& host, std::string* uri = nullptr) {
    grpc::ChannelArguments arguments;
    ApplyMessageSizeLimits(arguments);
    auto channel = grpc::CreateCustomChannel(Target(host), credentials, arguments);
    auto stub = v1::Coordinator::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::CoordinatorStatus response;
    grpc::Status status = stub->GetStatus(&context, v1::GetStatusRequest(), &response);
    if (uri != nullptr) *uri = response.software_version();
    return status;
  }

  // Credentials built directly from PEM files, bypassing LoadTlsMaterial's
  // checks, to see what the server itself does with a bad client.
  static std::shared_ptr<grpc::ChannelCredentials> RawCredentials(const fs::path& cert,
                                                                  const fs::path& key) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(*dir_ / "ca.crt");
    if (!cert.empty()) {
      options.pem_cert_chain = ReadFile(cert);
      options.pem_private_key = ReadFile(key);
    }
    return grpc::SslCredentials(options);
  }

  // Expects the call to fail without reaching the service.
  static void ExpectRefused(const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
    const int before = service_->calls();
    grpc::Status status = Call(credentials, "localhost");
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
    EXPECT_EQ(service_->calls(), before) << "the handler ran for a refused client";
  }

  static fs::path* dir_;
  static IdentityEchoService* service_;
  static grpc::Server* server_;
  static int port_;
};

fs::path* MtlsTest::dir_ = nullptr;
IdentityEchoService* MtlsTest::service_ = nullptr;
grpc::Server* MtlsTest::server_ = nullptr;
int MtlsTest::port_ = 0;

TEST_F(MtlsTest, PkiScriptIsIdempotentAndKeysArePrivate) {
  const fs::path pki = fs::path(FEDLINK_SOURCE_DIR) / "deploy" / "pki.sh";
  const std::string before = ReadFile(*dir_ / "agent/edu.crt");
  CommandResult again =
      RunShell(absl::StrCat(Quote(pki), " --out ", Quote(*dir_),
                            " --coordinator coord --agent edu --steward edu/bob --analyst alice"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("agent/edu: unchanged"));
  EXPECT_THAT(again.output, Not(HasSubstr("created")));
  EXPECT_EQ(ReadFile(*dir_ / "agent/edu.crt"), before);
  for (const char* key : {"ca.key", "coordinator/coord.key", "agent/edu.key", "steward/edu/bob.key",
                          "analyst/alice.key"}) {
    struct stat st {};
    ASSERT_EQ(::stat((*dir_ / key).c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << key;
  }
}

TEST_F(MtlsTest, ValidClientsConnectAndTheirIdentityIsExtracted) {
  struct Case {
    const char* files;
    const char* host;
    PeerIdentity expected;
  };
  for (const Case& c : {
           Case{"agent/edu", "localhost", {Role::kAgent, "edu", "edu"}},
           Case{"steward/edu/bob", "localhost", {Role::kSteward, "edu/bob", "edu"}},
           Case{"analyst/alice", "127.0.0.1", {Role::kAnalyst, "alice", ""}},
       }) {
    absl::StatusOr<TlsCredentials<grpc::ChannelCredentials>> credentials =
        MakeChannelCredentials(Files(c.files));
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    EXPECT_EQ(credentials->identity, c.expected);
    const int before = service_->calls();
    std::string uri;
    grpc::Status status = Call(credentials->credentials, c.host, &uri);
    ASSERT_TRUE(status.ok()) << c.files << ": " << status.error_message();
    EXPECT_EQ(service_->calls(), before + 1);
    EXPECT_EQ(service_->last(), c.expected) << c.files;
    EXPECT_EQ(uri, IdentityUri(c.expected));
  }
}

TEST_F(MtlsTest, ServerCredentialsCarryTheCoordinatorIdentity) {
  absl::StatusOr<TlsCredentials<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(Files("coordinator/coord"));
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->identity, (PeerIdentity{Role::kCoordinator, "coord", ""}));
}

TEST_F(MtlsTest, ClientCertificateFromAnotherCaIsRefused) {
  const fs::path other = *dir_ / "other";
  ExpectRefused(RawCredentials(other / "agent/edu.crt", other / "agent/edu.key"));
  // And our loader names the problem before any connection is tried.
  absl::StatusOr<TlsCredentials<grpc::ChannelCredentials>> loaded =
      MakeChannelCredentials(Files("agent/edu", other));
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(loaded.status().message()), HasSubstr("does not verify against CA"));
}

TEST_F(MtlsTest, ClientWithoutCertificateIsRefused) { ExpectRefused(RawCredentials({}, {})); }

TEST_F(MtlsTest, ExpiredClientCertificateIsRefused) {
  const fs::path extra = *dir_ / "extra";
  ExpectRefused(RawCredentials(extra / "expired.crt", extra / "expired.key"));
  absl::StatusOr<TlsCredentials<grpc::ChannelCredentials>> loaded =
      MakeChannelCredentials(Files("expired", extra));
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(loaded.status().message()), HasSubstr("certificate has expired"));
}

TEST_F(MtlsTest, VerifiedPeerWithoutAFedlinkIdentityIsUnauthenticated) {
  // The CA signed these, so the handshake succeeds; the identity check refuses.
  const fs::path extra = *dir_ / "extra";
  for (const char* name : {"no_uri", "bad_role"}) {
    const int before = service_->calls();
    grpc::Status status = Call(
        RawCredentials(extra / (std::string(name) + ".crt"), extra / (std::string(name) + ".key")),
        "localhost");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name;
    EXPECT_EQ(service_->calls(), before + 1) << name;
    absl::StatusOr<TlsMaterial> loaded = LoadTlsMaterial(Files(name, extra), TlsSide::kClient);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

TEST_F(MtlsTest, ClientRefusesAServerFromAnotherCa) {
  // The client trusts the other CA only, so our coordinator is a stranger.
  const fs::path other = *dir_ / "other";
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFile(other / "ca.crt");
  options.pem_cert_chain = ReadFile(other / "agent/edu.crt");
  options.pem_private_key = ReadFile(other / "agent/edu.key");
  ExpectRefused(grpc::SslCredentials(options));
}

TEST_F(MtlsTest, OnlyTls12AndNewerAreNegotiated) {
  auto s_client = [&](const std::string& version) {
    // SECLEVEL=0 lets this client offer TLS 1.1, so a refusal comes from the server.
    return RunShell(absl::StrCat("timeout 20 openssl s_client -connect ", Target("127.0.0.1"), " ",
                                 version, " -cipher 'DEFAULT@SECLEVEL=0' -CAfile ",
                                 Quote(*dir_ / "ca.crt"), " -cert ", Quote(*dir_ / "agent/edu.crt"),
                                 " -key ", Quote(*dir_ / "agent/edu.key"), " < /dev/null"));
  };
  // s_client's exit code reflects how the server closed the connection
  // afterwards (gRPC hangs up on a peer that sends no HTTP/2), so judge by
  // the session line it prints once a handshake completed.
  CommandResult tls13 = s_client("-tls1_3");
  EXPECT_THAT(tls13.output, HasSubstr("New, TLSv1.3, Cipher is TLS_"));
  CommandResult tls12 = s_client("-tls1_2");
  EXPECT_THAT(tls12.output, HasSubstr("New, TLSv1.2, Cipher is ECDHE-"));
  // The client sends its TLS 1.1 hello (it does not refuse locally, which
  // would say "no protocols available"); the server answers with nothing.
  CommandResult tls11 = s_client("-tls1_1");
  EXPECT_NE(tls11.exit_code, 0) << tls11.output;
  EXPECT_THAT(tls11.output, Not(HasSubstr("no protocols available")));
  EXPECT_THAT(tls11.output, HasSubstr("SSL handshake has read 0 bytes"));
  EXPECT_THAT(tls11.output, HasSubstr("New, (NONE), Cipher is (NONE)"));
}

TEST_F(MtlsTest, LoaderNamesBadFiles) {
  // Missing file.
  TlsFiles missing = Files("agent/edu");
  missing.cert_file += ".nope";
  EXPECT_EQ(LoadTlsMaterial(missing, TlsSide::kClient).status().code(),
            absl::StatusCode::kNotFound);

  // A key readable by others.
  const fs::path loose = *dir_ / "loose.key";
  fs::copy_file(*dir_ / "agent/edu.key", loose, fs::copy_options::overwrite_existing);
  fs::permissions(loose, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                             fs::perms::others_read);
  TlsFiles readable = Files("agent/edu");
  readable.key_file = loose.string();
  absl::Status status = LoadTlsMaterial(readable, TlsSide::kClient).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("accessible by group or others (mode 0644)"));

  // Someone else's key.
  TlsFiles mismatched = Files("agent/edu");
  mismatched.key_file = Files("analyst/alice").key_file;
  status = LoadTlsMaterial(mismatched, TlsSide::kClient).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("does not match certificate file"));

  // A client certificate cannot serve, a server certificate cannot dial.
  status = MakeServerCredentials(Files("agent/edu")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("as a TLS server certificate"));
  status = MakeChannelCredentials(Files("coordinator/coord")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);

  // The CA file must hold a CA.
  TlsFiles not_ca = Files("agent/edu");
  not_ca.ca_file = Files("analyst/alice").cert_file;
  EXPECT_EQ(LoadTlsMaterial(not_ca, TlsSide::kClient).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(MtlsTest, LocalAdminSocketPeersHaveNoCertificateIdentity) {
  IdentityEchoService service;
  grpc::ServerBuilder builder;
  const std::string address = "unix:" + (*dir_ / "admin.sock").string();
  builder.AddListeningPort(address, MakeLocalAdminServerCredentials());
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub =
      v1::Coordinator::NewStub(grpc::CreateChannel(address, MakeLocalAdminChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::CoordinatorStatus response;
  grpc::Status status = stub->GetStatus(&context, v1::GetStatusRequest(), &response);
  // The call got through the local credentials; a local peer is not a TLS identity.
  EXPECT_EQ(service.calls(), 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  server->Shutdown();
}

}  // namespace
}  // namespace fedlink::proto
