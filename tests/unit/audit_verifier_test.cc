#include "proto/audit/audit_verifier.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "proto/audit/audit_log.h"
#include "proto/audit/audit_log_keys.h"
#include "proto/audit/first_bad_entry_search.h"
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

constexpr uint64_t kEntries = 20;

AuditVerifyOptions Options(std::optional<v1::SignedTreeHead> saved = std::nullopt) {
  AuditVerifyOptions options{TestKey().public_key(), kLogId, std::move(saved), nullptr};
  return options;
}

AuditVerdict Verify(const AuditLogExport& log, AuditVerifyOptions options = Options()) {
  absl::StatusOr<AuditVerdict> verdict = VerifyAuditLog(log, std::move(options));
  EXPECT_TRUE(verdict.ok()) << verdict.status();
  return verdict.ok() ? *verdict : AuditVerdict{};
}

// The verdict names `problem` at `index`.
void ExpectBad(const AuditVerdict& verdict, AuditProblem problem, uint64_t index) {
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(AuditProblemName(verdict.problem), AuditProblemName(problem)) << verdict.reason;
  ASSERT_TRUE(verdict.first_bad_index.has_value());
  EXPECT_EQ(*verdict.first_bad_index, index) << verdict.reason;
  EXPECT_FALSE(verdict.reason.empty());
  EXPECT_FALSE(verdict.latest_verified_head.has_value());
}

// Re-signs `head` with `key` (a forger's, or the log's own for an insider).
v1::SignedTreeHead Resign(const v1::TreeHead& head, int key) {
  absl::StatusOr<v1::SignedTreeHead> out = SignTreeHead(head, TestKey(key));
  EXPECT_TRUE(out.ok()) << out.status();
  return *std::move(out);
}

// A coordinator log of 20 entries with a signed head after every append
// (what the coordinator does when each event is its own batch).
class AuditVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = OpenLog(db_, &clock_);
    ASSERT_NE(log_, nullptr);
    for (uint64_t i = 0; i < kEntries; ++i) {
      clock_.now += absl::Seconds(1);
      ASSERT_TRUE(log_->AppendBatchAndSign({MakeEntry(i)}).ok());
    }
    absl::StatusOr<AuditLogExport> exported = log_->Export();
    ASSERT_TRUE(exported.ok());
    export_ = *std::move(exported);
    ASSERT_EQ(export_.entries.size(), kEntries);
    ASSERT_EQ(export_.heads.size(), kEntries);
  }

  // The head of size `size` in the export.
  v1::SignedTreeHead& HeadOfSize(uint64_t size) {
    for (v1::SignedTreeHead& head : export_.heads) {
      if (head.head().tree_size() == size) return head;
    }
    ADD_FAILURE() << "no head of size " << size;
    return export_.heads.front();
  }

  TestClock clock_;
  TempAuditDb db_;
  std::unique_ptr<AuditLog> log_;
  AuditLogExport export_;
};

TEST_F(AuditVerifierTest, UntouchedLogVerifies) {
  const AuditVerdict verdict = Verify(export_);
  EXPECT_TRUE(verdict.ok()) << verdict.reason;
  EXPECT_EQ(verdict.entries_checked, kEntries);
  EXPECT_EQ(verdict.heads_verified, kEntries);
  ASSERT_TRUE(verdict.latest_verified_head.has_value());
  EXPECT_EQ(verdict.latest_verified_head->head().tree_size(), kEntries);
  EXPECT_FALSE(verdict.first_bad_index.has_value());
  // Heads in any order.
  std::reverse(export_.heads.begin(), export_.heads.end());
  EXPECT_TRUE(Verify(export_).ok());
}

TEST_F(AuditVerifierTest, NextVerificationFromTheSavedHeadPasses) {
  const AuditVerdict first = Verify(export_);
  ASSERT_TRUE(first.ok());
  for (uint64_t i = kEntries; i < kEntries + 5; ++i) {
    ASSERT_TRUE(log_->AppendBatchAndSign({MakeEntry(i)}).ok());
  }
  absl::StatusOr<AuditLogExport> later = log_->Export();
  ASSERT_TRUE(later.ok());
  const AuditVerdict second = Verify(*later, Options(first.latest_verified_head));
  EXPECT_TRUE(second.ok()) << second.reason;
  EXPECT_EQ(second.latest_verified_head->head().tree_size(), kEntries + 5);
}

