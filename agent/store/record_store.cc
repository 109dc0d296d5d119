#include "agent/store/record_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "linkage/crypto/hkdf.h"
#include "linkage/status_macros.h"
#include "proto/runtime/status_convert.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"

namespace fedlink::agent {

using proto::FromRocksDbStatus;

namespace {

constexpr size_t kPseudonymBytes = 8;
constexpr size_t kAuditKeyBytes = 8;

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

rocksdb::Slice ToSlice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

std::string_view ToView(const rocksdb::Slice& s) {
  return std::string_view(s.data(), s.size());
}

// What a value is bound to: its family and its key. The associated data is
// family name ‖ 0x00 ‖ key, handed to the AEAD in those three pieces.
struct Aad {
  Aad(ColumnFamily cf, std::string_view key)
      : pieces{AbslView(ColumnFamilyName(cf)), absl::string_view("\0", 1),
               AbslView(key)} {}
  absl::string_view pieces[3];
};

// The header's associated data: a value's (Aad), then the version byte.
std::string HeaderAad(uint8_t version) {
  std::string aad =
      absl::StrJoin(Aad(ColumnFamily::kDefault, kHeaderKey).pieces, "");
  aad.push_back(static_cast<char>(version));
  return aad;
}

void AppendBigEndian64(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>(v >> shift));
  }
}

std::string LittleEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (8 * i));
  return out;
}

uint64_t ReadLittleEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

// The first 8 bytes of `key` as a big-endian number, zero-padded: orders
// keys as their bytes do, up to ties (WriteBatch::InWriteOrder).
uint64_t KeyPrefix(std::string_view key) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    v = (v << 8) | (i < key.size() ? static_cast<uint8_t>(key[i]) : 0);
  }
  return v;
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes.substr(0, 8)) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

// Job ids come from the coordinator and meta names from code; both end up
// in keys and error messages, so their alphabet is small and printable.
absl::Status ValidateName(std::string_view what, std::string_view name,
                          bool allow_slash) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(what), " must be 1..", kMaxNameBytes,
                     " bytes, is ", name.size()));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == ':' || c == '-' || (allow_slash && c == '/');
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(AbslView(what), " has a byte outside [A-Za-z0-9._:-",
                       allow_slash ? "/" : "", "] at offset ", i));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateJobId(std::string_view job_id) {
  return ValidateName("job id", job_id, /*allow_slash=*/false);
}

absl::Status ValidateLocalId(std::string_view local_id) {
  if (local_id.empty() || local_id.size() > kMaxLocalIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("local id must be 1..", kMaxLocalIdBytes, " bytes, is ",
                     local_id.size()));
  }
  return absl::OkStatus();
}

absl::Status ValidateOpaqueValue(std::string_view what, size_t size) {
  if (size > kMaxOpaqueValueBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(what), " is ", size, " bytes; at most ",
                     kMaxOpaqueValueBytes, " are allowed"));
  }
  return absl::OkStatus();
}

// Job ids are length-prefixed so that no job's keys are a prefix range of
// another's ("a" vs "a1").
std::string PseudonymPrefix(std::string_view job_id) {
  std::string prefix;
  prefix.push_back(static_cast<char>(job_id.size()));
  prefix.append(job_id);
  return prefix;
}

std::string PseudonymKey(std::string_view job_id, uint64_t pseudonym) {
  std::string key = PseudonymPrefix(job_id);
  AppendBigEndian64(pseudonym, &key);
  return key;
}

std::string AuditKey(uint64_t sequence) {
  std::string key;
  AppendBigEndian64(sequence, &key);
  return key;
}

// A record's unsealed bytes, parsed; the bytes are wiped when done.
absl::StatusOr<StoredRecord> RecordFromPlaintext(std::string plaintext) {
  const SensitiveString bytes(std::move(plaintext));
  return ParseStoredRecord(bytes.Expose());
}

bool StoreExists(const std::string& path) {
  struct stat st;
  return stat((path + "/CURRENT").c_str(), &st) == 0;
}

// Options for an agent on ordinary hardware: a few background threads, a
// bounded WAL, point-in-time recovery after a crash (every synced batch is
// there, nothing after the first damaged WAL record is replayed).
rocksdb::DBOptions MakeDbOptions(const RecordStoreOptions& options) {
  rocksdb::DBOptions db;
  db.create_if_missing = options.create_if_missing;
  db.create_missing_column_families = true;
  db.paranoid_checks = true;
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db.max_background_jobs = options.max_background_jobs;
  db.max_total_wal_size = 64 << 20;  // bounds WAL replay on restart
  db.bytes_per_sync = 1 << 20;       // smooth writeback of table files
  db.keep_log_file_num = 4;          // RocksDB's LOG: settings and events only
  return db;
}

