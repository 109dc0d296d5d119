#include "proto/audit/audit_log.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/sha256.h"
#include "linkage/document/quote_name.h"
#include "linkage/status_macros.h"
#include "proto/audit/audit_log_keys.h"
#include "proto/audit/tree_head.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/message_limits.h"
#include "proto/runtime/status_convert.h"

namespace fedlink::audit {

using document::QuoteName;
namespace {

// "audit log: <what>: <RocksDB's text>" (proto::FromRocksDbStatus).
absl::Status FromRocksDb(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return proto::FromRocksDbStatus(status, absl::StrCat("audit log: ", std::string(what)));
}

absl::Span<const uint8_t> Bytes(std::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

absl::StatusOr<std::string> SerializeEntry(const v1::AuditEntry& entry, std::string_view path) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(entry, path));
  std::string bytes;
  if (!entry.SerializeToString(&bytes)) {
    return absl::InternalError(absl::StrCat(std::string(path), ": serialisation failed"));
  }
  if (bytes.size() > proto::kMaxAuditEntryBytes) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(path), ": serialised to ",
                                                   bytes.size(), " bytes, the limit is ",
                                                   proto::kMaxAuditEntryBytes));
  }
  return bytes;
}

uint64_t UnixMillis(absl::Time t) {
  const int64_t ms = absl::ToUnixMillis(t);
  return ms > 0 ? static_cast<uint64_t>(ms) : 0;
}

}  // namespace

// Perfect-subtree hashes straight from the column family, one MultiGet per
// root or proof. Thread-safe (RocksDB reads are).
class AuditLog::NodeReader final : public MerkleNodeReader {
 public:
  NodeReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family) : db_(db), family_(family) {}

  absl::Status ReadNodes(absl::Span<const MerkleNodeId> ids,
                         absl::Span<MerkleHash> out) const override {
    if (ids.empty()) return absl::OkStatus();
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (const MerkleNodeId& id : ids) keys.push_back(NodeKey(id));
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(ids.size());
    std::vector<rocksdb::Status> statuses(ids.size());
    db_->MultiGet(rocksdb::ReadOptions(), family_, ids.size(), slices.data(), values.data(),
                  statuses.data());
    for (size_t k = 0; k < ids.size(); ++k) {
      if (statuses[k].IsNotFound() || (statuses[k].ok() && values[k].size() != kHashBytes)) {
        return absl::DataLossError(absl::StrCat("audit log: tree node (level ", ids[k].level,
                                                ", index ", ids[k].index,
                                                ") is missing or damaged"));
      }
      FEDLINK_RETURN_IF_ERROR(FromRocksDb(statuses[k], "reading tree nodes"));
      std::copy_n(values[k].data(), kHashBytes, reinterpret_cast<char*>(out[k].data()));
    }
    return absl::OkStatus();
  }

 private:
  static constexpr size_t kHashBytes = crypto::kSha256Bytes;
  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const family_;
};

AuditLog::AuditLog(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                   crypto::Ed25519PrivateKey signing_key, AuditLogOptions options)
    : db_(db),
      family_(family),
      signing_key_(std::move(signing_key)),
      options_(std::move(options)),
      node_reader_(std::make_unique<NodeReader>(db, family)) {}

AuditLog::~AuditLog() = default;

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(rocksdb::DB* db,
                                                         rocksdb::ColumnFamilyHandle* family,
                                                         crypto::Ed25519PrivateKey signing_key,
                                                         AuditLogOptions options) {
  if (db == nullptr || family == nullptr) {
    return absl::InvalidArgumentError("audit log: no database or column family given");
  }
  if (options.log_id.empty() || options.log_id.size() > proto::kMaxNameBytes ||
      !proto::IsPrincipalSyntax(options.log_id)) {
    return absl::InvalidArgumentError(
        "audit log: log_id must be 1..64 bytes of the form name or name/name");
  }
  if (!options.clock) return absl::InvalidArgumentError("audit log: no clock given");
  std::unique_ptr<AuditLog> log(
      new AuditLog(db, family, std::move(signing_key), std::move(options)));
  FEDLINK_RETURN_IF_ERROR(log->Load());
  return log;
}

