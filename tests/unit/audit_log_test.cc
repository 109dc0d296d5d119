#include "proto/audit/audit_log.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "linkage/crypto/merkle.h"
#include "proto/audit/audit_log_keys.h"
#include "proto/audit/tree_head.h"
#include "tests/unit/audit_test_util.h"

namespace fedlink::audit {
namespace {

using testing::kLogId;
using testing::MakeEntry;
using testing::OpenLog;
using testing::TempAuditDb;
using testing::TestClock;
using testing::TestKey;
using testing::TestOptions;

MerkleHash LeafOf(const std::string& bytes) {
  return crypto::MerkleLeafHash(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::vector<std::string> Raw(const google::protobuf::RepeatedPtrField<std::string>& path) {
  return std::vector<std::string>(path.begin(), path.end());
}

std::vector<std::string> Raw(const std::vector<MerkleHash>& hashes) {
  std::vector<std::string> out;
  for (const MerkleHash& h : hashes) out.emplace_back(h.begin(), h.end());
  return out;
}

std::string RootBytes(const MerkleHash& h) { return std::string(h.begin(), h.end()); }

size_t CountKeys(TempAuditDb& db) {
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions(), db.family()));
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = OpenLog(db_, &clock_);
    ASSERT_NE(log_, nullptr);
  }

  // Appends entries [begin, end) of MakeEntry one call at a time, mirroring
  // them into a reference leaf list.
  void AppendRange(uint64_t begin, uint64_t end) {
    for (uint64_t i = begin; i < end; ++i) {
      const v1::AuditEntry entry = MakeEntry(i);
      absl::StatusOr<uint64_t> index = log_->Append(entry);
      ASSERT_TRUE(index.ok()) << index.status();
      ASSERT_EQ(*index, i);
      reference_.Append(LeafOf(entry.SerializeAsString()));
    }
  }

  TestClock clock_;
  TempAuditDb db_;
  std::unique_ptr<AuditLog> log_;
  crypto::InMemoryMerkleLeafHashes reference_;
};

TEST_F(AuditLogTest, RootsAndProofsMatchTheReferenceImplementation) {
  EXPECT_EQ(log_->tree_size(), 0u);
  EXPECT_EQ(RootBytes(log_->root()), RootBytes(crypto::MerkleEmptyRoot()));
  AppendRange(0, 37);
  ASSERT_EQ(log_->tree_size(), 37u);
  for (uint64_t n = 0; n <= 37; ++n) {
    absl::StatusOr<MerkleHash> root = log_->RootAt(n);
    absl::StatusOr<MerkleHash> expected = crypto::MerkleRoot(reference_, n);
    ASSERT_TRUE(root.ok() && expected.ok()) << root.status();
    ASSERT_EQ(RootBytes(*root), RootBytes(*expected)) << n;
    for (uint64_t i = 0; i < n; ++i) {
      absl::StatusOr<v1::InclusionProof> proof = log_->InclusionProof(i, n);
      absl::StatusOr<std::vector<MerkleHash>> reference =
          crypto::MerkleInclusionProof(reference_, i, n);
      ASSERT_TRUE(proof.ok() && reference.ok()) << proof.status();
      EXPECT_EQ(proof->leaf_index(), i);
      EXPECT_EQ(proof->tree_size(), n);
      ASSERT_EQ(Raw(proof->path()), Raw(*reference)) << i << " in " << n;
    }
    for (uint64_t m = 0; m <= n; ++m) {
      absl::StatusOr<v1::ConsistencyProof> proof = log_->ConsistencyProof(m, n);
      absl::StatusOr<std::vector<MerkleHash>> reference =
          crypto::MerkleConsistencyProof(reference_, m, n);
      ASSERT_TRUE(proof.ok() && reference.ok()) << proof.status();
      ASSERT_EQ(Raw(proof->path()), Raw(*reference)) << m << " -> " << n;
    }
  }
  EXPECT_EQ(RootBytes(log_->root()), RootBytes(*crypto::MerkleRoot(reference_, 37)));
}

TEST_F(AuditLogTest, SignedHeadsCoverTheEntriesAndProofsVerifyAgainstThem) {
  AppendRange(0, 5);
  std::vector<v1::AuditEntry> batch;
  for (uint64_t i = 5; i < 12; ++i) batch.push_back(MakeEntry(i));
  absl::StatusOr<v1::SignedTreeHead> head = log_->AppendBatchAndSign(batch);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->head().tree_size(), 12u);
  EXPECT_EQ(head->head().log_id(), kLogId);
  EXPECT_EQ(head->head().timestamp_unix_ms(),
            static_cast<uint64_t>(absl::ToUnixMillis(clock_.now)));
  EXPECT_EQ(head->head().root_hash(), RootBytes(log_->root()));
  EXPECT_TRUE(VerifySignedTreeHead(*head, TestKey().public_key(), kLogId).ok());