rocksdb::ColumnFamilyOptions MakeColumnFamilyOptions(
    const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Point lookups (release by local id, pseudonym → local id) skip files
  // that cannot hold the key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks live in the block cache too, so the store's
  // memory is bounded by the cache and memtables, not by its size (held
  // outside the cache they cost ~12 MiB per million records). Level 0's
  // stay pinned: every lookup reads them. (Partitioned filters would keep
  // less in the cache but cost an index search per probe: the ingest's
  // lookups took 8.9% of its CPU with them, 5.1% without, at 2 M records.)
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The ingest looks every key up before writing it (duplicate local ids,
  // RemoveRepeatedRunWrites), nearly always a new key: a bloom filter over
  // the memtable's whole keys answers "not there" without a skiplist search
  // (that search was 8% of ingest CPU). 2% of the write buffer.
  cf.memtable_prefix_bloom_size_ratio = 0.02;
  cf.memtable_whole_key_filtering = true;
  // Values are AES-GCM ciphertext and keys are MACs: neither compresses,
  // and trying cost 13 % of ingest CPU (ZSTD at the bottom level), so
  // blocks are stored raw.
  cf.compression = rocksdb::kNoCompression;
  cf.bottommost_compression = rocksdb::kNoCompression;
  // Record keys are random MACs, so every memtable flushed spans the whole
  // key range and each level-0 compaction rewrites all of level 1. Fewer,
  // larger compactions rewrite less: compacting at 8 level-0 files instead
  // of 4 halved the compaction CPU of a 1 M-row ingest (lookups probe at
  // most 8 level-0 filters, which stay pinned in the cache). Level 1 is
  // sized to take one such compaction, per RocksDB's tuning guide
  // (write buffer × level-0 trigger), so it does not spill straight into
  // level 2.
  cf.level0_file_num_compaction_trigger = 8;
  cf.max_bytes_for_level_base =
      cf.write_buffer_size *
      static_cast<uint64_t>(cf.level0_file_num_compaction_trigger);
  return cf;
}

}  // namespace

RecordStore::RecordStore(std::string path, RecordStoreOptions options,
                         crypto::Aead aead, crypto::HmacSha256 record_key_mac)
    : path_(std::move(path)),
      options_(options),
      aead_(std::move(aead)),
      record_key_mac_prototype_(std::move(record_key_mac)),
      record_key_macs_([this]() -> absl::StatusOr<std::unique_ptr<crypto::HmacSha256>> {
        FEDLINK_ASSIGN_OR_RETURN(crypto::HmacSha256 clone,
                                 record_key_mac_prototype_.Clone());
        return std::make_unique<crypto::HmacSha256>(std::move(clone));
      }),
      aead_contexts_([this] { return aead_.NewContext(); }) {}

absl::StatusOr<std::unique_ptr<RecordStore>> RecordStore::Open(
    const std::string& path, crypto::SecretBytes at_rest_key,
    const RecordStoreOptions& options) {
  if (at_rest_key.size() != kAtRestKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("record store ", path, ": at-rest key is ",
                     at_rest_key.size(), " bytes; expected ", kAtRestKeyBytes));
  }
  FEDLINK_ASSIGN_OR_RETURN(
      crypto::SecretBytes mac_key,
      crypto::HkdfSha256(at_rest_key, {}, kRecordKeyInfo, 32));
  FEDLINK_ASSIGN_OR_RETURN(
      crypto::SecretBytes value_key,
      crypto::HkdfSha256(at_rest_key, {}, kValueKeyInfo, 32));
  FEDLINK_ASSIGN_OR_RETURN(crypto::HmacSha256 mac,
                           crypto::HmacSha256::Create(mac_key));
  FEDLINK_ASSIGN_OR_RETURN(
      crypto::Aead aead, crypto::Aead::Create(crypto::AeadAlgorithm::kAes256Gcm,
                                              std::move(value_key)));
  std::unique_ptr<RecordStore> store(
      new RecordStore(path, options, std::move(aead), std::move(mac)));
  FEDLINK_RETURN_IF_ERROR(store->OpenDatabase());
  FEDLINK_RETURN_IF_ERROR(store->CheckOrWriteHeader());
  FEDLINK_RETURN_IF_ERROR(store->LoadNextAuditSequence());
  FEDLINK_RETURN_IF_ERROR(store->LoadRecordCount());
  return store;
}

absl::Status RecordStore::OpenDatabase() {
  const rocksdb::DBOptions db_options = MakeDbOptions(options_);
  if (StoreExists(path_)) {
    // A family this build does not know would make RocksDB refuse with a
    // terse message; say what it means instead.
    std::vector<std::string> names;
    FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(
        rocksdb::DB::ListColumnFamilies(db_options, path_, &names),
        absl::StrCat("list column families of record store ", path_)));
    for (const std::string& name : names) {
      const bool known = std::any_of(
          kColumnFamilies.begin(), kColumnFamilies.end(),
          [&](const ColumnFamilyInfo& info) { return info.name == name; });
      if (!known) {
        return absl::FailedPreconditionError(absl::StrCat(
            "record store ", path_, " has column family '", name,
            "' unknown to this build (written by a newer fedlink-agent?)"));
      }
    }
  } else if (!options_.create_if_missing) {
    return absl::NotFoundError(absl::StrCat("no record store at ", path_));
  }

  const rocksdb::ColumnFamilyOptions cf_options =
      MakeColumnFamilyOptions(rocksdb::NewLRUCache(options_.block_cache_bytes));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const ColumnFamilyInfo& info : kColumnFamilies) {
    descriptors.emplace_back(std::string(info.name), cf_options);
    if (info.id == ColumnFamily::kRecords) {
      // A committed batch arrives sorted, so each record lands just after
      // the one before it: with an insert hint (one for all keys: the prefix
      // is empty) the memtable's skiplist search starts from the previous
      // insert instead of its head (-7% ingest CPU at 1 M rows). Records
      // only: RocksDB 7.8 shares the hint between a memtable's keys and its
      // range deletions (a failed assertion in Debian's build), and the
      // pseudonym family deletes a job's range.
      descriptors.back().options.memtable_insert_with_hint_prefix_extractor.reset(
          rocksdb::NewFixedPrefixTransform(0));
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(
      rocksdb::DB::Open(db_options, path_, descriptors, &handles, &db),
      absl::StrCat("open record store ", path_)));
  db_.reset(db);
  std::copy(handles.begin(), handles.end(), handles_.begin());
  return absl::OkStatus();
}

