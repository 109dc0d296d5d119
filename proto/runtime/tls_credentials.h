// gRPC credentials for fedlink's mutual TLS, built from checked PEM files
// (tls_material.h):
//  * servers REQUIRE a client certificate and verify it against the
//    deployment CA (no CA-less or anonymous client gets past the handshake);
//  * clients present their certificate, verify the server's against the CA
//    and check the target host name against its DNS/IP SANs.
// Both use gRPC's TLS credentials (grpc::experimental in 1.51). Revoked
// certificates (TlsOptions::crl_directory) are refused in the handshake:
// by the server through CertificateRevocations (tls_revocation.h), which
// can be re-read while it runs — and, so that a connection opened before
// the revocation carries no new call, on every call too (UNAUTHENTICATED;
// a stream already open runs on); by clients through gRPC's own CRL
// support, read when the channel is built. TLS versions: gRPC 1.51 offers no setter for the
// minimum version; its TLS stack negotiates only TLS 1.2 and 1.3 (1.3
// preferred), which tests/integration/proto_mtls_test.cc checks with
// `openssl s_client -tls1_1`.
//
// The agent's admin socket uses local credentials instead (UNIX-domain
// socket only; the socket file's permissions decide who may connect).
#ifndef FEDLINK_PROTO_RUNTIME_TLS_CREDENTIALS_H_
#define FEDLINK_PROTO_RUNTIME_TLS_CREDENTIALS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/runtime/tls_material.h"
#include "proto/runtime/tls_revocation.h"

namespace fedlink::proto {

// A client certificate the server refused because it is revoked.
struct RevokedPeer {
  // The identity its fedlink:// URI SAN names; nullopt if it names none.
  std::optional<PeerIdentity> identity;
  // Why, naming the serial and the CRL file (CertificateRevocations::Check).
  std::string reason;
  // Handshakes and calls refused with this certificate since the previous
  // report of it (including this one): reports are throttled to one per
  // certificate per kRevokedPeerReportInterval.
  uint64_t refusals = 1;
};

inline constexpr absl::Duration kRevokedPeerReportInterval = absl::Minutes(1);

struct TlsOptions {
  // A directory of CRLs of the deployment CA (PEM or DER; `openssl rehash`
  // links may sit beside them); a peer certificate revoked by one is
  // refused in the handshake. Empty: no CRL checking.
  std::string crl_directory;
  // Server only: told (on a gRPC thread; keep it short) about refused
  // revoked client certificates (handshakes and calls), at most once per
  // certificate per kRevokedPeerReportInterval.
  std::function<void(const RevokedPeer&)> on_revoked_peer;
};

// Credentials and the identity their certificate carries (for logs and for
// checking that a daemon runs under the role it expects).
template <typename Credentials>
struct TlsCredentials {
  std::shared_ptr<Credentials> credentials;
  PeerIdentity identity;
  // Server credentials with a crl_directory: the revocation list the
  // handshakes consult; Reload() it to put a new CRL in force. Null
  // otherwise.
  std::shared_ptr<CertificateRevocations> revocations;
  // Server credentials with a crl_directory: the per-call check, for a
  // long-lived stream to repeat (a call is checked only when it starts).
  // PermissionDenied naming the serial once the peer's certificate is
  // revoked, reported to on_revoked_peer like the handshakes. Thread-safe.
  // Null otherwise.
  std::function<absl::Status(const grpc::AuthContext&)> check_peer;
};

// Server credentials for mutual TLS. Errors: those of LoadTlsMaterial (with
// TlsSide::kServer, checked at `now`) and of CertificateRevocations::Load
// when crl_directory is given. Thread-safe.
absl::StatusOr<TlsCredentials<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files, const TlsOptions& options = {}, absl::Time now = absl::Now());

// Channel credentials with a client certificate. Errors: those of
// LoadTlsMaterial (TlsSide::kClient), and FailedPrecondition if
// crl_directory is given but is not a directory. Thread-safe.
absl::StatusOr<TlsCredentials<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsFiles& files, const TlsOptions& options = {}, absl::Time now = absl::Now());

// For the agent's admin service on a UNIX-domain socket ("unix:/path"):
// gRPC local credentials, which refuse any transport but a UNIX socket.
// Thread-safe.
std::shared_ptr<grpc::ServerCredentials> MakeLocalAdminServerCredentials();
std::shared_ptr<grpc::ChannelCredentials> MakeLocalAdminChannelCredentials();

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_TLS_CREDENTIALS_H_
