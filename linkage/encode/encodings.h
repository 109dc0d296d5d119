// The values agents send to the coordinator: nothing in here can be turned
// back into an identifier without the per-job key.
#ifndef FEDLINK_LINKAGE_ENCODE_ENCODINGS_H_
#define FEDLINK_LINKAGE_ENCODE_ENCODINGS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "linkage/sensitive.h"

namespace fedlink::encode {

inline constexpr size_t kTokenBytes = 16;
using TokenBytes = std::array<uint8_t, kTokenBytes>;

// A salted-hash token: truncated HMAC-SHA256 under the job's token key.
struct Token {
  uint16_t recipe_id = 0;
  TokenBytes bytes{};
  friend bool operator==(const Token&, const Token&) = default;
};

// A Bloom-filter encoding of bits.size()*64 bits; bit i is word i/64, bit i%64.
struct BloomFilter {
  std::vector<uint64_t> words;
  friend bool operator==(const BloomFilter&, const BloomFilter&) = default;
};

// A record after normalisation: values[i] belongs to the schema's field i;
// nullopt means the value is missing (blank or rejected by its normaliser).
struct NormalizedRecord {
  std::vector<std::optional<SensitiveString>> values;
};

}  // namespace fedlink::encode

#endif  // FEDLINK_LINKAGE_ENCODE_ENCODINGS_H_
