#include "linkage/match/lsh_blocking.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "linkage/match/bit_slices.h"
#include "linkage/match/parallel.h"
#include "linkage/match/radix_sort.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

constexpr uint32_t kMaxBands = 10'000;
constexpr uint32_t kMaxBitsPerBand = 32;
// Fewer sampled bits than this make every band a coarse partition that pairs
// up a large share of all records; the data-chosen r never goes below it.
constexpr uint32_t kMinChosenBits = 8;
constexpr size_t kAgreementSample = 4096;
// Pending band pairs are merged into the result once there are this many
// (or as many as the result holds).
constexpr size_t kMinMergeSize = size_t{1} << 20;
// Bands whose keys are extracted in one pass over the bit slices.
constexpr size_t kBandsPerGroup = 8;
// How many 64-record blocks ahead key extraction prefetches slices.
constexpr size_t kPrefetchBlocks = 2;

// SplitMix64 (Steele, Lea, Flood 2014): a fixed, portable sequence.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) by rejection (no modulo bias).
  uint32_t Below(uint32_t bound) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do {
      x = Next();
    } while (x >= limit);
    return static_cast<uint32_t>(x % bound);
  }

 private:
  uint64_t state_;
};

absl::Status ValidateParams(const LshParams& params) {
  if (params.bands == 0 || params.bands > kMaxBands) {
    return absl::InvalidArgumentError(
        absl::StrCat("lsh blocking: bands = ", params.bands, " is not in [1, ", kMaxBands, "]"));
  }
  if (params.bits_per_band > kMaxBitsPerBand) {
    return absl::InvalidArgumentError(absl::StrCat("lsh blocking: bits_per_band = ",
                                                   params.bits_per_band, " is not in [0, ",
                                                   kMaxBitsPerBand, "]"));
  }
  if (!(params.random_pairs_per_record > 0) || !std::isfinite(params.random_pairs_per_record)) {
    return absl::InvalidArgumentError(
        "lsh blocking: random_pairs_per_record must be a positive number");
  }
  if (params.max_bucket_pairs == 0) {
    return absl::InvalidArgumentError("lsh blocking: max_bucket_pairs must be at least 1");
  }
  return absl::OkStatus();
}

// Share of sampled filters with each bit set, from up to kAgreementSample
// evenly spaced filters.
std::vector<double> BitFrequencies(const FilterStore& s) {
  std::vector<double> freq(s.bits(), 0.0);
  const size_t n = s.size();
  if (n == 0) return freq;
  const size_t step = std::max<size_t>(1, n / kAgreementSample);
  size_t used = 0;
  std::vector<uint32_t> counts(s.bits(), 0);
  for (size_t i = 0; i < n; i += step, ++used) {
    const uint64_t* row = s.row(static_cast<RecordIndex>(i));
    for (uint32_t bit = 0; bit < s.bits(); ++bit) counts[bit] += (row[bit / 64] >> (bit % 64)) & 1;
  }
  for (uint32_t bit = 0; bit < s.bits(); ++bit) {
    freq[bit] = static_cast<double>(counts[bit]) / static_cast<double>(used);
  }
  return freq;
}

// Keys of a group of bands for every non-empty filter of `store`:
// (*keys)[g] holds (key << 32) | index for band bands[g], sorted by key
// (records with equal keys in index order). Key bit k is the filter's bit
// bands[g][k]. All bands of the group are done in one pass over the slices,
// so each 64-record block is fetched from memory once per group.
void GroupKeys(const FilterStore& store, const BitSlices& slices,
               absl::Span<const std::vector<uint32_t>> bands,
               std::vector<std::vector<uint64_t>>* keys, std::vector<uint64_t>* scratch) {
  keys->resize(bands.size());
  for (auto& k : *keys) {
    k.clear();
    k.reserve(store.size());
  }
  uint64_t m[64];
  for (size_t block = 0; block < slices.blocks(); ++block) {
    // The group's bands touch nearly every cache line of a block's slices,
    // in no sequential order: fetch a later block whole, ahead of use.
    if (block + kPrefetchBlocks < slices.blocks()) {
      const uint64_t* ahead = &slices.slice(block + kPrefetchBlocks, 0);
      for (uint32_t line = 0; line < store.bits(); line += 8) __builtin_prefetch(ahead + line);
    }
    const size_t first = block * BitSlices::kBlock;
    const size_t count = std::min(BitSlices::kBlock, store.size() - first);
    for (size_t g = 0; g < bands.size(); ++g) {
      const std::vector<uint32_t>& positions = bands[g];
      // Row k = position k for the block's 64 records; transposed, row i is
      // record i's key.
      for (size_t k = 0; k < 64; ++k) m[k] = k < positions.size() ? slices.slice(block, positions[k]) : 0;
      Transpose64(m);
      std::vector<uint64_t>& out = (*keys)[g];
      for (size_t i = 0; i < count; ++i) {
        const RecordIndex index = static_cast<RecordIndex>(first + i);
        if (store.popcount(index) != 0) out.push_back((m[i] << 32) | index);
      }
    }
  }
  for (auto& k : *keys) RadixSort(&k, scratch, [](uint64_t key) { return key; }, 32);
}

