#include "tests/datagen/rng.h"

#include <algorithm>

namespace fedlink::datagen {

WeightedTable::WeightedTable(std::span<const uint32_t> weights) {
  const uint64_t n = weights.size();
  for (uint32_t w : weights) total_ += w;
  if (n == 0 || total_ == 0) {
    total_ = 0;
    return;
  }
  // Vose's construction on weights scaled by n, so every bucket holds exactly
  // `total_` units: its own index's share plus (at most) one alias's.
  std::vector<uint64_t> scaled(weights.size());
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < weights.size(); ++i) {
    scaled[i] = uint64_t{weights[i]} * n;
    (scaled[i] < total_ ? small : large).push_back(static_cast<uint32_t>(i));
  }
  buckets_.assign(weights.size(), Bucket{total_, 0});
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i].alias = static_cast<uint32_t>(i);
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back();
    small.pop_back();
    const uint32_t l = large.back();
    buckets_[s] = Bucket{scaled[s], l};
    scaled[l] -= total_ - scaled[s];
    if (scaled[l] < total_) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Whatever remains holds exactly total_ (integer arithmetic leaves no
  // rounding residue) and keeps its own index.
}

}  // namespace fedlink::datagen
