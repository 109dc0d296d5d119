#include "proto/audit/audit_log_keys.h"

namespace fedlink::audit {
namespace {

std::optional<uint64_t> TaggedNumber(std::string_view key, char tag) {
  if (key.size() != 9 || key[0] != tag) return std::nullopt;
  return DecodeUint64(key.substr(1));
}

}  // namespace

std::string EncodeUint64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

std::optional<uint64_t> DecodeUint64(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
  return value;
}

std::string EntryKey(uint64_t index) { return kEntryKeyTag + EncodeUint64(index); }

std::string NodeKey(const MerkleNodeId& id) {
  std::string key(1, kNodeKeyTag);
  key.push_back(static_cast<char>(id.level));
  key += EncodeUint64(id.index);
  return key;
}

std::string HeadKey(uint64_t tree_size) { return kHeadKeyTag + EncodeUint64(tree_size); }

std::optional<uint64_t> EntryKeyIndex(std::string_view key) {
  return TaggedNumber(key, kEntryKeyTag);
}

std::optional<uint64_t> HeadKeySize(std::string_view key) { return TaggedNumber(key, kHeadKeyTag); }

}  // namespace fedlink::audit