absl::Status AuditLog::Load() {
  absl::MutexLock lock(&mu_);
  std::string value;
  const rocksdb::Status size_status =
      db_->Get(rocksdb::ReadOptions(), family_, kTreeSizeKey, &value);
  if (size_status.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family_));
    it->SeekToFirst();
    if (it->Valid()) {
      return absl::FailedPreconditionError(
          "audit log: the column family holds data but no audit log");
    }
    return FromRocksDb(it->status(), "checking an empty column family");
  }
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(size_status, "reading the tree size"));
  const std::optional<uint64_t> size = DecodeUint64(value);
  if (!size.has_value()) return absl::DataLossError("audit log: stored tree size is damaged");

  // The entries end exactly at the recorded size.
  if (*size > 0) {
    const rocksdb::Status last =
        db_->Get(rocksdb::ReadOptions(), family_, EntryKey(*size - 1), &value);
    if (last.IsNotFound()) {
      return absl::DataLossError(
          absl::StrCat("audit log: entry ", *size - 1, " of ", *size, " is missing"));
    }
    FEDLINK_RETURN_IF_ERROR(FromRocksDb(last, "reading the last entry"));
  }
  const rocksdb::Status beyond = db_->Get(rocksdb::ReadOptions(), family_, EntryKey(*size), &value);
  if (beyond.ok()) {
    return absl::DataLossError(
        absl::StrCat("audit log: an entry is stored at index ", *size, " beyond the tree size"));
  }
  if (!beyond.IsNotFound()) FEDLINK_RETURN_IF_ERROR(FromRocksDb(beyond, "reading entries"));

  const std::vector<MerkleNodeId> ids = RootNodeIds(*size);
  std::vector<MerkleHash> hashes(ids.size());
  FEDLINK_RETURN_IF_ERROR(node_reader_->ReadNodes(ids, absl::MakeSpan(hashes)));
  FEDLINK_ASSIGN_OR_RETURN(frontier_, MerkleFrontier::FromNodes(*size, std::move(hashes)));

  // The latest signed head: ours, and matching the stored tree.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family_));
  it->SeekForPrev(HeadKey(std::numeric_limits<uint64_t>::max()));
  if (!it->Valid()) return FromRocksDb(it->status(), "reading the latest tree head");
  if (!HeadKeySize(View(it->key())).has_value()) return absl::OkStatus();  // never signed
  v1::SignedTreeHead head;
  if (!head.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
    return absl::DataLossError("audit log: the latest signed tree head is damaged");
  }
  if (head.head().log_id() != options_.log_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("audit log: stored heads are for log ", QuoteName(head.head().log_id()),
                     ", opened as ", QuoteName(options_.log_id)));
  }
  if (head.key_id() != TreeHeadKeyId(public_key())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "audit log: stored heads are signed by key ", crypto::ToHex(Bytes(head.key_id())),
        ", opened with key ", crypto::ToHex(Bytes(TreeHeadKeyId(public_key())))));
  }
  const absl::Status verified = VerifySignedTreeHead(head, public_key(), options_.log_id);
  if (!verified.ok()) {
    return absl::DataLossError(absl::StrCat("audit log: latest signed head: ", verified.message()));
  }
  if (head.head().tree_size() > *size) {
    return absl::DataLossError(absl::StrCat("audit log: a head is signed at size ",
                                            head.head().tree_size(), " but only ", *size,
                                            " entries are stored"));
  }
  const uint64_t head_size = head.head().tree_size();
  MerkleHash root = frontier_.Root();
  if (head_size != *size) {
    FEDLINK_ASSIGN_OR_RETURN(root, RootFromNodes(*node_reader_, head_size));
  }
  if (std::string(root.begin(), root.end()) != head.head().root_hash()) {
    return absl::DataLossError(absl::StrCat("audit log: the stored tree of size ", head_size,
                                            " does not match its signed head"));
  }
  latest_head_ = std::move(head);
  return absl::OkStatus();
}

absl::StatusOr<v1::SignedTreeHead> AuditLog::MakeHead(uint64_t size, const MerkleHash& root) {
  v1::TreeHead head;
  head.set_tree_size(size);
  head.set_root_hash(std::string(root.begin(), root.end()));
  uint64_t timestamp = std::max<uint64_t>(UnixMillis(options_.clock()), 1);
  if (latest_head_.has_value()) {
    timestamp = std::max(timestamp, latest_head_->head().timestamp_unix_ms());
  }
  head.set_timestamp_unix_ms(timestamp);
  head.set_log_id(options_.log_id);
  return SignTreeHead(head, signing_key_);
}

