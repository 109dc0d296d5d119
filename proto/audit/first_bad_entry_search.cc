#include "proto/audit/first_bad_entry_search.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/audit/tree_head.h"

namespace fedlink::audit {
namespace {

// "entry a" or "entries a..b" for [begin, end).
std::string EntryRange(uint64_t begin, uint64_t end) {
  if (end == begin + 1) return absl::StrCat("entry ", begin);
  return absl::StrCat("entries ", begin, "..", end - 1);
}

std::string MismatchReason(uint64_t matching_size, uint64_t differing_size) {
  const bool exact = differing_size == matching_size + 1;
  std::string reason =
      exact ? absl::StrCat("entry ", matching_size,
                           " was changed, removed, inserted or reordered: ")
            : absl::StrCat("the first bad entry is among ",
                           EntryRange(matching_size, differing_size),
                           " (the log signed no tree head in between): ");
  if (matching_size > 0) {
    absl::StrAppend(&reason, "the first ", matching_size,
                    " entries hash to the root signed at tree size ", matching_size, " but ");
  }
  absl::StrAppend(&reason, "the first ", differing_size,
                  " do not hash to the root signed at tree size ", differing_size);
  return reason;
}

}  // namespace

absl::StatusOr<AuditVerdict> NarrowFirstBadEntry(AuditVerdict verdict,
                                                 absl::Span<const MerkleHash> leaf_hashes,
                                                 const crypto::Ed25519PublicKey& log_key,
                                                 const std::string& log_id,
                                                 const SignedHeadAtSize& head_at) {
  if (verdict.problem != AuditProblem::kRootMismatch || !verdict.first_bad_index.has_value() ||
      !verdict.last_possible_bad_index.has_value()) {
    return verdict;
  }
  // Invariant: the root signed at `matching` equals the first `matching`
  // entries' (0: nothing to match), the one signed at `differing` does not,
  // and no size in [unsigned_from, differing) has a signed head.
  uint64_t matching = *verdict.first_bad_index;
  uint64_t differing = *verdict.last_possible_bad_index + 1;
  if (matching >= differing || differing > leaf_hashes.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot narrow ", EntryRange(matching, differing), ": only ", leaf_hashes.size(),
        " entries were read"));
  }
  uint64_t unsigned_from = differing;
  MerkleFrontier at_matching;
  for (uint64_t i = 0; i < matching; ++i) at_matching.Append(leaf_hashes[i], nullptr);

  while (unsigned_from - matching > 1) {
    const uint64_t middle = matching + (unsigned_from - matching) / 2;
    // The first signed size at or after the middle (sizes are probed once:
    // those skipped are below the next `matching` or become unsigned_from's).
    uint64_t size = middle;
    absl::StatusOr<v1::SignedTreeHead> head = absl::NotFoundError("");
    for (; size < unsigned_from; ++size) {
      head = head_at(size);
      if (!absl::IsNotFound(head.status())) break;
    }
    if (size == unsigned_from) {
      unsigned_from = middle;
      continue;
    }
    if (!head.ok()) return head.status();
    if (head->head().tree_size() != size) {
      return absl::InvalidArgumentError(absl::StrCat("asked for the tree head of size ", size,
                                                     ", got one of size ",
                                                     head->head().tree_size()));
    }
    if (const absl::Status valid = VerifySignedTreeHead(*head, log_key, log_id); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("the tree head of size ", size,
                                                     " does not verify: ", valid.message()));
    }
    ++verdict.heads_verified;
    MerkleFrontier at_size = at_matching;
    for (uint64_t i = matching; i < size; ++i) at_size.Append(leaf_hashes[i], nullptr);
    const MerkleHash root = at_size.Root();
    if (head->head().root_hash() == std::string(root.begin(), root.end())) {
      matching = size;
      at_matching = std::move(at_size);
    } else {
      differing = size;
      unsigned_from = middle;  // [middle, size) were found unsigned
    }
  }
  verdict.first_bad_index = matching;
  if (differing == matching + 1) {
    verdict.last_possible_bad_index.reset();
  } else {
    verdict.last_possible_bad_index = differing - 1;
  }
  verdict.reason = MismatchReason(matching, differing);
  return verdict;
}

}  // namespace fedlink::audit
