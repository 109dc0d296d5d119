#include "proto/audit/tree_head.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/sha256.h"
#include "linkage/document/quote_name.h"
#include "linkage/status_macros.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/signing_input.h"

namespace fedlink::audit {

using document::QuoteName;
namespace {

absl::Span<const uint8_t> Bytes(std::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string Hex(std::string_view bytes) { return crypto::ToHex(Bytes(bytes)); }

// Proof paths as hashes; the validators already bound count and lengths,
// this re-checks so that a caller skipping them cannot overrun.
absl::StatusOr<std::vector<crypto::MerkleHash>> PathHashes(
    const google::protobuf::RepeatedPtrField<std::string>& path, std::string_view what) {
  if (path.size() > static_cast<int>(proto::kMaxProofHashes)) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), " has ", path.size(),
                                                   " hashes, more than ", proto::kMaxProofHashes));
  }
  std::vector<crypto::MerkleHash> out(static_cast<size_t>(path.size()));
  for (int i = 0; i < path.size(); ++i) {
    if (path[i].size() != crypto::kSha256Bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(what), ".path[", i, "] is ", path[i].size(), " bytes, not 32"));
    }
    std::copy(path[i].begin(), path[i].end(), out[static_cast<size_t>(i)].begin());
  }
  return out;
}

}  // namespace

std::string TreeHeadKeyId(const crypto::Ed25519PublicKey& key) {
  const crypto::Sha256Digest digest = crypto::Sha256(key.bytes());
  return std::string(digest.begin(), digest.end());
}

absl::StatusOr<v1::SignedTreeHead> SignTreeHead(const v1::TreeHead& head,
                                                const crypto::Ed25519PrivateKey& key) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(head));
  FEDLINK_ASSIGN_OR_RETURN(crypto::Ed25519Signature signature,
                           key.Sign(proto::TreeHeadSigningInput(head)));
  v1::SignedTreeHead out;
  *out.mutable_head() = head;
  out.set_key_id(TreeHeadKeyId(key.public_key()));
  out.set_signature(std::string(signature.begin(), signature.end()));
  return out;
}

absl::Status VerifySignedTreeHead(const v1::SignedTreeHead& signed_head,
                                  const crypto::Ed25519PublicKey& key, std::string_view log_id) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(signed_head));
  const v1::TreeHead& head = signed_head.head();
  if (head.log_id() != log_id) {
    return absl::InvalidArgumentError(absl::StrCat("tree head of size ", head.tree_size(),
                                                   " is for log ", QuoteName(head.log_id()),
                                                   ", expected ", QuoteName(log_id)));
  }
  const std::string expected_key_id = TreeHeadKeyId(key);
  if (signed_head.key_id() != expected_key_id) {
    return absl::InvalidArgumentError(absl::StrCat("tree head of size ", head.tree_size(),
                                                   " names signing key ", Hex(signed_head.key_id()),
                                                   ", the log's key is ", Hex(expected_key_id)));
  }
  const absl::Status signature =
      key.Verify(proto::TreeHeadSigningInput(head), Bytes(signed_head.signature()));
  if (!signature.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree head of size ", head.tree_size(), ": ", signature.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<crypto::MerkleHash> HeadRoot(const v1::TreeHead& head) {
  if (head.root_hash().size() != crypto::kSha256Bytes) {
    return absl::InvalidArgumentError(absl::StrCat("tree head of size ", head.tree_size(),
                                                   " has a ", head.root_hash().size(),
                                                   "-byte root, not 32"));
  }
  crypto::MerkleHash root;
  std::copy(head.root_hash().begin(), head.root_hash().end(), root.begin());
  return root;
}

