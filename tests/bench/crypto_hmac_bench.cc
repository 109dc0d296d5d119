// Ways to compute HMAC-SHA256 under one fixed key with non-deprecated
// OpenSSL 3.0 calls, measured side by side on token-sized messages, so the
// choice made in linkage/crypto/hmac.cc can be re-checked on another CPU
// (with or without SHA extensions the balance between copying a digest
// context and compressing an extra block may move):
//
//   crypto_hmac_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only
//
//   BM_Library        fedlink::crypto::HmacSha256 as built (the figure that counts)
//   BM_EvpMac         EVP_MAC "HMAC", re-initialised with a null key per message
//   BM_CopyPadStates  inner/outer SHA-256 states after key^ipad / key^opad kept
//                     once; per message two EVP_MD_CTX_copy_ex into scratch
//   BM_CopyInnerOnly  the inner state copied, the outer hash restarted
//                     (EVP_DigestInit_ex2 + key^opad block): one copy, one
//                     extra compression
//   BM_RehashPads     both hashes restarted from the pad blocks: no copy,
//                     two extra compressions
//
// Every variant is checked against the RFC 4231 test case 2 answer before it
// is timed; a variant that disagrees is reported as an error, not timed.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "benchmark/benchmark.h"
#include "linkage/crypto/hmac.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/ssl_unique_ptr.h"

namespace fedlink::crypto {
namespace {

constexpr size_t kBlock = 64;
using Tag = std::array<uint8_t, 32>;

// RFC 4231 test case 2.
constexpr std::string_view kKatKey = "Jefe";
constexpr std::string_view kKatData = "what do ya want for nothing?";
constexpr std::string_view kKatHex =
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

std::string Hex(const Tag& tag) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(tag.data()), tag.size()));
}

// Key padded to one block (keys here are short; longer ones would be hashed
// first, which none of the variants needs for the comparison).
std::array<uint8_t, kBlock> Pad(std::string_view key, uint8_t with) {
  std::array<uint8_t, kBlock> pad{};
  std::memcpy(pad.data(), key.data(), key.size());
  for (uint8_t& b : pad) b ^= with;
  return pad;
}

// The variants below abort the benchmark (return false) on any OpenSSL
// failure; the bench is not library code.
class EvpMac {
 public:
  bool Init(std::string_view key) {
    SslUniquePtr<EVP_MAC> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
    if (mac == nullptr) return false;
    ctx_.reset(EVP_MAC_CTX_new(mac.get()));
    if (ctx_ == nullptr) return false;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    return EVP_MAC_init(ctx_.get(), reinterpret_cast<const uint8_t*>(key.data()), key.size(),
                        params) == 1;
  }
  bool Compute(std::string_view m, Tag* tag) {
    size_t n = 0;
    return EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) == 1 &&
           EVP_MAC_update(ctx_.get(), reinterpret_cast<const uint8_t*>(m.data()), m.size()) == 1 &&
           EVP_MAC_final(ctx_.get(), tag->data(), &n, tag->size()) == 1;
  }

 private:
  SslUniquePtr<EVP_MAC_CTX> ctx_;
};

// Shared by the digest-based variants: a fetched SHA-256 and the pads.
class DigestBase {
 public:
  bool Init(std::string_view key) {
    md_.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    ipad_ = Pad(key, 0x36);
    opad_ = Pad(key, 0x5c);
    inner_.reset(EVP_MD_CTX_new());
    outer_.reset(EVP_MD_CTX_new());
    scratch_.reset(EVP_MD_CTX_new());
    return md_ != nullptr && inner_ != nullptr && outer_ != nullptr && scratch_ != nullptr &&
           EVP_DigestInit_ex2(inner_.get(), md_.get(), nullptr) == 1 &&
           EVP_DigestUpdate(inner_.get(), ipad_.data(), kBlock) == 1 &&
           EVP_DigestInit_ex2(outer_.get(), md_.get(), nullptr) == 1 &&
           EVP_DigestUpdate(outer_.get(), opad_.data(), kBlock) == 1;
  }

 protected:
  SslUniquePtr<EVP_MD> md_;
  std::array<uint8_t, kBlock> ipad_{}, opad_{};
  SslUniquePtr<EVP_MD_CTX> inner_, outer_, scratch_;
};