struct BandOutput {
  std::vector<CandidatePair> pairs;  // unsorted; unique within one band
  uint64_t oversized_buckets = 0;
  uint64_t dropped_pairs = 0;
};

// Pairs of records of a and b with equal keys (both sorted by key).
void JoinBand(const std::vector<uint64_t>& ka, const std::vector<uint64_t>& kb,
              uint64_t max_bucket_pairs, BandOutput* out) {
  size_t i = 0;
  size_t j = 0;
  while (i < ka.size() && j < kb.size()) {
    const uint64_t key_a = ka[i] >> 32;
    const uint64_t key_b = kb[j] >> 32;
    if (key_a != key_b) {
      // Random keys: which side advances is unpredictable, so advance
      // without a branch; equal keys (rare) take the predictable branch.
      i += key_a < key_b;
      j += key_b < key_a;
      continue;
    }
    size_t i_end = i;
    while (i_end < ka.size() && (ka[i_end] >> 32) == key_a) ++i_end;
    size_t j_end = j;
    while (j_end < kb.size() && (kb[j_end] >> 32) == key_a) ++j_end;
    const uint64_t bucket_pairs = uint64_t{i_end - i} * (j_end - j);
    if (bucket_pairs > max_bucket_pairs) {
      ++out->oversized_buckets;
      out->dropped_pairs += bucket_pairs;
    } else {
      for (size_t x = i; x < i_end; ++x) {
        for (size_t y = j; y < j_end; ++y) {
          out->pairs.push_back(CandidatePair::Of(static_cast<RecordIndex>(ka[x]),
                                                 static_cast<RecordIndex>(kb[y])));
        }
      }
    }
    i = i_end;
    j = j_end;
  }
}

}  // namespace

absl::StatusOr<std::vector<std::vector<uint32_t>>> LshBandPositions(const LshParams& params,
                                                                    uint32_t bits_per_band,
                                                                    uint32_t filter_bits) {
  FEDLINK_RETURN_IF_ERROR(ValidateParams(params));
  if (bits_per_band == 0 || bits_per_band > kMaxBitsPerBand || bits_per_band > filter_bits) {
    return absl::InvalidArgumentError(absl::StrCat("lsh blocking: ", bits_per_band,
                                                   " bits per band do not fit in [1, ",
                                                   std::min(kMaxBitsPerBand, filter_bits), "]"));
  }
  SplitMix64 rng(params.seed);
  std::vector<std::vector<uint32_t>> bands(params.bands);
  for (std::vector<uint32_t>& band : bands) {
    while (band.size() < bits_per_band) {
      const uint32_t position = rng.Below(filter_bits);
      if (std::find(band.begin(), band.end(), position) == band.end()) band.push_back(position);
    }
    std::sort(band.begin(), band.end());
  }
  return bands;
}

ChosenBits ChooseBitsPerBand(const FilterStore& a, const FilterStore& b, const LshParams& params) {
  ChosenBits chosen;
  const std::vector<double> fa = BitFrequencies(a);
  const std::vector<double> fb = BitFrequencies(b);
  double agreement = 0;
  const size_t bits = std::min(fa.size(), fb.size());
  for (size_t bit = 0; bit < bits; ++bit) {
    agreement += fa[bit] * fb[bit] + (1 - fa[bit]) * (1 - fb[bit]);
  }
  agreement = bits == 0 ? 1.0 : agreement / static_cast<double>(bits);
  chosen.estimated_agreement = agreement;
  // Smallest r with bands · n_a · n_b · q^r <= budget · (n_a + n_b).
  const double n_a = static_cast<double>(a.size());
  const double n_b = static_cast<double>(b.size());
  const double chance_pairs = static_cast<double>(params.bands) * n_a * n_b;
  const double budget = params.random_pairs_per_record * (n_a + n_b);
  uint32_t r = kMinChosenBits;
  if (agreement < 1.0 && chance_pairs > budget) {
    const double needed = std::log(budget / chance_pairs) / std::log(agreement);
    r = static_cast<uint32_t>(std::clamp(std::ceil(needed), double{kMinChosenBits},
                                         double{kMaxBitsPerBand}));
  } else if (agreement >= 1.0) {
    r = kMaxBitsPerBand;
  }
  chosen.bits_per_band = std::min<uint32_t>(r, a.bits());
  return chosen;
}

