#include "agent/encoding/pseudonyms.h"

#include <cstdlib>
#include <numeric>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "agent/store/stored_record.h"
#include "linkage/sensitive.h"

namespace fedlink::agent::encoding {
uint64_t UniformBelow(crypto::AesCtrRng& rng, uint64_t bound) {
  // Lemire, "Fast random integer generation in an interval" (2019): the
  // high half of x * bound is uniform once the low half's biased values
  // (those below 2^64 mod bound) are rejected.
  absl::uint128 product = absl::uint128(rng()) * bound;
  uint64_t low = absl::Uint128Low64(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    while (low < threshold) {
      product = absl::uint128(rng()) * bound;
      low = absl::Uint128Low64(product);
    }
  }
  return absl::Uint128High64(product);
}

PseudonymMap& PseudonymMap::operator=(PseudonymMap&& other) noexcept {
  if (this != &other) {
    WipeString(ids_);
    ids_ = std::move(other.ids_);
    offsets_ = std::move(other.offsets_);
    order_ = std::move(other.order_);
  }
  return *this;
}

PseudonymMap::~PseudonymMap() { WipeString(ids_); }

std::string_view PseudonymMap::ExposeLocalId(uint32_t pseudonym) const {
  // A pseudonym outside the map is a bug in the caller, not bad input:
  // every pseudonym the agent handles comes from this map.
  if (pseudonym >= order_.size()) std::abort();
  const uint32_t k = order_[pseudonym];
  return std::string_view(ids_).substr(offsets_[k],
                                       offsets_[k + 1] - offsets_[k]);
}

PseudonymMapBuilder::PseudonymMapBuilder() { Reset(); }

PseudonymMapBuilder& PseudonymMapBuilder::operator=(
    PseudonymMapBuilder&& other) noexcept {
  map_ = std::move(other.map_);
  other.Reset();
  return *this;
}

PseudonymMapBuilder::~PseudonymMapBuilder() = default;  // map_ wipes itself

void PseudonymMapBuilder::Reset() {
  map_ = PseudonymMap();
  // Never in std::string's inline buffer, which a move would copy and leave
  // behind unwiped: always on the heap, whose buffer a move hands over.
  map_.ids_.reserve(64);
  map_.offsets_.assign(1, 0);
}

absl::Status PseudonymMapBuilder::Add(std::string_view local_id) {
  if (local_id.empty() || local_id.size() > kMaxLocalIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("local id of ", local_id.size(), " bytes (allowed 1..",
                     kMaxLocalIdBytes, ")"));
  }
  if (size() >= kMaxPseudonyms) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a cohort has at most ", kMaxPseudonyms,
                     " records (32-bit pseudonyms)"));
  }
  std::string& ids = map_.ids_;
  if (ids.size() + local_id.size() > ids.capacity()) {
    // Grow by hand: std::string's own reallocation would free the old
    // buffer with the ids still in it.
    std::string grown;
    grown.reserve(std::max(2 * ids.capacity(), ids.size() + local_id.size()));
    grown.append(ids);
    WipeString(ids);
    ids.swap(grown);
  }
  ids.append(local_id);
  map_.offsets_.push_back(ids.size());
  return absl::OkStatus();
}

absl::StatusOr<PseudonymMap> PseudonymMapBuilder::AssignShuffled(
    crypto::AesCtrRng& rng) {
  PseudonymMap map = std::move(map_);
  Reset();
  map.order_.resize(map.offsets_.size() - 1);
  std::iota(map.order_.begin(), map.order_.end(), uint32_t{0});
  // Fisher–Yates: position i takes a uniformly chosen element of [0, i].
  for (size_t i = map.order_.size(); i > 1; --i) {
    const uint64_t j = UniformBelow(rng, i);
    std::swap(map.order_[i - 1], map.order_[j]);
  }
  if (!rng.status().ok()) {
    return absl::InternalError(
        absl::StrCat("pseudonym shuffle: random generator failed: ",
                     rng.status().message()));
  }
  return map;
}

PseudonymMap PseudonymMapBuilder::AssignInOrder() {
  PseudonymMap map = std::move(map_);
  Reset();
  map.order_.resize(map.offsets_.size() - 1);
  std::iota(map.order_.begin(), map.order_.end(), uint32_t{0});
  return map;
}

}  // namespace fedlink::agent::encoding
