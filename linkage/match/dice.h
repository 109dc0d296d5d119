// Sørensen–Dice similarity of Bloom filters and an exact threshold test.
//
//   dice(a, b) = 2·|a ∧ b| / (|a| + |b|),   |x| = number of set bits.
//
// Two empty filters have dice 0 (not 1, and not NaN): an empty filter means
// "no identifying data", which is no evidence that two records match, so such
// a pair never passes a threshold.
//
// Thresholds are compared exactly in integers. A threshold t is held as a
// fraction numerator/denominator and a pair passes when
//   2·c·denominator >= numerator·(pa + pb)   (and pa + pb > 0),
// which is dice >= t with no rounding, so a pair whose dice is exactly the
// threshold (e.g. c = 4, pa + pb = 10 against t = 0.8) always passes.
#ifndef FEDLINK_LINKAGE_MATCH_DICE_H_
#define FEDLINK_LINKAGE_MATCH_DICE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "linkage/match/popcount.h"

namespace fedlink::match {

// Largest filter length matching accepts (FilterStore enforces it). Keeps
// every product in the exact threshold test below 2^54.
inline constexpr uint32_t kMaxFilterBits = 1u << 20;

class DiceThreshold {
 public:
  // Thresholds given as a double are taken to six decimal places: t becomes
  // round(t · 10^6) / 10^6. A decimal denominator (not 2^20) is used because
  // people write thresholds in decimal, and 0.8 must mean exactly 4/5: with a
  // binary denominator the nearest fraction to 0.8 is slightly above it and
  // pairs at exactly 0.8 would fail.
  static constexpr uint32_t kDoubleDenominator = 1'000'000;

  // InvalidArgument unless t is finite and 0 < round(t·10^6) <= 10^6
  // (so t in roughly [0.0000005, 1]). Threshold 0 is refused because it would
  // make every pair of the two inputs a match.
  static absl::StatusOr<DiceThreshold> FromDouble(double t);

  // The threshold numerator/denominator. InvalidArgument unless
  // 0 < numerator <= denominator.
  static absl::StatusOr<DiceThreshold> FromFraction(uint32_t numerator, uint32_t denominator);

  uint32_t numerator() const { return numerator_; }
  uint32_t denominator() const { return denominator_; }
  double value() const { return static_cast<double>(numerator_) / denominator_; }

  // dice >= threshold for a pair with `common` = |a ∧ b| and popcounts pa, pb
  // (each <= kMaxFilterBits, common <= min(pa, pb)). Exact; false when both
  // filters are empty.
  bool Passes(uint32_t common, uint32_t pa, uint32_t pb) const {
    const uint64_t sum = uint64_t{pa} + pb;
    return sum != 0 &&
           2 * uint64_t{common} * denominator_ >= uint64_t{numerator_} * sum;
  }

  // The popcount bound: false when no filters with these popcounts can reach
  // the threshold, because |a ∧ b| <= min(pa, pb). A pair for which this is
  // false can be skipped without comparing bits; one for which it is true
  // must still be compared.
  bool PopcountsCanPass(uint32_t pa, uint32_t pb) const {
    return Passes(std::min(pa, pb), pa, pb);
  }

 private:
  DiceThreshold(uint32_t numerator, uint32_t denominator)
      : numerator_(numerator), denominator_(denominator) {}

  uint32_t numerator_;
  uint32_t denominator_;
};

// 2·common / (pa + pb) as a double; 0 when pa + pb == 0. The result is the
// correctly rounded quotient, so equal counts always give equal doubles.
inline double DiceFromCounts(uint32_t common, uint32_t pa, uint32_t pb) {
  const uint64_t sum = uint64_t{pa} + pb;
  return sum == 0 ? 0.0 : static_cast<double>(2 * uint64_t{common}) / static_cast<double>(sum);
}

// Dice of two filters of n words each, with the given kernels (from
// GetPopcountKernels; the default is the best supported path). Thread-safe.
double Dice(const uint64_t* a, const uint64_t* b, size_t n,
            const PopcountKernels& kernels = BestPopcountKernels());

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_DICE_H_