  absl::StatusOr<v1::SignedTreeHead> stored = log_->GetSignedHead(12);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->SerializeAsString(), head->SerializeAsString());
  EXPECT_EQ(log_->GetSignedHead(5).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(log_->latest_signed_head().has_value());

  absl::StatusOr<std::vector<v1::LoggedEntry>> entries = log_->GetEntries(0, 12);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 12u);
  for (uint64_t i = 0; i < 12; ++i) {
    EXPECT_EQ((*entries)[i].index(), i);
    EXPECT_EQ((*entries)[i].entry(), MakeEntry(i).SerializeAsString());
    absl::StatusOr<v1::InclusionProof> proof = log_->InclusionProof(i, 12);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(VerifyInclusionProof(*proof, (*entries)[i].entry(), head->head()).ok()) << i;
  }
  // Size 0 is a head too (a fresh log's receipt).
  TempAuditDb other_db;
  std::unique_ptr<AuditLog> empty = OpenLog(other_db, &clock_);
  absl::StatusOr<v1::SignedTreeHead> empty_head = empty->SignHead();
  ASSERT_TRUE(empty_head.ok());
  EXPECT_EQ(empty_head->head().root_hash(), RootBytes(crypto::MerkleEmptyRoot()));
}

TEST_F(AuditLogTest, ReopenedLogHasTheSameTreeAndKeepsGrowingConsistently) {
  AppendRange(0, 21);
  absl::StatusOr<v1::SignedTreeHead> old_head = log_->SignHead();
  ASSERT_TRUE(old_head.ok());
  AppendRange(21, 23);  // appended after the last head: kept, unsigned
  const std::string root = RootBytes(log_->root());
  log_.reset();
  db_.Close();
  db_.Open();
  log_ = OpenLog(db_, &clock_);
  ASSERT_NE(log_, nullptr);
  EXPECT_EQ(log_->tree_size(), 23u);
  EXPECT_EQ(RootBytes(log_->root()), root);
  ASSERT_TRUE(log_->latest_signed_head().has_value());
  EXPECT_EQ(log_->latest_signed_head()->SerializeAsString(), old_head->SerializeAsString());

  AppendRange(23, 40);
  absl::StatusOr<v1::SignedTreeHead> new_head = log_->SignHead();
  ASSERT_TRUE(new_head.ok());
  EXPECT_EQ(RootBytes(log_->root()), RootBytes(*crypto::MerkleRoot(reference_, 40)));
  absl::StatusOr<v1::ConsistencyProof> proof = log_->ConsistencyProof(21, 40);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(VerifyConsistencyProof(*proof, old_head->head(), new_head->head()).ok());
}

