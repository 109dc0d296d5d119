#include "proto/runtime/tls_revocation.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "linkage/crypto/ssl_error.h"
#include "linkage/crypto/ssl_unique_ptr.h"
#include "linkage/status_macros.h"

namespace fedlink::proto {

using crypto::SslUniquePtr;

namespace {

// A CRL names every certificate revoked in a deployment's life; 16 MiB is
// hundreds of thousands of entries.
constexpr uintmax_t kMaxCrlFileBytes = 16u << 20;

// Reads a whole regular file of at most `limit` bytes (`what` names it).
absl::StatusOr<std::string> ReadSmallFile(const std::string& path, absl::string_view what,
                                          uintmax_t limit) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    std::string message = absl::StrCat(what, " '", path, "': ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(message) : absl::FailedPreconditionError(message);
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(what, " '", path, "' is not a regular file"));
  }
  if (static_cast<uintmax_t>(st.st_size) > limit) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " '", path, "' is larger than ", limit, " bytes"));
  }
  std::ifstream in(path, std::ios::binary);
  std::string content(static_cast<size_t>(limit) + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  if (in.bad() || content.size() > limit) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " '", path, "' could not be read completely"));
  }
  return content;
}

SslUniquePtr<BIO> MemoryBio(std::string_view data) {
  return SslUniquePtr<BIO>(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Every PEM certificate in `pem`.
absl::StatusOr<std::vector<SslUniquePtr<X509>>> ParseCertificates(std::string_view pem) {
  SslUniquePtr<BIO> bio = MemoryBio(pem);
  if (bio == nullptr) return crypto::SslError("BIO_new_mem_buf");
  std::vector<SslUniquePtr<X509>> certs;
  while (SslUniquePtr<X509> cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    certs.push_back(std::move(cert));
  }
  ERR_clear_error();  // the read that ends the loop reports "no start line"
  return certs;
}

// The CRLs of a file: PEM blocks, or else one DER CRL.
std::vector<SslUniquePtr<X509_CRL>> ParseCrls(std::string_view bytes) {
  std::vector<SslUniquePtr<X509_CRL>> crls;
  if (SslUniquePtr<BIO> bio = MemoryBio(bytes)) {
    while (SslUniquePtr<X509_CRL> crl{PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)}) {
      crls.push_back(std::move(crl));
    }
  }
  if (crls.empty()) {
    if (SslUniquePtr<BIO> bio = MemoryBio(bytes)) {
      if (SslUniquePtr<X509_CRL> crl{d2i_X509_CRL_bio(bio.get(), nullptr)}) {
        crls.push_back(std::move(crl));
      }
    }
  }
  ERR_clear_error();
  return crls;
}

// The revocation key of serial `serial` issued by CA number `ca_index`.
std::string RevocationKey(size_t ca_index, const ASN1_INTEGER* serial) {
  const unsigned char* data = ASN1_STRING_get0_data(serial);
  return absl::StrCat(ca_index, ":", ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : "+",
                      absl::string_view(reinterpret_cast<const char*>(data),
                                        static_cast<size_t>(ASN1_STRING_length(serial))));
}

std::string SerialHex(const ASN1_INTEGER* serial) {
  const unsigned char* data = ASN1_STRING_get0_data(serial);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(data),
                                                  static_cast<size_t>(ASN1_STRING_length(serial))));
}

}  // namespace

struct CertificateRevocations::Snapshot {
  std::vector<SslUniquePtr<X509>> ca;
  // RevocationKey → the CRL file that lists it.
  std::map<std::string, std::string> revoked;
  RevocationSummary summary;

  // The index of the CA certificate that issued `cert` (by name), if any.
  std::optional<size_t> IssuerIndex(X509* cert) const {
    for (size_t i = 0; i < ca.size(); ++i) {
      if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca[i].get())) == 0) {
        return i;
      }
    }
    return std::nullopt;
  }

  // Adds the CRLs of `path`.
  absl::Status AddFile(const std::string& path, std::string_view bytes, absl::Time now) {
    std::vector<SslUniquePtr<X509_CRL>> crls = ParseCrls(bytes);
    if (crls.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("CRL file '", path, "' holds no certificate revocation list (PEM or DER)"));
    }
    time_t now_t = absl::ToTimeT(now);
    bool expired = false;
    for (const SslUniquePtr<X509_CRL>& crl : crls) {
      if (X509_CRL_get_ext_by_NID(crl.get(), NID_delta_crl, -1) >= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("CRL file '", path, "' holds a delta CRL; give complete CRLs only"));
      }
      std::optional<size_t> issuer;
      for (size_t i = 0; i < ca.size() && !issuer.has_value(); ++i) {
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca[i].get())) != 0) {
          continue;
        }
        EVP_PKEY* key = X509_get0_pubkey(ca[i].get());
        if (key != nullptr && X509_CRL_verify(crl.get(), key) == 1) issuer = i;
      }
      ERR_clear_error();
      if (!issuer.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "CRL file '", path, "' is not issued and signed by the deployment CA"));
      }
      const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
      if (next != nullptr && X509_cmp_time(next, &now_t) < 0) expired = true;
      STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
      const int count = entries == nullptr ? 0 : sk_X509_REVOKED_num(entries);
      for (int k = 0; k < count; ++k) {
        const X509_REVOKED* entry = sk_X509_REVOKED_value(entries, k);
        revoked.emplace(RevocationKey(*issuer, X509_REVOKED_get0_serialNumber(entry)), path);
      }
    }
    ++summary.crl_files;
    if (expired) summary.expired.push_back(path);
    summary.revoked = revoked.size();
    return absl::OkStatus();
  }
};

