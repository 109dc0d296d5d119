#include "coordinator/state/coordinator_store.h"

#include <utility>

#include <openssl/crypto.h>
#include <rocksdb/options.h>

#include "absl/strings/str_cat.h"
#include "linkage/document/quote_name.h"
#include "linkage/status_macros.h"
#include "proto/runtime/status_convert.h"

namespace fedlink::coordinator {

using document::QuoteName;
namespace {

constexpr char kFormatKey[] = "format";
constexpr char kFormatValue[] = "fedlink-coordinator-store/1";

void AppendBigEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::string JobPrefix(std::string_view job_id) {
  std::string key(job_id);
  key.push_back('\0');
  return key;
}

// The first key after every key starting with `prefix` (job prefixes end in
// 0x00, so bumping that byte to 0x01 is enough).
std::string PrefixEnd(std::string prefix) {
  prefix.back() = '\x01';
  return prefix;
}

std::string BatchKey(std::string_view job_id, uint16_t party, uint64_t sequence) {
  std::string key = JobPrefix(job_id);
  AppendBigEndian(&key, party, 2);
  AppendBigEndian(&key, sequence, 8);
  return key;
}

std::string PartyPrefix(std::string_view job_id, uint16_t party) {
  std::string key = JobPrefix(job_id);
  AppendBigEndian(&key, party, 2);
  return key;
}

std::string PayloadKey(std::string_view job_id, uint16_t party, uint8_t kind, uint32_t index) {
  std::string key = JobPrefix(job_id);
  AppendBigEndian(&key, party, 2);
  AppendBigEndian(&key, kind, 1);
  AppendBigEndian(&key, index, 4);
  return key;
}

// Associated data of a sealed value: its family and key, so a value cannot
// be moved to another position or job.
std::string Aad(StoreFamily f, const std::string& key) {
  return absl::StrCat(std::string(kStoreFamilyNames[static_cast<size_t>(f)]), std::string(1, '\0'),
                      key);
}

std::string RequestKey(std::string_view analyst, std::string_view request_id) {
  return absl::StrCat(std::string(analyst), std::string(1, '\0'), std::string(request_id));
}

}  // namespace

absl::Status FromRocksDb(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return proto::FromRocksDbStatus(status, absl::StrCat("coordinator store: ", std::string(what)));
}

void CoordinatorStore::Batch::PutJob(const internal::StoredJob& job) {
  std::string bytes;
  job.SerializeToString(&bytes);
  auto s = batch_.Put(store_->family(StoreFamily::kJobs), job.job().job_id(), bytes);
  if (!s.ok() && first_error_.ok()) first_error_ = s;
}

void CoordinatorStore::Batch::PutRequestId(std::string_view analyst, std::string_view request_id,
                                           std::string_view job_id) {
  auto s = batch_.Put(store_->family(StoreFamily::kRequestIds), RequestKey(analyst, request_id),
                      rocksdb::Slice(job_id.data(), job_id.size()));
  if (!s.ok() && first_error_.ok()) first_error_ = s;
}

void CoordinatorStore::Batch::PutSealed(StoreFamily f, std::string_view job_id,
                                        const std::string& key, std::string_view bytes) {
  if (!seal_error_.ok()) return;
  std::shared_ptr<crypto::Aead> aead;
  if (auto it = new_keys_.find(std::string(job_id)); it != new_keys_.end()) {
    aead = it->second;
  } else {
    absl::StatusOr<std::shared_ptr<crypto::Aead>> stored = store_->JobAead(job_id);
    if (!stored.ok()) {
      seal_error_ = stored.status();
      return;
    }
    aead = *stored;
  }
  if (aead == nullptr) {
    seal_error_ = absl::FailedPreconditionError(
        absl::StrCat("coordinator store: job ", QuoteName(job_id), " has no data key"));
    return;
  }
  absl::StatusOr<std::string> sealed =
      aead->SealWithRandomNonce(absl::string_view(bytes.data(), bytes.size()), Aad(f, key));
  if (!sealed.ok()) {
    seal_error_ = sealed.status();
    return;
  }
  auto s = batch_.Put(store_->family(f), key, *sealed);
  if (!s.ok() && first_error_.ok()) first_error_ = s;
}

void CoordinatorStore::Batch::CreateJobKey(std::string_view job_id) {
  absl::StatusOr<crypto::SecretBytes> key = crypto::SecretBytes::Random(32);
  if (!key.ok()) {
    seal_error_ = key.status();
    return;
  }
  absl::StatusOr<std::string> sealed = store_->store_aead_->SealWithRandomNonce(
      absl::string_view(reinterpret_cast<const char*>(key->data()), key->size()),
      Aad(StoreFamily::kJobKeys, std::string(job_id)));
  absl::StatusOr<crypto::Aead> aead = crypto::Aead::Create(crypto::AeadAlgorithm::kAes256Gcm, *key);
  if (!sealed.ok() || !aead.ok()) {
    seal_error_ = !sealed.ok() ? sealed.status() : aead.status();
    return;
  }
  new_keys_[std::string(job_id)] = std::make_shared<crypto::Aead>(*std::move(aead));
  auto s = batch_.Put(store_->family(StoreFamily::kJobKeys),
                      rocksdb::Slice(job_id.data(), job_id.size()), *sealed);
  if (!s.ok() && first_error_.ok()) first_error_ = s;
}

void CoordinatorStore::Batch::PutEncodingBatch(std::string_view job_id, uint16_t party,
                                               uint64_t sequence, std::string_view bytes) {
  PutSealed(StoreFamily::kEncodings, job_id, BatchKey(job_id, party, sequence), bytes);
}

void CoordinatorStore::Batch::PutAssignmentBatch(std::string_view job_id, uint16_t party,
                                                 uint64_t sequence, std::string_view bytes) {
  PutSealed(StoreFamily::kAssignments, job_id, BatchKey(job_id, party, sequence), bytes);
}

void CoordinatorStore::Batch::PutPayloadChunk(std::string_view job_id, uint16_t party,
                                              uint8_t kind, uint32_t index,
                                              std::string_view bytes) {
  PutSealed(StoreFamily::kPayloads, job_id, PayloadKey(job_id, party, kind, index), bytes);
}

void CoordinatorStore::Batch::DeleteEncodings(std::string_view job_id) {
  const std::string begin = JobPrefix(job_id);
  auto s = batch_.DeleteRange(store_->family(StoreFamily::kEncodings), begin, PrefixEnd(begin));
  if (!s.ok() && first_error_.ok()) first_error_ = s;
}

void CoordinatorStore::Batch::DeleteJobData(std::string_view job_id) {
  DeleteEncodings(job_id);
  const std::string begin = JobPrefix(job_id);
  for (StoreFamily f : {StoreFamily::kAssignments, StoreFamily::kPayloads}) {
    auto s = batch_.DeleteRange(store_->family(f), begin, PrefixEnd(begin));
    if (!s.ok() && first_error_.ok()) first_error_ = s;
  }
  // The data key goes too: whatever a file still holds can no longer be read.
  auto s = batch_.Delete(store_->family(StoreFamily::kJobKeys),
                         rocksdb::Slice(job_id.data(), job_id.size()));
  if (!s.ok() && first_error_.ok()) first_error_ = s;
  new_keys_.erase(std::string(job_id));
  shredded_.push_back(std::string(job_id));
}

absl::StatusOr<std::unique_ptr<CoordinatorStore>> CoordinatorStore::Open(
    const std::string& directory, const crypto::SecretBytes& store_key, bool sync_writes) {
  std::unique_ptr<CoordinatorStore> store(new CoordinatorStore);
  FEDLINK_ASSIGN_OR_RETURN(crypto::Aead store_aead,
                           crypto::Aead::Create(crypto::AeadAlgorithm::kAes256Gcm, store_key));
  store->store_aead_ = std::make_unique<crypto::Aead>(std::move(store_aead));
  store->directory_ = directory;
  store->write_options_.sync = sync_writes;
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Purged data must leave the files: compact deleted ranges promptly.
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (std::string_view name : kStoreFamilyNames) {
    families.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, directory, families, &store->handles_, &raw);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("opening ", directory));
  store->db_.reset(raw);

  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> format,
                           store->Get(StoreFamily::kDefault, kFormatKey));
  if (!format.has_value()) {
    s = store->db_->Put(store->write_options_, store->family(StoreFamily::kDefault), kFormatKey,
                        kFormatValue);
    FEDLINK_RETURN_IF_ERROR(FromRocksDb(s, "writing the store header"));
  } else if (*format != kFormatValue) {
    return absl::FailedPreconditionError(absl::StrCat(
        "coordinator store ", directory, " holds another format (header ",
        QuoteName(*format), ", expected ", kFormatValue, ")"));
  }
  return store;
}

