// The certificates the deployment CA has revoked, read from the CRLs in a
// directory (`tls.crl_dir` of coordinator.yaml, written by
// `deploy/pki.sh revoke`), checked on every handshake the coordinator
// accepts, and re-read on request (ReloadConfig, SIGHUP) so that revoking a
// certificate needs no restart.
//
// Why not gRPC's own crl_directory on the server: gRPC hands the directory
// to OpenSSL once, when it builds the TLS context, and OpenSSL's hashed
// directory lookup caches every CRL it has read — a CRL replaced under the
// same name is never read again, so a revocation would wait for a restart.
// Clients (agents, the CLI) still use gRPC's crl_directory: they build a
// new channel, and so read the directory afresh, when they reconnect.
//
// The directory holds CRL files in PEM or DER (`openssl rehash` links and
// files starting with '.' are skipped, so `openssl ca -gencrl` output and
// its hashed links may sit side by side). Every CRL must be issued and
// signed by a certificate of the CA file; delta CRLs are refused. A CRL past
// its nextUpdate still revokes what it lists (revocation never lapses) and
// is reported in RevocationSummary::expired so the operator renews it.
#ifndef FEDLINK_PROTO_RUNTIME_TLS_REVOCATION_H_
#define FEDLINK_PROTO_RUNTIME_TLS_REVOCATION_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace fedlink::proto {

// What one reading of the directory found.
struct RevocationSummary {
  size_t crl_files = 0;
  // Distinct revoked certificates (issuer and serial).
  size_t revoked = 0;
  // CRL files whose nextUpdate is before the time of reading.
  std::vector<std::string> expired;
};

class CertificateRevocations {
 public:
  // Reads `directory` (must exist; may be empty) and the CA certificates of
  // `ca_file`. Errors, each naming the file: NotFound / FailedPrecondition
  // for a directory or file that cannot be read or is larger than 16 MiB,
  // InvalidArgument for a file that holds no CRL, a delta CRL, a CRL not
  // issued by or not signed by the CA. Thread-safe.
  static absl::StatusOr<std::shared_ptr<CertificateRevocations>> Load(
      const std::string& directory, const std::string& ca_file, absl::Time now = absl::Now());

  // Reads the directory again and, if every file is good, puts the new list
  // in force; otherwise the previous list stays in force and the error (as
  // Load) is returned. Thread-safe; concurrent Check calls see either list.
  absl::StatusOr<RevocationSummary> Reload(absl::Time now = absl::Now());

  // OK unless the PEM certificate (the peer's leaf) is revoked:
  // PermissionDenied "certificate serial <hex> was revoked (CRL file F)".
  // InvalidArgument if `certificate_pem` holds no certificate. Thread-safe.
  absl::Status Check(std::string_view certificate_pem) const;

  // The summary of the list in force.
  RevocationSummary summary() const;
  const std::string& directory() const { return directory_; }

  // A list in force; public for Load and Reload only (opaque elsewhere).
  struct Snapshot;

 private:
  CertificateRevocations(std::string directory, std::string ca_pem);

  const std::string directory_;
  const std::string ca_pem_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;  // guarded by mu_
};

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_TLS_REVOCATION_H_
