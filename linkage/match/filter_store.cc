#include "linkage/match/filter_store.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "linkage/match/popcount.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;

}  // namespace

absl::StatusOr<FilterStore> FilterStore::Create(uint32_t bits, size_t reserve) {
  if (bits == 0 || bits % 64 != 0 || bits > kMaxFilterBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter store: filter length ", bits,
                     " bits is not a multiple of 64 in [64, ", kMaxFilterBits, "]"));
  }
  const size_t words = bits / 64;
  const size_t stride = (words + kRowAlignWords - 1) / kRowAlignWords * kRowAlignWords;
  FilterStore store(bits, stride);
  store.Reserve(reserve);
  return store;
}

absl::StatusOr<FilterStore> FilterStore::FromFilters(
    uint32_t bits, absl::Span<const encode::BloomFilter> filters) {
  FEDLINK_ASSIGN_OR_RETURN(FilterStore store, Create(bits, filters.size()));
  for (size_t i = 0; i < filters.size(); ++i) {
    if (filters[i].words.size() != store.words_per_filter()) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter store: filter ", i, " has ", filters[i].words.size() * 64,
                       " bits, expected ", bits));
    }
    FEDLINK_RETURN_IF_ERROR(store.Append(filters[i].words));
  }
  return store;
}

FilterStore::FilterStore(FilterStore&& other) noexcept
    : bits_(other.bits_),
      stride_(other.stride_),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      words_(std::move(other.words_)),
      popcounts_(std::move(other.popcounts_)) {}

FilterStore& FilterStore::operator=(FilterStore&& other) noexcept {
  if (this != &other) {
    bits_ = other.bits_;
    stride_ = other.stride_;
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    words_ = std::move(other.words_);
    popcounts_ = std::move(other.popcounts_);
  }
  return *this;
}

void FilterStore::Reserve(size_t capacity) {
  if (capacity <= capacity_) return;
  // Scoring candidates reads rows at random: on blocks of many MiB, huge
  // pages save a TLB miss and page walk per row. madvise is only a hint.
  const size_t bytes = capacity * stride_ * sizeof(uint64_t);
  const size_t alignment = bytes >= kHugePageBytes ? kHugePageBytes : 64;
  std::unique_ptr<uint64_t[], internal::AlignedWordsFree> words(
      static_cast<uint64_t*>(::operator new[](bytes, std::align_val_t{alignment})),
      internal::AlignedWordsFree{alignment});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (alignment == kHugePageBytes) {
    madvise(words.get(), (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes,
            MADV_HUGEPAGE);
  }
#endif
  auto popcounts = std::make_unique<uint32_t[]>(capacity);
  if (size_ > 0) {
    std::memcpy(words.get(), words_.get(), size_ * stride_ * sizeof(uint64_t));
    std::memcpy(popcounts.get(), popcounts_.get(), size_ * sizeof(uint32_t));
  }
  words_ = std::move(words);
  popcounts_ = std::move(popcounts);
  capacity_ = capacity;
}

absl::Status FilterStore::Append(absl::Span<const uint64_t> words) {
  const size_t n = words_per_filter();
  if (words.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("filter store: filter ", size_, " has ",
                                                   words.size() * 64, " bits, expected ",
                                                   bits_));
  }
  if (size_ >= std::numeric_limits<RecordIndex>::max()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("filter store: more than ", std::numeric_limits<RecordIndex>::max(),
                     " filters"));
  }
  if (size_ == capacity_) Reserve(std::max<size_t>(64, capacity_ * 2));
  uint64_t* row = words_.get() + size_ * stride_;
  std::memcpy(row, words.data(), n * sizeof(uint64_t));
  std::fill(row + n, row + stride_, uint64_t{0});
  popcounts_[size_] = BestPopcountKernels().and_popcount(row, row, n);
  ++size_;
  return absl::OkStatus();
}

size_t FilterStore::memory_bytes() const {
  return capacity_ * (stride_ * sizeof(uint64_t) + sizeof(uint32_t));
}

}  // namespace fedlink::match
