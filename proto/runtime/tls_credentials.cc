#include "proto/runtime/tls_credentials.h"

#include <sys/stat.h>

#include <utility>
#include <vector>

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
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

}  // namespace

absl::StatusOr<TlsCredentials<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files, const TlsOptions& options, absl::Time now) {
  FEDLINK_RETURN_IF_ERROR(CheckCrlDirectory(options.crl_directory));
  FEDLINK_ASSIGN_OR_RETURN(TlsMaterial material, LoadTlsMaterial(files, TlsSide::kServer, now));
  grpc::experimental::TlsServerCredentialsOptions tls(Provider(material));
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  if (!options.crl_directory.empty()) tls.set_crl_directory(options.crl_directory);
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::TlsServerCredentials(tls);
  if (credentials == nullptr) return absl::InternalError("gRPC refused the TLS server options");
  return TlsCredentials<grpc::ServerCredentials>{std::move(credentials), material.identity};
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
  return TlsCredentials<grpc::ChannelCredentials>{std::move(credentials), material.identity};
}

std::shared_ptr<grpc::ServerCredentials> MakeLocalAdminServerCredentials() {
  return grpc::experimental::LocalServerCredentials(UDS);
}

std::shared_ptr<grpc::ChannelCredentials> MakeLocalAdminChannelCredentials() {
  return grpc::experimental::LocalCredentials(UDS);
}

}  // namespace fedlink::proto
