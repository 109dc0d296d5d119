#include "linkage/crypto/ed25519.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/pem.h"
#include "linkage/crypto/raw_pkey.h"
#include "linkage/crypto/ssl_error.h"
#include "linkage/status_macros.h"

namespace fedlink::crypto {
namespace {

constexpr char kKeyType[] = "ED25519";

absl::Status VerificationFailed() {
  return absl::InvalidArgumentError("Ed25519 signature verification failed");
}

// EVP_DigestSign/Verify read the message through a pointer that an empty
// absl::string_view may leave null.
const uint8_t* MessageBytes(absl::string_view message) {
  static constexpr uint8_t kEmpty = 0;
  return message.empty() ? &kEmpty
                         : reinterpret_cast<const uint8_t*>(message.data());
}

absl::StatusOr<Ed25519PublicKey::Bytes> RawPublicKey(const EVP_PKEY* pkey) {
  Ed25519PublicKey::Bytes bytes;
  FEDLINK_RETURN_IF_ERROR(RawPublicKeyInto(pkey, "Ed25519", absl::MakeSpan(bytes)));
  return bytes;
}

}  // namespace

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromBytes(
    absl::Span<const uint8_t> bytes) {
  if (bytes.size() != kEd25519PublicKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("Ed25519 public key must be ", kEd25519PublicKeySize,
                     " bytes, got ", bytes.size()));
  }
  Bytes raw;
  std::copy(bytes.begin(), bytes.end(), raw.begin());
  return Ed25519PublicKey(raw);
}

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromPem(
    absl::string_view pem) {
  absl::StatusOr<SslUniquePtr<EVP_PKEY>> pkey = ParsePublicKeyPem(pem, kKeyType);
  if (!pkey.ok()) return pkey.status();
  absl::StatusOr<Bytes> raw = RawPublicKey(pkey->get());
  if (!raw.ok()) return raw.status();
  return Ed25519PublicKey(*raw);
}

absl::StatusOr<std::string> Ed25519PublicKey::ToPem() const {
  SslUniquePtr<EVP_PKEY> pkey(EVP_PKEY_new_raw_public_key_ex(
      nullptr, kKeyType, nullptr, bytes_.data(), bytes_.size()));
  if (pkey == nullptr) return SslError("EVP_PKEY_new_raw_public_key_ex");
  return PublicKeyToPem(pkey.get());
}

absl::Status Ed25519PublicKey::Verify(
    absl::string_view message, absl::Span<const uint8_t> signature) const {
  if (signature.size() != kEd25519SignatureSize) return VerificationFailed();
  SslUniquePtr<EVP_PKEY> pkey(EVP_PKEY_new_raw_public_key_ex(
      nullptr, kKeyType, nullptr, bytes_.data(), bytes_.size()));
  if (pkey == nullptr) return SslError("EVP_PKEY_new_raw_public_key_ex");
  SslUniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return SslError("EVP_MD_CTX_new");
  // Ed25519 hashes internally: no digest name.
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr,
                              pkey.get(), nullptr) != 1) {
    return SslError("EVP_DigestVerifyInit_ex");
  }
  // 1 is a valid signature; 0 an invalid one; below 0 a malformed input such
  // as a key that is not a curve point. All but 1 reject.
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                       MessageBytes(message), message.size()) != 1) {
    DrainSslErrors();
    return VerificationFailed();
  }
  return absl::OkStatus();
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromPkey(
    SslUniquePtr<EVP_PKEY> pkey) {
  absl::StatusOr<Ed25519PublicKey::Bytes> raw = RawPublicKey(pkey.get());
  if (!raw.ok()) return raw.status();
  return Ed25519PrivateKey(std::move(pkey), Ed25519PublicKey(*raw));
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  FEDLINK_ASSIGN_OR_RETURN(SslUniquePtr<EVP_PKEY> pkey, GenerateRawKey(kKeyType));
  return FromPkey(std::move(pkey));
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromBytes(
    const SecretBytes& seed) {
  FEDLINK_ASSIGN_OR_RETURN(
      SslUniquePtr<EVP_PKEY> pkey,
      PrivateKeyFromRaw(kKeyType, "Ed25519", seed, kEd25519PrivateKeySize));
  return FromPkey(std::move(pkey));
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromPem(
    absl::string_view pem) {
  absl::StatusOr<SslUniquePtr<EVP_PKEY>> pkey = ParsePrivateKeyPem(pem, kKeyType);
  if (!pkey.ok()) return pkey.status();
  return FromPkey(*std::move(pkey));
}

absl::StatusOr<SecretBytes> Ed25519PrivateKey::ToBytes() const {
  return RawPrivateKey(pkey_.get(), "Ed25519", kEd25519PrivateKeySize);
}

absl::StatusOr<SecretBytes> Ed25519PrivateKey::ToPem() const {
  return PrivateKeyToPem(pkey_.get());
}

absl::StatusOr<Ed25519Signature> Ed25519PrivateKey::Sign(
    absl::string_view message) const {
  SslUniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return SslError("EVP_MD_CTX_new");
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr,
                            pkey_.get(), nullptr) != 1) {
    return SslError("EVP_DigestSignInit_ex");
  }
  Ed25519Signature signature;
  size_t size = signature.size();
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, MessageBytes(message),
                     message.size()) != 1) {
    return SslError("EVP_DigestSign");
  }
  if (size != signature.size()) {
    return absl::InternalError(
        absl::StrCat("Ed25519 signature has ", size, " bytes"));
  }
  return signature;
}

}  // namespace fedlink::crypto
