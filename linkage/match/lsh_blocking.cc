#include "linkage/match/lsh_blocking.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "linkage/match/band_join.h"
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
// A worker's pending band pairs are merged into its set once there are at
// least this many (see PairSet::MaybeMerge).
constexpr size_t kMinMergeSize = size_t{1} << 22;
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
// (*keys)[g] holds (key << 32) | index for band bands[g], in record order.
// Key bit k is the filter's bit bands[g][k]. All bands of the group are
// done in one pass over the slices, so each 64-record block is fetched from
// memory once per group.
void GroupKeys(const FilterStore& store, const BitSlices& slices,
               absl::Span<const std::vector<uint32_t>> bands,
               std::vector<std::vector<uint64_t>>* keys) {
  keys->resize(bands.size());
  for (size_t g = 0; g < bands.size(); ++g) {
    (*keys)[g].clear();
    (*keys)[g].reserve(store.size());
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
}

// The distinct pairs one worker found, as (a << b_shift) | b keys: a
// sorted, duplicate-free set, and the band pairs not yet merged into it.
class PairSet {
 public:
  std::vector<uint64_t>& pending() { return pending_; }
  const std::vector<uint64_t>& sorted() const { return sorted_; }

  // Merges the pending pairs once there are enough of them: a quarter of
  // the set, so the set is copied O(log n) times while it grows and the
  // pending buffer stays small next to it, but at least kMinMergeSize, so
  // that merges of a small set do not dominate.
  void MaybeMerge() {
    if (pending_.size() >= std::max(kMinMergeSize, sorted_.size() / 4)) Merge();
  }

  void Merge() {
    if (pending_.empty()) return;
    scratch_.resize(pending_.size());  // reuses its memory (RadixSort would replace it)
    RadixSort(&pending_, &scratch_, [](uint64_t key) { return key; });
    pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
    merged_.resize(sorted_.size() + pending_.size());
    merged_.erase(std::set_union(sorted_.begin(), sorted_.end(), pending_.begin(),
                                 pending_.end(), merged_.begin()),
                  merged_.end());
    sorted_.swap(merged_);
    pending_.clear();
  }

  // Frees everything but the set.
  void ReleaseBuffers() {
    std::vector<uint64_t>().swap(pending_);
    std::vector<uint64_t>().swap(scratch_);
    std::vector<uint64_t>().swap(merged_);
  }

  std::vector<uint64_t> TakeSorted() { return std::move(sorted_); }

 private:
  std::vector<uint64_t> sorted_;
  std::vector<uint64_t> pending_;
  std::vector<uint64_t> scratch_;
  std::vector<uint64_t> merged_;
};

// One worker's share of the bands: every workers-th group of bands, starting
// at its own number, so what each worker finds does not depend on timing.
struct Worker {
  explicit Worker(size_t max_side_records) : joiner(max_side_records) {}
  std::vector<std::vector<uint64_t>> keys_a, keys_b;
  BandJoiner joiner;
  BandJoinStats stats;
  PairSet pairs;
};

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

  // Bands run in groups of kBandsPerGroup (one pass over the slices makes
  // a group's keys); worker w takes groups w, w + workers, ... and keeps
  // its own set of distinct pairs. The sets are united at the end: the
  // result is a sorted set that depends on neither timing nor thread count.
  const unsigned b_shift = static_cast<unsigned>(std::bit_width(b.size() - 1));
  const size_t groups = (bands.size() + kBandsPerGroup - 1) / kBandsPerGroup;
  const size_t workers = std::min<size_t>(static_cast<size_t>(ResolveThreadCount(threads)), groups);
  std::vector<Worker> state;
  state.reserve(workers);
  for (size_t w = 0; w < workers; ++w) state.emplace_back(std::max(a.size(), b.size()));
  {
    const BitSlices slices_a(a);
    const BitSlices slices_b(b);
    ParallelFor(static_cast<int>(workers), workers, [&](size_t w) {
      Worker& worker = state[w];
      for (size_t group_index = w; group_index < groups; group_index += workers) {
        const auto group =
            absl::MakeConstSpan(bands).subspan(group_index * kBandsPerGroup, kBandsPerGroup);
        GroupKeys(a, slices_a, group, &worker.keys_a);
        GroupKeys(b, slices_b, group, &worker.keys_b);
        for (size_t g = 0; g < group.size(); ++g) {
          worker.joiner.Join(worker.keys_a[g], worker.keys_b[g], params.max_bucket_pairs, b_shift,
                             &worker.pairs.pending(), &worker.stats);
          worker.pairs.MaybeMerge();
        }
      }
      worker.pairs.Merge();
      worker.pairs.ReleaseBuffers();
      worker.keys_a = {};
      worker.keys_b = {};
    });
  }
  for (const Worker& worker : state) {
    result.stats.band_pairs += worker.stats.pairs;
    result.stats.oversized_buckets += worker.stats.oversized_buckets;
    result.stats.dropped_pairs += worker.stats.dropped_pairs;
  }
  // Unite the workers' sets pairwise, then unpack the keys.
  std::vector<std::vector<uint64_t>> sets;
  sets.reserve(state.size());
  for (Worker& worker : state) sets.push_back(worker.pairs.TakeSorted());
  state.clear();
  while (sets.size() > 1) {
    std::vector<std::vector<uint64_t>> next;
    for (size_t i = 0; i + 1 < sets.size(); i += 2) {
      std::vector<uint64_t> merged(sets[i].size() + sets[i + 1].size());
      merged.erase(std::set_union(sets[i].begin(), sets[i].end(), sets[i + 1].begin(),
                                  sets[i + 1].end(), merged.begin()),
                   merged.end());
      std::vector<uint64_t>().swap(sets[i]);
      std::vector<uint64_t>().swap(sets[i + 1]);
      next.push_back(std::move(merged));
    }
    if (sets.size() % 2 == 1) next.push_back(std::move(sets.back()));
    sets.swap(next);
  }
  const uint64_t b_mask = (uint64_t{1} << b_shift) - 1;
  result.pairs.reserve(sets.front().size());
  for (const uint64_t key : sets.front()) {
    result.pairs.push_back(CandidatePair::Of(static_cast<RecordIndex>(key >> b_shift),
                                             static_cast<RecordIndex>(key & b_mask)));
  }
  return result;
}

}  // namespace fedlink::match
