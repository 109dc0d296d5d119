// The per-band step of LSH blocking: pairs of records of two parties whose
// band keys are equal.
//
// In one band almost no key of one side occurs on the other (a chance
// collision of r ≈ 20-30 sampled bits is rare), so the join first throws
// away, with bitmap semi-joins, every entry whose key cannot occur on the
// other side: B's entries are tested against a bitmap of hashed A keys, A's
// against a bitmap of the surviving B keys, and B's survivors once more
// against the surviving A keys. Each pass reads the entries in order and
// touches a bitmap that stays in L2, with no scatter to memory. The few
// survivors (the true collisions plus a small share of hash collisions) are
// joined with a hash table of A's survivors. This replaced a full radix sort of both
// sides (three scatter passes over memory per side and band), which was
// most of the blocking time at 10^6 records a side.
#ifndef FEDLINK_LINKAGE_MATCH_BAND_JOIN_H_
#define FEDLINK_LINKAGE_MATCH_BAND_JOIN_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace fedlink::match {

// What one band's join found besides its pairs.
struct BandJoinStats {
  uint64_t pairs = 0;              // pairs emitted
  uint64_t oversized_buckets = 0;  // keys shared by more than max_bucket_pairs pairs
  uint64_t dropped_pairs = 0;      // the pairs those keys would have given
};

// Keeps scratch memory (bitmaps, survivors) between calls: one joiner per
// thread. Not thread-safe.
class BandJoiner {
 public:
  // `max_side_records` sizes the bitmaps: about 8 bits per record of the
  // larger side.
  explicit BandJoiner(size_t max_side_records);

  // Appends to *pairs, as (a_index << b_shift) | b_index, each pair of
  // entries of `a` and `b` (key << 32 | record index, any order) with equal
  // keys, unless the key's bucket (s_a entries of A, s_b of B) has
  // s_a · s_b > max_bucket_pairs, when it only counts in the stats. The
  // order of the pairs depends only on the inputs. Preconditions: every B
  // index < 2^b_shift, b_shift < 64.
  void Join(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b,
            uint64_t max_bucket_pairs, unsigned b_shift, std::vector<uint64_t>* pairs,
            BandJoinStats* stats);

 private:
  // Bitmap of the hashed keys of `entries`, replacing the previous one.
  void Mark(absl::Span<const uint64_t> entries);
  // Copies the entries whose hashed key is marked to the front of *out (a
  // buffer that only grows) and returns how many there are.
  size_t Keep(absl::Span<const uint64_t> entries, std::vector<uint64_t>* out) const;
  // The exact join of the survivors.
  void HashJoin(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b,
                uint64_t max_bucket_pairs, unsigned b_shift, std::vector<uint64_t>* pairs,
                BandJoinStats* stats);
  size_t BitOf(uint64_t entry) const {
    return static_cast<size_t>(((entry >> 32) * 0x9e3779b97f4a7c15ULL) >> (64 - bitmap_bits_));
  }

  unsigned bitmap_bits_ = 0;
  std::vector<uint64_t> bitmap_;
  std::vector<uint64_t> survivors_a_;
  std::vector<uint64_t> survivors_b_;
  std::vector<uint64_t> narrowed_b_;
  // HashJoin's table of distinct keys, each with its lists of holders (heads
  // index next_a_ / next_b_); a_count 0 marks a free slot. All free between
  // calls.
  struct Bucket {
    uint32_t key;
    uint32_t a_head;
    uint32_t a_count;
    uint32_t b_head;
    uint32_t b_count;
  };
  std::vector<Bucket> slots_;
  std::vector<uint32_t> touched_;
  std::vector<uint32_t> next_a_;
  std::vector<uint32_t> next_b_;
};

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_BAND_JOIN_H_