CoordinatorStore::~CoordinatorStore() {
  if (db_ != nullptr) {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
  }
}

absl::Status CoordinatorStore::Write(Batch& batch) {
  FEDLINK_RETURN_IF_ERROR(batch.seal_error_);
  if (!batch.first_error_.ok()) return FromRocksDb(batch.first_error_, "building a write batch");
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(db_->Write(write_options_, &batch.batch_), "writing a batch"));
  absl::MutexLock lock(&keys_mu_);
  for (auto& [job_id, aead] : batch.new_keys_) keys_[job_id] = aead;
  for (const std::string& job_id : batch.shredded_) keys_.erase(job_id);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<crypto::Aead>> CoordinatorStore::JobAead(
    std::string_view job_id) const {
  {
    absl::MutexLock lock(&keys_mu_);
    if (auto it = keys_.find(job_id); it != keys_.end()) return it->second;
  }
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> sealed,
                           Get(StoreFamily::kJobKeys, std::string(job_id)));
  if (!sealed.has_value()) return std::shared_ptr<crypto::Aead>();
  absl::StatusOr<std::string> key =
      store_aead_->OpenWithPrependedNonce(*sealed, Aad(StoreFamily::kJobKeys, std::string(job_id)));
  if (!key.ok()) {
    return absl::DataLossError(absl::StrCat("coordinator store: the data key of job ",
                                            QuoteName(job_id),
                                            " does not open with the store key"));
  }
  crypto::SecretBytes secret(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(key->data()), key->size()));
  OPENSSL_cleanse(key->data(), key->size());
  FEDLINK_ASSIGN_OR_RETURN(crypto::Aead aead,
                           crypto::Aead::Create(crypto::AeadAlgorithm::kAes256Gcm, std::move(secret)));
  auto shared = std::make_shared<crypto::Aead>(std::move(aead));
  absl::MutexLock lock(&keys_mu_);
  keys_[std::string(job_id)] = shared;
  return shared;
}

