#include "linkage/match/bit_slices.h"

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/match/filter_store.h"

namespace fedlink::match {
namespace {

TEST(Transpose64Test, SwapsRowsAndColumns) {
  std::mt19937_64 rng(1);
  uint64_t m[64];
  uint64_t original[64];
  for (int i = 0; i < 64; ++i) original[i] = m[i] = rng();
  Transpose64(m);
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 64; ++j) {
      ASSERT_EQ((m[i] >> j) & 1, (original[j] >> i) & 1) << i << "," << j;
    }
  }
  Transpose64(m);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(m[i], original[i]);
}

TEST(BitSlicesTest, SliceBitIsRecordBit) {
  std::mt19937_64 rng(2);
  FilterStore store = FilterStore::Create(192).value();
  for (int i = 0; i < 150; ++i) {  // two full blocks and a partial one
    ASSERT_TRUE(store.Append(std::vector<uint64_t>{rng(), rng(), rng()}).ok());
  }
  const BitSlices slices(store);
  ASSERT_EQ(slices.blocks(), 3u);
  for (size_t block = 0; block < 3; ++block) {
    for (uint32_t position = 0; position < 192; ++position) {
      const uint64_t slice = slices.slice(block, position);
      for (size_t i = 0; i < 64; ++i) {
        const size_t record = block * 64 + i;
        const uint64_t want =
            record < store.size()
                ? (store.row(static_cast<RecordIndex>(record))[position / 64] >> (position % 64)) & 1
                : 0;
        ASSERT_EQ((slice >> i) & 1, want) << block << " " << position << " " << i;
      }
    }
  }
}

}  // namespace
}  // namespace fedlink::match
