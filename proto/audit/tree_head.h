// Signed tree heads and proofs of the audit log as wire messages
// (fedlink/v1/audit.proto): signing, and the checks every reader of a log
// runs — auditors offline, agents on each receipt the coordinator returns.
// The Merkle arithmetic is linkage/crypto/merkle.h; the signed bytes are
// proto/runtime/signing_input.h TreeHeadSigningInput.
//
// Every error is InvalidArgument naming sizes, indices and key ids (hex),
// never entry contents. All functions are thread-safe.
#ifndef FEDLINK_PROTO_AUDIT_TREE_HEAD_H_
#define FEDLINK_PROTO_AUDIT_TREE_HEAD_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fedlink/v1/audit.pb.h"
#include "linkage/crypto/ed25519.h"
#include "linkage/crypto/merkle.h"

namespace fedlink::audit {

// SHA-256 of the raw 32-byte public key: SignedTreeHead.key_id (32 bytes).
std::string TreeHeadKeyId(const crypto::Ed25519PublicKey& key);

// Signs `head` with `key` (key_id from its public half). InvalidArgument if
// the head breaks the contract's limits (root not 32 bytes, log_id syntax);
// Internal if signing fails.
absl::StatusOr<v1::SignedTreeHead> SignTreeHead(const v1::TreeHead& head,
                                                const crypto::Ed25519PrivateKey& key);

// OK when `signed_head` is well formed, is for the log `log_id`, names `key`
// by its key id and carries a valid signature by `key`. InvalidArgument
// saying which check failed otherwise.
absl::Status VerifySignedTreeHead(const v1::SignedTreeHead& signed_head,
                                  const crypto::Ed25519PublicKey& key, std::string_view log_id);

// The 32-byte root of a (validated) head as a MerkleHash. InvalidArgument
// unless root_hash is 32 bytes.
absl::StatusOr<crypto::MerkleHash> HeadRoot(const v1::TreeHead& head);

// OK when `proof` shows that the entry with exactly these bytes is leaf
// proof.leaf_index of the tree `head` describes (proof.tree_size must equal
// head.tree_size). The head's signature is the caller's to check
// (VerifySignedTreeHead). InvalidArgument otherwise: malformed proof (wrong
// hash lengths, too many hashes), other size, or a path that does not lead
// to the root.
absl::Status VerifyInclusionProof(const v1::InclusionProof& proof, std::string_view entry_bytes,
                                  const v1::TreeHead& head);

// OK when `proof` shows the tree `old_head` describes is a prefix of the
// tree `new_head` describes (sizes must match the proof's). Signatures are
// the caller's to check. InvalidArgument otherwise.
absl::Status VerifyConsistencyProof(const v1::ConsistencyProof& proof, const v1::TreeHead& old_head,
                                    const v1::TreeHead& new_head);

// An agent's check of a coordinator receipt: the head is validly signed by
// `coordinator_key` for `log_id`; and when `previous` (the last receipt's
// head the agent kept, already checked) is given, the new head does not go
// back in size or time, a head of the same size has the same root, and a
// larger head comes with a consistency proof from previous's size that
// holds (none is needed from size 0). InvalidArgument naming the failed check otherwise (a rollback
// or fork by the coordinator fails here).
absl::Status VerifyReceipt(const v1::Receipt& receipt,
                           const crypto::Ed25519PublicKey& coordinator_key, std::string_view log_id,
                           const v1::SignedTreeHead* previous);

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_TREE_HEAD_H_