absl::Status RecordStore::CheckOrWriteHeader() {
  std::string header;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), Handle(ColumnFamily::kDefault),
               ToSlice(kHeaderKey), &header);
  if (status.IsNotFound()) {
    // Only a store with nothing in it may be given a header: anything else
    // lost its header, and a new one would be sealed under whatever key the
    // caller happens to hold.
    for (const ColumnFamilyInfo& info : kColumnFamilies) {
      if (info.id == ColumnFamily::kDefault) continue;
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(rocksdb::ReadOptions(), Handle(info.id)));
      it->SeekToFirst();
      if (it->Valid()) {
        return absl::DataLossError(absl::StrCat(
            "record store ", path_, " holds data in '", AbslView(info.name),
            "' but has no header; refusing to use it"));
      }
      FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(
          it->status(), absl::StrCat("scan record store ", path_)));
    }
    FEDLINK_ASSIGN_OR_RETURN(
        std::string sealed,
        aead_.SealWithRandomNonce(AbslView(kHeaderCheck),
                                  HeaderAad(kStoreFormatVersion)));
    std::string value(1, static_cast<char>(kStoreFormatVersion));
    value += sealed;
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    return FromRocksDbStatus(
        db_->Put(write_options, Handle(ColumnFamily::kDefault),
                 ToSlice(kHeaderKey), value),
        absl::StrCat("write header of record store ", path_));
  }
  FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(
      status, absl::StrCat("read header of record store ", path_)));
  if (header.empty()) {
    return absl::DataLossError(
        absl::StrCat("record store ", path_, " has an empty header"));
  }
  const uint8_t version = static_cast<uint8_t>(header[0]);
  if (version != kStoreFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("record store ", path_, " has format version ", version,
                     "; this build reads version ", kStoreFormatVersion,
                     " (written by a newer fedlink-agent?)"));
  }
  absl::StatusOr<std::string> check = aead_.OpenWithPrependedNonce(
      absl::string_view(header).substr(1), HeaderAad(version));
  if (!check.ok()) {
    if (!absl::IsDataLoss(check.status())) return check.status();
    return absl::PermissionDeniedError(absl::StrCat(
        "the at-rest key does not open record store ", path_,
        " (a different key file, or the store header was altered)"));
  }
  if (*check != kHeaderCheck) {
    return absl::DataLossError(
        absl::StrCat("record store ", path_, " has a malformed header"));
  }
  return absl::OkStatus();
}

absl::Status RecordStore::LoadNextAuditSequence() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(
      rocksdb::ReadOptions(), Handle(ColumnFamily::kLocalAudit)));
  it->SeekToLast();
  if (it->Valid()) {
    if (it->key().size() != kAuditKeyBytes) {
      return absl::DataLossError(absl::StrCat(
          "record store ", path_, ": malformed key in local_audit"));
    }
    next_audit_sequence_ = ReadBigEndian64(ToView(it->key())) + 1;
  }
  return FromRocksDbStatus(
      it->status(), absl::StrCat("read local audit of record store ", path_));
}

absl::Status RecordStore::LoadRecordCount() {
  FEDLINK_ASSIGN_OR_RETURN(
      const std::optional<std::string> stored,
      GetSealed(ColumnFamily::kDefault, kRecordCountKey,
                absl::StrCat("read record count of record store ", path_)));
  if (stored.has_value()) {
    if (stored->size() != 8) {
      return absl::DataLossError(absl::StrCat(
          "record store ", path_, ": malformed record count"));
    }
    record_count_ = ReadLittleEndian64(*stored);
    return absl::OkStatus();
  }
  // A new store, or one written before the count was kept: count once.
  FEDLINK_ASSIGN_OR_RETURN(
      const uint64_t count,
      CountEntries(ColumnFamily::kRecords, "",
                   absl::StrCat("count records in record store ", path_)));
  std::string sealed;
  FEDLINK_RETURN_IF_ERROR(SealInto(ColumnFamily::kDefault, kRecordCountKey,
                                   LittleEndian64(count), &sealed));
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(
      db_->Put(write_options, Handle(ColumnFamily::kDefault),
               ToSlice(kRecordCountKey), sealed),
      absl::StrCat("write record count of record store ", path_)));
  record_count_ = count;
  return absl::OkStatus();
}

RecordStore::~RecordStore() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle*& handle : handles_) {
    if (handle != nullptr) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
      handle = nullptr;
    }
  }
  const rocksdb::Status status = db_->Close();
  if (!status.ok()) {
    spdlog::warn("closing record store {}: {}", path_, status.ToString());
  }
}

