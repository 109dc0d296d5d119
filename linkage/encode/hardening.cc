#include "linkage/encode/hardening.h"

#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/aes_ctr_rng.h"
#include "linkage/status_macros.h"

namespace fedlink::encode {

uint32_t HardenedBits(const schema::BloomHardening& hardening, uint32_t bits) {
  if (hardening.xor_fold) bits /= 2;
  if (hardening.balance) bits *= 2;
  return bits;
}

absl::Status XorFold(BloomFilter* filter) {
  const size_t n = filter->words.size();
  if (n == 0 || n % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "XOR-folding needs a length that is a positive multiple of 128 bits, "
        "got ",
        n * 64));
  }
  for (size_t i = 0; i < n / 2; ++i) filter->words[i] ^= filter->words[i + n / 2];
  filter->words.resize(n / 2);
  return absl::OkStatus();
}

absl::StatusOr<BalancingPermutation> BalancingPermutation::Create(
    const crypto::SecretBytes& key, uint64_t stream_id, uint32_t input_bits) {
  if (input_bits == 0 || input_bits % 64 != 0 || input_bits > 32768) {
    return absl::InvalidArgumentError(absl::StrCat(
        "balancing needs a filter length that is a multiple of 64 in [64, "
        "32768], got ",
        input_bits));
  }
  FEDLINK_ASSIGN_OR_RETURN(crypto::AesCtrRng rng,
                           crypto::AesCtrRng::Create(key, stream_id));
  const size_t n = 2 * size_t{input_bits};
  std::vector<uint16_t> target(n);
  std::iota(target.begin(), target.end(), uint16_t{0});
  // Fisher–Yates; the index for step i is uniform on [0, i]: reject draws
  // below 2^64 mod (i + 1) so the remaining range is a whole number of
  // periods.
  for (size_t i = n - 1; i > 0; --i) {
    const uint64_t range = i + 1;
    const uint64_t threshold = (0 - range) % range;
    uint64_t r = rng();
    while (r < threshold) r = rng();
    std::swap(target[i], target[r % range]);
  }
  FEDLINK_RETURN_IF_ERROR(rng.status());
  return BalancingPermutation(std::move(target));
}

absl::Status BalancingPermutation::Apply(const BloomFilter& in,
                                         BloomFilter* out) const {
  const uint32_t bits = input_bits();
  if (in.words.size() * 64 != bits) {
    return absl::InvalidArgumentError(
        absl::StrCat("balancing permutation is for ", bits,
                     "-bit filters, got ", in.words.size() * 64));
  }
  out->words.assign(2 * in.words.size(), 0);
  uint64_t* dst = out->words.data();
  const uint16_t* to_if_set = target_.data();           // bit i of in
  const uint16_t* to_if_clear = target_.data() + bits;  // bit i of NOT in
  for (uint32_t i = 0; i < bits; ++i) {
    const uint64_t bit = (in.words[i >> 6] >> (i & 63)) & 1;
    const uint32_t a = to_if_set[i];
    const uint32_t b = to_if_clear[i];
    dst[a >> 6] |= bit << (a & 63);
    dst[b >> 6] |= (bit ^ 1) << (b & 63);
  }
  return absl::OkStatus();
}

}  // namespace fedlink::encode