TEST_F(AuditVerifierTest, OneByteChangedInAnEntry) {
  // A byte inside the reason text: the entry still parses, only the hashes
  // give it away.
  std::string& bytes = *export_.entries[7].mutable_entry();
  const size_t at = bytes.find("validation");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'V';
  ExpectBad(Verify(export_), AuditProblem::kRootMismatch, 7);
}

// The same change made in the log's RocksDB behind its back: the log serves
// the changed bytes and the export fails verification.
TEST_F(AuditVerifierTest, OneByteChangedInTheDatabase) {
  std::string bytes;
  ASSERT_TRUE(db_.db()->Get(rocksdb::ReadOptions(), db_.family(), EntryKey(7), &bytes).ok());
  bytes[bytes.find("validation")] = 'V';
  ASSERT_TRUE(db_.db()->Put(rocksdb::WriteOptions(), db_.family(), EntryKey(7), bytes).ok());
  absl::StatusOr<AuditLogExport> served = log_->Export();
  ASSERT_TRUE(served.ok());
  ExpectBad(Verify(*served), AuditProblem::kRootMismatch, 7);
}

TEST_F(AuditVerifierTest, OneByteChangedSoTheEntryNoLongerParses) {
  std::string& bytes = *export_.entries[9].mutable_entry();
  bytes[0] = static_cast<char>(0xff);  // an invalid tag
  const AuditVerdict verdict = Verify(export_);
  ExpectBad(verdict, AuditProblem::kMalformedEntry, 9);
  EXPECT_NE(verdict.reason.find("entry 9"), std::string::npos) << verdict.reason;
}

TEST_F(AuditVerifierTest, EntryDeleted) {
  export_.entries.erase(export_.entries.begin() + 11);
  ExpectBad(Verify(export_), AuditProblem::kOutOfSequence, 11);
  // Renumbered to hide the gap: the signed roots still catch it.
  for (size_t i = 0; i < export_.entries.size(); ++i) export_.entries[i].set_index(i);
  ExpectBad(Verify(export_), AuditProblem::kRootMismatch, 11);
}

TEST_F(AuditVerifierTest, TwoEntriesReordered) {
  std::swap(export_.entries[4], export_.entries[12]);
  ExpectBad(Verify(export_), AuditProblem::kOutOfSequence, 4);
  // Contents swapped under the original indices.
  export_.entries[4].set_index(4);
  export_.entries[12].set_index(12);
  ExpectBad(Verify(export_), AuditProblem::kRootMismatch, 4);
}

TEST_F(AuditVerifierTest, TailTruncated) {
  export_.entries.resize(15);
  const AuditVerdict verdict = Verify(export_);
  ExpectBad(verdict, AuditProblem::kTruncated, 15);
  EXPECT_NE(verdict.reason.find("entries 15..19"), std::string::npos) << verdict.reason;
  // Heads cut back as well: the auditor's saved head of size 18 remembers.
  const v1::SignedTreeHead saved = HeadOfSize(18);
  export_.heads.erase(
      std::remove_if(export_.heads.begin(), export_.heads.end(),
                     [](const v1::SignedTreeHead& h) { return h.head().tree_size() > 15; }),
      export_.heads.end());
  EXPECT_TRUE(Verify(export_).ok()) << "without a saved head a clean cut is undetectable";
  ExpectBad(Verify(export_, Options(saved)), AuditProblem::kTruncated, 15);
}

