#include "linkage/crypto/x25519.h"

#include <algorithm>

#include <openssl/crypto.h>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/pem.h"
#include "linkage/crypto/raw_pkey.h"
#include "linkage/crypto/ssl_error.h"
#include "linkage/status_macros.h"

namespace fedlink::crypto {
namespace {

constexpr char kKeyType[] = "X25519";

absl::StatusOr<X25519PublicKey::Bytes> RawPublicKey(const EVP_PKEY* pkey) {
  X25519PublicKey::Bytes bytes;
  FEDLINK_RETURN_IF_ERROR(RawPublicKeyInto(pkey, "X25519", absl::MakeSpan(bytes)));
  return bytes;
}

absl::Status SmallOrderPeer() {
  return absl::InvalidArgumentError(
      "X25519 key agreement failed: peer public key has small order");
}

}  // namespace

absl::StatusOr<X25519PublicKey> X25519PublicKey::FromBytes(
    absl::Span<const uint8_t> bytes) {
  if (bytes.size() != kX25519KeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("X25519 public key must be ", kX25519KeySize,
                     " bytes, got ", bytes.size()));
  }
  Bytes raw;
  std::copy(bytes.begin(), bytes.end(), raw.begin());
  return X25519PublicKey(raw);
}

absl::StatusOr<X25519PublicKey> X25519PublicKey::FromPem(absl::string_view pem) {
  absl::StatusOr<SslUniquePtr<EVP_PKEY>> pkey = ParsePublicKeyPem(pem, kKeyType);
  if (!pkey.ok()) return pkey.status();
  absl::StatusOr<Bytes> raw = RawPublicKey(pkey->get());
  if (!raw.ok()) return raw.status();
  return X25519PublicKey(*raw);
}

absl::StatusOr<std::string> X25519PublicKey::ToPem() const {
  SslUniquePtr<EVP_PKEY> pkey(EVP_PKEY_new_raw_public_key_ex(
      nullptr, kKeyType, nullptr, bytes_.data(), bytes_.size()));
  if (pkey == nullptr) return SslError("EVP_PKEY_new_raw_public_key_ex");
  return PublicKeyToPem(pkey.get());
}

absl::StatusOr<X25519PrivateKey> X25519PrivateKey::FromPkey(
    SslUniquePtr<EVP_PKEY> pkey) {
  absl::StatusOr<X25519PublicKey::Bytes> raw = RawPublicKey(pkey.get());
  if (!raw.ok()) return raw.status();
  return X25519PrivateKey(std::move(pkey), X25519PublicKey(*raw));
}

absl::StatusOr<X25519PrivateKey> X25519PrivateKey::Generate() {
  FEDLINK_ASSIGN_OR_RETURN(SslUniquePtr<EVP_PKEY> pkey, GenerateRawKey(kKeyType));
  return FromPkey(std::move(pkey));
}

absl::StatusOr<X25519PrivateKey> X25519PrivateKey::FromBytes(
    const SecretBytes& bytes) {
  FEDLINK_ASSIGN_OR_RETURN(
      SslUniquePtr<EVP_PKEY> pkey,
      PrivateKeyFromRaw(kKeyType, "X25519", bytes, kX25519KeySize));
  return FromPkey(std::move(pkey));
}

absl::StatusOr<X25519PrivateKey> X25519PrivateKey::FromPem(
    absl::string_view pem) {
  absl::StatusOr<SslUniquePtr<EVP_PKEY>> pkey = ParsePrivateKeyPem(pem, kKeyType);
  if (!pkey.ok()) return pkey.status();
  return FromPkey(*std::move(pkey));
}

absl::StatusOr<SecretBytes> X25519PrivateKey::ToBytes() const {
  return RawPrivateKey(pkey_.get(), "X25519", kX25519KeySize);
}

absl::StatusOr<SecretBytes> X25519PrivateKey::ToPem() const {
  return PrivateKeyToPem(pkey_.get());
}

absl::StatusOr<SecretBytes> X25519PrivateKey::ComputeSharedSecret(
    const X25519PublicKey& peer) const {
  SslUniquePtr<EVP_PKEY> peer_key(EVP_PKEY_new_raw_public_key_ex(
      nullptr, kKeyType, nullptr, peer.bytes().data(), peer.bytes().size()));
  if (peer_key == nullptr) return SslError("EVP_PKEY_new_raw_public_key_ex");
  SslUniquePtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  if (ctx == nullptr) return SslError("EVP_PKEY_CTX_new_from_pkey");
  if (EVP_PKEY_derive_init(ctx.get()) != 1) return SslError("EVP_PKEY_derive_init");
  if (EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1) {
    return SslError("EVP_PKEY_derive_set_peer");
  }
  SecretBytes secret = SecretBytes::Zeroed(kX25519SharedSecretSize);
  size_t size = secret.size();
  // OpenSSL refuses to output an all-zero X25519 result; with a well-formed
  // 32-byte peer key that is the only way this step fails.
  if (EVP_PKEY_derive(ctx.get(), secret.mutable_data(), &size) != 1) {
    DrainSslErrors();
    return SmallOrderPeer();
  }
  if (size != kX25519SharedSecretSize) {
    return absl::InternalError(
        absl::StrCat("X25519 shared secret has ", size, " bytes"));
  }
  // Checked here as well, so the guarantee does not rest on one OpenSSL
  // version's behaviour.
  static constexpr uint8_t kZero[kX25519SharedSecretSize] = {};
  if (CRYPTO_memcmp(secret.data(), kZero, sizeof(kZero)) == 0) {
    return SmallOrderPeer();
  }
  return secret;
}

}  // namespace fedlink::crypto
