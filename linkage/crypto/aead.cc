#include "linkage/crypto/aead.h"

#include <algorithm>
#include <climits>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/ssl_error.h"
#include "linkage/status_macros.h"

namespace fedlink::crypto {
namespace {

const uint8_t* Bytes(absl::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

const char* CipherName(AeadAlgorithm algorithm) {
  switch (algorithm) {
    case AeadAlgorithm::kAes128Gcm:
      return "AES-128-GCM";
    case AeadAlgorithm::kAes256Gcm:
      return "AES-256-GCM";
    case AeadAlgorithm::kChaCha20Poly1305:
      return "ChaCha20-Poly1305";
  }
  return "unknown AEAD";
}

absl::Status CheckNonce(absl::Span<const uint8_t> nonce) {
  if (nonce.size() != kAeadNonceSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("AEAD nonce must be ", kAeadNonceSize, " bytes, got ",
                     nonce.size()));
  }
  return absl::OkStatus();
}

absl::Status AuthenticationFailed() {
  return absl::DataLossError("AEAD authentication failed");
}

// EVP_{En,De}cryptUpdate take int lengths; feed longer inputs in pieces.
// `out` == nullptr feeds additional authenticated data. GCM and
// ChaCha20-Poly1305 are stream modes: each call writes exactly its input
// length.
absl::Status Update(EVP_CIPHER_CTX* ctx, bool encrypt, uint8_t* out,
                    const uint8_t* in, size_t size) {
  constexpr size_t kMaxChunk = INT_MAX / 2;
  size_t done = 0;
  while (done < size) {
    const size_t n = std::min(size - done, kMaxChunk);
    int written = 0;
    const int ok =
        encrypt ? EVP_EncryptUpdate(ctx, out == nullptr ? nullptr : out + done,
                                    &written, in + done, static_cast<int>(n))
                : EVP_DecryptUpdate(ctx, out == nullptr ? nullptr : out + done,
                                    &written, in + done, static_cast<int>(n));
    if (ok != 1) {
      return SslError(encrypt ? "EVP_EncryptUpdate" : "EVP_DecryptUpdate");
    }
    if (static_cast<size_t>(written) != n) {
      return absl::InternalError(absl::StrCat("AEAD update processed ",
                                              written, " of ", n, " bytes"));
    }
    done += n;
  }
  return absl::OkStatus();
}

}  // namespace

size_t AeadKeySize(AeadAlgorithm algorithm) {
  return algorithm == AeadAlgorithm::kAes128Gcm ? 16 : 32;
}

absl::StatusOr<Aead> Aead::Create(AeadAlgorithm algorithm, SecretBytes key) {
  const char* name = CipherName(algorithm);
  if (key.size() != AeadKeySize(algorithm)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " key must be ", AeadKeySize(algorithm),
                     " bytes, got ", key.size()));
  }
  SslUniquePtr<EVP_CIPHER> cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  if (cipher == nullptr) {
    return SslError(absl::StrCat("EVP_CIPHER_fetch(", name, ")"));
  }
  return Aead(algorithm, std::move(cipher), std::move(key));
}

absl::StatusOr<std::unique_ptr<AeadContext>> Aead::NewContext() const {
  if (EVP_CIPHER_up_ref(cipher_.get()) != 1) {
    return SslError("EVP_CIPHER_up_ref");
  }
  SslUniquePtr<EVP_CIPHER> cipher(cipher_.get());
  return std::unique_ptr<AeadContext>(
      new AeadContext(algorithm_, std::move(cipher), key_));
}

// The one-shot operations are a context's, used once: the same cost as
// keying an OpenSSL context per call, and one implementation to trust.
absl::StatusOr<std::string> Aead::Seal(absl::Span<const uint8_t> nonce,
                                       absl::string_view plaintext,
                                       absl::string_view aad) const {
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<AeadContext> context, NewContext());
  std::string out;
  FEDLINK_RETURN_IF_ERROR(context->Seal(nonce, plaintext, {aad}, &out));
  return out;
}

