// Per-job record pseudonyms. For every job the agent numbers its cohort
// 0..n-1 in a fresh, uniformly random order, and the coordinator knows a
// record only as (agency, pseudonym). The numbers are a permutation rather
// than random 64-bit values because the wire contract (encoding.proto)
// uploads records in pseudonym order in contiguous 32-bit ranges; a random
// permutation reveals exactly as little — not the ingest order, not the
// store's key order, nothing shared with another job — as long as the
// permutation comes from a CSPRNG that nobody else can reproduce.
//
// The shuffle is Fisher–Yates driven by crypto::AesCtrRng, with unbiased
// bounded draws (Lemire's multiply-and-reject), so every one of the n!
// orders is equally likely up to the generator's strength. In production
// the generator is seeded from the CSPRNG (AesCtrRng::CreateRandomlySeeded
// or a SecretBytes::Random key); tests inject a fixed key.
//
// The map pseudonym → local id stays at the agent (the caller stores it with
// the job, to resolve research ids later, and drops it at expiry).
#ifndef FEDLINK_AGENT_ENCODING_PSEUDONYMS_H_
#define FEDLINK_AGENT_ENCODING_PSEUDONYMS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linkage/crypto/aes_ctr_rng.h"

namespace fedlink::agent::encoding {

// Pseudonyms are 32-bit on the wire (EncodingBatch.first_pseudonym).
inline constexpr uint64_t kMaxPseudonyms = uint64_t{1} << 32;

// A uniformly distributed integer in [0, bound), bound >= 1, from `rng`
// (Lemire's method: one 64×64-bit multiplication, a rejection with
// probability below bound / 2^64). Not thread-safe (the generator is not).
uint64_t UniformBelow(crypto::AesCtrRng& rng, uint64_t bound);

// pseudonym → local id of one job. Local ids are kept in one buffer (about
// 12 bytes of overhead per record, so that a cohort of millions stays
// small) that is wiped when the map is destroyed. Movable, not copyable;
// const methods are thread-safe.
class PseudonymMap {
 public:
  PseudonymMap() = default;
  PseudonymMap(PseudonymMap&&) noexcept = default;
  PseudonymMap& operator=(PseudonymMap&& other) noexcept;
  PseudonymMap(const PseudonymMap&) = delete;
  PseudonymMap& operator=(const PseudonymMap&) = delete;
  ~PseudonymMap();

  // Number of pseudonyms: they are 0..size()-1.
  size_t size() const { return order_.size(); }
  bool empty() const { return order_.empty(); }

  // The local id behind `pseudonym` (< size(); CHECKed). A record
  // identifier of the agency: never log it or send it anywhere.
  std::string_view ExposeLocalId(uint32_t pseudonym) const;

 private:
  friend class PseudonymMapBuilder;

  // Local ids in the order they were added, back to back; id k is
  // ids_[offsets_[k], offsets_[k + 1]).
  std::string ids_;
  std::vector<uint64_t> offsets_;
  // order_[pseudonym] = k, the index of its local id.
  std::vector<uint32_t> order_;
};

// Collects a job's cohort (in any order, e.g. the store's scan order) and
// assigns the pseudonyms. Not thread-safe.
class PseudonymMapBuilder {
 public:
  PseudonymMapBuilder();
  PseudonymMapBuilder(PseudonymMapBuilder&&) noexcept = default;
  PseudonymMapBuilder& operator=(PseudonymMapBuilder&& other) noexcept;
  ~PseudonymMapBuilder();

  // Adds one cohort record's local id. The caller adds each record once.
  // InvalidArgument (sizes only) if `local_id` is empty or longer than
  // kMaxLocalIdBytes (stored_record.h); ResourceExhausted once
  // kMaxPseudonyms ids have been added.
  absl::Status Add(std::string_view local_id);

  size_t size() const { return map_.offsets_.size() - 1; }

  // The map with pseudonyms in a uniformly random order drawn from `rng`
  // (n-1 draws). Internal if the generator failed while drawing (its
  // status()); then no map is returned. Leaves the builder empty.
  absl::StatusOr<PseudonymMap> AssignShuffled(crypto::AesCtrRng& rng);

  // The map with pseudonym i = the i-th id added, for a map read back from
  // the store in pseudonym order (a job resumed after a restart). Leaves
  // the builder empty.
  PseudonymMap AssignInOrder();

 private:
  void Reset();
  PseudonymMap map_;  // order_ is filled by the Assign methods
};

}  // namespace fedlink::agent::encoding

#endif  // FEDLINK_AGENT_ENCODING_PSEUDONYMS_H_
