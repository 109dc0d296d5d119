#include "agent/ingest/distinct_counter.h"

#include <bit>
#include <cmath>

#include "agent/ingest/value_hash.h"

namespace fedlink::agent::ingest {
namespace {

constexpr uint64_t kSeed = 0x6665646c696e6b31ULL;  // "fedlink1"
constexpr size_t kRegisters = size_t{1} << DistinctCounter::kPrecision;

}  // namespace

void DistinctCounter::Add(std::string_view value) {
  const uint64_t hash = HashBytes(value, kSeed);
  if (!exact()) {
    AddToSketch(hash);
    return;
  }
  hashes_.insert(hash);
  if (hashes_.size() <= kExactLimit) return;
  registers_.assign(kRegisters, 0);
  for (uint64_t h : hashes_) AddToSketch(h);
  absl::flat_hash_set<uint64_t>().swap(hashes_);  // release the memory
}

void DistinctCounter::AddToSketch(uint64_t hash) {
  const size_t index = static_cast<size_t>(hash >> (64 - kPrecision));
  const uint64_t rest = hash << kPrecision;
  // Position of the first 1 bit in the remaining 64 - p bits (1-based).
  const int rank = rest == 0 ? 64 - kPrecision + 1 : std::countl_zero(rest) + 1;
  if (registers_[index] < rank) registers_[index] = static_cast<uint8_t>(rank);
}

uint64_t DistinctCounter::Count() const {
  if (exact()) return hashes_.size();
  const double m = static_cast<double>(kRegisters);
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double estimate = alpha * m * m / sum;
  if (estimate <= 2.5 * m && zeros > 0) {
    estimate = m * std::log(m / static_cast<double>(zeros));  // linear counting
  }
  return static_cast<uint64_t>(std::llround(estimate));
}

}  // namespace fedlink::agent::ingest