absl::StatusOr<AuditLog::SerializedEntries> AuditLog::Serialize(
    absl::Span<const v1::AuditEntry> entries) {
  SerializedEntries serialised;
  serialised.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    FEDLINK_ASSIGN_OR_RETURN(std::string bytes,
                             SerializeEntry(entries[i], absl::StrCat("AuditEntry[", i, "]")));
    serialised.push_back(std::move(bytes));
  }
  return serialised;
}

absl::StatusOr<AuditLog::WriteResult> AuditLog::WriteEntries(
    absl::Span<const SerializedEntries* const> calls, bool sign) {
  absl::MutexLock lock(&mu_);
  WriteResult result{frontier_.size(), std::nullopt};
  MerkleFrontier next = frontier_;
  rocksdb::WriteBatch batch;
  std::vector<MerkleNode> nodes;
  for (const SerializedEntries* call : calls) {
    for (const std::string& bytes : *call) {
      const uint64_t index = next.size();
      FEDLINK_RETURN_IF_ERROR(FromRocksDb(batch.Put(family_, EntryKey(index), bytes), "batching"));
      nodes.clear();
      next.Append(crypto::MerkleLeafHash(Bytes(bytes)), &nodes);
      for (const MerkleNode& node : nodes) {
        const rocksdb::Slice hash(reinterpret_cast<const char*>(node.hash.data()),
                                  node.hash.size());
        FEDLINK_RETURN_IF_ERROR(
            FromRocksDb(batch.Put(family_, NodeKey(node.id), hash), "batching"));
      }
    }
  }
  if (next.size() == frontier_.size() && !sign) return result;
  FEDLINK_RETURN_IF_ERROR(
      FromRocksDb(batch.Put(family_, kTreeSizeKey, EncodeUint64(next.size())), "batching"));
  if (sign) {
    FEDLINK_ASSIGN_OR_RETURN(result.head, MakeHead(next.size(), next.Root()));
    FEDLINK_RETURN_IF_ERROR(FromRocksDb(
        batch.Put(family_, HeadKey(next.size()), result.head->SerializeAsString()), "batching"));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(db_->Write(write_options, &batch), "appending"));
  frontier_ = std::move(next);
  if (result.head.has_value()) latest_head_ = result.head;
  return result;
}

absl::StatusOr<uint64_t> AuditLog::Append(const v1::AuditEntry& entry) {
  return AppendBatch(absl::MakeConstSpan(&entry, 1));
}

absl::StatusOr<uint64_t> AuditLog::AppendBatch(absl::Span<const v1::AuditEntry> entries) {
  FEDLINK_ASSIGN_OR_RETURN(const SerializedEntries serialised, Serialize(entries));
  const SerializedEntries* const calls[] = {&serialised};
  FEDLINK_ASSIGN_OR_RETURN(const WriteResult written, WriteEntries(calls, /*sign=*/false));
  return written.first_index;
}

void AuditLog::CommitGroup(absl::Span<CommitRequest* const> group) {
  std::vector<const SerializedEntries*> calls;
  calls.reserve(group.size());
  for (const CommitRequest* request : group) calls.push_back(&request->entries);
  absl::StatusOr<WriteResult> written = WriteEntries(calls, /*sign=*/true);
  uint64_t first = written.ok() ? written->first_index : 0;
  for (CommitRequest* request : group) {
    if (written.ok()) {
      request->first_index = first;
      request->head = *written->head;
      first += request->entries.size();
    } else {
      request->head = written.status();
    }
  }
}

absl::StatusOr<v1::SignedTreeHead> AuditLog::AppendBatchAndSign(
    absl::Span<const v1::AuditEntry> entries) {
  CommitRequest request;
  FEDLINK_ASSIGN_OR_RETURN(request.entries, Serialize(entries));
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(&request);
  while (!request.done && leader_active_) queue_cv_.Wait(&queue_mu_);
  if (request.done) return std::move(request.head);
  // Lead: commit what is queued (ours included) until ours is done, then
  // hand over to a waiter, if any.
  leader_active_ = true;
  while (!request.done) {
    std::vector<CommitRequest*> group;
    group.swap(queue_);
    queue_mu_.Unlock();
    CommitGroup(group);
    queue_mu_.Lock();
    for (CommitRequest* committed : group) committed->done = true;
    queue_cv_.SignalAll();
  }
  leader_active_ = false;
  queue_cv_.SignalAll();
  return std::move(request.head);
}