absl::StatusOr<crypto::HmacSha256Tag> RecordStore::RecordKeyTag(
    std::string_view local_id) const {
  FEDLINK_RETURN_IF_ERROR(ValidateLocalId(local_id));
  FEDLINK_ASSIGN_OR_RETURN(IdlePool<crypto::HmacSha256>::Lease mac,
                           record_key_macs_.Take());
  crypto::HmacSha256Tag tag;
  const absl::Span<const uint8_t> pieces[] = {crypto::AsBytes(local_id)};
  FEDLINK_RETURN_IF_ERROR(mac->ComputeInto(pieces, &tag));
  return tag;
}

absl::StatusOr<std::string> RecordStore::RecordKey(
    std::string_view local_id) const {
  FEDLINK_ASSIGN_OR_RETURN(const crypto::HmacSha256Tag tag,
                           RecordKeyTag(local_id));
  return std::string(reinterpret_cast<const char*>(tag.data()), tag.size());
}

absl::Status RecordStore::SealInto(ColumnFamily cf, std::string_view key,
                                   std::string_view plaintext,
                                   std::string* out) const {
  FEDLINK_ASSIGN_OR_RETURN(IdlePool<crypto::AeadContext>::Lease context,
                           aead_contexts_.Take());
  return context->SealWithRandomNonce(AbslView(plaintext), Aad(cf, key).pieces,
                                      out);
}

absl::StatusOr<std::string> RecordStore::Unseal(ColumnFamily cf,
                                                std::string_view key,
                                                std::string_view sealed) const {
  FEDLINK_ASSIGN_OR_RETURN(IdlePool<crypto::AeadContext>::Lease context,
                           aead_contexts_.Take());
  absl::StatusOr<std::string> plaintext =
      context->OpenWithPrependedNonce(AbslView(sealed), Aad(cf, key).pieces);
  if (!plaintext.ok() && absl::IsDataLoss(plaintext.status())) {
    return absl::DataLossError(
        absl::StrCat("record store ", path_, ": a value in column family '",
                     AbslView(ColumnFamilyName(cf)),
                     "' failed authentication (tampered with or corrupted)"));
  }
  return plaintext;
}

RecordStore::RecordLookup RecordStore::LookUpRecords(
    absl::Span<const rocksdb::Slice> keys, bool sorted,
    bool fill_cache) const {
  RecordLookup found{std::vector<rocksdb::PinnableSlice>(keys.size()),
                     std::vector<rocksdb::Status>(keys.size())};
  if (keys.empty()) return found;
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = fill_cache;
  db_->MultiGet(read_options, Handle(ColumnFamily::kRecords), keys.size(),
                keys.data(), found.values.data(), found.statuses.data(),
                sorted);
  return found;
}

absl::StatusOr<std::optional<std::string>> RecordStore::GetSealed(
    ColumnFamily cf, std::string_view key, std::string_view operation) const {
  rocksdb::PinnableSlice value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), Handle(cf), ToSlice(key), &value);
  if (status.IsNotFound()) return std::nullopt;
  FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(status, operation));
  FEDLINK_ASSIGN_OR_RETURN(std::string plaintext,
                           Unseal(cf, key, ToView(value)));
  return plaintext;
}

absl::Status RecordStore::ScanFamily(
    ColumnFamily cf, std::string_view prefix, std::string_view operation,
    absl::FunctionRef<absl::Status(std::string_view key,
                                   std::string_view value)>
        fn) const {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // scans must not evict the hot blocks
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, Handle(cf)));
  const rocksdb::Slice prefix_slice = ToSlice(prefix);
  for (it->Seek(prefix_slice);
       it->Valid() && it->key().starts_with(prefix_slice); it->Next()) {
    FEDLINK_RETURN_IF_ERROR(fn(ToView(it->key()), ToView(it->value())));
  }
  return FromRocksDbStatus(it->status(), operation);
}

absl::StatusOr<uint64_t> RecordStore::CountEntries(
    ColumnFamily cf, std::string_view prefix,
    std::string_view operation) const {
  uint64_t count = 0;
  FEDLINK_RETURN_IF_ERROR(ScanFamily(cf, prefix, operation,
                                     [&](std::string_view, std::string_view) {
                                       ++count;
                                       return absl::OkStatus();
                                     }));
  return count;
}

RecordStore::WriteBatch RecordStore::NewBatch() const {
  return WriteBatch(this);
}

absl::Status RecordStore::Commit(WriteBatch batch) {
  if (batch.store_ != this) {
    return absl::InvalidArgumentError(
        absl::StrCat("record store ", path_, ": batch of another store"));
  }
  // Sorted: record keys are random MACs, and a memtable takes sorted inserts
  // much faster. Usually done already, on the thread that built the batch.
  batch.Prepare();
  if (!batch.failure_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "record store ", path_,
        ": batch not committed, nothing written: a write in it failed: ",
        batch.failure_.message()));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_commits;
  const std::string operation =
      absl::StrCat("commit batch to record store ", path_);
  rocksdb::WriteBatch& write_batch = *batch.encoded_;
  std::lock_guard<std::mutex> lock(commit_mu_);
  FEDLINK_ASSIGN_OR_RETURN(const RecordCountChange records,
                           CountChangeOf(batch));
  const int64_t count_change = records.change;
  if (count_change < 0 &&
      static_cast<uint64_t>(-count_change) > record_count_) {
    return absl::InternalError(absl::StrCat(
        "record store ", path_, ": record count would fall below zero"));
  }
  const uint64_t record_count = record_count_ + count_change;
  if (count_change != 0) {
    std::string sealed;
    FEDLINK_RETURN_IF_ERROR(SealInto(ColumnFamily::kDefault, kRecordCountKey,
                                     LittleEndian64(record_count), &sealed));
    FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(
        write_batch.Put(Handle(ColumnFamily::kDefault),
                        ToSlice(kRecordCountKey), sealed),
        operation));
  }
  uint64_t sequence = next_audit_sequence_;
  for (const std::string& entry : batch.audit_entries_) {
    const std::string key = AuditKey(sequence++);
    std::string sealed;
    FEDLINK_RETURN_IF_ERROR(
        SealInto(ColumnFamily::kLocalAudit, key, entry, &sealed));
    FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(
        write_batch.Put(Handle(ColumnFamily::kLocalAudit), key, sealed),
        operation));
  }
  FEDLINK_RETURN_IF_ERROR(
      FromRocksDbStatus(db_->Write(write_options, &write_batch), operation));
  next_audit_sequence_ = sequence;
  record_count_ = record_count;
  if (records.writes_records) ++record_commits_;
  return absl::OkStatus();
}

