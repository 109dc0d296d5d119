// RAII handles for OpenSSL objects: the only place in fedlink that names the
// *_free functions. Use as SslUniquePtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(mac)).
#ifndef FEDLINK_LINKAGE_CRYPTO_SSL_UNIQUE_PTR_H_
#define FEDLINK_LINKAGE_CRYPTO_SSL_UNIQUE_PTR_H_

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace fedlink::crypto {

template <typename T>
struct SslDeleter;

#define FEDLINK_SSL_DELETER_(type, free_fn)                \
  template <>                                              \
  struct SslDeleter<type> {                                \
    void operator()(type* p) const { free_fn(p); }         \
  }

FEDLINK_SSL_DELETER_(EVP_MAC, EVP_MAC_free);
FEDLINK_SSL_DELETER_(EVP_MAC_CTX, EVP_MAC_CTX_free);
FEDLINK_SSL_DELETER_(EVP_MD, EVP_MD_free);
FEDLINK_SSL_DELETER_(EVP_MD_CTX, EVP_MD_CTX_free);
FEDLINK_SSL_DELETER_(EVP_KDF, EVP_KDF_free);
FEDLINK_SSL_DELETER_(EVP_KDF_CTX, EVP_KDF_CTX_free);
FEDLINK_SSL_DELETER_(EVP_CIPHER, EVP_CIPHER_free);
FEDLINK_SSL_DELETER_(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
FEDLINK_SSL_DELETER_(EVP_PKEY, EVP_PKEY_free);
FEDLINK_SSL_DELETER_(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
FEDLINK_SSL_DELETER_(BIO, BIO_free_all);
FEDLINK_SSL_DELETER_(BIGNUM, BN_clear_free);
FEDLINK_SSL_DELETER_(X509, X509_free);
FEDLINK_SSL_DELETER_(X509_CRL, X509_CRL_free);
FEDLINK_SSL_DELETER_(X509_STORE, X509_STORE_free);
FEDLINK_SSL_DELETER_(X509_STORE_CTX, X509_STORE_CTX_free);
FEDLINK_SSL_DELETER_(GENERAL_NAMES, GENERAL_NAMES_free);

// A certificate stack owns its certificates.
template <>
struct SslDeleter<STACK_OF(X509)> {
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};

#undef FEDLINK_SSL_DELETER_

template <typename T>
using SslUniquePtr = std::unique_ptr<T, SslDeleter<T>>;

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_SSL_UNIQUE_PTR_H_
