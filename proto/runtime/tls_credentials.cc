#include "proto/runtime/tls_credentials.h"

#include <sys/stat.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/crypto.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::proto {
namespace {

absl::Status CheckCrlDirectory(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("CRL directory '", path, "' does not exist or is not a directory"));
  }
  return absl::OkStatus();
}

// The provider hands gRPC its own copies of the PEM texts; gRPC keeps the
// key for the life of the credentials, outside fedlink's wiping types.
std::shared_ptr<grpc::experimental::StaticDataCertificateProvider> Provider(
    const TlsMaterial& material) {
  std::vector<grpc::experimental::IdentityKeyCertPair> identity(1);
  identity[0].private_key = std::string(material.private_key_pem.Expose());
  identity[0].certificate_chain = material.cert_chain_pem;
  auto provider = std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
      material.ca_pem, identity);
  // Wipe the temporary copy now that the provider holds its own.
  OPENSSL_cleanse(identity[0].private_key.data(), identity[0].private_key.size());
  return provider;
}

// Tells TlsOptions::on_revoked_peer about refused revoked certificates, at
// most once per certificate per kRevokedPeerReportInterval (a revoked
// client that keeps retrying must not flood the audit log); each report
// counts the refusals since the previous one.
class RevokedPeerReporter {
 public:
  explicit RevokedPeerReporter(std::function<void(const RevokedPeer&)> report)
      : report_(std::move(report)) {}

  void Report(std::optional<PeerIdentity> identity, std::string reason) {
    if (!report_) return;
    RevokedPeer peer{std::move(identity), std::move(reason), 1};
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (pending_.size() > kMaxTrackedCertificates) pending_.clear();
      Pending& pending = pending_[peer.reason];
      ++pending.unreported;
      const absl::Time now = absl::Now();
      if (now - pending.last_report < kRevokedPeerReportInterval) return;
      pending.last_report = now;
      peer.refusals = pending.unreported;
      pending.unreported = 0;
    }
    report_(peer);
  }

 private:
  struct Pending {
    absl::Time last_report = absl::InfinitePast();
    uint64_t unreported = 0;
  };
  // Bounds the throttle's memory (one entry per revoked certificate seen).
  static constexpr size_t kMaxTrackedCertificates = 4096;

  const std::function<void(const RevokedPeer&)> report_;
  std::mutex mu_;
  // By reason, which names the serial and the CRL file.
  std::map<std::string, Pending> pending_;
};

// Refuses, after gRPC has verified the client's chain against the CA, a
// certificate the revocation list names: new connections. Synchronous (a
// PEM parse and a map lookup).
class RevocationVerifier final : public grpc::experimental::ExternalCertificateVerifier {
 public:
  RevocationVerifier(std::shared_ptr<const CertificateRevocations> revocations,
                     std::shared_ptr<RevokedPeerReporter> reporter)
      : revocations_(std::move(revocations)), reporter_(std::move(reporter)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/, grpc::Status* sync_status) override {
    const grpc::string_ref pem = request->peer_cert();
    const absl::Status checked = revocations_->Check(std::string_view(pem.data(), pem.size()));
    if (checked.ok()) {
      *sync_status = grpc::Status::OK;
      return true;
    }
    *sync_status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(checked.message()));
    std::optional<PeerIdentity> identity;
    for (const grpc::string_ref& uri : request->uri_names()) {
      absl::StatusOr<PeerIdentity> parsed = ParseIdentityUri(std::string_view(uri.data(), uri.size()));
      if (parsed.ok()) identity = *std::move(parsed);
    }
    reporter_->Report(std::move(identity), std::string(checked.message()));
    return true;
  }

  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  const std::shared_ptr<const CertificateRevocations> revocations_;
  const std::shared_ptr<RevokedPeerReporter> reporter_;
};

// OK unless the certificate of the peer behind `context` is revoked; a
// revoked one is reported (throttled) and answered PermissionDenied.
absl::Status CheckPeerNotRevoked(const CertificateRevocations& revocations,
                                 RevokedPeerReporter& reporter, const grpc::AuthContext& context) {
  for (const grpc::string_ref& pem : context.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)) {
    absl::Status checked = revocations.Check(std::string_view(pem.data(), pem.size()));
    if (checked.ok()) continue;
    absl::StatusOr<PeerIdentity> identity = PeerIdentityFromAuthContext(context);
    reporter.Report(identity.ok() ? std::optional<PeerIdentity>(*identity) : std::nullopt,
                    std::string(checked.message()));
    return checked;
  }
  return absl::OkStatus();
}

