#include "proto/audit/audit_archive.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/unit/audit_test_util.h"

namespace fedlink::audit {
namespace {

using testing::kLogId;
using testing::MakeEntry;
using testing::OpenLog;
using testing::TempAuditDb;
using testing::TestClock;
using testing::TestKey;

AuditVerifyOptions Options() {
  return AuditVerifyOptions{TestKey().public_key(), kLogId, std::nullopt, nullptr};
}

class AuditArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = OpenLog(db_, &clock_);
    ASSERT_NE(log_, nullptr);
    for (uint64_t i = 0; i < 12; ++i) {
      ASSERT_TRUE(log_->AppendBatchAndSign({MakeEntry(i)}).ok());
    }
    ASSERT_TRUE(log_->Append(MakeEntry(12)).ok());  // not signed: not exported
    std::ostringstream out;
    ASSERT_TRUE(WriteAuditArchive(*log_, out).ok());
    archive_ = out.str();
  }

  absl::StatusOr<AuditVerdict> VerifyBytes(const std::string& bytes) {
    std::istringstream in(bytes);
    return VerifyAuditArchive(in, Options());
  }

  absl::StatusCode ReadCode(const std::string& bytes) {
    std::istringstream in(bytes);
    return ReadAuditArchive(in).status().code();
  }

  TestClock clock_;
  TempAuditDb db_;
  std::unique_ptr<AuditLog> log_;
  std::string archive_;
};

TEST_F(AuditArchiveTest, RoundTripsTheExportAndVerifies) {
  std::istringstream in(archive_);
  absl::StatusOr<AuditLogExport> read = ReadAuditArchive(in);
  ASSERT_TRUE(read.ok()) << read.status();
  absl::StatusOr<AuditLogExport> exported = log_->Export();
  ASSERT_TRUE(exported.ok());
  ASSERT_EQ(read->entries.size(), 12u);
  ASSERT_EQ(read->heads.size(), exported->heads.size());
  for (size_t i = 0; i < read->entries.size(); ++i) {
    EXPECT_EQ(read->entries[i].SerializeAsString(), exported->entries[i].SerializeAsString());
  }
  // Both writers produce the same bytes.
  std::ostringstream from_memory;
  ASSERT_TRUE(WriteAuditArchive(*exported, from_memory).ok());
  EXPECT_EQ(from_memory.str(), archive_);

  absl::StatusOr<AuditVerdict> verdict = VerifyBytes(archive_);
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  EXPECT_TRUE(verdict->ok()) << verdict->reason;
  EXPECT_EQ(verdict->entries_checked, 12u);
}

TEST_F(AuditArchiveTest, TamperedArchiveIsAVerdictNotAnError) {
  std::string tampered = archive_;
  const size_t at = tampered.rfind("validation");  // inside the last entry (11)
  ASSERT_NE(at, std::string::npos);
  tampered[at] = 'V';
  absl::StatusOr<AuditVerdict> verdict = VerifyBytes(tampered);
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  EXPECT_EQ(verdict->problem, AuditProblem::kRootMismatch);
  EXPECT_EQ(verdict->first_bad_index, 11u);
}

TEST_F(AuditArchiveTest, MalformedArchivesAreRefusedWithTheirOffset) {
  EXPECT_EQ(ReadCode(""), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadCode("not an archive at all, really"), absl::StatusCode::kInvalidArgument);
  // Cut inside a record, or inside a record header.
  EXPECT_EQ(ReadCode(archive_.substr(0, archive_.size() - 3)), absl::StatusCode::kInvalidArgument);
  std::istringstream cut(archive_.substr(0, 24 + 2));
  absl::StatusOr<AuditLogExport> read = ReadAuditArchive(cut);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(read.status().message().find("record 0 at byte 24"), std::string::npos)
      << read.status();
  // Unknown kind, oversized length.
  std::string bad = archive_;
  bad[24] = 'X';
  EXPECT_EQ(ReadCode(bad), absl::StatusCode::kInvalidArgument);
  bad = archive_;
  bad[25] = '\x7f';
  EXPECT_EQ(ReadCode(bad), absl::StatusCode::kInvalidArgument);
  // A head after the entries.
  std::istringstream in(archive_);
  absl::StatusOr<AuditLogExport> good = ReadAuditArchive(in);
  ASSERT_TRUE(good.ok());
  std::ostringstream out;
  ASSERT_TRUE(WriteAuditArchive(*good, out).ok());
  std::ostringstream extra;
  AuditLogExport one_head;
  one_head.heads.push_back(good->heads.front());
  ASSERT_TRUE(WriteAuditArchive(one_head, extra).ok());
  EXPECT_EQ(ReadCode(out.str() + extra.str().substr(24)), absl::StatusCode::kInvalidArgument);
  // An empty log's archive reads and verifies.
  std::ostringstream empty;
  ASSERT_TRUE(WriteAuditArchive(AuditLogExport{}, empty).ok());
  absl::StatusOr<AuditVerdict> verdict = VerifyBytes(empty.str());
  ASSERT_TRUE(verdict.ok());
  EXPECT_TRUE(verdict->ok());
}

}  // namespace
}  // namespace fedlink::audit
