// Hamming LSH blocking over Bloom filters: candidate pairs without comparing
// all n_a · n_b pairs.
//
// Each of `bands` bands samples `bits_per_band` (r) bit positions; a record's
// key in a band is its bits at those positions, packed. Two records of the
// two parties whose keys agree in at least one band become a candidate pair.
// A pair at Hamming distance h of L bits agrees on one random position with
// probability 1 - h/L, so
//     P(candidate) = 1 - (1 - (1 - h/L)^r)^bands,
// high for true matches (h small) and tiny for unrelated filters, which
// agree on a position with probability q = p_a·p_b + (1-p_a)(1-p_b) (p: the
// share of set bits), i.e. collide in a band with probability about q^r.
//
// Defaults, measured on FEBRL4 encoded with the example schema
// (deploy/examples/febrl-linkage-schema.yaml: 1024 bits, ~55% set; see
// tests/febrl/match_blocking_febrl4_test.cc). Its true pairs are far apart:
// Hamming distance median 60, 90th percentile ~200, 99.5th ~320 bits (dice
// down to ~0.62), while unrelated filters agree on a bit with q ≈ 0.547.
//  * r is chosen from the data unless fixed (bits_per_band = 0): the
//    smallest r with bands · n_a · n_b · q̂^r <= random_pairs_per_record ·
//    (n_a + n_b), q̂ estimated from the bit frequencies of both inputs. So
//    chance candidates grow linearly with the input, not quadratically; r
//    grows like log(n) (20 for FEBRL4's 5 000 x 5 000, about 29 for
//    10^6 x 10^6 at that density), so recall of far pairs slowly drops with
//    scale.
//  * bands = 600, random_pairs_per_record = 10: on FEBRL4 LSH alone keeps
//    97.8-98.3% of the true pairs and, united with token blocks of the
//    example recipes, 99.58-99.70% (four different job keys), every missed
//    pair having dice < 0.8; about 11 candidates per record (reduction
//    ratio 99.5%). At r = 20 a pair at h = 150 is kept with probability
//    1 - (1 - 0.853^20)^600 > 0.9999, at h = 250 with 0.89, at h = 300
//    with 0.45 (token blocks catch most of those). Fewer bands
//    (100 / budget 1: 92% LSH, 99.0% union) or a smaller budget lose the far
//    pairs. Cost: one pass over bit-sliced filters and a partitioned hash
//    join of n keys per side and band (band_join.h), then deduplicating
//    the band pairs — the dominant costs of blocking, linear in bands. On
//    synthetic 10^6 x 10^6 data (tests/bench/match_blocking_bench.cc) LSH
//    plus candidate scoring took 26 s on 2 threads of a shared Zen 3, with
//    a peak resident size of 1.2 GiB including the filters.
// Oversized buckets: a key shared by s_a records of A and s_b of B adds
// s_a · s_b pairs; when that exceeds max_bucket_pairs the bucket adds none
// in that band, and the pairs are counted in LshStats (a pair dropped in one
// band can still come from another band or from token blocking). Real keys
// are shared by a handful of records; only degenerate ones (many
// near-identical filters, e.g. records with almost every field missing)
// reach the cap. Records with an empty filter are never candidates (their
// dice with anything is 0).
#ifndef FEDLINK_LINKAGE_MATCH_LSH_BLOCKING_H_
#define FEDLINK_LINKAGE_MATCH_LSH_BLOCKING_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "linkage/match/candidates.h"
#include "linkage/match/filter_store.h"

namespace fedlink::match {

struct LshParams {
  uint32_t bands = 600;  // 1..10000
  // Sampled positions per band, 1..32; 0 chooses r from the data (above).
  uint32_t bits_per_band = 0;
  // Budget for chance collisions when r is chosen from the data: expected
  // unrelated candidate pairs per input record (> 0).
  double random_pairs_per_record = 10.0;
  // Positions are drawn from this seed (SplitMix64), identically on every
  // platform and run. They are not secret: the filters are keyed.
  uint64_t seed = 0x6665646c696e6b31;  // "fedlink1"
  // A band bucket with more pairs than this adds none (see above); >= 1.
  uint64_t max_bucket_pairs = 10'000;
};

struct LshStats {
  uint32_t bits_per_band = 0;      // r used (chosen or given)
  double estimated_agreement = 0;  // q̂: chance that unrelated filters agree on a bit
  uint64_t band_pairs = 0;         // pairs over all bands, before deduplication
  uint64_t oversized_buckets = 0;  // (band, key) buckets over max_bucket_pairs
  uint64_t dropped_pairs = 0;      // pairs those buckets would have added
};

struct LshResult {
  std::vector<CandidatePair> pairs;  // sorted by (a, b), no duplicates
  LshStats stats;
};

// The sampled positions: bands() runs of r positions, each run distinct and
// ascending, all < filter_bits. Deterministic in (seed, bands, r,
// filter_bits). InvalidArgument on parameters out of range.
absl::StatusOr<std::vector<std::vector<uint32_t>>> LshBandPositions(const LshParams& params,
                                                                    uint32_t bits_per_band,
                                                                    uint32_t filter_bits);

// The r that bits_per_band = 0 selects for these inputs (see above), and the
// estimate q̂ it used (from up to 4096 filters of each side, evenly spaced).
struct ChosenBits {
  uint32_t bits_per_band = 0;
  double estimated_agreement = 0;
};
ChosenBits ChooseBitsPerBand(const FilterStore& a, const FilterStore& b, const LshParams& params);

// Candidate pairs (record of a, record of b) sharing a band key. Memory
// besides the filters: their bit slices (as large as the filters), 8-byte
// keys of 8 bands for both sides per thread (128 MiB at 10^6 a side), and
// per thread a sorted set of the distinct pairs it found with pending and
// merge buffers (up to ~2.5 × 8 bytes per pair); the threads' sets are
// united at the end. Deterministic for any `threads` (0: one per hardware
// thread).
// Errors: InvalidArgument if the filter lengths differ or a parameter is out
// of range. Thread-safe (inputs are only read).
absl::StatusOr<LshResult> LshCandidates(const FilterStore& a, const FilterStore& b,
                                        const LshParams& params, int threads = 1);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_LSH_BLOCKING_H_