TEST_F(AuditVerifierTest, ForgedEntryAppended) {
  v1::LoggedEntry forged;
  forged.set_index(kEntries);
  forged.set_entry(MakeEntry(99).SerializeAsString());
  export_.entries.push_back(forged);
  // Without a head: nothing signs it.
  ExpectBad(Verify(export_), AuditProblem::kUnsignedEntries, kEntries);
  // With a head the forger signed with their own key.
  crypto::InMemoryMerkleLeafHashes leaves;
  for (const v1::LoggedEntry& e : export_.entries) {
    leaves.Append(crypto::MerkleLeafHash(
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(e.entry().data()), e.entry().size())));
  }
  absl::StatusOr<MerkleHash> root = crypto::MerkleRoot(leaves, kEntries + 1);
  ASSERT_TRUE(root.ok());
  v1::TreeHead head = HeadOfSize(kEntries).head();
  head.set_tree_size(kEntries + 1);
  head.set_root_hash(std::string(root->begin(), root->end()));
  export_.heads.push_back(Resign(head, 2));
  ExpectBad(Verify(export_), AuditProblem::kWrongKey, kEntries);
  // … claiming the log's key id.
  export_.heads.back().set_key_id(HeadOfSize(kEntries).key_id());
  ExpectBad(Verify(export_), AuditProblem::kBadSignature, kEntries);
}

TEST_F(AuditVerifierTest, SigningKeyReplaced) {
  // From size 13 on the heads are signed by another key (a replaced
  // coordinator key): entry 12 is the first no genuine head covers.
  for (v1::SignedTreeHead& head : export_.heads) {
    if (head.head().tree_size() >= 13) head = Resign(head.head(), 2);
  }
  ExpectBad(Verify(export_), AuditProblem::kWrongKey, 12);
  // The whole log re-signed.
  for (v1::SignedTreeHead& head : export_.heads) head = Resign(head.head(), 2);
  const AuditVerdict verdict = Verify(export_);
  ExpectBad(verdict, AuditProblem::kWrongKey, 0);
  EXPECT_NE(
      verdict.reason.find(crypto::ToHex(absl::MakeConstSpan(
          reinterpret_cast<const uint8_t*>(TreeHeadKeyId(TestKey(2).public_key()).data()), 32))),
      std::string::npos)
      << "names the key that signed: " << verdict.reason;
}

// An insider with the log's key rewrites history and re-signs every head:
// each head is valid, only the auditor's saved head shows the rewrite.
TEST_F(AuditVerifierTest, HistoryRewrittenWithTheLogsOwnKey) {
  const v1::SignedTreeHead saved = HeadOfSize(10);
  TempAuditDb other_db;
  TestClock other_clock;
  std::unique_ptr<AuditLog> rewritten = OpenLog(other_db, &other_clock);
  for (uint64_t i = 0; i < kEntries; ++i) {
    other_clock.now += absl::Seconds(1);
    v1::AuditEntry entry = MakeEntry(i);
    if (i == 5) entry.set_outcome(v1::AUDIT_OUTCOME_REFUSED);
    ASSERT_TRUE(rewritten->AppendBatchAndSign({entry}).ok());
  }
  absl::StatusOr<AuditLogExport> forged = rewritten->Export();
  ASSERT_TRUE(forged.ok());
  EXPECT_TRUE(Verify(*forged).ok()) << "self-consistent on its own";
  ExpectBad(Verify(*forged, Options(saved)), AuditProblem::kSavedHeadMismatch, 0);
}

// With a head per batch of 5 the change is placed within its batch.
TEST(AuditVerifierBatchTest, ChangedEntryIsReportedAtTheStartOfItsBatch) {
  TestClock clock;
  TempAuditDb db;
  std::unique_ptr<AuditLog> log = OpenLog(db, &clock);
  for (uint64_t batch = 0; batch < 4; ++batch) {
    std::vector<v1::AuditEntry> entries;
    for (uint64_t i = 0; i < 5; ++i) entries.push_back(MakeEntry(batch * 5 + i));
    ASSERT_TRUE(log->AppendBatchAndSign(entries).ok());
  }
  absl::StatusOr<AuditLogExport> exported = log->Export();
  ASSERT_TRUE(exported.ok());
  ASSERT_EQ(exported->heads.size(), 4u);
  std::string& bytes = *exported->entries[7].mutable_entry();
  bytes[bytes.find("validation")] = 'V';
  const AuditVerdict verdict = Verify(*exported);
  ExpectBad(verdict, AuditProblem::kRootMismatch, 5);
  EXPECT_EQ(verdict.last_possible_bad_index, 9u);
  EXPECT_NE(verdict.reason.find("entries 5..9"), std::string::npos) << verdict.reason;
  EXPECT_EQ(verdict.heads_verified, 1u);
}