absl::StatusOr<std::optional<std::string>> CoordinatorStore::GetSealed(
    StoreFamily f, std::string_view job_id, const std::string& key) const {
  FEDLINK_ASSIGN_OR_RETURN(std::shared_ptr<crypto::Aead> aead, JobAead(job_id));
  if (aead == nullptr) return std::nullopt;  // shredded
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> sealed, Get(f, key));
  if (!sealed.has_value()) return std::nullopt;
  absl::StatusOr<std::string> plain = aead->OpenWithPrependedNonce(*sealed, Aad(f, key));
  if (!plain.ok()) {
    return absl::DataLossError(absl::StrCat("coordinator store: a ",
                                            std::string(kStoreFamilyNames[static_cast<size_t>(f)]),
                                            " value of job ", QuoteName(job_id),
                                            " failed authentication"));
  }
  return *std::move(plain);
}

absl::StatusOr<std::optional<std::string>> CoordinatorStore::Get(StoreFamily f,
                                                                 const std::string& key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family(f), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("reading ", std::string(kStoreFamilyNames[static_cast<size_t>(f)]))));
  return value;
}

absl::Status CoordinatorStore::CompactJobData(std::string_view job_id) {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(db_->Flush(flush, handles_), "flushing"));
  const std::string begin = JobPrefix(job_id);
  const std::string end = PrefixEnd(begin);
  const rocksdb::Slice b(begin), e(end);
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (StoreFamily f : {StoreFamily::kEncodings, StoreFamily::kAssignments, StoreFamily::kPayloads}) {
    FEDLINK_RETURN_IF_ERROR(FromRocksDb(db_->CompactRange(options, family(f), &b, &e), "compacting"));
  }
  const std::string key_end = absl::StrCat(std::string(job_id), std::string(1, '\0'));
  const rocksdb::Slice kb(job_id.data(), job_id.size()), ke(key_end);
  FEDLINK_RETURN_IF_ERROR(FromRocksDb(
      db_->CompactRange(options, family(StoreFamily::kJobKeys), &kb, &ke), "compacting"));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<internal::StoredJob>> CoordinatorStore::GetJob(
    std::string_view job_id) const {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                           Get(StoreFamily::kJobs, std::string(job_id)));
  if (!bytes.has_value()) return std::nullopt;
  internal::StoredJob job;
  if (!job.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("coordinator store: job ", QuoteName(job_id), " does not parse"));
  }
  return job;
}