absl::StatusOr<LshResult> LshCandidates(const FilterStore& a, const FilterStore& b,
                                        const LshParams& params, int threads) {
  FEDLINK_RETURN_IF_ERROR(ValidateParams(params));
  if (a.bits() != b.bits()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lsh blocking: filter lengths differ (", a.bits(), " and ", b.bits(), " bits)"));
  }
  LshResult result;
  if (params.bits_per_band == 0) {
    const ChosenBits chosen = ChooseBitsPerBand(a, b, params);
    result.stats.bits_per_band = chosen.bits_per_band;
    result.stats.estimated_agreement = chosen.estimated_agreement;
  } else {
    result.stats.bits_per_band = params.bits_per_band;
  }
  FEDLINK_ASSIGN_OR_RETURN(
      const std::vector<std::vector<uint32_t>> bands,
      LshBandPositions(params, result.stats.bits_per_band, a.bits()));
  if (a.size() == 0 || b.size() == 0) return result;

  const BitSlices slices_a(a);
  const BitSlices slices_b(b);
  // Bands run in groups of kBandsPerGroup, one group per thread at a time
  // (so at most that many key arrays per side and thread exist at once).
  // Their pairs collect in `pending`, which is deduplicated and merged into
  // the result whenever it outgrows it (so each pair is merged O(log) times,
  // not once per band). The result is a sorted set: it does not depend on
  // timing or thread count.
  const int workers = ResolveThreadCount(threads);
  const size_t groups = (bands.size() + kBandsPerGroup - 1) / kBandsPerGroup;
  std::vector<BandOutput> round(static_cast<size_t>(workers));
  // Key arrays per round slot, reused from group to group (allocating them
  // afresh costs a page fault per 4 KiB every time).
  struct KeyBuffers {
    std::vector<std::vector<uint64_t>> a, b;
    std::vector<uint64_t> scratch;
  };
  std::vector<KeyBuffers> buffers(static_cast<size_t>(workers));
  std::vector<CandidatePair> pending;
  auto flush = [&] {
    SortUniqueCandidates(&pending);
    if (result.pairs.empty()) {
      result.pairs.swap(pending);
    } else {
      result.pairs = UnionCandidates(result.pairs, pending);
    }
    pending.clear();
  };
  for (size_t first = 0; first < groups; first += round.size()) {
    const size_t count = std::min(round.size(), groups - first);
    ParallelFor(workers, count, [&](size_t k) {
      const size_t band_begin = (first + k) * kBandsPerGroup;
      const auto group = absl::MakeConstSpan(bands).subspan(band_begin, kBandsPerGroup);
      KeyBuffers& keys = buffers[k];
      GroupKeys(a, slices_a, group, &keys.a, &keys.scratch);
      GroupKeys(b, slices_b, group, &keys.b, &keys.scratch);
      BandOutput& out = round[k];
      out = BandOutput();
      for (size_t g = 0; g < group.size(); ++g) {
        JoinBand(keys.a[g], keys.b[g], params.max_bucket_pairs, &out);
      }
    });
    for (size_t k = 0; k < count; ++k) {
      result.stats.band_pairs += round[k].pairs.size();
      result.stats.oversized_buckets += round[k].oversized_buckets;
      result.stats.dropped_pairs += round[k].dropped_pairs;
      pending.insert(pending.end(), round[k].pairs.begin(), round[k].pairs.end());
      std::vector<CandidatePair>().swap(round[k].pairs);
    }
    if (pending.size() >= std::max<size_t>(result.pairs.size(), kMinMergeSize)) flush();
  }
  if (!pending.empty()) flush();
  return result;
}

}  // namespace fedlink::match