absl::StatusOr<RecordStore::RecordCountChange> RecordStore::CountChangeOf(
    const WriteBatch& batch) const {
  const std::vector<WriteBatch::Operation>& ops = batch.operations_;
  const bool lookups_hold = batch.looked_up_at_ == record_commits_;
  // The batch is in write order: each record key's writes are adjacent,
  // and the last one decides whether the record exists afterwards.
  struct KeyWrites {
    std::string_view key;
    bool exists_after = false;
    WriteBatch::Operation::Existed existed =
        WriteBatch::Operation::Existed::kUnknown;
  };
  std::vector<KeyWrites> keys;
  for (const WriteBatch::Operation& op : ops) {
    if (op.cf != ColumnFamily::kRecords) continue;
    const std::string_view key = batch.KeyOf(op);
    if (keys.empty() || keys.back().key != key) keys.push_back({key});
    keys.back().exists_after = !op.is_delete;
    if (lookups_hold &&
        op.existed != WriteBatch::Operation::Existed::kUnknown) {
      keys.back().existed = op.existed;
    }
  }
  std::vector<rocksdb::Slice> unknown;
  std::vector<size_t> unknown_index;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].existed != WriteBatch::Operation::Existed::kUnknown) continue;
    unknown.push_back(ToSlice(keys[i].key));
    unknown_index.push_back(i);
  }
  if (!unknown.empty()) {
    const RecordLookup found =
        LookUpRecords(unknown, /*sorted=*/true, /*fill_cache=*/false);
    const std::string operation =
        absl::StrCat("look up records in record store ", path_);
    for (size_t u = 0; u < unknown.size(); ++u) {
      const rocksdb::Status& status = found.statuses[u];
      if (!status.IsNotFound()) {
        FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(status, operation));
      }
      keys[unknown_index[u]].existed =
          status.IsNotFound() ? WriteBatch::Operation::Existed::kNo
                              : WriteBatch::Operation::Existed::kYes;
    }
  }
  RecordCountChange result{.writes_records = !keys.empty()};
  for (const KeyWrites& k : keys) {
    const bool existed = k.existed == WriteBatch::Operation::Existed::kYes;
    result.change +=
        static_cast<int64_t>(k.exists_after) - static_cast<int64_t>(existed);
  }
  return result;
}

absl::Status RecordStore::UpsertRecord(const StoredRecord& record) {
  WriteBatch batch = NewBatch();
  FEDLINK_RETURN_IF_ERROR(batch.PutRecord(record));
  return Commit(std::move(batch));
}

absl::StatusOr<std::optional<StoredRecord>> RecordStore::GetRecord(
    std::string_view local_id) const {
  FEDLINK_ASSIGN_OR_RETURN(const std::string key, RecordKey(local_id));
  FEDLINK_ASSIGN_OR_RETURN(
      std::optional<std::string> plaintext,
      GetSealed(ColumnFamily::kRecords, key,
                absl::StrCat("read record from record store ", path_)));
  if (!plaintext.has_value()) return std::nullopt;
  return RecordFromPlaintext(std::move(*plaintext));
}

absl::StatusOr<StoredRecord> RecordStore::OpenRecord(
    std::string_view key, std::string_view sealed) const {
  FEDLINK_ASSIGN_OR_RETURN(std::string plaintext,
                           Unseal(ColumnFamily::kRecords, key, sealed));
  return RecordFromPlaintext(std::move(plaintext));
}

absl::StatusOr<std::vector<std::optional<StoredRecord>>>
RecordStore::GetRecords(absl::Span<const std::string_view> local_ids) const {
  std::vector<std::string> keys;
  keys.reserve(local_ids.size());
  for (std::string_view local_id : local_ids) {
    FEDLINK_ASSIGN_OR_RETURN(std::string key, RecordKey(local_id));
    keys.push_back(std::move(key));
  }
  std::vector<rocksdb::Slice> key_slices;
  key_slices.reserve(keys.size());
  for (const std::string& key : keys) key_slices.push_back(ToSlice(key));
  const auto [values, statuses] =
      LookUpRecords(key_slices, /*sorted=*/false, /*fill_cache=*/true);
  const std::string operation =
      absl::StrCat("read records from record store ", path_);
  std::vector<std::optional<StoredRecord>> records(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(statuses[i], operation));
    FEDLINK_ASSIGN_OR_RETURN(records[i], OpenRecord(keys[i], ToView(values[i])));
  }
  return records;
}

