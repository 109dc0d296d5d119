// Identities the matching code works with. The coordinator never sees an
// agency's record ids: a party uploads its encodings in pseudonym order, and
// a record is known here only by (party, index in that party's upload).
#ifndef FEDLINK_LINKAGE_MATCH_TYPES_H_
#define FEDLINK_LINKAGE_MATCH_TYPES_H_

#include <compare>
#include <cstdint>
#include <utility>
#include <vector>

namespace fedlink::match {

using PartyId = uint16_t;      // 0..parties-1, in the job's party order
using RecordIndex = uint32_t;  // position within one party's upload

struct RecordRef {
  PartyId party = 0;
  RecordIndex index = 0;
  friend auto operator<=>(const RecordRef&, const RecordRef&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const RecordRef& r) {
    return H::combine(std::move(h), r.party, r.index);
  }
};

// A compared pair with its similarity (Sørensen–Dice in [0, 1] for Bloom
// filters; 1 for a token link).
struct ScoredPair {
  RecordRef a;
  RecordRef b;
  double score = 0;
};

// Records found to be one person, in ascending RecordRef order. Solvers list
// only clusters of two or more records; an unlinked record is in none.
using Cluster = std::vector<RecordRef>;

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_TYPES_H_