absl::StatusOr<std::string> Aead::SealWithRandomNonce(
    absl::string_view plaintext, absl::string_view aad) const {
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<AeadContext> context, NewContext());
  std::string out;
  FEDLINK_RETURN_IF_ERROR(context->SealWithRandomNonce(plaintext, {aad}, &out));
  return out;
}

absl::StatusOr<std::string> Aead::Open(absl::Span<const uint8_t> nonce,
                                       absl::string_view ciphertext_and_tag,
                                       absl::string_view aad) const {
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<AeadContext> context, NewContext());
  return context->Open(nonce, ciphertext_and_tag, {aad});
}

absl::StatusOr<std::string> Aead::OpenWithPrependedNonce(
    absl::string_view sealed, absl::string_view aad) const {
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<AeadContext> context, NewContext());
  return context->OpenWithPrependedNonce(sealed, {aad});
}

absl::StatusOr<EVP_CIPHER_CTX*> AeadContext::Keyed(bool encrypt) {
  SslUniquePtr<EVP_CIPHER_CTX>& ctx = encrypt ? encrypt_ : decrypt_;
  if (ctx != nullptr) return ctx.get();
  SslUniquePtr<EVP_CIPHER_CTX> fresh(EVP_CIPHER_CTX_new());
  if (fresh == nullptr) return SslError("EVP_CIPHER_CTX_new");
  // Both ciphers default to a 12-byte IV, so no IV-length control is needed;
  // the IV is given per message.
  const int ok =
      encrypt ? EVP_EncryptInit_ex2(fresh.get(), cipher_.get(), key_.data(),
                                    nullptr, nullptr)
              : EVP_DecryptInit_ex2(fresh.get(), cipher_.get(), key_.data(),
                                    nullptr, nullptr);
  if (ok != 1) {
    return SslError(encrypt ? "EVP_EncryptInit_ex2" : "EVP_DecryptInit_ex2");
  }
  ctx = std::move(fresh);
  return ctx.get();
}

absl::StatusOr<const uint8_t*> AeadContext::NextRandomNonce() {
  if (nonces_used_ == kNoncesPerDraw) {
    if (RAND_bytes(nonces_.data(), static_cast<int>(nonces_.size())) != 1) {
      return SslError("RAND_bytes");
    }
    nonces_used_ = 0;
  }
  return nonces_.data() + kAeadNonceSize * nonces_used_++;
}

absl::Status AeadContext::Seal(absl::Span<const uint8_t> nonce,
                               absl::string_view plaintext, AadPieces aad,
                               std::string* out) {
  FEDLINK_RETURN_IF_ERROR(CheckNonce(nonce));
  FEDLINK_ASSIGN_OR_RETURN(EVP_CIPHER_CTX* const ctx, Keyed(/*encrypt=*/true));
  const size_t start = out->size();
  // On failure *out is cut back to where it was.
  auto fail = [&](absl::Status status) {
    out->resize(start);
    return status;
  };
  // Keeps the key schedule; sets the nonce and resets the message state.
  if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1) {
    return SslError("EVP_EncryptInit_ex2");
  }
  for (absl::string_view piece : aad) {
    FEDLINK_RETURN_IF_ERROR(Update(ctx, /*encrypt=*/true, nullptr,
                                   Bytes(piece), piece.size()));
  }
  out->resize(start + plaintext.size() + kAeadTagSize);
  uint8_t* out_bytes = reinterpret_cast<uint8_t*>(out->data()) + start;
  if (absl::Status s = Update(ctx, /*encrypt=*/true, out_bytes,
                              Bytes(plaintext), plaintext.size());
      !s.ok()) {
    return fail(s);
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx, out_bytes + plaintext.size(), &final_len) !=
      1) {
    return fail(SslError("EVP_EncryptFinal_ex"));
  }
  if (final_len != 0) {
    return fail(
        absl::InternalError("EVP_EncryptFinal_ex wrote unexpected bytes"));
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagSize,
                          out_bytes + plaintext.size()) != 1) {
    return fail(SslError("EVP_CIPHER_CTX_ctrl(EVP_CTRL_AEAD_GET_TAG)"));
  }
  return absl::OkStatus();
}

