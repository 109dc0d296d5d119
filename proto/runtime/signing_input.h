// The exact bytes that are signed or authenticated, built from message
// fields in a fixed layout rather than from protobuf serialisation (which is
// not canonical across implementations). Signers and verifiers both call
// these, so they cannot disagree. Each layout starts with a distinct context
// string and 0x00 so a signature for one purpose is never valid for another;
// variable-length fields carry a 4-byte big-endian length.
#ifndef FEDLINK_PROTO_RUNTIME_SIGNING_INPUT_H_
#define FEDLINK_PROTO_RUNTIME_SIGNING_INPUT_H_

#include <string>

#include "fedlink/v1/audit.pb.h"
#include "fedlink/v1/decision.pb.h"
#include "fedlink/v1/payload.pb.h"

namespace fedlink::proto {

// Signed by the agency's Ed25519 key (layout in decision.proto):
// "fedlink/v1/decision" 0x00 ‖ verdict (1) ‖ decided_at_unix_ms (8) ‖
// job_spec_sha256, job_id, agency, steward, reason (each length-prefixed).
// key_id and signature are not covered. Thread-safe.
std::string DecisionSigningInput(const v1::SignedDecision& decision);

// Signed by the log's Ed25519 key (layout in audit.proto):
// "fedlink/v1/tree-head" 0x00 ‖ tree_size (8) ‖ timestamp_unix_ms (8) ‖
// root_hash, log_id (each length-prefixed). Thread-safe.
std::string TreeHeadSigningInput(const v1::TreeHead& head);

// HPKE associated data of a payload chunk (layout in payload.proto):
// "fedlink/v1/payload" 0x00 ‖ kind (1) ‖ chunk_index (4) ‖ final_chunk (1) ‖
// job_id, agency (length-prefixed). Thread-safe.
std::string PayloadAssociatedData(const v1::PayloadChunk& chunk);

// The HPKE `info` for payload chunks.
inline constexpr char kPayloadHpkeInfo[] = "fedlink/v1/payload";

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_SIGNING_INPUT_H_