absl::Status RecordStore::ForEachRecord(
    absl::FunctionRef<absl::Status(StoredRecord)> fn) const {
  return ScanFamily(
      ColumnFamily::kRecords, "",
      absl::StrCat("read records from record store ", path_),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        FEDLINK_ASSIGN_OR_RETURN(StoredRecord record, OpenRecord(key, value));
        return fn(std::move(record));
      });
}

absl::StatusOr<uint64_t> RecordStore::CountRecords() const {
  std::lock_guard<std::mutex> lock(commit_mu_);
  return record_count_;
}

absl::StatusOr<RecordStore::RunWriteCheck>
RecordStore::RemoveRepeatedRunWrites(WriteBatch* batch) const {
  if (batch->store_ != this) {
    return absl::InvalidArgumentError(
        absl::StrCat("record store ", path_, ": batch of another store"));
  }
  if (!batch->failure_.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("record store ", path_,
                     ": batch not checked: a write in it failed: ",
                     batch->failure_.message()));
  }
  // In write order (which Commit needs anyway), a key's writes are adjacent
  // and the keys come sorted, as MultiGet likes them.
  batch->SortForWrite();
  std::vector<WriteBatch::Operation>& operations = batch->operations_;
  const auto tagged = [](const WriteBatch::Operation& op) {
    return op.cf == ColumnFamily::kRecords && !op.is_delete &&
           op.ingest_run != 0;
  };
  uint64_t run = 0;
  std::vector<char> remove(operations.size(), 0);
  std::vector<size_t> first_writes;  // of each key, into `operations`
  std::vector<rocksdb::Slice> keys;  // theirs, sorted
  for (size_t i = 0; i < operations.size(); ++i) {
    const WriteBatch::Operation& op = operations[i];
    if (!tagged(op)) continue;
    if (run == 0) run = op.ingest_run;
    if (op.ingest_run != run) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record store ", path_,
          ": the records of a batch to check carry different ingest runs"));
    }
    if (!first_writes.empty() &&
        batch->KeyOf(operations[first_writes.back()]) == batch->KeyOf(op)) {
      remove[i] = 1;  // repeats the write before it in this batch
      continue;
    }
    first_writes.push_back(i);
    keys.push_back(ToSlice(batch->KeyOf(op)));
  }

  // Which of those keys the store holds already, and from which run. The
  // answers also serve Commit's record count while no other record commit
  // comes between.
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    batch->looked_up_at_ = record_commits_;
  }
  // Each record is looked up once per ingest.
  const auto [values, statuses] =
      LookUpRecords(keys, /*sorted=*/true, /*fill_cache=*/false);
  RunWriteCheck check;
  const std::string operation =
      absl::StrCat("look up records in record store ", path_);
  for (size_t k = 0; k < keys.size(); ++k) {
    WriteBatch::Operation& first_write = operations[first_writes[k]];
    if (statuses[k].IsNotFound()) {
      first_write.existed = WriteBatch::Operation::Existed::kNo;
      continue;
    }
    FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(statuses[k], operation));
    first_write.existed = WriteBatch::Operation::Existed::kYes;
    FEDLINK_ASSIGN_OR_RETURN(
        std::string plaintext,
        Unseal(ColumnFamily::kRecords, ToView(keys[k]), ToView(values[k])));
    const SensitiveString bytes(std::move(plaintext));
    FEDLINK_ASSIGN_OR_RETURN(const uint64_t stored_run,
                             ParseStoredRecordIngestRun(bytes.Expose()));
    if (stored_run == run) {
      remove[first_writes[k]] = 1;
    } else {
      ++check.replacing;
    }
  }
  if (std::find(remove.begin(), remove.end(), 1) == remove.end()) {
    return check;
  }
  std::vector<WriteBatch::Operation> kept;
  kept.reserve(operations.size());
  for (size_t i = 0; i < operations.size(); ++i) {
    const WriteBatch::Operation& op = operations[i];
    if (!remove[i]) {
      kept.push_back(op);
      continue;
    }
    // Its bytes stay in the batch's buffer, unused.
    check.removed.push_back(op.record_put);
    batch->operation_bytes_ -= op.key_size + op.value_size;
    --batch->operation_count_;
  }
  operations = std::move(kept);
  batch->encoded_.reset();  // encoded the removed writes too
  std::sort(check.removed.begin(), check.removed.end());
  return check;
}

absl::StatusOr<std::optional<std::string>> RecordStore::GetJobState(
    std::string_view job_id) const {
  FEDLINK_RETURN_IF_ERROR(ValidateJobId(job_id));
  return GetSealed(ColumnFamily::kJobState, job_id,
                   absl::StrCat("read job state from record store ", path_));
}

absl::Status RecordStore::PutJobState(std::string_view job_id,
                                      std::string_view state) {
  WriteBatch batch = NewBatch();
  FEDLINK_RETURN_IF_ERROR(batch.PutJobState(job_id, state));
  return Commit(std::move(batch));
}

absl::Status RecordStore::DeleteJobState(std::string_view job_id) {
  WriteBatch batch = NewBatch();
  FEDLINK_RETURN_IF_ERROR(batch.DeleteJobState(job_id));
  return Commit(std::move(batch));
}

