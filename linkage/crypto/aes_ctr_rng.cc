#include "linkage/crypto/aes_ctr_rng.h"

#include <bit>
#include <cstring>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "linkage/crypto/ssl_error.h"

namespace fedlink::crypto {
namespace {

// Single loads and stores (GCC does not fuse byte loops into them).
void StoreBigEndian64(uint64_t v, uint8_t* out) {
  if constexpr (std::endian::native == std::endian::little) {
    v = __builtin_bswap64(v);
  }
  std::memcpy(out, &v, sizeof(v));
}

uint64_t LoadLittleEndian64(const uint8_t* in) {
  uint64_t v;
  std::memcpy(&v, in, sizeof(v));
  if constexpr (std::endian::native == std::endian::big) {
    v = __builtin_bswap64(v);
  }
  return v;
}

}  // namespace

absl::StatusOr<AesCtrRng> AesCtrRng::Create(const SecretBytes& key,
                                            uint64_t stream_id) {
  absl::StatusOr<AesPrf> prf = AesPrf::Create(key);
  if (!prf.ok()) return prf.status();
  return AesCtrRng(*std::move(prf), stream_id);
}

absl::StatusOr<AesCtrRng> AesCtrRng::CreateRandomlySeeded() {
  SecretBytes key = SecretBytes::Zeroed(kAesPrfKeyBytes);
  // The private DRBG instance: its output is never published elsewhere.
  if (RAND_priv_bytes(key.mutable_data(), static_cast<int>(key.size())) != 1) {
    return SslError("RAND_priv_bytes");
  }
  return Create(key, 0);
}

AesCtrRng::AesCtrRng(AesPrf prf, uint64_t stream_id)
    : prf_(std::move(prf)), stream_id_(stream_id), next_(buffer_.size()) {}

AesCtrRng::AesCtrRng(AesCtrRng&& other) noexcept
    : prf_(std::move(other.prf_)),
      stream_id_(other.stream_id_),
      counter_(other.counter_),
      buffer_(other.buffer_),
      next_(other.next_),
      status_(std::move(other.status_)) {
  OPENSSL_cleanse(other.buffer_.data(), sizeof(other.buffer_));
  other.next_ = other.buffer_.size();
}

AesCtrRng& AesCtrRng::operator=(AesCtrRng&& other) noexcept {
  if (this != &other) {
    prf_ = std::move(other.prf_);
    stream_id_ = other.stream_id_;
    counter_ = other.counter_;
    buffer_ = other.buffer_;
    next_ = other.next_;
    status_ = std::move(other.status_);
    OPENSSL_cleanse(other.buffer_.data(), sizeof(other.buffer_));
    other.next_ = other.buffer_.size();
  }
  return *this;
}

// Unused output is as sensitive as used output (it is the noise BLIP will
// add next), so it does not outlive the generator.
AesCtrRng::~AesCtrRng() {
  OPENSSL_cleanse(buffer_.data(), sizeof(buffer_));
  OPENSSL_cleanse(blocks_.data(), sizeof(blocks_));
}

void AesCtrRng::Refill() {
  next_ = 0;
  if (status_.ok()) {
    for (AesBlock& block : blocks_) {
      StoreBigEndian64(stream_id_, block.data());
      StoreBigEndian64(counter_++, block.data() + 8);
    }
    status_ = prf_.Evaluate(blocks_, absl::MakeSpan(blocks_));
  }
  if (!status_.ok()) {
    buffer_.fill(0);
    return;
  }
  for (size_t i = 0; i < blocks_.size(); ++i) {
    buffer_[2 * i] = LoadLittleEndian64(blocks_[i].data());
    buffer_[2 * i + 1] = LoadLittleEndian64(blocks_[i].data() + 8);
  }
}

}  // namespace fedlink::crypto
