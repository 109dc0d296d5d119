// LSD radix sort on 64-bit keys, used to group band keys and to sort and
// deduplicate packed candidate pairs. For tens of millions of keys it is
// several times faster than std::sort and needs one scratch buffer of the
// same size.
#ifndef FEDLINK_LINKAGE_MATCH_RADIX_SORT_H_
#define FEDLINK_LINKAGE_MATCH_RADIX_SORT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fedlink::match {

// Sorts *items by key(item) >> first_bit (bits below first_bit are ignored),
// stably: items with equal sort bits keep their input order. `scratch` is
// resized to items->size() and its contents are garbage afterwards; pass the
// same vector again to reuse its memory. Passes whose digit is the same for
// every item are skipped, so keys that use few bits sort in few passes.
// Not thread-safe for shared arguments.
template <typename T, typename KeyFn>
void RadixSort(std::vector<T>* items, std::vector<T>* scratch, KeyFn key,
               unsigned first_bit = 0) {
  // 11-bit digits: 2048 counters fit L1, and 22-bit band keys take 2 passes.
  constexpr unsigned kDigitBits = 11;
  constexpr unsigned kBuckets = 1u << kDigitBits;
  const size_t n = items->size();
  if (n < 2 || first_bit >= 64) return;
  const unsigned passes = (64 - first_bit + kDigitBits - 1) / kDigitBits;
  // One read of the input builds the histograms of all digits.
  std::vector<std::array<size_t, kBuckets>> counts(passes);
  for (auto& c : counts) c.fill(0);
  for (const T& item : *items) {
    const uint64_t k = key(item) >> first_bit;
    for (unsigned p = 0; p < passes; ++p) ++counts[p][(k >> (p * kDigitBits)) & (kBuckets - 1)];
  }
  if (scratch->size() != n) std::vector<T>(n).swap(*scratch);
  std::vector<T>* from = items;
  std::vector<T>* to = scratch;
  for (unsigned p = 0; p < passes; ++p) {
    auto& c = counts[p];
    bool trivial = false;
    for (size_t b = 0; b < kBuckets; ++b) {
      if (c[b] == n) trivial = true;
    }
    if (trivial) continue;  // every item has this digit: order unchanged
    size_t offset = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      const size_t count = c[b];
      c[b] = offset;
      offset += count;
    }
    const unsigned shift = first_bit + p * kDigitBits;
    for (const T& item : *from) {
      (*to)[c[(key(item) >> shift) & (kBuckets - 1)]++] = item;
    }
    std::swap(from, to);
  }
  if (from != items) items->swap(*from);
}

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_RADIX_SORT_H_