absl::Status RecordStore::ForEachJobState(
    absl::FunctionRef<absl::Status(std::string_view job_id, std::string state)>
        fn) const {
  return ScanFamily(
      ColumnFamily::kJobState, "",
      absl::StrCat("read job states from record store ", path_),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        FEDLINK_ASSIGN_OR_RETURN(std::string state,
                                 Unseal(ColumnFamily::kJobState, key, value));
        return fn(key, std::move(state));
      });
}

absl::Status RecordStore::ForEachPseudonym(
    std::string_view job_id,
    absl::FunctionRef<absl::Status(uint64_t pseudonym,
                                   SensitiveString local_id)>
        fn) const {
  FEDLINK_RETURN_IF_ERROR(ValidateJobId(job_id));
  const std::string prefix = PseudonymPrefix(job_id);
  return ScanFamily(
      ColumnFamily::kPseudonyms, prefix,
      absl::StrCat("read pseudonyms from record store ", path_),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        if (key.size() != prefix.size() + 8) {
          return absl::DataLossError(absl::StrCat(
              "record store ", path_, ": a malformed pseudonym key"));
        }
        FEDLINK_ASSIGN_OR_RETURN(std::string local_id,
                                 Unseal(ColumnFamily::kPseudonyms, key, value));
        return fn(ReadBigEndian64(key.substr(prefix.size())),
                  SensitiveString(std::move(local_id)));
      });
}

absl::StatusOr<uint64_t> RecordStore::CountPseudonyms(
    std::string_view job_id) const {
  FEDLINK_RETURN_IF_ERROR(ValidateJobId(job_id));
  return CountEntries(ColumnFamily::kPseudonyms, PseudonymPrefix(job_id),
                      absl::StrCat("count pseudonyms in record store ", path_));
}

absl::Status RecordStore::DropPseudonyms(std::string_view job_id) {
  FEDLINK_RETURN_IF_ERROR(ValidateJobId(job_id));
  // Every key of the job is prefix ‖ 8 bytes, so it sorts before
  // prefix ‖ 0xFF×8 ‖ 0x00, the exclusive end of the range.
  const std::string begin = PseudonymKey(job_id, 0);
  std::string end = PseudonymKey(job_id, ~uint64_t{0});
  end.push_back('\0');
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::WriteBatch batch;
  const std::string operation = absl::StrCat(
      "drop pseudonyms of job ", AbslView(job_id), " in record store ", path_);
  FEDLINK_RETURN_IF_ERROR(FromRocksDbStatus(
      batch.DeleteRange(Handle(ColumnFamily::kPseudonyms), begin, end),
      operation));
  FEDLINK_RETURN_IF_ERROR(
      FromRocksDbStatus(db_->Write(write_options, &batch), operation));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  const rocksdb::Slice begin_slice(begin);
  const rocksdb::Slice end_slice(end);
  return FromRocksDbStatus(
      db_->CompactRange(compact, Handle(ColumnFamily::kPseudonyms),
                        &begin_slice, &end_slice),
      operation);
}

absl::StatusOr<std::optional<std::string>> RecordStore::GetMeta(
    std::string_view name) const {
  FEDLINK_RETURN_IF_ERROR(
      ValidateName("meta name", name, /*allow_slash=*/true));
  return GetSealed(ColumnFamily::kMeta, name,
                   absl::StrCat("read meta from record store ", path_));
}

absl::Status RecordStore::PutMeta(std::string_view name,
                                  std::string_view value) {
  WriteBatch batch = NewBatch();
  FEDLINK_RETURN_IF_ERROR(batch.PutMeta(name, value));
  return Commit(std::move(batch));
}

absl::Status RecordStore::ForEachLocalAudit(
    absl::FunctionRef<absl::Status(uint64_t sequence, std::string entry)> fn)
    const {
  return ScanFamily(
      ColumnFamily::kLocalAudit, "",
      absl::StrCat("read local audit from record store ", path_),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        if (key.size() != kAuditKeyBytes) {
          return absl::DataLossError(absl::StrCat(
              "record store ", path_, ": malformed key in local_audit"));
        }
        FEDLINK_ASSIGN_OR_RETURN(std::string entry,
                                 Unseal(ColumnFamily::kLocalAudit, key, value));
        return fn(ReadBigEndian64(key), std::move(entry));
      });
}

absl::Status RecordStore::Flush() {
  rocksdb::FlushOptions flush_options;
  flush_options.wait = true;
  const std::vector<rocksdb::ColumnFamilyHandle*> handles(handles_.begin(),
                                                          handles_.end());
  return FromRocksDbStatus(db_->Flush(flush_options, handles),
                           absl::StrCat("flush record store ", path_));
}

// --- WriteBatch ------------------------------------------------------------

absl::Status RecordStore::WriteBatch::Note(absl::Status status) {
  ++operation_count_;
  if (!status.ok() && failure_.ok()) failure_ = status;
  return status;
}

absl::Status RecordStore::WriteBatch::Put(ColumnFamily cf,
                                          std::string_view key,
                                          std::string_view plaintext) {
  // The value is sealed straight into the buffer, then the key follows it
  // (`key` may not point into bytes_, which sealing may reallocate).
  Operation op{.cf = cf, .is_delete = false};
  op.value_offset = bytes_.size();
  FEDLINK_RETURN_IF_ERROR(store_->SealInto(cf, key, plaintext, &bytes_));
  op.value_size = bytes_.size() - op.value_offset;
  op.key_offset = bytes_.size();
  op.key_size = key.size();
  op.key_prefix = KeyPrefix(key);
  bytes_.append(key);
  operation_bytes_ += op.key_size + op.value_size;
  Append(op);
  return absl::OkStatus();
}

