// The audit log's layout inside the column family its owner gives it (the
// family holds nothing else). Fixed-width big-endian numbers keep RocksDB's
// key order equal to numeric order, so range scans are plain iterations.
//
//   "e" ‖ index (8)              → the entry bytes (serialised AuditEntry,
//                                  the Merkle leaf input)
//   "n" ‖ level (1) ‖ index (8)  → 32-byte hash of the complete perfect
//                                  subtree (level, index); level 0 = leaf hash
//   "h" ‖ tree_size (8)          → serialised SignedTreeHead of that size
//                                  (the latest one signed at that size)
//   "s"                          → tree size (8), written with every append
//
// Exposed for tests and tools that inspect or deliberately damage a log;
// everything else goes through AuditLog.
#ifndef FEDLINK_PROTO_AUDIT_AUDIT_LOG_KEYS_H_
#define FEDLINK_PROTO_AUDIT_AUDIT_LOG_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/audit/merkle_nodes.h"

namespace fedlink::audit {

inline constexpr char kEntryKeyTag = 'e';
inline constexpr char kNodeKeyTag = 'n';
inline constexpr char kHeadKeyTag = 'h';
inline constexpr std::string_view kTreeSizeKey = "s";

std::string EntryKey(uint64_t index);
std::string NodeKey(const MerkleNodeId& id);
std::string HeadKey(uint64_t tree_size);

// An 8-byte big-endian number.
std::string EncodeUint64(uint64_t value);
// nullopt unless `bytes` is exactly 8 bytes.
std::optional<uint64_t> DecodeUint64(std::string_view bytes);

// The index of an entry key / the size of a head key; nullopt for other keys.
std::optional<uint64_t> EntryKeyIndex(std::string_view key);
std::optional<uint64_t> HeadKeySize(std::string_view key);

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_AUDIT_LOG_KEYS_H_