absl::Status VerifyInclusionProof(const v1::InclusionProof& proof, std::string_view entry_bytes,
                                  const v1::TreeHead& head) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(proof));
  if (proof.tree_size() != head.tree_size()) {
    return absl::InvalidArgumentError(absl::StrCat("inclusion proof is for tree size ",
                                                   proof.tree_size(), ", the head's is ",
                                                   head.tree_size()));
  }
  FEDLINK_ASSIGN_OR_RETURN(std::vector<crypto::MerkleHash> path,
                           PathHashes(proof.path(), "InclusionProof"));
  FEDLINK_ASSIGN_OR_RETURN(crypto::MerkleHash root, HeadRoot(head));
  return crypto::VerifyMerkleInclusion(crypto::MerkleLeafHash(Bytes(entry_bytes)),
                                       proof.leaf_index(), proof.tree_size(), path, root);
}

absl::Status VerifyConsistencyProof(const v1::ConsistencyProof& proof, const v1::TreeHead& old_head,
                                    const v1::TreeHead& new_head) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(proof));
  if (proof.first_size() != old_head.tree_size() || proof.second_size() != new_head.tree_size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency proof is for sizes ", proof.first_size(), " -> ", proof.second_size(),
        ", the heads are ", old_head.tree_size(), " -> ", new_head.tree_size()));
  }
  FEDLINK_ASSIGN_OR_RETURN(std::vector<crypto::MerkleHash> path,
                           PathHashes(proof.path(), "ConsistencyProof"));
  FEDLINK_ASSIGN_OR_RETURN(crypto::MerkleHash old_root, HeadRoot(old_head));
  FEDLINK_ASSIGN_OR_RETURN(crypto::MerkleHash new_root, HeadRoot(new_head));
  return crypto::VerifyMerkleConsistency(proof.first_size(), proof.second_size(), old_root,
                                         new_root, path);
}

absl::Status VerifyReceipt(const v1::Receipt& receipt,
                           const crypto::Ed25519PublicKey& coordinator_key, std::string_view log_id,
                           const v1::SignedTreeHead* previous) {
  if (!receipt.has_tree_head()) {
    return absl::InvalidArgumentError("receipt carries no tree head");
  }
  FEDLINK_RETURN_IF_ERROR(VerifySignedTreeHead(receipt.tree_head(), coordinator_key, log_id));
  if (previous == nullptr) return absl::OkStatus();
  const v1::TreeHead& old_head = previous->head();
  const v1::TreeHead& new_head = receipt.tree_head().head();
  if (new_head.tree_size() < old_head.tree_size()) {
    return absl::InvalidArgumentError(absl::StrCat("receipt's tree size ", new_head.tree_size(),
                                                   " is below the size ", old_head.tree_size(),
                                                   " of an earlier receipt (log rolled back)"));
  }
  if (new_head.timestamp_unix_ms() < old_head.timestamp_unix_ms()) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt's tree head of size ", new_head.tree_size(),
                     " is older than the earlier receipt's head of size ", old_head.tree_size()));
  }
  if (new_head.tree_size() == old_head.tree_size()) {
    if (new_head.root_hash() != old_head.root_hash()) {
      return absl::InvalidArgumentError(absl::StrCat("two signed tree heads of size ",
                                                     new_head.tree_size(),
                                                     " have different roots (log forked)"));
    }
    return absl::OkStatus();
  }
  if (old_head.tree_size() == 0) {  // the empty tree is a prefix of every tree
    FEDLINK_ASSIGN_OR_RETURN(const crypto::MerkleHash old_root, HeadRoot(old_head));
    if (old_root != crypto::MerkleEmptyRoot()) {
      return absl::InvalidArgumentError("earlier receipt's empty tree head has a non-empty root");
    }
    return absl::OkStatus();
  }
  if (!receipt.has_consistency()) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt grows the log from size ", old_head.tree_size(), " to ",
                     new_head.tree_size(), " without a consistency proof"));
  }
  const absl::Status consistent = VerifyConsistencyProof(receipt.consistency(), old_head, new_head);
  if (!consistent.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt is not consistent with the earlier one: ", consistent.message()));
  }
  return absl::OkStatus();
}

}  // namespace fedlink::audit
