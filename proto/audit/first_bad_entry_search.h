// Narrowing "the entries do not hash to the signed root" down to the first
// bad entry. A verifier that holds only the latest signed head knows that
// some entry in [0, size) was changed, removed, inserted or reordered, but
// not which. The log signs a head at (nearly) every size, and a head the
// key signed at size m commits to the first m entries; so a bisection over
// sizes — fetch the head signed at m, check its signature, compare its root
// with the root of the first m entries as received — finds the smallest
// size whose root differs, and entry m − 1 is the first bad one. Where the
// log signed no head at a size the search moves to a neighbouring signed
// size; when none is left between the last matching and the first
// differing signed size, the verdict names that range instead.
//
// Cost: O(log n) head fetches when every size is signed (plus one per
// unsigned size probed), O(n) leaf hashes in memory and O(n) hashing in all
// (the root at the last matching size is kept and extended).
#ifndef FEDLINK_PROTO_AUDIT_FIRST_BAD_ENTRY_SEARCH_H_
#define FEDLINK_PROTO_AUDIT_FIRST_BAD_ENTRY_SEARCH_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "fedlink/v1/audit.pb.h"
#include "linkage/crypto/ed25519.h"
#include "proto/audit/audit_verifier.h"
#include "proto/audit/merkle_nodes.h"

namespace fedlink::audit {

// The head the log signed at exactly `tree_size`; NotFound if it signed
// none there (any other error ends the search).
using SignedHeadAtSize = std::function<absl::StatusOr<v1::SignedTreeHead>(uint64_t tree_size)>;

// Narrows a kRootMismatch verdict whose first bad entry is a range
// [first_bad_index, last_possible_bad_index] (other verdicts are returned
// unchanged). `leaf_hashes` are the Merkle leaf hashes of the entries as
// received, at least up to the range's end. Every fetched head must verify
// under `log_key` for `log_id` and carry the size asked for. Returns the
// verdict with first_bad_index (and the reason) set to the entry found, or
// to the narrowest range the signed sizes allow. Errors: a fetch error
// other than NotFound (as returned), InvalidArgument for a fetched head
// that does not verify or has another size, or for fewer leaf hashes than
// the range needs; the caller then still has the unnarrowed verdict.
absl::StatusOr<AuditVerdict> NarrowFirstBadEntry(AuditVerdict verdict,
                                                 absl::Span<const MerkleHash> leaf_hashes,
                                                 const crypto::Ed25519PublicKey& log_key,
                                                 const std::string& log_id,
                                                 const SignedHeadAtSize& head_at);

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_FIRST_BAD_ENTRY_SEARCH_H_
