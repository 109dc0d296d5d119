// Distinct-value counting in bounded memory for the data-quality report.
//
// Exact (up to 64-bit hash collisions) while a column has at most
// kExactLimit distinct values; past that, a HyperLogLog sketch with 2^14
// one-byte registers (16 KiB per column, relative standard error about
// 1.04 / sqrt(2^14) = 0.8%), with linear counting for small estimates.
// Memory per column is therefore at most about 80 KiB whatever the file
// size. Values are hashed with HashBytes under a fixed seed, so the same
// input always gives the same count; neither values nor hashes leave the
// counter.
#ifndef FEDLINK_AGENT_INGEST_DISTINCT_COUNTER_H_
#define FEDLINK_AGENT_INGEST_DISTINCT_COUNTER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace fedlink::agent::ingest {

class DistinctCounter {
 public:
  static constexpr size_t kExactLimit = 4096;
  static constexpr int kPrecision = 14;  // 2^14 registers

  void Add(std::string_view value);

  // The number of distinct values added: exact while exact() is true, an
  // estimate afterwards.
  uint64_t Count() const;
  bool exact() const { return registers_.empty(); }

 private:
  void AddToSketch(uint64_t hash);

  absl::flat_hash_set<uint64_t> hashes_;  // while exact
  std::vector<uint8_t> registers_;        // once past kExactLimit
};

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_DISTINCT_COUNTER_H_
