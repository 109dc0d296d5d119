#include "linkage/match/popcount.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/match/dice.h"

namespace fedlink::match {

// Test names and failure messages show the path by name, not as bytes.
void PrintTo(PopcountPath path, std::ostream* os) { *os << PopcountPathName(path); }

namespace {

// Straightforward bit counting: the oracle every path is checked against.
uint32_t ReferenceAndPopcount(const uint64_t* a, const uint64_t* b, size_t n) {
  uint32_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    for (uint64_t x = a[i] & b[i]; x != 0; x &= x - 1) ++total;
  }
  return total;
}

std::vector<uint64_t> RandomWords(std::mt19937_64& rng, size_t n, double density) {
  std::bernoulli_distribution bit(density);
  std::vector<uint64_t> words(n, 0);
  for (size_t i = 0; i < n * 64; ++i) {
    if (bit(rng)) words[i / 64] |= uint64_t{1} << (i % 64);
  }
  return words;
}

struct AlignedFree {
  void operator()(uint64_t* p) const { ::operator delete[](p, std::align_val_t{64}); }
};

// Filters in the interleaved layout of popcount.h, 64-byte aligned.
std::unique_ptr<uint64_t[], AlignedFree> Interleave(const std::vector<std::vector<uint64_t>>& filters,
                                                    size_t words) {
  const size_t groups = (filters.size() + kInterleaveLanes - 1) / kInterleaveLanes;
  std::unique_ptr<uint64_t[], AlignedFree> tile(static_cast<uint64_t*>(::operator new[](
      std::max<size_t>(1, groups * words * kInterleaveLanes) * sizeof(uint64_t),
      std::align_val_t{64})));
  std::fill(tile.get(), tile.get() + groups * words * kInterleaveLanes, uint64_t{0});
  for (size_t j = 0; j < filters.size(); ++j) {
    for (size_t k = 0; k < words; ++k) {
      tile[(j / kInterleaveLanes) * words * kInterleaveLanes + k * kInterleaveLanes +
           j % kInterleaveLanes] = filters[j][k];
    }
  }
  return tile;
}

class PopcountPathTest : public ::testing::TestWithParam<PopcountPath> {
 protected:
  // The path's kernels, or nullptr after GTEST_SKIP when the CPU lacks it.
  const PopcountKernels* KernelsOrSkip() {
    auto kernels = GetPopcountKernels(GetParam());
    if (!kernels.ok()) return nullptr;
    return *kernels;
  }
};

#define SKIP_IF_UNSUPPORTED(kernels)                                                 \
  if ((kernels) == nullptr) {                                                        \
    GTEST_SKIP() << "this CPU cannot run popcount path '"                            \
                 << PopcountPathName(GetParam()) << "' (e.g. no AVX-512 VPOPCNTDQ)"; \
  }

TEST_P(PopcountPathTest, AndPopcountMatchesReferenceForManyWidths) {
  const PopcountKernels* kernels = KernelsOrSkip();
  SKIP_IF_UNSUPPORTED(kernels);
  std::mt19937_64 rng(11);
  // 64, 128, 1024 and 2048 bits, and word counts that leave SIMD tails.
  for (size_t n : {1u, 2u, 3u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 33u, 130u, 200u}) {
    for (double density : {0.05, 0.3, 0.5, 0.9}) {
      const std::vector<uint64_t> a = RandomWords(rng, n, density);
      const std::vector<uint64_t> b = RandomWords(rng, n, density);
      EXPECT_EQ(kernels->and_popcount(a.data(), b.data(), n),
                ReferenceAndPopcount(a.data(), b.data(), n))
          << "words " << n << " density " << density;
      EXPECT_EQ(kernels->and_popcount(a.data(), a.data(), n),
                ReferenceAndPopcount(a.data(), a.data(), n));
    }
  }
}

TEST_P(PopcountPathTest, AndPopcountHandlesAllZeroAndAllOneFilters) {
  const PopcountKernels* kernels = KernelsOrSkip();
  SKIP_IF_UNSUPPORTED(kernels);
  for (size_t n : {1u, 16u, 32u, 33u}) {
    const std::vector<uint64_t> zeros(n, 0);
    const std::vector<uint64_t> ones(n, ~uint64_t{0});
    EXPECT_EQ(kernels->and_popcount(zeros.data(), zeros.data(), n), 0u);
    EXPECT_EQ(kernels->and_popcount(zeros.data(), ones.data(), n), 0u);
    EXPECT_EQ(kernels->and_popcount(ones.data(), ones.data(), n), n * 64);
  }
}

TEST_P(PopcountPathTest, AndPopcountReadsUnalignedInput) {
  const PopcountKernels* kernels = KernelsOrSkip();
  SKIP_IF_UNSUPPORTED(kernels);
  std::mt19937_64 rng(12);
  const std::vector<uint64_t> a = RandomWords(rng, 40, 0.5);
  const std::vector<uint64_t> b = RandomWords(rng, 40, 0.5);
  for (size_t offset = 0; offset < 8; ++offset) {
    EXPECT_EQ(kernels->and_popcount(a.data() + offset, b.data() + 1, 32),
              ReferenceAndPopcount(a.data() + offset, b.data() + 1, 32));
  }
}

TEST_P(PopcountPathTest, DiceInterleavedMatchesReferenceCountsAndThreshold) {
  const PopcountKernels* kernels = KernelsOrSkip();
  SKIP_IF_UNSUPPORTED(kernels);
  std::mt19937_64 rng(13);
  const DiceThreshold threshold = DiceThreshold::FromDouble(0.6).value();
  // 40 words: more than the AVX2 byte-accumulator fold interval (31).
  for (size_t words : {1u, 3u, 16u, 32u, 40u}) {
    const std::vector<uint64_t> a = RandomWords(rng, words, 0.4);
    std::vector<std::vector<uint64_t>> filters;
    // Noisy copies of `a` (some pass 0.6, some do not) and unrelated filters.
    for (size_t j = 0; j < 37; ++j) {
      std::vector<uint64_t> f = j % 2 == 0 ? a : RandomWords(rng, words, 0.4);
      const std::vector<uint64_t> noise = RandomWords(rng, words, 0.02 * static_cast<double>(j));
      for (size_t k = 0; k < words; ++k) f[k] ^= noise[k];
      filters.push_back(std::move(f));
    }
    const size_t groups = (filters.size() + kInterleaveLanes - 1) / kInterleaveLanes;
    auto tile = Interleave(filters, words);
    std::vector<uint32_t> pops(groups * kInterleaveLanes, 0);
    for (size_t j = 0; j < filters.size(); ++j) {
      pops[j] = ReferenceAndPopcount(filters[j].data(), filters[j].data(), words);
    }
    std::vector<uint32_t> counts(groups * kInterleaveLanes, 12345);
    std::vector<uint8_t> masks(groups, 0xAA);
    InterleavedDiceArgs args;
    args.a = a.data();
    args.pa = ReferenceAndPopcount(a.data(), a.data(), words);
    args.tile = tile.get();
    args.tile_popcounts = pops.data();
    args.words = words;
    args.groups = groups;
    args.numerator = threshold.numerator();
    args.denominator = threshold.denominator();
    args.counts = counts.data();
    args.pass_masks = masks.data();
    kernels->dice_interleaved(args);
    int passing = 0;
    for (size_t j = 0; j < groups * kInterleaveLanes; ++j) {
      const uint32_t expected =
          j < filters.size() ? ReferenceAndPopcount(a.data(), filters[j].data(), words) : 0;
      EXPECT_EQ(counts[j], expected) << "words " << words << " lane " << j;
      const bool pass = (masks[j / kInterleaveLanes] >> (j % kInterleaveLanes)) & 1;
      EXPECT_EQ(pass, threshold.Passes(expected, args.pa, pops[j])) << "lane " << j;
      passing += pass;
    }
    EXPECT_GT(passing, 0) << "the data should contain passing lanes";
  }
}

TEST_P(PopcountPathTest, DiceInterleavedPassesExactTies) {
  const PopcountKernels* kernels = KernelsOrSkip();
  SKIP_IF_UNSUPPORTED(kernels);
  // a has bits 0..4 (5 bits); lane l has bits 0..3 and 64..64+l (5 + l bits).
  const size_t words = 2;
  std::vector<uint64_t> a = {0x1f, 0};
  std::vector<std::vector<uint64_t>> filters;
  for (size_t l = 0; l < kInterleaveLanes; ++l) {
    filters.push_back({0x0f, (uint64_t{1} << (l + 1)) - 1});
  }
  auto tile = Interleave(filters, words);
  std::vector<uint32_t> pops(kInterleaveLanes);
  for (size_t l = 0; l < kInterleaveLanes; ++l) pops[l] = static_cast<uint32_t>(4 + l + 1);
  const DiceThreshold threshold = DiceThreshold::FromDouble(0.8).value();
  std::vector<uint32_t> counts(kInterleaveLanes);
  uint8_t mask = 0;
  InterleavedDiceArgs args;
  args.a = a.data();
  args.pa = 5;
  args.tile = tile.get();
  args.tile_popcounts = pops.data();
  args.words = words;
  args.groups = 1;
  args.numerator = threshold.numerator();
  args.denominator = threshold.denominator();
  args.counts = counts.data();
  args.pass_masks = &mask;
  kernels->dice_interleaved(args);
  // Lane l: common 4, pb = 5 + l, dice = 8 / (10 + l): only lane 0 (exactly
  // 0.8) passes.
  EXPECT_EQ(counts[0], 4u);
  EXPECT_EQ(mask, 0x01);
}

TEST_P(PopcountPathTest, DiceInterleavedEmptyRowPassesNothing) {
  const PopcountKernels* kernels = KernelsOrSkip();
  SKIP_IF_UNSUPPORTED(kernels);
  const size_t words = 16;
  const std::vector<uint64_t> a(words, 0);
  std::vector<std::vector<uint64_t>> filters(kInterleaveLanes, std::vector<uint64_t>(words, 0));
  auto tile = Interleave(filters, words);
  std::vector<uint32_t> pops(kInterleaveLanes, 0);
  std::vector<uint32_t> counts(kInterleaveLanes);
  uint8_t mask = 0xff;
  InterleavedDiceArgs args;
  args.a = a.data();
  args.pa = 0;
  args.tile = tile.get();
  args.tile_popcounts = pops.data();
  args.words = words;
  args.groups = 1;
  args.numerator = 1;
  args.denominator = 1'000'000;
  args.counts = counts.data();
  args.pass_masks = &mask;
  kernels->dice_interleaved(args);
  EXPECT_EQ(mask, 0);
}

TEST_P(PopcountPathTest, SlicedCountSumsSlicesPerLane) {
  const PopcountKernels* kernels = KernelsOrSkip();
  SKIP_IF_UNSUPPORTED(kernels);
  if (kernels->sliced_count == nullptr) {
    GTEST_SKIP() << "path '" << PopcountPathName(GetParam()) << "' has no bit-sliced kernel";
  }
  std::mt19937_64 rng(14);
  const uint32_t bits = 1024;
  // Tile: bits slices of kSlicedWords words, 32-byte aligned.
  std::unique_ptr<uint64_t[], AlignedFree> tile(static_cast<uint64_t*>(
      ::operator new[](bits * kSlicedWords * sizeof(uint64_t), std::align_val_t{64})));
  for (size_t i = 0; i < bits * kSlicedWords; ++i) tile[i] = rng() & rng();
  // Counts around the 16-slice blocks of the carry-save tree, up to more
  // than half the bits, and with repeated positions (sums beyond 2^10).
  for (size_t count : {0u, 1u, 15u, 16u, 17u, 33u, 300u, 700u, 5000u}) {
    std::vector<uint32_t> positions(count);
    for (uint32_t& p : positions) p = static_cast<uint32_t>(rng() % bits);
    std::vector<uint64_t> planes(kSlicedPlanes * kSlicedWords, 0xdeadbeef);
    kernels->sliced_count(tile.get(), positions.data(), positions.size(), planes.data());
    for (size_t lane = 0; lane < kSlicedLanes; ++lane) {
      uint32_t want = 0;
      for (uint32_t p : positions) want += (tile[p * kSlicedWords + lane / 64] >> (lane % 64)) & 1;
      uint32_t got = 0;
      for (size_t d = 0; d < kSlicedPlanes; ++d) {
        got |= static_cast<uint32_t>((planes[d * kSlicedWords + lane / 64] >> (lane % 64)) & 1) << d;
      }
      ASSERT_EQ(got, want) << "count " << count << " lane " << lane;
    }
  }
}

TEST_P(PopcountPathTest, SlicedPositionsListSetOrClearBitsInOrder) {
  const PopcountKernels* kernels = KernelsOrSkip();
  SKIP_IF_UNSUPPORTED(kernels);
  ASSERT_EQ(kernels->sliced_positions == nullptr, kernels->sliced_count == nullptr);
  if (kernels->sliced_positions == nullptr) {
    GTEST_SKIP() << "path '" << PopcountPathName(GetParam()) << "' has no bit-sliced kernel";
  }
  std::mt19937_64 rng(15);
  for (size_t words : {1u, 3u, 16u, 17u}) {
    for (double density : {0.0, 0.05, 0.3, 0.7, 1.0}) {
      const std::vector<uint64_t> row = RandomWords(rng, words, density);
      for (bool complement : {false, true}) {
        std::vector<uint32_t> want;
        for (uint32_t p = 0; p < words * 64; ++p) {
          if (((row[p / 64] >> (p % 64)) & 1) != complement) want.push_back(p);
        }
        std::vector<uint32_t> out(words * 64 + kSlicedPositionsSlack, 0xdeadbeef);
        const size_t count = kernels->sliced_positions(row.data(), words, complement, out.data());
        ASSERT_EQ(count, want.size()) << "words " << words << " density " << density;
        out.resize(count);
        EXPECT_EQ(out, want) << "words " << words << " density " << density;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllPaths, PopcountPathTest, ::testing::ValuesIn(AllPopcountPaths()),
                         [](const ::testing::TestParamInfo<PopcountPath>& param) {
                           return std::string(PopcountPathName(param.param));
                         });

TEST(PopcountDispatchTest, PortableIsAlwaysSupportedAndListedFirst) {
  const std::vector<PopcountPath> supported = SupportedPopcountPaths();
  ASSERT_FALSE(supported.empty());
  EXPECT_EQ(supported.front(), PopcountPath::kPortable);
  EXPECT_TRUE(PopcountPathSupported(PopcountPath::kPortable));
}

TEST(PopcountDispatchTest, BestPathIsTheLastSupportedOne) {
  EXPECT_EQ(BestPopcountPath(), SupportedPopcountPaths().back());
  EXPECT_EQ(BestPopcountKernels().path, BestPopcountPath());
  EXPECT_TRUE(PopcountPathSupported(BestPopcountPath()));
}

TEST(PopcountDispatchTest, ForcingAnUnsupportedPathFailsCleanly) {
  for (PopcountPath path : AllPopcountPaths()) {
    auto kernels = GetPopcountKernels(path);
    if (PopcountPathSupported(path)) {
      ASSERT_TRUE(kernels.ok());
      EXPECT_EQ((*kernels)->path, path);
    } else {
      EXPECT_EQ(kernels.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_NE(kernels.status().message().find(std::string(PopcountPathName(path))),
                std::string::npos);
    }
  }
}

#if defined(__x86_64__)
TEST(PopcountDispatchTest, X86BuildCompilesEveryPath) {
  EXPECT_EQ(AllPopcountPaths(),
            (std::vector<PopcountPath>{PopcountPath::kPortable, PopcountPath::kPopcnt,
                                       PopcountPath::kAvx2, PopcountPath::kAvx512}));
  // Every x86-64 CPU with AVX2 also has POPCNT.
  if (PopcountPathSupported(PopcountPath::kAvx2)) {
    EXPECT_TRUE(PopcountPathSupported(PopcountPath::kPopcnt));
  }
}
#endif

TEST(PopcountDispatchTest, PathNamesAreDistinct) {
  EXPECT_EQ(PopcountPathName(PopcountPath::kPortable), "portable");
  EXPECT_EQ(PopcountPathName(PopcountPath::kPopcnt), "popcnt");
  EXPECT_EQ(PopcountPathName(PopcountPath::kAvx2), "avx2");
  EXPECT_EQ(PopcountPathName(PopcountPath::kAvx512), "avx512");
}

}  // namespace
}  // namespace fedlink::match
