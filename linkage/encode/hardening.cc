#include "linkage/encode/hardening.h"

#include <bit>
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
  std::vector<uint64_t> zero_image(n / 64, 0);
  for (size_t i = input_bits; i < n; ++i) {
    zero_image[target[i] >> 6] |= uint64_t{1} << (target[i] & 63);
  }
  return BalancingPermutation(std::move(target), std::move(zero_image));
}

absl::Status BalancingPermutation::Apply(const BloomFilter& in,
                                         BloomFilter* out) const {
  const uint32_t bits = input_bits();
  if (in.words.size() * 64 != bits) {
    return absl::InvalidArgumentError(
        absl::StrCat("balancing permutation is for ", bits,
                     "-bit filters, got ", in.words.size() * 64));
  }
  // Start from the image of an all-zero input (only the complement half is
  // set), then move each set input bit from its complement's place to its
  // own: work proportional to the set bits, not to the length.
  out->words.assign(zero_image_.begin(), zero_image_.end());
  uint64_t* dst = out->words.data();
  for (size_t w = 0; w < in.words.size(); ++w) {
    for (uint64_t word = in.words[w]; word != 0; word &= word - 1) {
      const size_t i = w * 64 + static_cast<size_t>(std::countr_zero(word));
      const uint32_t set = target_[i];
      const uint32_t clear = target_[bits + i];
      dst[set >> 6] |= uint64_t{1} << (set & 63);
      dst[clear >> 6] &= ~(uint64_t{1} << (clear & 63));
    }
  }
  return absl::OkStatus();
}

}  // namespace fedlink::encode
