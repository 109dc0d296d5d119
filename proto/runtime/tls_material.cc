#include "proto/runtime/tls_material.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "linkage/crypto/ssl_error.h"
#include "linkage/crypto/ssl_unique_ptr.h"
#include "linkage/status_macros.h"

namespace fedlink::proto {
namespace {

using crypto::SslUniquePtr;

// Reads a whole file of at most kMaxPemFileBytes. For the key file, also
// refuses permissions that let group or others read or write it.
absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view what,
                                        bool is_private_key) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat("no ", what, " file given"));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    std::string message = absl::StrCat(what, " file '", path, "': ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(message) : absl::FailedPreconditionError(message);
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " file '", path, "' is not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxPemFileBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " file '", path, "' is larger than ", kMaxPemFileBytes, " bytes"));
  }
  if (is_private_key && (st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " file '", path, "' is accessible by group or others (mode ",
                     absl::StrFormat("%04o", st.st_mode & 0777), "); run chmod 600 on it"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " file '", path, "' cannot be opened: ", std::strerror(errno)));
  }
  // Read at most one byte past the limit, in case the file grew since stat.
  std::string content(kMaxPemFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  if (in.bad() || content.size() > kMaxPemFileBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " file '", path, "' could not be read completely"));
  }
  return content;
}

SslUniquePtr<BIO> MemoryBio(std::string_view data) {
  return SslUniquePtr<BIO>(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Every certificate in a PEM text, in order. Stops at the first block that
// is not a certificate; the caller checks that at least one was found.
absl::StatusOr<std::vector<SslUniquePtr<X509>>> ParseCertificates(std::string_view pem,
                                                                  absl::string_view what,
                                                                  const std::string& path) {
  SslUniquePtr<BIO> bio = MemoryBio(pem);
  if (bio == nullptr) return crypto::SslError("BIO_new_mem_buf");
  std::vector<SslUniquePtr<X509>> certs;
  while (true) {
    SslUniquePtr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) break;
    certs.push_back(std::move(cert));
  }
  // Reading stops with "no start line" at the end of the input; that error is expected.
  ERR_clear_error();
  if (certs.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " file '", path, "' holds no PEM certificate"));
  }
  return certs;
}

// The fedlink identity in the certificate's URI SANs (exactly one).
absl::StatusOr<PeerIdentity> CertificateIdentity(X509* cert, const std::string& path) {
  SslUniquePtr<GENERAL_NAMES> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::optional<PeerIdentity> found;
  int count = names == nullptr ? 0 : sk_GENERAL_NAME_num(names.get());
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    absl::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                           static_cast<size_t>(ASN1_STRING_length(uri)));
    if (!absl::StartsWith(text, "fedlink://")) continue;
    if (found.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("certificate file '", path, "' carries more than one fedlink:// URI SAN"));
    }
    absl::StatusOr<PeerIdentity> identity =
        ParseIdentityUri(std::string_view(text.data(), text.size()));
    if (!identity.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("certificate file '", path, "': ", identity.status().message()));
    }
    found = *std::move(identity);
  }
  ERR_clear_error();  // X509_get_ext_d2i leaves an entry when the extension is absent
  if (!found.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate file '", path, "' carries no fedlink://<role>/<name> URI SAN"));
  }
  return *std::move(found);
}

// Verifies leaf (with the intermediates) against the CA certificates.
absl::Status VerifyChain(const std::vector<SslUniquePtr<X509>>& ca,
                         const std::vector<SslUniquePtr<X509>>& chain, TlsSide side, absl::Time now,
                         const TlsFiles& files) {
  SslUniquePtr<X509_STORE> store(X509_STORE_new());
  if (store == nullptr) return crypto::SslError("X509_STORE_new");
  for (const SslUniquePtr<X509>& cert : ca) {
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) {
      return crypto::SslError("X509_STORE_add_cert");
    }
  }
  SslUniquePtr<STACK_OF(X509)> intermediates(sk_X509_new_null());
  if (intermediates == nullptr) return crypto::SslError("sk_X509_new_null");
  for (size_t i = 1; i < chain.size(); ++i) {
    if (X509_up_ref(chain[i].get()) != 1) return crypto::SslError("X509_up_ref");
    if (sk_X509_push(intermediates.get(), chain[i].get()) <= 0) {
      X509_free(chain[i].get());  // the push failed, so the stack does not own it
      return crypto::SslError("sk_X509_push");
    }
  }
  SslUniquePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (ctx == nullptr) return crypto::SslError("X509_STORE_CTX_new");
  if (X509_STORE_CTX_init(ctx.get(), store.get(), chain.front().get(), intermediates.get()) != 1) {
    return crypto::SslError("X509_STORE_CTX_init");
  }
  int purpose = side == TlsSide::kServer ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT;
  if (X509_STORE_CTX_set_purpose(ctx.get(), purpose) != 1) {
    return crypto::SslError("X509_STORE_CTX_set_purpose");
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, absl::ToTimeT(now));
  if (X509_verify_cert(ctx.get()) != 1) {
    int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat("certificate file '", files.cert_file, "' does not verify against CA file '",
                     files.ca_file, "' as a TLS ", side == TlsSide::kServer ? "server" : "client",
                     " certificate: ", X509_verify_cert_error_string(error)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const TlsFiles& files, TlsSide side, absl::Time now) {
  TlsMaterial material;
  FEDLINK_ASSIGN_OR_RETURN(material.ca_pem, ReadPemFile(files.ca_file, "CA certificate", false));
  FEDLINK_ASSIGN_OR_RETURN(material.cert_chain_pem,
                           ReadPemFile(files.cert_file, "certificate", false));
  FEDLINK_ASSIGN_OR_RETURN(std::string key_pem, ReadPemFile(files.key_file, "private key", true));
  material.private_key_pem = SensitiveString(std::move(key_pem));

  FEDLINK_ASSIGN_OR_RETURN(std::vector<SslUniquePtr<X509>> ca,
                           ParseCertificates(material.ca_pem, "CA certificate", files.ca_file));
  for (const SslUniquePtr<X509>& cert : ca) {
    if (X509_check_ca(cert.get()) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("CA certificate file '", files.ca_file,
                                                     "' holds a certificate that is not a CA"));
    }
  }
  FEDLINK_ASSIGN_OR_RETURN(
      std::vector<SslUniquePtr<X509>> chain,
      ParseCertificates(material.cert_chain_pem, "certificate", files.cert_file));

  SslUniquePtr<BIO> key_bio = MemoryBio(material.private_key_pem.Expose());
  if (key_bio == nullptr) return crypto::SslError("BIO_new_mem_buf");
  SslUniquePtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("private key file '", files.key_file,
                                                   "' holds no unencrypted PEM private key"));
  }
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("private key file '", files.key_file,
                                                   "' does not match certificate file '",
                                                   files.cert_file, "'"));
  }
  FEDLINK_ASSIGN_OR_RETURN(material.identity,
                           CertificateIdentity(chain.front().get(), files.cert_file));
  FEDLINK_RETURN_IF_ERROR(VerifyChain(ca, chain, side, now, files));
  return material;
}

}  // namespace fedlink::proto
