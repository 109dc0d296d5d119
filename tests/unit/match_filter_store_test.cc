#include "linkage/match/filter_store.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/encode/encodings.h"

namespace fedlink::match {
namespace {

encode::BloomFilter Filter(std::vector<uint64_t> words) { return encode::BloomFilter{std::move(words)}; }

TEST(FilterStoreTest, StoresRowsAlignedWithPopcounts) {
  std::vector<encode::BloomFilter> filters;
  for (uint64_t i = 0; i < 100; ++i) {
    std::vector<uint64_t> words(16, 0);
    words[i % 16] = (uint64_t{1} << (i % 64)) | 1;
    words[15] = i;
    filters.push_back(Filter(words));
  }
  FilterStore store = FilterStore::FromFilters(1024, filters).value();
  ASSERT_EQ(store.size(), 100u);
  EXPECT_EQ(store.bits(), 1024u);
  EXPECT_EQ(store.words_per_filter(), 16u);
  EXPECT_EQ(store.stride_words(), 16u);
  for (RecordIndex i = 0; i < 100; ++i) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(store.row(i)) % 64, 0u);
    uint32_t expected = 0;
    for (size_t k = 0; k < 16; ++k) {
      EXPECT_EQ(store.row(i)[k], filters[i].words[k]);
      expected += static_cast<uint32_t>(__builtin_popcountll(filters[i].words[k]));
    }
    EXPECT_EQ(store.popcount(i), expected);
    EXPECT_EQ(store.popcounts()[i], expected);
  }
}

TEST(FilterStoreTest, PadsShortRowsWithZeroWordsToACacheLine) {
  FilterStore store = FilterStore::Create(192).value();
  ASSERT_TRUE(store.Append(std::vector<uint64_t>{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}}).ok());
  ASSERT_TRUE(store.Append(std::vector<uint64_t>{1, 2, 3}).ok());
  EXPECT_EQ(store.stride_words(), kRowAlignWords);
  EXPECT_EQ(store.popcount(0), 192u);
  for (size_t k = 3; k < kRowAlignWords; ++k) {
    EXPECT_EQ(store.row(0)[k], 0u);
    EXPECT_EQ(store.row(1)[k], 0u);
  }
  EXPECT_EQ(reinterpret_cast<uintptr_t>(store.row(1)) % 64, 0u);
}

TEST(FilterStoreTest, KeepsContentsWhenGrowing) {
  FilterStore store = FilterStore::Create(64, 1).value();
  for (uint64_t i = 0; i < 1000; ++i) ASSERT_TRUE(store.Append(std::vector<uint64_t>{i}).ok());
  for (RecordIndex i = 0; i < 1000; ++i) {
    EXPECT_EQ(store.row(i)[0], i);
    EXPECT_EQ(store.popcount(i), static_cast<uint32_t>(__builtin_popcountll(i)));
  }
  EXPECT_GE(store.memory_bytes(), 1000u * 64);
}

TEST(FilterStoreTest, RejectsInvalidLengths) {
  for (uint32_t bits : {0u, 63u, 100u, kMaxFilterBits + 64}) {
    EXPECT_EQ(FilterStore::Create(bits).status().code(), absl::StatusCode::kInvalidArgument)
        << bits;
  }
  EXPECT_TRUE(FilterStore::Create(kMaxFilterBits).ok());
}

TEST(FilterStoreTest, RejectsFilterOfWrongLengthNamingItsIndex) {
  std::vector<encode::BloomFilter> filters = {Filter(std::vector<uint64_t>(16, 0)),
                                              Filter(std::vector<uint64_t>(15, 0))};
  const absl::Status status = FilterStore::FromFilters(1024, filters).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("filter 1"), std::string::npos) << status;
  FilterStore store = FilterStore::Create(128).value();
  EXPECT_FALSE(store.Append(std::vector<uint64_t>{1, 2, 3}).ok());
  EXPECT_EQ(store.size(), 0u);
}

TEST(FilterStoreTest, MovedFromStoreIsEmpty) {
  FilterStore store = FilterStore::Create(64).value();
  ASSERT_TRUE(store.Append(std::vector<uint64_t>{5}).ok());
  FilterStore moved = std::move(store);
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved.popcount(0), 2u);
  EXPECT_EQ(store.size(), 0u);  // NOLINT(bugprone-use-after-move): documented state
}

}  // namespace
}  // namespace fedlink::match
