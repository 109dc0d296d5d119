// AES-256 used as a keyed pseudorandom function on 128-bit blocks.
//
// AES is a pseudorandom permutation; by the PRP/PRF switching lemma a PRP
// under a uniformly random key cannot be told from a random function with
// advantage better than n²/2¹²⁹ after n queries, so for any realistic n
// (fedlink evaluates far fewer than 2⁴⁸ blocks per key) every distinct input
// block yields an output that is, to anyone without the key, uniform and
// independent of all other outputs. Callers obtain independence by making
// their inputs distinct (an injective encoding of what they hash); see
// linkage/encode/clk_positions.h for the Bloom-filter construction.
//
// Evaluation is ECB over many blocks in one EVP_EncryptUpdate call, which
// OpenSSL pipelines with AES-NI/VAES: a few nanoseconds per block.
#ifndef FEDLINK_LINKAGE_CRYPTO_AES_PRF_H_
#define FEDLINK_LINKAGE_CRYPTO_AES_PRF_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {

inline constexpr size_t kAesBlockBytes = 16;
inline constexpr size_t kAesPrfKeyBytes = 32;
using AesBlock = std::array<uint8_t, kAesBlockBytes>;

class AesPrf {
 public:
  // Keys the PRF with a 32-byte key (AES-256). InvalidArgument for any other
  // key length; Internal if OpenSSL fails to set up the cipher.
  static absl::StatusOr<AesPrf> Create(const SecretBytes& key);

  AesPrf(AesPrf&&) noexcept = default;
  AesPrf& operator=(AesPrf&&) noexcept = default;

  // An independent evaluator under the same key (copies the expanded key
  // schedule; no key bytes are needed again). For handing one to each
  // worker thread. Internal if OpenSSL fails.
  absl::StatusOr<AesPrf> Clone() const;

  // out[i] = AES-256_K(in[i]) for every i, in one pass. `in` and `out` must
  // have the same size and may be the same buffer (in-place), but must not
  // otherwise overlap. InvalidArgument on a size mismatch, Internal if
  // OpenSSL fails. Not thread-safe: one AesPrf per thread.
  absl::Status Evaluate(absl::Span<const AesBlock> in, absl::Span<AesBlock> out);

  // One block, for chained constructions.
  absl::Status EvaluateBlock(const AesBlock& in, AesBlock* out);

 private:
  explicit AesPrf(SslUniquePtr<EVP_CIPHER_CTX> ctx) : ctx_(std::move(ctx)) {}

  // The context owns the expanded key schedule, which EVP_CIPHER_CTX_free
  // cleanses.
  SslUniquePtr<EVP_CIPHER_CTX> ctx_;
};

}  // namespace fedlink::crypto

#endif  // FEDLINK_LINKAGE_CRYPTO_AES_PRF_H_
