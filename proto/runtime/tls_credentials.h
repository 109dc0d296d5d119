// gRPC credentials for fedlink's mutual TLS, built from checked PEM files
// (tls_material.h):
//  * servers REQUIRE a client certificate and verify it against the
//    deployment CA (no CA-less or anonymous client gets past the handshake);
//  * clients present their certificate, verify the server's against the CA
//    and check the target host name against its DNS/IP SANs.
// Both use gRPC's TLS credentials (grpc::experimental in 1.51), which also
// take a CRL directory. TLS versions: gRPC 1.51 offers no setter for the
// minimum version; its TLS stack negotiates only TLS 1.2 and 1.3 (1.3
// preferred), which tests/integration/proto_mtls_test.cc checks with
// `openssl s_client -tls1_1`.
//
// The agent's admin socket uses local credentials instead (UNIX-domain
// socket only; the socket file's permissions decide who may connect).
#ifndef FEDLINK_PROTO_RUNTIME_TLS_CREDENTIALS_H_
#define FEDLINK_PROTO_RUNTIME_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/runtime/tls_material.h"

namespace fedlink::proto {

struct TlsOptions {
  // A directory of CRLs in OpenSSL's hashed layout (`openssl rehash DIR`);
  // a peer certificate revoked by one is refused in the handshake. Empty: no
  // CRL checking.
  std::string crl_directory;
};

// Credentials and the identity their certificate carries (for logs and for
// checking that a daemon runs under the role it expects).
template <typename Credentials>
struct TlsCredentials {
  std::shared_ptr<Credentials> credentials;
  PeerIdentity identity;
};

// Server credentials for mutual TLS. Errors: those of LoadTlsMaterial (with
// TlsSide::kServer, checked at `now`), and FailedPrecondition if
// crl_directory is given but is not a directory. Thread-safe.
absl::StatusOr<TlsCredentials<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files, const TlsOptions& options = {}, absl::Time now = absl::Now());

// Channel credentials with a client certificate. Errors as
// MakeServerCredentials, with TlsSide::kClient. Thread-safe.
absl::StatusOr<TlsCredentials<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsFiles& files, const TlsOptions& options = {}, absl::Time now = absl::Now());

// For the agent's admin service on a UNIX-domain socket ("unix:/path"):
// gRPC local credentials, which refuse any transport but a UNIX socket.
// Thread-safe.
std::shared_ptr<grpc::ServerCredentials> MakeLocalAdminServerCredentials();
std::shared_ptr<grpc::ChannelCredentials> MakeLocalAdminChannelCredentials();

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_TLS_CREDENTIALS_H_
