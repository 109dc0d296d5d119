#include "linkage/match/dense_refs.h"

#include <algorithm>

namespace fedlink::match {

DenseRefIndex::DenseRefIndex(std::span<const ScoredPair> pairs) {
  refs_.reserve(pairs.size() * 2);
  for (const ScoredPair& pair : pairs) {
    refs_.push_back(pair.a);
    refs_.push_back(pair.b);
  }
  std::sort(refs_.begin(), refs_.end());
  refs_.erase(std::unique(refs_.begin(), refs_.end()), refs_.end());
  refs_.shrink_to_fit();
  ids_.reserve(refs_.size());
  for (uint32_t id = 0; id < refs_.size(); ++id) ids_.emplace(refs_[id], id);
}

}  // namespace fedlink::match
