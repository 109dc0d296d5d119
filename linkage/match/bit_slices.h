// A filter store transposed in blocks of 64 records ("bit slices"): for each
// block and each bit position, one 64-bit word whose bit i is that position
// of the block's record i. LSH blocking reads a band's r sampled positions
// for 64 records with r loads and one 64x64 bit transpose, instead of r
// scattered bit extractions per record.
#ifndef FEDLINK_LINKAGE_MATCH_BIT_SLICES_H_
#define FEDLINK_LINKAGE_MATCH_BIT_SLICES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "linkage/match/filter_store.h"

namespace fedlink::match {

// Transposes the 64x64 bit matrix m in place: afterwards bit j of m[i] is
// what bit i of m[j] was (bits numbered from the least significant).
void Transpose64(uint64_t m[64]);

class BitSlices {
 public:
  static constexpr size_t kBlock = 64;

  // Builds the slices of every filter of `store` (as much memory again as the
  // store's filter words). Thread-safe for concurrent readers of `store`.
  explicit BitSlices(const FilterStore& store);

  size_t blocks() const { return blocks_; }
  // Bit `position` of records 64·block .. 64·block+63 (bit i: record
  // 64·block+i; records past the store's end read as 0).
  const uint64_t& slice(size_t block, uint32_t position) const {
    return slices_[block * bits_ + position];
  }

 private:
  uint32_t bits_;
  size_t blocks_;
  std::vector<uint64_t> slices_;
};

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_BIT_SLICES_H_