absl::StatusOr<v1::SignedTreeHead> AuditLog::SignHeadLocked() {
  FEDLINK_ASSIGN_OR_RETURN(v1::SignedTreeHead head, MakeHead(frontier_.size(), frontier_.Root()));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(
      db_->Put(write_options, family_, HeadKey(frontier_.size()), head.SerializeAsString()),
      "storing a tree head"));
  latest_head_ = head;
  return head;
}

absl::StatusOr<v1::SignedTreeHead> AuditLog::SignHead() {
  absl::MutexLock lock(&mu_);
  return SignHeadLocked();
}

absl::StatusOr<std::optional<v1::SignedTreeHead>> AuditLog::SignHeadIfDue(absl::Duration max_age) {
  absl::MutexLock lock(&mu_);
  if (!latest_head_.has_value()) {
    if (frontier_.size() == 0) return std::nullopt;
  } else {
    if (frontier_.size() == latest_head_->head().tree_size()) return std::nullopt;
    const absl::Time signed_at =
        absl::FromUnixMillis(static_cast<int64_t>(latest_head_->head().timestamp_unix_ms()));
    if (options_.clock() - signed_at < max_age) return std::nullopt;
  }
  FEDLINK_ASSIGN_OR_RETURN(v1::SignedTreeHead head, SignHeadLocked());
  return head;
}

uint64_t AuditLog::tree_size() const {
  absl::MutexLock lock(&mu_);
  return frontier_.size();
}

MerkleHash AuditLog::root() const {
  absl::MutexLock lock(&mu_);
  return frontier_.Root();
}

std::optional<v1::SignedTreeHead> AuditLog::latest_signed_head() const {
  absl::MutexLock lock(&mu_);
  return latest_head_;
}

absl::Status AuditLog::CheckSize(uint64_t size, const char* what) const {
  const uint64_t current = tree_size();
  if (size > current) {
    return absl::InvalidArgumentError(
        absl::StrCat("audit log: ", what, " ", size, " exceeds the tree size ", current));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SignedTreeHead> AuditLog::GetSignedHead(uint64_t tree_size) const {
  std::string value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), family_, HeadKey(tree_size), &value);
  if (status.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("audit log: no head was signed at size ", tree_size));
  }
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(status, "reading a tree head"));
  v1::SignedTreeHead head;
  if (!head.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("audit log: the signed head of size ", tree_size, " is damaged"));
  }
  return head;
}

absl::StatusOr<std::vector<v1::SignedTreeHead>> AuditLog::GetSignedHeads(uint64_t min_size,
                                                                         uint64_t max_size) const {
  std::vector<v1::SignedTreeHead> heads;
  if (min_size > max_size) return heads;
  const std::string upper = max_size < std::numeric_limits<uint64_t>::max()
                                ? HeadKey(max_size + 1)
                                : std::string(1, static_cast<char>(kHeadKeyTag + 1));
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, family_));
  for (it->Seek(HeadKey(min_size)); it->Valid(); it->Next()) {
    const std::optional<uint64_t> size = HeadKeySize(View(it->key()));
    v1::SignedTreeHead head;
    if (!size.has_value() ||
        !head.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("audit log: a stored signed head is damaged");
    }
    heads.push_back(std::move(head));
  }
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading tree heads"));
  return heads;
}

