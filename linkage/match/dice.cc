#include "linkage/match/dice.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace fedlink::match {

absl::StatusOr<DiceThreshold> DiceThreshold::FromDouble(double t) {
  // Compare before converting: llround of a huge or NaN value is undefined.
  if (!std::isfinite(t) || t <= 0.0 || t > 1.0) {
    return absl::InvalidArgumentError(
        absl::StrCat("dice threshold ", t, " is not in (0, 1]"));
  }
  const long long numerator = std::llround(t * kDoubleDenominator);
  if (numerator <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("dice threshold ", t, " rounds to 0 at six decimal places"));
  }
  return DiceThreshold(static_cast<uint32_t>(numerator), kDoubleDenominator);
}

absl::StatusOr<DiceThreshold> DiceThreshold::FromFraction(uint32_t numerator,
                                                          uint32_t denominator) {
  if (numerator == 0 || numerator > denominator) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dice threshold ", numerator, "/", denominator, " is not in (0, 1]"));
  }
  return DiceThreshold(numerator, denominator);
}

double Dice(const uint64_t* a, const uint64_t* b, size_t n, const PopcountKernels& kernels) {
  return DiceFromCounts(kernels.and_popcount(a, b, n), kernels.and_popcount(a, a, n),
                        kernels.and_popcount(b, b, n));
}

}  // namespace fedlink::match
