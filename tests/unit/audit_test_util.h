// Shared fixtures of the audit_* tests: a temporary RocksDB with an audit
// column family, a fixed signing key, a settable clock and realistic entries.
#ifndef FEDLINK_TESTS_UNIT_AUDIT_TEST_UTIL_H_
#define FEDLINK_TESTS_UNIT_AUDIT_TEST_UTIL_H_

#include <rocksdb/db.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fedlink/v1/audit.pb.h"
#include "gtest/gtest.h"
#include "linkage/crypto/ed25519.h"
#include "linkage/crypto/secret_bytes.h"
#include "proto/audit/audit_log.h"

namespace fedlink::audit::testing {

inline constexpr char kLogId[] = "coordinator";

// The RFC 8032 §7.1 TEST 1 and TEST 2 private keys.
inline crypto::Ed25519PrivateKey TestKey(int which = 1) {
  const std::string seed = absl::HexStringToBytes(
      which == 1 ? "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
                 : "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  absl::StatusOr<crypto::Ed25519PrivateKey> key =
      crypto::Ed25519PrivateKey::FromBytes(crypto::SecretBytes(
          absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(seed.data()), seed.size())));
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

// A clock tests move by hand; starts 2026-12-01T06:00:00Z.
struct TestClock {
  absl::Time now = absl::FromUnixSeconds(1796104800);
  std::function<absl::Time()> Function() {
    return [this] { return now; };
  }
};

// An entry as the coordinator would log it; `i` varies every field a little.
inline v1::AuditEntry MakeEntry(uint64_t i) {
  v1::AuditEntry entry;
  entry.set_time_unix_ms(1796104800000 + i * 10);
  entry.mutable_actor()->set_role(v1::ROLE_AGENT);
  entry.mutable_actor()->set_name("health-dept");
  entry.mutable_actor()->set_agency("health-dept");
  entry.set_action(v1::AUDIT_ACTION_ENCODINGS_UPLOADED);
  entry.set_outcome(v1::AUDIT_OUTCOME_OK);
  entry.set_job_id(absl::StrCat("job-", i % 7));
  entry.set_agency("health-dept");
  entry.set_rpc("fedlink.v1.Coordinator/UploadEncodings");
  entry.set_reason(absl::StrCat("batch accepted after validation, sequence ", i));
  v1::AuditCount* records = entry.add_counts();
  records->set_name("records");
  records->set_value(4096 + i);
  v1::AuditCount* batches = entry.add_counts();
  batches->set_name("batches");
  batches->set_value(i + 1);
  return entry;
}

// A fresh RocksDB in a temporary directory with an "audit" column family;
// removed again on destruction.
class TempAuditDb {
 public:
  TempAuditDb() {
    std::string pattern = ::testing::TempDir() + "/fedlink_audit_XXXXXX";
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
    Open();
  }
  ~TempAuditDb() {
    Close();
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  void Open() {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"audit", rocksdb::ColumnFamilyOptions()}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    const rocksdb::Status status = rocksdb::DB::Open(options, path_, families, &handles, &db);
    ASSERT_TRUE(status.ok()) << status.ToString();
    db_.reset(db);
    default_family_ = handles[0];
    audit_family_ = handles[1];
  }

  void Close() {
    if (db_ == nullptr) return;
    EXPECT_TRUE(db_->DestroyColumnFamilyHandle(default_family_).ok());
    EXPECT_TRUE(db_->DestroyColumnFamilyHandle(audit_family_).ok());
    db_.reset();
  }

  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* family() { return audit_family_; }
  rocksdb::ColumnFamilyHandle* default_family() { return default_family_; }

 private:
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_family_ = nullptr;
  rocksdb::ColumnFamilyHandle* audit_family_ = nullptr;
};

inline AuditLogOptions TestOptions(TestClock* clock, std::string log_id = kLogId) {
  AuditLogOptions options;
  options.log_id = std::move(log_id);
  options.clock = clock->Function();
  options.sync_writes = false;  // tests do not survive power cuts
  return options;
}

inline std::unique_ptr<AuditLog> OpenLog(TempAuditDb& db, TestClock* clock, int key = 1,
                                         std::string log_id = kLogId) {
  absl::StatusOr<std::unique_ptr<AuditLog>> log =
      AuditLog::Open(db.db(), db.family(), TestKey(key), TestOptions(clock, std::move(log_id)));
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

}  // namespace fedlink::audit::testing

#endif  // FEDLINK_TESTS_UNIT_AUDIT_TEST_UTIL_H_