absl::Status AeadContext::SealWithRandomNonce(absl::string_view plaintext,
                                              AadPieces aad,
                                              std::string* out) {
  FEDLINK_ASSIGN_OR_RETURN(const uint8_t* const nonce, NextRandomNonce());
  const size_t start = out->size();
  out->reserve(start + kAeadNonceSize + plaintext.size() + kAeadTagSize);
  out->append(reinterpret_cast<const char*>(nonce), kAeadNonceSize);
  absl::Status status = Seal(absl::MakeConstSpan(nonce, kAeadNonceSize),
                             plaintext, aad, out);
  if (!status.ok()) out->resize(start);
  return status;
}

absl::StatusOr<std::string> AeadContext::Open(
    absl::Span<const uint8_t> nonce, absl::string_view ciphertext_and_tag,
    AadPieces aad) {
  FEDLINK_RETURN_IF_ERROR(CheckNonce(nonce));
  if (ciphertext_and_tag.size() < kAeadTagSize) return AuthenticationFailed();
  const size_t ciphertext_size = ciphertext_and_tag.size() - kAeadTagSize;
  FEDLINK_ASSIGN_OR_RETURN(EVP_CIPHER_CTX* const ctx, Keyed(/*encrypt=*/false));
  if (EVP_DecryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1) {
    return SslError("EVP_DecryptInit_ex2");
  }
  // OpenSSL's ctrl takes a non-const pointer but only copies the tag.
  uint8_t tag[kAeadTagSize];
  std::copy_n(Bytes(ciphertext_and_tag) + ciphertext_size, kAeadTagSize, tag);
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagSize, tag) !=
      1) {
    return SslError("EVP_CIPHER_CTX_ctrl(EVP_CTRL_AEAD_SET_TAG)");
  }
  for (absl::string_view piece : aad) {
    FEDLINK_RETURN_IF_ERROR(Update(ctx, /*encrypt=*/false, nullptr,
                                   Bytes(piece), piece.size()));
  }
  std::string plaintext(ciphertext_size, '\0');
  uint8_t* out_bytes = reinterpret_cast<uint8_t*>(plaintext.data());
  // Unauthenticated plaintext must not outlive a failure: wipe it.
  auto fail = [&](absl::Status status) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return status;
  };
  if (absl::Status s = Update(ctx, /*encrypt=*/false, out_bytes,
                              Bytes(ciphertext_and_tag), ciphertext_size);
      !s.ok()) {
    return fail(s);
  }
  int final_len = 0;
  // The tag check happens here; OpenSSL reports a mismatch as failure with
  // no error on the queue, so there is nothing to drain worth reporting.
  if (EVP_DecryptFinal_ex(ctx, out_bytes + ciphertext_size, &final_len) != 1) {
    DrainSslErrors();
    return fail(AuthenticationFailed());
  }
  if (final_len != 0) {
    return fail(
        absl::InternalError("EVP_DecryptFinal_ex wrote unexpected bytes"));
  }
  return plaintext;
}

absl::StatusOr<std::string> AeadContext::OpenWithPrependedNonce(
    absl::string_view sealed, AadPieces aad) {
  if (sealed.size() < kAeadNonceSize + kAeadTagSize) {
    return AuthenticationFailed();
  }
  return Open(absl::MakeConstSpan(Bytes(sealed), kAeadNonceSize),
              sealed.substr(kAeadNonceSize), aad);
}

}  // namespace fedlink::crypto