TEST_F(AuditVerifierTest, BadHeadsAreReportedAtTheFirstEntryTheyCover) {
  AuditLogExport log = export_;
  (*HeadOfSize(6).mutable_signature())[10] ^= 1;
  ExpectBad(Verify(export_), AuditProblem::kBadSignature, 5);
  export_ = log;
  v1::TreeHead other_log = HeadOfSize(6).head();
  other_log.set_log_id("agent/health-dept");
  HeadOfSize(6) = Resign(other_log, 1);
  ExpectBad(Verify(export_), AuditProblem::kWrongLog, 5);
  export_ = log;
  HeadOfSize(6).clear_signature();
  ExpectBad(Verify(export_), AuditProblem::kMalformedHead, 5);
  // A later head backdated before an earlier one (and re-signed by the log).
  export_ = log;
  v1::TreeHead backdated = HeadOfSize(6).head();
  backdated.set_timestamp_unix_ms(HeadOfSize(5).head().timestamp_unix_ms() - 1);
  HeadOfSize(6) = Resign(backdated, 1);
  ExpectBad(Verify(export_), AuditProblem::kHeadTimeRegression, 5);
  // A second, contradictory head for a size already verified (a fork).
  export_ = log;
  v1::TreeHead fork = HeadOfSize(6).head();
  (*fork.mutable_root_hash())[0] ^= 1;
  fork.set_timestamp_unix_ms(fork.timestamp_unix_ms() + 1);
  export_.heads.push_back(Resign(fork, 1));
  ExpectBad(Verify(export_), AuditProblem::kRootMismatch, 5);
}

TEST_F(AuditVerifierTest, CallerEntryCheckRejectsAnEntry) {
  AuditVerifyOptions options = Options();
  options.check_entry = [](uint64_t index, const v1::AuditEntry& entry) {
    return index == 3 && entry.counts_size() == 2
               ? absl::InvalidArgumentError("decision signature does not verify")
               : absl::OkStatus();
  };
  const AuditVerdict verdict = Verify(export_, std::move(options));
  ExpectBad(verdict, AuditProblem::kEntryRejected, 3);
  EXPECT_NE(verdict.reason.find("decision signature"), std::string::npos);
}

TEST_F(AuditVerifierTest, StreamingStopsAtTheFirstProblem) {
  absl::StatusOr<std::unique_ptr<AuditVerifier>> verifier =
      AuditVerifier::Create(Options(), export_.heads);
  ASSERT_TRUE(verifier.ok());
  export_.entries[2].set_index(3);
  EXPECT_TRUE((*verifier)->AddEntry(export_.entries[0]));
  EXPECT_TRUE((*verifier)->AddEntry(export_.entries[1]));
  EXPECT_FALSE((*verifier)->AddEntry(export_.entries[2]));
  EXPECT_FALSE((*verifier)->AddEntry(export_.entries[3]));
  const AuditVerdict verdict = (*verifier)->Finish();
  ExpectBad(verdict, AuditProblem::kOutOfSequence, 2);
  EXPECT_EQ(verdict.entries_checked, 2u);
}