class CopyPadStates : public DigestBase {
 public:
  bool Compute(std::string_view m, Tag* tag) {
    unsigned int n = 0;
    return EVP_MD_CTX_copy_ex(scratch_.get(), inner_.get()) == 1 &&
           EVP_DigestUpdate(scratch_.get(), m.data(), m.size()) == 1 &&
           EVP_DigestFinal_ex(scratch_.get(), tag->data(), &n) == 1 &&
           EVP_MD_CTX_copy_ex(scratch_.get(), outer_.get()) == 1 &&
           EVP_DigestUpdate(scratch_.get(), tag->data(), tag->size()) == 1 &&
           EVP_DigestFinal_ex(scratch_.get(), tag->data(), &n) == 1;
  }
};

class CopyInnerOnly : public DigestBase {
 public:
  bool Compute(std::string_view m, Tag* tag) {
    unsigned int n = 0;
    return EVP_MD_CTX_copy_ex(scratch_.get(), inner_.get()) == 1 &&
           EVP_DigestUpdate(scratch_.get(), m.data(), m.size()) == 1 &&
           EVP_DigestFinal_ex(scratch_.get(), tag->data(), &n) == 1 &&
           EVP_DigestInit_ex2(scratch_.get(), md_.get(), nullptr) == 1 &&
           EVP_DigestUpdate(scratch_.get(), opad_.data(), kBlock) == 1 &&
           EVP_DigestUpdate(scratch_.get(), tag->data(), tag->size()) == 1 &&
           EVP_DigestFinal_ex(scratch_.get(), tag->data(), &n) == 1;
  }
};

class RehashPads : public DigestBase {
 public:
  bool Compute(std::string_view m, Tag* tag) {
    unsigned int n = 0;
    return EVP_DigestInit_ex2(scratch_.get(), md_.get(), nullptr) == 1 &&
           EVP_DigestUpdate(scratch_.get(), ipad_.data(), kBlock) == 1 &&
           EVP_DigestUpdate(scratch_.get(), m.data(), m.size()) == 1 &&
           EVP_DigestFinal_ex(scratch_.get(), tag->data(), &n) == 1 &&
           EVP_DigestInit_ex2(scratch_.get(), md_.get(), nullptr) == 1 &&
           EVP_DigestUpdate(scratch_.get(), opad_.data(), kBlock) == 1 &&
           EVP_DigestUpdate(scratch_.get(), tag->data(), tag->size()) == 1 &&
           EVP_DigestFinal_ex(scratch_.get(), tag->data(), &n) == 1;
  }
};

class Library {
 public:
  bool Init(std::string_view key) {
    absl::StatusOr<HmacSha256> h = HmacSha256::Create(SecretBytes(AsBytes(key)));
    if (!h.ok()) return false;
    hmac_.emplace(std::move(*h));
    return true;
  }
  bool Compute(std::string_view m, Tag* tag) {
    const absl::Span<const uint8_t> pieces[] = {AsBytes(m)};
    return hmac_->ComputeInto(pieces, tag).ok();
  }

 private:
  std::optional<HmacSha256> hmac_;
};

template <typename Variant>
void Run(benchmark::State& state) {
  Variant kat;
  Tag tag{};
  if (!kat.Init(kKatKey) || !kat.Compute(kKatData, &tag) || !kat.Compute(kKatData, &tag) ||
      Hex(tag) != kKatHex) {
    state.SkipWithError("variant fails RFC 4231 test case 2");
    return;
  }
  Variant hmac;
  const std::string key(32, '\x5a');
  if (!hmac.Init(key)) {
    state.SkipWithError("Init failed");
    return;
  }
  const std::string message(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    if (!hmac.Compute(message, &tag)) {
      state.SkipWithError("Compute failed");
      return;
    }
    benchmark::DoNotOptimize(tag.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// 16 and 40 bytes: typical token inputs (one SHA-256 block); 64: the input
// spills into a second inner block.
#define FEDLINK_HMAC_VARIANT(name, type)                   \
  void name(benchmark::State& state) { Run<type>(state); } \
  BENCHMARK(name)->Arg(16)->Arg(40)->Arg(64)

FEDLINK_HMAC_VARIANT(BM_Library, Library);
FEDLINK_HMAC_VARIANT(BM_EvpMac, EvpMac);
FEDLINK_HMAC_VARIANT(BM_CopyPadStates, CopyPadStates);
FEDLINK_HMAC_VARIANT(BM_CopyInnerOnly, CopyInnerOnly);
FEDLINK_HMAC_VARIANT(BM_RehashPads, RehashPads);

#undef FEDLINK_HMAC_VARIANT

}  // namespace
}  // namespace fedlink::crypto