TEST_F(AuditLogTest, BatchWithABadEntryWritesNothing) {
  AppendRange(0, 3);
  const size_t keys_before = CountKeys(db_);
  const std::string root_before = RootBytes(log_->root());
  std::vector<v1::AuditEntry> batch = {MakeEntry(3), MakeEntry(4), MakeEntry(5)};
  batch[2].set_job_id("Not A Job Id!");  // breaks TEXT_SYNTAX_NAME
  absl::StatusOr<v1::SignedTreeHead> head = log_->AppendBatchAndSign(batch);
  ASSERT_EQ(head.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(head.status().message().find("AuditEntry[2].job_id"), std::string::npos)
      << head.status();
  EXPECT_EQ(head.status().message().find("Not A Job Id"), std::string::npos)
      << "errors never quote values";
  batch[2] = MakeEntry(5);
  batch[1].clear_actor();  // required
  EXPECT_EQ(log_->AppendBatch(batch).status().code(), absl::StatusCode::kInvalidArgument);
  batch[1] = MakeEntry(4);
  batch[0].set_reason(std::string(2001, 'x'));  // over the field limit
  EXPECT_EQ(log_->AppendBatch(batch).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->tree_size(), 3u);
  EXPECT_EQ(RootBytes(log_->root()), root_before);
  EXPECT_EQ(CountKeys(db_), keys_before);
  EXPECT_FALSE(log_->latest_signed_head().has_value());
  // An empty batch is a no-op for AppendBatch.
  absl::StatusOr<uint64_t> empty = log_->AppendBatch({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 3u);
  EXPECT_EQ(CountKeys(db_), keys_before);
}

TEST_F(AuditLogTest, StoresUnderTwoNodesPerEntry) {
  AppendRange(0, 256);
  // 256 entries, 256 leaf hashes, 255 interior nodes, the size.
  EXPECT_EQ(CountKeys(db_), 256u + 256u + 255u + 1u);
}

TEST_F(AuditLogTest, SignHeadIfDueSignsOnlyDirtyLogsAfterMaxAge) {
  const absl::Duration kMinute = absl::Minutes(1);
  absl::StatusOr<std::optional<v1::SignedTreeHead>> due = log_->SignHeadIfDue(kMinute);
  ASSERT_TRUE(due.ok());
  EXPECT_FALSE(due->has_value()) << "empty and never signed: nothing to sign";

  AppendRange(0, 2);
  due = log_->SignHeadIfDue(kMinute);
  ASSERT_TRUE(due.ok() && due->has_value()) << "never signed: due at once";
  EXPECT_EQ((*due)->head().tree_size(), 2u);

  clock_.now += absl::Minutes(5);
  due = log_->SignHeadIfDue(kMinute);
  ASSERT_TRUE(due.ok());
  EXPECT_FALSE(due->has_value()) << "old but clean";

  AppendRange(2, 3);
  due = log_->SignHeadIfDue(absl::Minutes(10));
  ASSERT_TRUE(due.ok());
  EXPECT_FALSE(due->has_value()) << "dirty but younger than max_age";
  due = log_->SignHeadIfDue(kMinute);
  ASSERT_TRUE(due.ok() && due->has_value()) << "dirty and old";
  EXPECT_EQ((*due)->head().tree_size(), 3u);
  EXPECT_EQ((*due)->head().timestamp_unix_ms(),
            static_cast<uint64_t>(absl::ToUnixMillis(clock_.now)));
}

TEST_F(AuditLogTest, HeadTimestampsNeverGoBackwards) {
  AppendRange(0, 1);
  absl::StatusOr<v1::SignedTreeHead> first = log_->SignHead();
  ASSERT_TRUE(first.ok());
  clock_.now -= absl::Hours(1);  // the clock is set back
  AppendRange(1, 2);
  absl::StatusOr<v1::SignedTreeHead> second = log_->SignHead();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->head().timestamp_unix_ms(), first->head().timestamp_unix_ms());
  EXPECT_TRUE(VerifySignedTreeHead(*second, TestKey().public_key(), kLogId).ok());
}

TEST_F(AuditLogTest, ReadsRejectRangesBeyondTheTree) {
  AppendRange(0, 10);
  EXPECT_EQ(log_->GetEntries(5, 11).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->GetEntries(6, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->GetEntries(0, AuditLog::kMaxEntriesPerGet + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->InclusionProof(3, 11).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->InclusionProof(10, 10).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->ConsistencyProof(3, 11).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->ConsistencyProof(6, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->RootAt(11).status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::vector<v1::LoggedEntry>> middle = log_->GetEntries(4, 7);
  ASSERT_TRUE(middle.ok());
  ASSERT_EQ(middle->size(), 3u);
  EXPECT_EQ((*middle)[0].index(), 4u);
  // A visitor's error stops the scan and comes back unchanged.
  int visited = 0;
  const absl::Status stopped = log_->ScanEntries(0, 10, [&](const v1::LoggedEntry&) {
    return ++visited == 3 ? absl::CancelledError("enough") : absl::OkStatus();
  });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(visited, 3);
}

TEST_F(AuditLogTest, GetSignedHeadsAndExportStopAtTheLatestHead) {
  for (uint64_t i = 0; i < 6; ++i) {
    ASSERT_TRUE(log_->AppendBatchAndSign({MakeEntry(i)}).ok());
  }
  AppendRange(6, 8);  // not signed yet
  absl::StatusOr<std::vector<v1::SignedTreeHead>> heads = log_->GetSignedHeads(2, 4);
  ASSERT_TRUE(heads.ok());
  ASSERT_EQ(heads->size(), 3u);
  EXPECT_EQ((*heads)[0].head().tree_size(), 2u);
  EXPECT_EQ((*heads)[2].head().tree_size(), 4u);
  absl::StatusOr<AuditLogExport> exported = log_->Export();
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->entries.size(), 6u);
  EXPECT_EQ(exported->heads.size(), 6u);
}

// The coordinator's receipts pass the agent's check, from nothing and from
// the last size the agent recorded.
TEST_F(AuditLogTest, ReceiptsPassTheAgentsCheck) {
  absl::StatusOr<v1::Receipt> first = log_->MakeReceipt(0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->tree_head().head().tree_size(), 0u) << "signed on demand";
  EXPECT_FALSE(first->has_consistency());
  const crypto::Ed25519PublicKey key = TestKey().public_key();
  ASSERT_TRUE(VerifyReceipt(*first, key, kLogId, nullptr).ok());

  ASSERT_TRUE(log_->AppendBatchAndSign({MakeEntry(0), MakeEntry(1), MakeEntry(2)}).ok());
  absl::StatusOr<v1::Receipt> second = log_->MakeReceipt(0);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(VerifyReceipt(*second, key, kLogId, &first->tree_head()).ok());

  clock_.now += absl::Seconds(1);
  ASSERT_TRUE(log_->AppendBatchAndSign({MakeEntry(3), MakeEntry(4)}).ok());
  absl::StatusOr<v1::Receipt> third = log_->MakeReceipt(3);
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(third->has_consistency());
  EXPECT_EQ(third->tree_head().head().tree_size(), 5u);
  EXPECT_TRUE(VerifyReceipt(*third, key, kLogId, &second->tree_head()).ok());

  EXPECT_EQ(log_->MakeReceipt(6).status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Opening checks ------------------------------------------------------------

TEST_F(AuditLogTest, RefusesAnotherKeyOrLogIdOnceHeadsExist) {
  AppendRange(0, 4);
  ASSERT_TRUE(log_->SignHead().ok());
  log_.reset();
  absl::StatusOr<std::unique_ptr<AuditLog>> other_key =
      AuditLog::Open(db_.db(), db_.family(), TestKey(2), TestOptions(&clock_));
  EXPECT_EQ(other_key.status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<std::unique_ptr<AuditLog>> other_id =
      AuditLog::Open(db_.db(), db_.family(), TestKey(), TestOptions(&clock_, "agent/a"));
  EXPECT_EQ(other_id.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(OpenLog(db_, &clock_), nullptr);
}

TEST_F(AuditLogTest, RefusesBadOptionsAndForeignData) {
  AuditLogOptions bad = TestOptions(&clock_, "");
  EXPECT_EQ(AuditLog::Open(db_.db(), db_.family(), TestKey(), bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = TestOptions(&clock_, "Has Spaces");
  EXPECT_EQ(AuditLog::Open(db_.db(), db_.family(), TestKey(), bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = TestOptions(&clock_);
  bad.clock = nullptr;
  EXPECT_EQ(AuditLog::Open(db_.db(), db_.family(), TestKey(), bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(db_.db()->Put(rocksdb::WriteOptions(), db_.default_family(), "x", "y").ok());
  EXPECT_EQ(AuditLog::Open(db_.db(), db_.default_family(), TestKey(), TestOptions(&clock_))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

// Damage done to the database behind the log's back is found when it opens.
TEST_F(AuditLogTest, OpeningFindsDamagedStorage) {
  AppendRange(0, 12);
  ASSERT_TRUE(log_->SignHead().ok());
  log_.reset();
  rocksdb::DB* db = db_.db();
  auto reopen_code = [&] {
    return AuditLog::Open(db, db_.family(), TestKey(), TestOptions(&clock_)).status().code();
  };
  // A tree node rewritten: the stored tree no longer matches the signed head.
  std::string node;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), db_.family(), NodeKey({3, 0}), &node).ok());
  std::string damaged = node;
  damaged[0] ^= 1;
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), db_.family(), NodeKey({3, 0}), damaged).ok());
  EXPECT_EQ(reopen_code(), absl::StatusCode::kDataLoss);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), db_.family(), NodeKey({3, 0}), node).ok());
  // The last entry deleted.
  std::string last;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), db_.family(), EntryKey(11), &last).ok());
  ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), db_.family(), EntryKey(11)).ok());
  EXPECT_EQ(reopen_code(), absl::StatusCode::kDataLoss);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), db_.family(), EntryKey(11), last).ok());
  // An entry slipped in after the end.
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), db_.family(), EntryKey(12), last).ok());
  EXPECT_EQ(reopen_code(), absl::StatusCode::kDataLoss);
  ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), db_.family(), EntryKey(12)).ok());
  // The size cut back by one (entry 11 is then beyond it).
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), db_.family(), kTreeSizeKey, EncodeUint64(11)).ok());
  EXPECT_EQ(reopen_code(), absl::StatusCode::kDataLoss);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), db_.family(), kTreeSizeKey, EncodeUint64(12)).ok());
  // All repaired: opens again.
  EXPECT_EQ(reopen_code(), absl::StatusCode::kOk);
  // A deleted middle entry is found by reads.
  ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), db_.family(), EntryKey(5)).ok());
  log_ = OpenLog(db_, &clock_);
  ASSERT_NE(log_, nullptr);
  EXPECT_EQ(log_->GetEntries(0, 12).status().code(), absl::StatusCode::kDataLoss);
}

