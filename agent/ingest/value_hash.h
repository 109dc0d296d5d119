// A fast 64-bit hash of a byte string for in-memory sets and sketches
// (duplicate local ids, distinct counts). Not cryptographic: it is never
// stored, sent or used where an adversary chooses inputs to win something.
#ifndef FEDLINK_AGENT_INGEST_VALUE_HASH_H_
#define FEDLINK_AGENT_INGEST_VALUE_HASH_H_

#include <cstdint>
#include <string_view>

namespace fedlink::agent::ingest {

// XXH64's construction for short inputs applied to any length (one lane,
// 8-byte rounds, full avalanche at the end), so its output bits are well
// mixed for HyperLogLog. Equal (bytes, seed) give equal results on every
// platform. Thread-safe.
uint64_t HashBytes(std::string_view bytes, uint64_t seed);

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_VALUE_HASH_H_