// The same check on every call: a connection made before the certificate
// was revoked can carry no new call once the list is reloaded.
class RevocationCallCheck final : public grpc::AuthMetadataProcessor {
 public:
  RevocationCallCheck(std::shared_ptr<const CertificateRevocations> revocations,
                      std::shared_ptr<RevokedPeerReporter> reporter)
      : revocations_(std::move(revocations)), reporter_(std::move(reporter)) {}

  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& /*auth_metadata*/, grpc::AuthContext* context,
                       OutputMetadata* /*consumed_auth_metadata*/,
                       OutputMetadata* /*response_metadata*/) override {
    const absl::Status checked = CheckPeerNotRevoked(*revocations_, *reporter_, *context);
    if (checked.ok()) return grpc::Status::OK;
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(checked.message()));
  }

 private:
  const std::shared_ptr<const CertificateRevocations> revocations_;
  const std::shared_ptr<RevokedPeerReporter> reporter_;
};

}  // namespace

absl::StatusOr<TlsCredentials<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files, const TlsOptions& options, absl::Time now) {
  FEDLINK_RETURN_IF_ERROR(CheckCrlDirectory(options.crl_directory));
  FEDLINK_ASSIGN_OR_RETURN(TlsMaterial material, LoadTlsMaterial(files, TlsSide::kServer, now));
  std::shared_ptr<CertificateRevocations> revocations;
  if (!options.crl_directory.empty()) {
    FEDLINK_ASSIGN_OR_RETURN(revocations,
                             CertificateRevocations::Load(options.crl_directory, files.ca_file, now));
  }
  grpc::experimental::TlsServerCredentialsOptions tls(Provider(material));
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  // Not tls.set_crl_directory: OpenSSL would cache the CRLs for the life of
  // the server (see tls_revocation.h).
  auto reporter = std::make_shared<RevokedPeerReporter>(options.on_revoked_peer);
  if (revocations != nullptr) {
    tls.set_certificate_verifier(
        grpc::experimental::ExternalCertificateVerifier::Create<RevocationVerifier>(revocations,
                                                                                    reporter));
  }
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::TlsServerCredentials(tls);
  if (credentials == nullptr) return absl::InternalError("gRPC refused the TLS server options");
  if (revocations != nullptr) {
    credentials->SetAuthMetadataProcessor(
        std::make_shared<RevocationCallCheck>(revocations, reporter));
  }
  TlsCredentials<grpc::ServerCredentials> made{std::move(credentials), material.identity,
                                                revocations, nullptr};
  if (revocations != nullptr) {
    made.check_peer = [revocations, reporter](const grpc::AuthContext& context) {
      return CheckPeerNotRevoked(*revocations, *reporter, context);
    };
  }
  return made;
}

absl::StatusOr<TlsCredentials<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsFiles& files, const TlsOptions& options, absl::Time now) {
  FEDLINK_RETURN_IF_ERROR(CheckCrlDirectory(options.crl_directory));
  FEDLINK_ASSIGN_OR_RETURN(TlsMaterial material, LoadTlsMaterial(files, TlsSide::kClient, now));
  grpc::experimental::TlsChannelCredentialsOptions tls;
  tls.set_certificate_provider(Provider(material));
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_verify_server_certs(true);
  tls.set_certificate_verifier(std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  tls.set_check_call_host(true);
  if (!options.crl_directory.empty()) tls.set_crl_directory(options.crl_directory);
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::experimental::TlsCredentials(tls);
  if (credentials == nullptr) return absl::InternalError("gRPC refused the TLS channel options");
  return TlsCredentials<grpc::ChannelCredentials>{std::move(credentials), material.identity,
                                                  nullptr, nullptr};
}

std::shared_ptr<grpc::ServerCredentials> MakeLocalAdminServerCredentials() {
  return grpc::experimental::LocalServerCredentials(UDS);
}

std::shared_ptr<grpc::ChannelCredentials> MakeLocalAdminChannelCredentials() {
  return grpc::experimental::LocalCredentials(UDS);
}

}  // namespace fedlink::proto