// Appends from several threads (grouped commits) while another reads
// proofs: every call's entries are contiguous and covered by the head it got
// back, and every proof verifies against the head it was taken for.
TEST_F(AuditLogTest, ConcurrentAppendsAndProofs) {
  constexpr uint64_t kWriters = 4;
  constexpr uint64_t kCallsPerWriter = 60;
  constexpr uint64_t kPerCall = 3;
  std::atomic<bool> done{false};
  std::atomic<int> proofs_checked{0};
  std::vector<std::thread> threads;
  for (uint64_t w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      uint64_t last_size = 0;
      for (uint64_t c = 0; c < kCallsPerWriter; ++c) {
        std::vector<v1::AuditEntry> call;
        for (uint64_t k = 0; k < kPerCall; ++k) {
          call.push_back(MakeEntry((w * 1000 + c) * kPerCall + k));
        }
        absl::StatusOr<v1::SignedTreeHead> head = log_->AppendBatchAndSign(call);
        ASSERT_TRUE(head.ok()) << head.status();
        EXPECT_GE(head->head().tree_size(), last_size + kPerCall) << "covers this call";
        EXPECT_TRUE(VerifySignedTreeHead(*head, TestKey().public_key(), kLogId).ok());
        last_size = head->head().tree_size();
      }
    });
  }
  std::thread reader([&] {
    while (!done.load() || proofs_checked.load() == 0) {
      const std::optional<v1::SignedTreeHead> head = log_->latest_signed_head();
      if (!head.has_value()) continue;
      const uint64_t size = head->head().tree_size();
      const uint64_t index = size / 2;
      absl::StatusOr<std::vector<v1::LoggedEntry>> entry = log_->GetEntries(index, index + 1);
      absl::StatusOr<v1::InclusionProof> proof = log_->InclusionProof(index, size);
      ASSERT_TRUE(entry.ok() && proof.ok());
      EXPECT_TRUE(VerifyInclusionProof(*proof, (*entry)[0].entry(), head->head()).ok());
      ++proofs_checked;
    }
  });
  for (std::thread& t : threads) t.join();
  done = true;
  reader.join();
  const uint64_t total = kWriters * kCallsPerWriter * kPerCall;
  ASSERT_EQ(log_->tree_size(), total);
  absl::StatusOr<std::vector<v1::LoggedEntry>> entries = log_->GetEntries(0, total);
  ASSERT_TRUE(entries.ok());
  for (uint64_t p = 0; p < total; p += kPerCall) {
    for (uint64_t k = 0; k < kPerCall; ++k) {
      v1::AuditEntry entry;
      ASSERT_TRUE(entry.ParseFromString((*entries)[p + k].entry()));
      const uint64_t id = (entry.time_unix_ms() - MakeEntry(0).time_unix_ms()) / 10;
      EXPECT_EQ(id % kPerCall, k) << "call split at position " << p;
      if (k > 0) {
        v1::AuditEntry first;
        ASSERT_TRUE(first.ParseFromString((*entries)[p].entry()));
        EXPECT_EQ(id / kPerCall,
                  (first.time_unix_ms() - MakeEntry(0).time_unix_ms()) / 10 / kPerCall);
      }
    }
  }
  absl::StatusOr<AuditLogExport> exported = log_->Export();
  ASSERT_TRUE(exported.ok());
  EXPECT_LE(exported->heads.size(), kWriters * kCallsPerWriter);
}

}  // namespace
}  // namespace fedlink::audit
