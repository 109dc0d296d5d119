#include "linkage/crypto/pem.h"

#include <climits>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/ssl_error.h"

namespace fedlink::crypto {
namespace {

// Refuses every passphrase request, so an encrypted key fails instead of
// OpenSSL's default callback prompting on the terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

absl::StatusOr<SslUniquePtr<BIO>> ReadOnlyBio(absl::string_view pem) {
  if (pem.size() > INT_MAX) {
    return absl::InvalidArgumentError("PEM text is too long");
  }
  SslUniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return SslError("BIO_new_mem_buf");
  return bio;
}

absl::StatusOr<SslUniquePtr<EVP_PKEY>> CheckType(SslUniquePtr<EVP_PKEY> key,
                                                 const char* key_type,
                                                 const char* what) {
  // Parse failures leave reasons on the queue; they add nothing for the
  // caller and must not leak into a later, unrelated error.
  DrainSslErrors();
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("no unencrypted PEM ", what, " found"));
  }
  if (EVP_PKEY_is_a(key.get(), key_type) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("PEM ", what, " is not of type ", key_type));
  }
  return key;
}

// The bytes written into a memory BIO so far.
absl::StatusOr<absl::string_view> BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return SslError("BIO_get_mem_data");
  return absl::string_view(data, static_cast<size_t>(size));
}

}  // namespace

absl::StatusOr<SslUniquePtr<EVP_PKEY>> ParsePrivateKeyPem(
    absl::string_view pem, const char* key_type) {
  absl::StatusOr<SslUniquePtr<BIO>> bio = ReadOnlyBio(pem);
  if (!bio.ok()) return bio.status();
  SslUniquePtr<EVP_PKEY> key(
      PEM_read_bio_PrivateKey(bio->get(), nullptr, NoPassphrase, nullptr));
  return CheckType(std::move(key), key_type, "private key");
}

absl::StatusOr<SslUniquePtr<EVP_PKEY>> ParsePublicKeyPem(absl::string_view pem,
                                                         const char* key_type) {
  absl::StatusOr<SslUniquePtr<BIO>> bio = ReadOnlyBio(pem);
  if (!bio.ok()) return bio.status();
  SslUniquePtr<EVP_PKEY> key(
      PEM_read_bio_PUBKEY(bio->get(), nullptr, NoPassphrase, nullptr));
  return CheckType(std::move(key), key_type, "public key");
}

absl::StatusOr<SecretBytes> PrivateKeyToPem(const EVP_PKEY* key) {
  // BIO_s_secmem buffers are cleansed when freed.
  SslUniquePtr<BIO> bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr) return SslError("BIO_new(BIO_s_secmem)");
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return SslError("PEM_write_bio_PrivateKey");
  }
  absl::StatusOr<absl::string_view> text = BioContents(bio.get());
  if (!text.ok()) return text.status();
  return SecretBytes(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(text->data()), text->size()));
}

absl::StatusOr<std::string> PublicKeyToPem(const EVP_PKEY* key) {
  SslUniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return SslError("BIO_new(BIO_s_mem)");
  if (PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return SslError("PEM_write_bio_PUBKEY");
  }
  absl::StatusOr<absl::string_view> text = BioContents(bio.get());
  if (!text.ok()) return text.status();
  return std::string(*text);
}

}  // namespace fedlink::crypto