namespace {

// Reads the CA certificates and every CRL file of `directory`.
absl::StatusOr<std::shared_ptr<const CertificateRevocations::Snapshot>> ReadSnapshot(
    const std::string& directory, std::string_view ca_pem, absl::Time now) {
  auto snapshot = std::make_shared<CertificateRevocations::Snapshot>();
  FEDLINK_ASSIGN_OR_RETURN(snapshot->ca, ParseCertificates(ca_pem));
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("CRL directory '", directory, "' does not exist or is not a directory"));
  }
  // Canonical paths, so that `openssl rehash` links and the files they
  // point to are read once.
  std::set<std::filesystem::path> files;
  std::filesystem::directory_iterator it(directory, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::filesystem::path target = std::filesystem::canonical(it->path(), ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("CRL directory '", directory, "': '", name, "' cannot be resolved: ",
                       ec.message()));
    }
    if (std::filesystem::is_directory(target, ec)) continue;
    files.insert(std::move(target));
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("CRL directory '", directory, "' cannot be listed: ", ec.message()));
  }
  for (const std::filesystem::path& file : files) {
    FEDLINK_ASSIGN_OR_RETURN(std::string bytes,
                             ReadSmallFile(file.string(), "CRL file", kMaxCrlFileBytes));
    FEDLINK_RETURN_IF_ERROR(snapshot->AddFile(file.string(), bytes, now));
  }
  return snapshot;
}

}  // namespace

CertificateRevocations::CertificateRevocations(std::string directory, std::string ca_pem)
    : directory_(std::move(directory)), ca_pem_(std::move(ca_pem)) {}

absl::StatusOr<std::shared_ptr<CertificateRevocations>> CertificateRevocations::Load(
    const std::string& directory, const std::string& ca_file, absl::Time now) {
  FEDLINK_ASSIGN_OR_RETURN(std::string ca_pem,
                           ReadSmallFile(ca_file, "CA certificate file", kMaxCrlFileBytes));
  FEDLINK_ASSIGN_OR_RETURN(std::vector<SslUniquePtr<X509>> ca, ParseCertificates(ca_pem));
  if (ca.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("CA certificate file '", ca_file, "' holds no PEM certificate"));
  }
  std::shared_ptr<CertificateRevocations> revocations(
      new CertificateRevocations(directory, std::move(ca_pem)));
  FEDLINK_ASSIGN_OR_RETURN(revocations->current_, ReadSnapshot(directory, revocations->ca_pem_, now));
  return revocations;
}

absl::StatusOr<RevocationSummary> CertificateRevocations::Reload(absl::Time now) {
  FEDLINK_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> fresh,
                           ReadSnapshot(directory_, ca_pem_, now));
  RevocationSummary summary = fresh->summary;
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(fresh);
  return summary;
}

RevocationSummary CertificateRevocations::summary() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_->summary;
}

absl::Status CertificateRevocations::Check(std::string_view certificate_pem) const {
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot = current_;
  }
  SslUniquePtr<BIO> bio = MemoryBio(certificate_pem);
  if (bio == nullptr) return crypto::SslError("BIO_new_mem_buf");
  SslUniquePtr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the peer presented no PEM certificate");
  }
  const std::optional<size_t> issuer = snapshot->IssuerIndex(cert.get());
  // A certificate of another issuer never got past the handshake's chain
  // check; nothing here can revoke it.
  if (!issuer.has_value()) return absl::OkStatus();
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  auto found = snapshot->revoked.find(RevocationKey(*issuer, serial));
  if (found == snapshot->revoked.end()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("certificate serial ", SerialHex(serial),
                                                  " was revoked (CRL file '", found->second, "')"));
}

}  // namespace fedlink::proto