void RecordStore::WriteBatch::Delete(ColumnFamily cf, std::string_view key) {
  Operation op{.cf = cf, .is_delete = true};
  op.key_offset = bytes_.size();
  op.key_size = key.size();
  op.key_prefix = KeyPrefix(key);
  bytes_.append(key);
  operation_bytes_ += op.key_size;
  Append(op);
}

void RecordStore::WriteBatch::Append(Operation op) {
  if (sorted_ && !operations_.empty() &&
      InWriteOrder(op, operations_.back())) {
    sorted_ = false;
  }
  operations_.push_back(op);
  if (encoded_ != nullptr) Encode(op);
}

void RecordStore::WriteBatch::Encode(const Operation& op) {
  rocksdb::ColumnFamilyHandle* const handle = store_->Handle(op.cf);
  const rocksdb::Status status =
      op.is_delete ? encoded_->Delete(handle, ToSlice(KeyOf(op)))
                   : encoded_->Put(handle, ToSlice(KeyOf(op)),
                                   ToSlice(ValueOf(op)));
  if (!status.ok() && failure_.ok()) {
    failure_ = FromRocksDbStatus(status, "encode a write");
  }
}

void RecordStore::WriteBatch::SortForWrite() {
  if (sorted_) return;
  std::stable_sort(operations_.begin(), operations_.end(),
                   [this](const Operation& a, const Operation& b) {
                     return InWriteOrder(a, b);
                   });
  sorted_ = true;
  encoded_.reset();
}

void RecordStore::WriteBatch::Prepare() {
  SortForWrite();
  if (encoded_ != nullptr) return;
  encoded_ = std::make_unique<rocksdb::WriteBatch>(
      operation_bytes_ + 32 * (operations_.size() + 1));
  for (const Operation& op : operations_) Encode(op);
}

absl::Status RecordStore::WriteBatch::PutRecord(const StoredRecord& record) {
  const size_t number = record_puts_++;
  return Note([&]() -> absl::Status {
    FEDLINK_ASSIGN_OR_RETURN(const SensitiveString bytes,
                             SerializeStoredRecord(record));
    FEDLINK_ASSIGN_OR_RETURN(const crypto::HmacSha256Tag key,
                             store_->RecordKeyTag(record.local_id.Expose()));
    FEDLINK_RETURN_IF_ERROR(
        Put(ColumnFamily::kRecords,
            std::string_view(reinterpret_cast<const char*>(key.data()),
                             key.size()),
            bytes.Expose()));
    operations_.back().record_put = number;
    operations_.back().ingest_run = record.ingest_run;
    return absl::OkStatus();
  }());
}

absl::Status RecordStore::WriteBatch::DeleteRecord(std::string_view local_id) {
  return Note([&]() -> absl::Status {
    FEDLINK_ASSIGN_OR_RETURN(const std::string key,
                             store_->RecordKey(local_id));
    Delete(ColumnFamily::kRecords, key);
    return absl::OkStatus();
  }());
}

absl::Status RecordStore::WriteBatch::PutJobState(std::string_view job_id,
                                                  std::string_view state) {
  return Note([&]() -> absl::Status {
    FEDLINK_RETURN_IF_ERROR(ValidateJobId(job_id));
    FEDLINK_RETURN_IF_ERROR(ValidateOpaqueValue("job state", state.size()));
    return Put(ColumnFamily::kJobState, job_id, state);
  }());
}

absl::Status RecordStore::WriteBatch::DeleteJobState(std::string_view job_id) {
  return Note([&]() -> absl::Status {
    FEDLINK_RETURN_IF_ERROR(ValidateJobId(job_id));
    Delete(ColumnFamily::kJobState, job_id);
    return absl::OkStatus();
  }());
}

absl::Status RecordStore::WriteBatch::PutPseudonym(std::string_view job_id,
                                                   uint64_t pseudonym,
                                                   std::string_view local_id) {
  return Note([&]() -> absl::Status {
    FEDLINK_RETURN_IF_ERROR(ValidateJobId(job_id));
    FEDLINK_RETURN_IF_ERROR(ValidateLocalId(local_id));
    return Put(ColumnFamily::kPseudonyms, PseudonymKey(job_id, pseudonym),
               local_id);
  }());
}

absl::Status RecordStore::WriteBatch::PutMeta(std::string_view name,
                                              std::string_view value) {
  return Note([&]() -> absl::Status {
    FEDLINK_RETURN_IF_ERROR(
        ValidateName("meta name", name, /*allow_slash=*/true));
    FEDLINK_RETURN_IF_ERROR(ValidateOpaqueValue("meta value", value.size()));
    return Put(ColumnFamily::kMeta, name, value);
  }());
}

absl::Status RecordStore::WriteBatch::AppendLocalAudit(std::string_view entry) {
  return Note([&]() -> absl::Status {
    FEDLINK_RETURN_IF_ERROR(
        ValidateOpaqueValue("local audit entry", entry.size()));
    audit_entries_.emplace_back(entry);
    return absl::OkStatus();
  }());
}

}  // namespace fedlink::agent
