// One party's Bloom filters, stored for fast comparison: a single contiguous
// 64-byte-aligned block of words, one fixed-size row per filter, and the
// popcount of every filter computed once when it is added. Blocks of 2 MiB
// and more are 2 MiB-aligned and marked for transparent huge pages (Linux),
// since candidate scoring reads rows at random.
#ifndef FEDLINK_LINKAGE_MATCH_FILTER_STORE_H_
#define FEDLINK_LINKAGE_MATCH_FILTER_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/dice.h"
#include "linkage/match/types.h"

namespace fedlink::match {

// Rows are padded with zero words to a multiple of this many words (one
// 64-byte cache line), so every row starts on a cache line and the SIMD
// kernels can read whole lines. A 1024-bit filter needs no padding.
inline constexpr size_t kRowAlignWords = 8;

namespace internal {

// Frees a block of words with the alignment it was allocated with (64 bytes,
// or 2 MiB for blocks large enough for transparent huge pages).
struct AlignedWordsFree {
  size_t alignment = 64;
  void operator()(uint64_t* p) const { ::operator delete[](p, std::align_val_t{alignment}); }
};

}  // namespace internal

class FilterStore {
 public:
  // An empty store for filters of `bits` bits with room for `reserve` filters
  // before it reallocates. InvalidArgument unless bits is a multiple of 64 in
  // [64, kMaxFilterBits] (dice.h).
  static absl::StatusOr<FilterStore> Create(uint32_t bits, size_t reserve = 0);

  // A store holding copies of `filters`, in order (record i is filters[i]).
  // InvalidArgument when a filter does not have bits/64 words (the message
  // names its index) or bits is invalid as for Create.
  static absl::StatusOr<FilterStore> FromFilters(uint32_t bits,
                                                 absl::Span<const encode::BloomFilter> filters);

  // A moved-from store is empty (size() == 0) and may be assigned to.
  FilterStore(FilterStore&& other) noexcept;
  FilterStore& operator=(FilterStore&& other) noexcept;
  FilterStore(const FilterStore&) = delete;
  FilterStore& operator=(const FilterStore&) = delete;

  // Appends one filter given as words_per_filter() words (bit i is word i/64,
  // bit i%64, as in encode::BloomFilter). InvalidArgument on a wrong word
  // count; ResourceExhausted past 2^32 - 1 filters (RecordIndex is 32-bit).
  // Not thread-safe; readers must not run concurrently with Append.
  absl::Status Append(absl::Span<const uint64_t> words);
  absl::Status Append(const encode::BloomFilter& filter) { return Append(filter.words); }

  size_t size() const { return size_; }
  uint32_t bits() const { return bits_; }
  size_t words_per_filter() const { return bits_ / 64; }
  // Distance in words between consecutive rows (>= words_per_filter()).
  size_t stride_words() const { return stride_; }

  // Row of filter i: words_per_filter() filter words, then zero padding up
  // to stride_words(); 64-byte aligned. Requires i < size().
  const uint64_t* row(RecordIndex i) const { return words_.get() + static_cast<size_t>(i) * stride_; }
  // Number of set bits of filter i. Requires i < size().
  uint32_t popcount(RecordIndex i) const { return popcounts_[i]; }
  absl::Span<const uint32_t> popcounts() const { return {popcounts_.get(), size_}; }

  // Heap bytes held (capacity, not size).
  size_t memory_bytes() const;

 private:
  FilterStore(uint32_t bits, size_t stride) : bits_(bits), stride_(stride) {}
  void Reserve(size_t capacity);

  uint32_t bits_ = 0;
  size_t stride_ = 0;
  size_t size_ = 0;
  size_t capacity_ = 0;
  std::unique_ptr<uint64_t[], internal::AlignedWordsFree> words_;
  std::unique_ptr<uint32_t[]> popcounts_;
};

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_FILTER_STORE_H_
