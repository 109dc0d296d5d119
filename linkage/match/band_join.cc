#include "linkage/match/band_join.h"

#include <algorithm>
#include <bit>

#include <limits>

namespace fedlink::match {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Bitmap bits per record of the larger side: with n keys marked, a foreign
// key passes by chance with probability about 1/8.
constexpr size_t kBitsPerRecord = 8;
constexpr unsigned kMinBitmapBits = 12;
// 2^26 bits = 8 MiB: beyond that the bitmap leaves L2/L3 anyway.
constexpr unsigned kMaxBitmapBits = 26;

}  // namespace

BandJoiner::BandJoiner(size_t max_side_records) {
  const unsigned wanted =
      static_cast<unsigned>(std::bit_width(std::max<size_t>(1, max_side_records * kBitsPerRecord) - 1));
  bitmap_bits_ = std::clamp(wanted, kMinBitmapBits, kMaxBitmapBits);
  bitmap_.resize(size_t{1} << (bitmap_bits_ - 6));
}

void BandJoiner::Mark(absl::Span<const uint64_t> entries) {
  std::fill(bitmap_.begin(), bitmap_.end(), 0);
  uint64_t* words = bitmap_.data();
  for (const uint64_t entry : entries) {
    const size_t bit = BitOf(entry);
    words[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
}

size_t BandJoiner::Keep(absl::Span<const uint64_t> entries, std::vector<uint64_t>* out) const {
  // Written unconditionally and kept by advancing the cursor: whether an
  // entry passes is unpredictable, so a branch would often mispredict. The
  // buffer only grows (resizing it each time would zero it each time).
  if (out->size() < entries.size()) out->resize(entries.size());
  uint64_t* dest = out->data();
  size_t kept = 0;
  const uint64_t* words = bitmap_.data();
  for (const uint64_t entry : entries) {
    const size_t bit = BitOf(entry);
    dest[kept] = entry;
    kept += (words[bit >> 6] >> (bit & 63)) & 1;
  }
  return kept;
}

void BandJoiner::HashJoin(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b,
                          uint64_t max_bucket_pairs, unsigned b_shift,
                          std::vector<uint64_t>* pairs, BandJoinStats* stats) {
  // At most half full, so a probe always ends at a free slot.
  const unsigned bits = std::max(4u, static_cast<unsigned>(std::bit_width(2 * a.size() - 1)));
  const uint32_t mask = (uint32_t{1} << bits) - 1;
  if (slots_.size() <= mask) slots_.resize(size_t{mask} + 1, Bucket{0, kNone, 0, kNone, 0});
  if (next_a_.size() < a.size()) next_a_.resize(a.size());
  if (next_b_.size() < b.size()) next_b_.resize(b.size());
  Bucket* slots = slots_.data();
  auto slot_of = [bits](uint32_t key) {
    return static_cast<uint32_t>((uint64_t{key} * 0xff51afd7ed558ccdULL) >> (64 - bits));
  };
  touched_.clear();
  for (uint32_t i = 0; i < a.size(); ++i) {
    const uint32_t key = static_cast<uint32_t>(a[i] >> 32);
    uint32_t s = slot_of(key);
    while (slots[s].a_count != 0 && slots[s].key != key) s = (s + 1) & mask;
    Bucket& bucket = slots[s];
    if (bucket.a_count == 0) {
      bucket.key = key;
      bucket.a_head = kNone;
      touched_.push_back(s);
    }
    next_a_[i] = bucket.a_head;
    bucket.a_head = i;
    ++bucket.a_count;
  }
  for (uint32_t j = 0; j < b.size(); ++j) {
    const uint32_t key = static_cast<uint32_t>(b[j] >> 32);
    uint32_t s = slot_of(key);
    while (slots[s].a_count != 0 && slots[s].key != key) s = (s + 1) & mask;
    Bucket& bucket = slots[s];
    if (bucket.a_count == 0) continue;  // a hash collision in the bitmaps: no such key in A
    next_b_[j] = bucket.b_head;
    bucket.b_head = j;
    ++bucket.b_count;
  }
  // Buckets in the order their keys first appear in A: the output depends
  // only on the inputs.
  for (const uint32_t s : touched_) {
    Bucket& bucket = slots[s];
    if (bucket.b_count != 0) {
      const uint64_t bucket_pairs = uint64_t{bucket.a_count} * bucket.b_count;
      if (bucket_pairs > max_bucket_pairs) {
        ++stats->oversized_buckets;
        stats->dropped_pairs += bucket_pairs;
      } else {
        stats->pairs += bucket_pairs;
        for (uint32_t x = bucket.a_head; x != kNone; x = next_a_[x]) {
          const uint64_t high = (a[x] & 0xffffffffULL) << b_shift;
          for (uint32_t y = bucket.b_head; y != kNone; y = next_b_[y]) {
            pairs->push_back(high | (b[y] & 0xffffffffULL));
          }
        }
      }
    }
    bucket.a_count = 0;
    bucket.b_count = 0;
    bucket.b_head = kNone;
  }
  touched_.clear();
}

void BandJoiner::Join(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b,
                      uint64_t max_bucket_pairs, unsigned b_shift, std::vector<uint64_t>* pairs,
                      BandJoinStats* stats) {
  if (a.empty() || b.empty()) return;
  Mark(a);
  const size_t kept_b = Keep(b, &survivors_b_);
  if (kept_b == 0) return;
  const auto survivors_b = absl::MakeConstSpan(survivors_b_.data(), kept_b);
  Mark(survivors_b);
  const size_t kept_a = Keep(a, &survivors_a_);
  if (kept_a == 0) return;
  const auto survivors_a = absl::MakeConstSpan(survivors_a_.data(), kept_a);
  Mark(survivors_a);
  const size_t narrowed = Keep(survivors_b, &narrowed_b_);
  HashJoin(survivors_a, absl::MakeConstSpan(narrowed_b_.data(), narrowed), max_bucket_pairs,
           b_shift, pairs, stats);
}

}  // namespace fedlink::match
