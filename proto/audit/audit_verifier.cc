#include "proto/audit/audit_verifier.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/sha256.h"
#include "linkage/document/quote_name.h"
#include "proto/audit/tree_head.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/signing_input.h"

namespace fedlink::audit {

using document::QuoteName;
namespace {

absl::Span<const uint8_t> Bytes(std::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string Hex(std::string_view bytes) { return crypto::ToHex(Bytes(bytes)); }

std::string RootBytes(const MerkleHash& root) { return std::string(root.begin(), root.end()); }

// "entries a..b" or "entry a" for the range [begin, end).
std::string EntryRange(uint64_t begin, uint64_t end) {
  if (end == begin + 1) return absl::StrCat("entry ", begin);
  return absl::StrCat("entries ", begin, "..", end - 1);
}

}  // namespace

std::string_view AuditProblemName(AuditProblem problem) {
  switch (problem) {
    case AuditProblem::kNone:
      return "none";
    case AuditProblem::kMalformedEntry:
      return "malformed entry";
    case AuditProblem::kOutOfSequence:
      return "entry out of sequence";
    case AuditProblem::kEntryRejected:
      return "entry rejected";
    case AuditProblem::kMalformedHead:
      return "malformed tree head";
    case AuditProblem::kWrongLog:
      return "tree head of another log";
    case AuditProblem::kWrongKey:
      return "tree head signed by another key";
    case AuditProblem::kBadSignature:
      return "bad tree head signature";
    case AuditProblem::kHeadTimeRegression:
      return "tree head time goes backwards";
    case AuditProblem::kRootMismatch:
      return "entries do not match a signed root";
    case AuditProblem::kSavedHeadMismatch:
      return "entries do not match the saved tree head";
    case AuditProblem::kTruncated:
      return "log truncated";
    case AuditProblem::kUnsignedEntries:
      return "unsigned entries";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<AuditVerifier>> AuditVerifier::Create(
    AuditVerifyOptions options, std::vector<v1::SignedTreeHead> heads) {
  if (options.log_id.empty()) return absl::InvalidArgumentError("audit verify: no log_id given");
  if (options.saved_head.has_value()) {
    const absl::Status saved =
        VerifySignedTreeHead(*options.saved_head, options.log_key, options.log_id);
    if (!saved.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("audit verify: the saved tree head does not verify: ", saved.message()));
    }
  }
  return std::unique_ptr<AuditVerifier>(new AuditVerifier(std::move(options), std::move(heads)));
}

AuditVerifier::AuditVerifier(AuditVerifyOptions options, std::vector<v1::SignedTreeHead> heads)
    : options_(std::move(options)), heads_(std::move(heads)) {
  std::stable_sort(heads_.begin(), heads_.end(),
                   [](const v1::SignedTreeHead& a, const v1::SignedTreeHead& b) {
                     if (a.head().tree_size() != b.head().tree_size()) {
                       return a.head().tree_size() < b.head().tree_size();
                     }
                     return a.head().timestamp_unix_ms() < b.head().timestamp_unix_ms();
                   });
  CheckHeadsAtCurrentSize();
}

void AuditVerifier::Fail(AuditProblem problem, uint64_t index, std::string reason,
                         std::optional<uint64_t> last_possible_index) {
  if (!verdict_.ok()) return;  // keep the first
  verdict_.problem = problem;
  verdict_.first_bad_index = index;
  verdict_.last_possible_bad_index = last_possible_index;
  verdict_.reason = std::move(reason);
  verdict_.latest_verified_head.reset();
}

void AuditVerifier::CheckHead(const v1::SignedTreeHead& signed_head) {
  const v1::TreeHead& head = signed_head.head();
  const uint64_t size = head.tree_size();
  // A failing head is reported at the first entry it newly covers; a second
  // head at an already verified size at the first entry that size covered.
  const uint64_t first = verdict_.heads_verified > 0 && size == verified_size_
                             ? range_start_
                             : std::min(verified_size_, size);
  const std::string covers =
      size > first ? absl::StrCat(" (it newly covers ", EntryRange(first, size), ")") : "";
  if (const absl::Status valid = proto::Validate(signed_head, "SignedTreeHead"); !valid.ok()) {
    Fail(AuditProblem::kMalformedHead, first,
         absl::StrCat("tree head of size ", size, " is malformed: ", valid.message(), covers));
    return;
  }
  if (head.log_id() != options_.log_id) {
    Fail(AuditProblem::kWrongLog, first,
         absl::StrCat("tree head of size ", size, " is for log ", QuoteName(head.log_id()),
                      ", not ", QuoteName(options_.log_id), covers));
    return;
  }
  const std::string key_id = TreeHeadKeyId(options_.log_key);
  if (signed_head.key_id() != key_id) {
    Fail(AuditProblem::kWrongKey, first,
         absl::StrCat("tree head of size ", size, " is signed by key ", Hex(signed_head.key_id()),
                      ", not the log's key ", Hex(key_id), covers));
    return;
  }
  if (!options_.log_key.Verify(proto::TreeHeadSigningInput(head), Bytes(signed_head.signature()))
           .ok()) {
    Fail(AuditProblem::kBadSignature, first,
         absl::StrCat("the signature on the tree head of size ", size,
                      " does not verify under the log's key", covers));
    return;
  }
  if (head.timestamp_unix_ms() < last_head_time_) {
    Fail(AuditProblem::kHeadTimeRegression, first,
         absl::StrCat("tree head of size ", size, " is timestamped before the head of size ",
                      verified_size_, covers));
    return;
  }
  if (size != frontier_.size()) return;  // beyond the entries: Finish reports it
  if (head.root_hash() != RootBytes(frontier_.Root())) {
    Fail(AuditProblem::kRootMismatch, first,
         absl::StrCat(size > first ? EntryRange(first, size) : std::string("the entries"),
                      " do not hash to the root signed at tree size ", size,
                      ": an entry was changed, removed, inserted or reordered"),
         size > first + 1 ? std::optional<uint64_t>(size - 1) : std::nullopt);
    return;
  }
  if (size != verified_size_) range_start_ = verified_size_;
  verified_size_ = size;
  last_head_time_ = head.timestamp_unix_ms();
  ++verdict_.heads_verified;
  verdict_.latest_verified_head = signed_head;
}

void AuditVerifier::CheckHeadsAtCurrentSize() {
  const uint64_t size = frontier_.size();
  while (verdict_.ok() && next_head_ < heads_.size() &&
         heads_[next_head_].head().tree_size() <= size) {
    CheckHead(heads_[next_head_++]);
  }
  if (verdict_.ok() && options_.saved_head.has_value() &&
      options_.saved_head->head().tree_size() == size &&
      options_.saved_head->head().root_hash() != RootBytes(frontier_.Root())) {
    Fail(AuditProblem::kSavedHeadMismatch, 0,
         absl::StrCat(size == 0 ? std::string("the empty log") : EntryRange(0, size),
                      " do not hash to the root of the tree head of size ", size,
                      " saved by the auditor: the log was rewritten since"));
  }
}

bool AuditVerifier::AddEntry(const v1::LoggedEntry& logged) {
  if (finished_ || !verdict_.ok()) return false;
  const uint64_t position = frontier_.size();
  if (logged.index() != position) {
    Fail(AuditProblem::kOutOfSequence, position,
         absl::StrCat("entry ", position,
                      " is missing or moved: the entry at its position carries index ",
                      logged.index()));
    return false;
  }
  const std::string& bytes = logged.entry();
  const std::string path = absl::StrCat("entry ", position);
  if (bytes.empty() || bytes.size() > proto::kMaxAuditEntryBytes) {
    Fail(AuditProblem::kMalformedEntry, position,
         absl::StrCat(path, " is ", bytes.size(), " bytes, outside 1..",
                      proto::kMaxAuditEntryBytes));
    return false;
  }
  absl::StatusOr<v1::AuditEntry> entry = proto::ParseValidated<v1::AuditEntry>(bytes, path);
  if (!entry.ok()) {
    Fail(AuditProblem::kMalformedEntry, position, std::string(entry.status().message()));
    return false;
  }
  if (options_.check_entry) {
    const absl::Status checked = options_.check_entry(position, *entry);
    if (!checked.ok()) {
      Fail(AuditProblem::kEntryRejected, position, absl::StrCat(path, ": ", checked.message()));
      return false;
    }
  }
  ++verdict_.entries_checked;
  frontier_.Append(crypto::MerkleLeafHash(Bytes(bytes)), nullptr);
  CheckHeadsAtCurrentSize();
  return verdict_.ok();
}

AuditVerdict AuditVerifier::Finish() {
  if (finished_) return verdict_;
  finished_ = true;
  const uint64_t count = frontier_.size();
  if (verdict_.ok() && next_head_ < heads_.size()) {
    // Heads beyond the entries: forged ones are reported as such, genuine
    // ones prove entries were cut off.
    for (size_t k = next_head_; k < heads_.size() && verdict_.ok(); ++k) CheckHead(heads_[k]);
    const uint64_t signed_size = heads_.back().head().tree_size();
    if (verdict_.ok()) {
      Fail(AuditProblem::kTruncated, count,
           absl::StrCat("a tree head is signed at size ", signed_size, " but the log ends after ",
                        count, " entries: ", EntryRange(count, signed_size), " are missing"));
    }
  }
  if (verdict_.ok() && options_.saved_head.has_value() &&
      options_.saved_head->head().tree_size() > count) {
    const uint64_t saved_size = options_.saved_head->head().tree_size();
    Fail(AuditProblem::kTruncated, count,
         absl::StrCat("the auditor's saved tree head has size ", saved_size,
                      " but the log ends after ", count,
                      " entries: ", EntryRange(count, saved_size), " are missing"));
  }
  if (verdict_.ok() && count > verified_size_) {
    Fail(AuditProblem::kUnsignedEntries, verified_size_,
         absl::StrCat(EntryRange(verified_size_, count),
                      " come after the last signed tree head (size ", verified_size_,
                      "): no signature covers them"));
  }
  return verdict_;
}

absl::StatusOr<AuditVerdict> VerifyAuditLog(const AuditLogExport& log, AuditVerifyOptions options) {
  absl::StatusOr<std::unique_ptr<AuditVerifier>> verifier =
      AuditVerifier::Create(std::move(options), log.heads);
  if (!verifier.ok()) return verifier.status();
  for (const v1::LoggedEntry& entry : log.entries) {
    if (!(*verifier)->AddEntry(entry)) break;
  }
  return (*verifier)->Finish();
}

}  // namespace fedlink::audit