absl::StatusOr<std::optional<std::string>> CoordinatorStore::GetRequestId(
    std::string_view analyst, std::string_view request_id) const {
  return Get(StoreFamily::kRequestIds, RequestKey(analyst, request_id));
}

absl::StatusOr<std::optional<std::string>> CoordinatorStore::GetEncodingBatch(
    std::string_view job_id, uint16_t party, uint64_t sequence) const {
  return GetSealed(StoreFamily::kEncodings, job_id, BatchKey(job_id, party, sequence));
}

absl::StatusOr<std::optional<std::string>> CoordinatorStore::GetAssignmentBatch(
    std::string_view job_id, uint16_t party, uint64_t sequence) const {
  return GetSealed(StoreFamily::kAssignments, job_id, BatchKey(job_id, party, sequence));
}

absl::StatusOr<std::optional<std::string>> CoordinatorStore::GetPayloadChunk(
    std::string_view job_id, uint16_t party, uint8_t kind, uint32_t index) const {
  return GetSealed(StoreFamily::kPayloads, job_id, PayloadKey(job_id, party, kind, index));
}

absl::Status CoordinatorStore::ForEachJob(
    absl::FunctionRef<absl::Status(const internal::StoredJob&)> visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(StoreFamily::kJobs)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    internal::StoredJob job;
    if (!job.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("coordinator store: a stored job does not parse");
    }
    FEDLINK_RETURN_IF_ERROR(visit(job));
  }
  return FromRocksDb(it->status(), "scanning jobs");
}

absl::Status CoordinatorStore::ForEachEncodingBatch(
    std::string_view job_id, uint16_t party,
    absl::FunctionRef<absl::Status(std::string_view)> visit) const {
  const std::string prefix = PartyPrefix(job_id, party);
  FEDLINK_ASSIGN_OR_RETURN(std::shared_ptr<crypto::Aead> aead, JobAead(job_id));
  if (aead == nullptr) return absl::OkStatus();  // shredded: nothing to read
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(StoreFamily::kEncodings)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    absl::StatusOr<std::string> plain = aead->OpenWithPrependedNonce(
        absl::string_view(it->value().data(), it->value().size()),
        Aad(StoreFamily::kEncodings, it->key().ToString()));
    if (!plain.ok()) {
      return absl::DataLossError(absl::StrCat("coordinator store: an encoding batch of job ",
                                              QuoteName(job_id), " failed authentication"));
    }
    FEDLINK_RETURN_IF_ERROR(visit(*plain));
  }
  return FromRocksDb(it->status(), "scanning encodings");
}

}  // namespace fedlink::coordinator