absl::Status AuditLog::ScanEntries(
    uint64_t begin, uint64_t end,
    absl::FunctionRef<absl::Status(const v1::LoggedEntry&)> visit) const {
  if (begin > end) {
    return absl::InvalidArgumentError(
        absl::StrCat("audit log: entry range ", begin, "..", end, " is reversed"));
  }
  FEDLINK_RETURN_IF_ERROR(CheckSize(end, "entry range end"));
  if (begin == end) return absl::OkStatus();
  const std::string upper = EntryKey(end);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, family_));
  uint64_t expected = begin;
  v1::LoggedEntry logged;
  for (it->Seek(EntryKey(begin)); it->Valid(); it->Next()) {
    if (EntryKeyIndex(View(it->key())) != expected) break;
    logged.set_index(expected);
    logged.set_entry(it->value().data(), it->value().size());
    FEDLINK_RETURN_IF_ERROR(visit(logged));
    ++expected;
  }
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading entries"));
  if (expected != end) {
    return absl::DataLossError(absl::StrCat("audit log: entry ", expected, " is missing"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::LoggedEntry>> AuditLog::GetEntries(uint64_t begin,
                                                                  uint64_t end) const {
  if (end >= begin && end - begin > kMaxEntriesPerGet) {
    return absl::InvalidArgumentError(absl::StrCat(
        "audit log: ", end - begin, " entries requested, at most ", kMaxEntriesPerGet, " at once"));
  }
  std::vector<v1::LoggedEntry> entries;
  FEDLINK_RETURN_IF_ERROR(ScanEntries(begin, end, [&](const v1::LoggedEntry& e) {
    entries.push_back(e);
    return absl::OkStatus();
  }));
  return entries;
}

absl::StatusOr<v1::InclusionProof> AuditLog::InclusionProof(uint64_t leaf_index,
                                                            uint64_t tree_size) const {
  FEDLINK_RETURN_IF_ERROR(CheckSize(tree_size, "inclusion proof tree size"));
  FEDLINK_ASSIGN_OR_RETURN(std::vector<MerkleHash> path,
                           InclusionProofFromNodes(*node_reader_, leaf_index, tree_size));
  v1::InclusionProof proof;
  proof.set_leaf_index(leaf_index);
  proof.set_tree_size(tree_size);
  for (const MerkleHash& h : path) proof.add_path(std::string(h.begin(), h.end()));
  return proof;
}

absl::StatusOr<v1::ConsistencyProof> AuditLog::ConsistencyProof(uint64_t old_size,
                                                                uint64_t new_size) const {
  FEDLINK_RETURN_IF_ERROR(CheckSize(new_size, "consistency proof size"));
  FEDLINK_ASSIGN_OR_RETURN(std::vector<MerkleHash> path,
                           ConsistencyProofFromNodes(*node_reader_, old_size, new_size));
  v1::ConsistencyProof proof;
  proof.set_first_size(old_size);
  proof.set_second_size(new_size);
  for (const MerkleHash& h : path) proof.add_path(std::string(h.begin(), h.end()));
  return proof;
}

absl::StatusOr<v1::Receipt> AuditLog::MakeReceipt(uint64_t known_tree_size) {
  std::optional<v1::SignedTreeHead> head = latest_signed_head();
  if (!head.has_value()) {
    FEDLINK_ASSIGN_OR_RETURN(head, SignHead());
  }
  const uint64_t size = head->head().tree_size();
  if (known_tree_size > size) {
    return absl::InvalidArgumentError(absl::StrCat("audit log: the caller knows a tree of size ",
                                                   known_tree_size, ", the latest head has ",
                                                   size));
  }
  v1::Receipt receipt;
  if (known_tree_size != 0) {
    FEDLINK_ASSIGN_OR_RETURN(*receipt.mutable_consistency(),
                             ConsistencyProof(known_tree_size, size));
  }
  *receipt.mutable_tree_head() = *std::move(head);
  return receipt;
}

absl::StatusOr<MerkleHash> AuditLog::RootAt(uint64_t tree_size) const {
  FEDLINK_RETURN_IF_ERROR(CheckSize(tree_size, "tree size"));
  return RootFromNodes(*node_reader_, tree_size);
}

absl::StatusOr<AuditLogExport> AuditLog::Export() const {
  AuditLogExport out;
  const std::optional<v1::SignedTreeHead> latest = latest_signed_head();
  if (!latest.has_value()) return out;
  const uint64_t size = latest->head().tree_size();
  FEDLINK_RETURN_IF_ERROR(ScanEntries(0, size, [&](const v1::LoggedEntry& e) {
    out.entries.push_back(e);
    return absl::OkStatus();
  }));
  FEDLINK_ASSIGN_OR_RETURN(out.heads, GetSignedHeads(0, size));
  return out;
}

}  // namespace fedlink::audit
