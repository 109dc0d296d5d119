// Deterministic randomness for the synthetic data generator.
//
// Every value the generator writes is a pure function of the seed and of the
// value's coordinates (entity, party, row), so the same seed gives
// byte-identical output on every run, platform and thread count. To keep that
// promise nothing here uses std::*_distribution (implementation-defined) or
// floating-point arithmetic beyond exact conversions: SplitMix64 for the
// stream, Lemire's multiply-shift with rejection for bounded integers, and
// integer cumulative weights for weighted choices.
#ifndef FEDLINK_TESTS_DATAGEN_RNG_H_
#define FEDLINK_TESTS_DATAGEN_RNG_H_

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace fedlink::datagen {

// The SplitMix64 finaliser: a bijective 64-bit mixing function.
constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Hashes a sequence of words into one; used to derive independent streams
// from (seed, purpose, coordinates…). Order matters.
constexpr uint64_t HashWords(std::initializer_list<uint64_t> words) {
  uint64_t h = 0x6a09e667f3bcc908ULL;
  for (uint64_t w : words) h = Mix64(h ^ Mix64(w + 0x9e3779b97f4a7c15ULL));
  return h;
}

// A small, fast, seedable generator (SplitMix64). Not thread-safe; cheap to
// construct, so each record uses its own.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return Mix64(state_);
  }

  // Uniform in [0, n); n must be > 0. Unbiased (Lemire, with rejection).
  uint64_t Below(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(Next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform in [lo, hi] (inclusive); requires lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Exact dyadic rational in [0, 1): the top 53 bits over 2^53.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // True with probability p (p <= 0: never, p >= 1: always). Always consumes
  // one draw so that later draws do not depend on p.
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

// A weighted choice over indices 0..n-1 with integer weights, in O(1) by
// Walker's alias method built with integer arithmetic only (so the choice is
// exact and identical on every platform). Immutable after construction;
// thread-safe.
class WeightedTable {
 public:
  WeightedTable() = default;
  explicit WeightedTable(std::span<const uint32_t> weights);

  // Index i with probability weights[i] / total. Requires total() > 0.
  // Consumes two draws.
  size_t Pick(Rng& rng) const {
    const size_t bucket = static_cast<size_t>(rng.Below(buckets_.size()));
    const Bucket& b = buckets_[bucket];
    return rng.Below(total_) < b.keep ? bucket : b.alias;
  }

  uint64_t total() const { return total_; }
  size_t size() const { return buckets_.size(); }

 private:
  struct Bucket {
    uint64_t keep;  // keep this bucket's index when a draw in [0, total) is below this
    uint32_t alias;
  };
  std::vector<Bucket> buckets_;
  uint64_t total_ = 0;
};

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_RNG_H_