TEST_F(AuditVerifierTest, RefusesASavedHeadTheKeyDidNotSign) {
  const v1::SignedTreeHead forged_saved = Resign(HeadOfSize(5).head(), 2);
  EXPECT_EQ(VerifyAuditLog(export_, Options(forged_saved)).status().code(),
            absl::StatusCode::kInvalidArgument);
  AuditVerifyOptions no_log = Options();
  no_log.log_id.clear();
  EXPECT_EQ(VerifyAuditLog(export_, std::move(no_log)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AuditVerifierEmptyTest, EmptyLogVerifiesAndUnsignedEntriesDoNot) {
  EXPECT_TRUE(Verify(AuditLogExport{}).ok());
  AuditLogExport unsigned_log;
  v1::LoggedEntry entry;
  entry.set_index(0);
  entry.set_entry(MakeEntry(0).SerializeAsString());
  unsigned_log.entries.push_back(entry);
  ExpectBad(Verify(unsigned_log), AuditProblem::kUnsignedEntries, 0);
}

// Locating the first bad entry when only the latest head came with the
// entries (a live `fedlink audit verify`): bisection over the heads the log
// signed at smaller sizes.
class FirstBadEntrySearchTest : public AuditVerifierTest {
 protected:
  // The verdict on the export's entries checked against its latest head
  // alone: a root mismatch somewhere in 0..19.
  AuditVerdict VerifyAgainstLatestHeadOnly() {
    AuditLogExport latest_only = export_;
    latest_only.heads = {HeadOfSize(kEntries)};
    const AuditVerdict verdict = Verify(latest_only);
    EXPECT_EQ(verdict.first_bad_index, 0u) << verdict.reason;
    EXPECT_EQ(verdict.last_possible_bad_index, kEntries - 1) << verdict.reason;
    return verdict;
  }

  std::vector<MerkleHash> LeafHashes() const {
    std::vector<MerkleHash> hashes;
    for (const v1::LoggedEntry& entry : export_.entries) {
      hashes.push_back(crypto::MerkleLeafHash(absl::MakeConstSpan(
          reinterpret_cast<const uint8_t*>(entry.entry().data()), entry.entry().size())));
    }
    return hashes;
  }

  // Fetches from the log, counting, and answers NotFound where `unsigned_size` says.
  SignedHeadAtSize HeadAt(std::function<bool(uint64_t)> unsigned_size = nullptr) {
    return [this, unsigned_size](uint64_t size) -> absl::StatusOr<v1::SignedTreeHead> {
      fetched_.push_back(size);
      if (unsigned_size && unsigned_size(size)) return absl::NotFoundError("not signed");
      return log_->GetSignedHead(size);
    };
  }

  absl::StatusOr<AuditVerdict> Narrow(const AuditVerdict& verdict, const SignedHeadAtSize& head_at) {
    return NarrowFirstBadEntry(verdict, LeafHashes(), TestKey().public_key(), kLogId, head_at);
  }

  void ChangeByteOf(uint64_t index) {
    std::string& bytes = *export_.entries[index].mutable_entry();
    bytes[bytes.find("validation")] = 'V';
  }

  std::vector<uint64_t> fetched_;
};

TEST_F(FirstBadEntrySearchTest, ChangedEntryIsFoundWithLogarithmicallyManyHeads) {
  const AuditLogExport untouched = export_;
  for (const uint64_t changed : {uint64_t{0}, uint64_t{7}, kEntries - 1}) {
    SCOPED_TRACE(changed);
    export_ = untouched;
    fetched_.clear();
    ChangeByteOf(changed);
    absl::StatusOr<AuditVerdict> narrowed = Narrow(VerifyAgainstLatestHeadOnly(), HeadAt());
    ASSERT_TRUE(narrowed.ok()) << narrowed.status();
    ExpectBad(*narrowed, AuditProblem::kRootMismatch, changed);
    EXPECT_FALSE(narrowed->last_possible_bad_index.has_value());
    EXPECT_NE(narrowed->reason.find(absl::StrCat("entry ", changed, " was changed")),
              std::string::npos)
        << narrowed->reason;
    EXPECT_LE(fetched_.size(), 5u);  // ceil(log2(20))
  }
}

TEST_F(FirstBadEntrySearchTest, RemovedAndSwappedEntriesAreFound) {
  const AuditLogExport untouched = export_;
  {
    SCOPED_TRACE("entry 11 removed, the rest renumbered");
    export_.entries.erase(export_.entries.begin() + 11);
    for (size_t i = 0; i < export_.entries.size(); ++i) export_.entries[i].set_index(i);
    AuditLogExport latest_only = export_;
    latest_only.heads = {HeadOfSize(kEntries - 1)};
    const AuditVerdict verdict = Verify(latest_only);
    absl::StatusOr<AuditVerdict> narrowed = Narrow(verdict, HeadAt());
    ASSERT_TRUE(narrowed.ok()) << narrowed.status();
    ExpectBad(*narrowed, AuditProblem::kRootMismatch, 11);
  }
  export_ = untouched;
  {
    SCOPED_TRACE("entries 4 and 12 swapped");
    std::swap(*export_.entries[4].mutable_entry(), *export_.entries[12].mutable_entry());
    absl::StatusOr<AuditVerdict> narrowed = Narrow(VerifyAgainstLatestHeadOnly(), HeadAt());
    ASSERT_TRUE(narrowed.ok()) << narrowed.status();
    ExpectBad(*narrowed, AuditProblem::kRootMismatch, 4);
  }
}

// Where the log signed no head the search moves to a signed neighbour and,
// with none in between, names the range.
TEST_F(FirstBadEntrySearchTest, SizesWithoutAHeadNarrowToTheNearestSignedSizes) {
  ChangeByteOf(7);
  absl::StatusOr<AuditVerdict> even_only =
      Narrow(VerifyAgainstLatestHeadOnly(), HeadAt([](uint64_t size) { return size % 2 == 1; }));
  ASSERT_TRUE(even_only.ok()) << even_only.status();
  ExpectBad(*even_only, AuditProblem::kRootMismatch, 6);
  EXPECT_EQ(even_only->last_possible_bad_index, 7u);
  EXPECT_NE(even_only->reason.find("among entries 6..7"), std::string::npos) << even_only->reason;
  // Each size is asked for at most once.
  std::vector<uint64_t> sorted = fetched_;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());

  absl::StatusOr<AuditVerdict> none =
      Narrow(VerifyAgainstLatestHeadOnly(), HeadAt([](uint64_t) { return true; }));
  ASSERT_TRUE(none.ok()) << none.status();
  ExpectBad(*none, AuditProblem::kRootMismatch, 0);
  EXPECT_EQ(none->last_possible_bad_index, kEntries - 1);
}

TEST_F(FirstBadEntrySearchTest, HeadsThatDoNotVerifyOrFailToArriveEndTheSearch) {
  ChangeByteOf(7);
  const AuditVerdict verdict = VerifyAgainstLatestHeadOnly();
  // A head the key did not sign (a keeper steering the search).
  const SignedHeadAtSize forged = [&](uint64_t size) -> absl::StatusOr<v1::SignedTreeHead> {
    return Resign(HeadOfSize(size).head(), 2);
  };
  EXPECT_EQ(Narrow(verdict, forged).status().code(), absl::StatusCode::kInvalidArgument);
  // A head of another size than asked.
  const SignedHeadAtSize wrong_size = [&](uint64_t) -> absl::StatusOr<v1::SignedTreeHead> {
    return HeadOfSize(3);
  };
  EXPECT_EQ(Narrow(verdict, wrong_size).status().code(), absl::StatusCode::kInvalidArgument);
  const SignedHeadAtSize unavailable = [](uint64_t) -> absl::StatusOr<v1::SignedTreeHead> {
    return absl::UnavailableError("connection lost");
  };
  EXPECT_EQ(Narrow(verdict, unavailable).status().code(), absl::StatusCode::kUnavailable);
  // Too few leaf hashes for the range.
  EXPECT_EQ(NarrowFirstBadEntry(verdict, {}, TestKey().public_key(), kLogId, HeadAt())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(FirstBadEntrySearchTest, OtherVerdictsAreLeftAlone) {
  AuditVerdict ok;
  absl::StatusOr<AuditVerdict> same = Narrow(ok, HeadAt());
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->ok());
  ChangeByteOf(7);
  const AuditVerdict exact = Verify(export_);  // every head at hand: already exact
  absl::StatusOr<AuditVerdict> narrowed = Narrow(exact, HeadAt());
  ASSERT_TRUE(narrowed.ok());
  ExpectBad(*narrowed, AuditProblem::kRootMismatch, 7);
  EXPECT_EQ(narrowed->reason, exact.reason);
  EXPECT_TRUE(fetched_.empty());
}

}  // namespace
}  // namespace fedlink::audit
