// The offline path of `fedlink audit verify --archive` and `audit log`:
// a real signed log exported to a file, the pinned key in a PEM file.
#include "coordinator/fedlink_cli/audit_commands.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/merkle.h"
#include "proto/audit/audit_archive.h"
#include "tests/unit/audit_test_util.h"

namespace fedlink::cli {
namespace {

using audit::testing::MakeEntry;
using audit::testing::OpenLog;
using audit::testing::TempAuditDb;
using audit::testing::TestClock;
using audit::testing::TestKey;
using ::testing::HasSubstr;

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

class AuditCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("fedlink_cli_audit_", ::testing::UnitTest::GetInstance()->random_seed(),
                        "_", getpid());
    std::filesystem::create_directories(dir_);
    log_ = OpenLog(db_, &clock_);
    ASSERT_NE(log_, nullptr);
    for (uint64_t i = 0; i < 10; ++i) {
      v1::AuditEntry entry = MakeEntry(i);
      if (i == 6) {
        entry.set_action(v1::AUDIT_ACTION_CALL_REFUSED);
        entry.set_outcome(v1::AUDIT_OUTCOME_REFUSED);
      }
      ASSERT_TRUE(log_->AppendBatchAndSign({entry}).ok());
    }
    archive_ = Export();
    absl::StatusOr<std::string> pem = TestKey().public_key().ToPem();
    ASSERT_TRUE(pem.ok());
    WriteFile(Path("log-key.pem"), *pem);
    config_.audit_log_key_file = Path("log-key.pem");
  }
  void TearDown() override {
    log_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::string Export() {
    std::ostringstream out;
    EXPECT_TRUE(audit::WriteAuditArchive(*log_, out).ok());
    return out.str();
  }

  int Verify(const std::string& archive_bytes, const std::string& state) {
    WriteFile(Path("audit.fla"), archive_bytes);
    out_.str("");
    err_.str("");
    return VerifyArchiveCommand(Path("audit.fla"), config_, state, out_, err_);
  }

  TestClock clock_;
  TempAuditDb db_;
  std::unique_ptr<audit::AuditLog> log_;
  std::filesystem::path dir_;
  std::string archive_;
  ClientConfig config_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(AuditCommandsTest, UntouchedArchiveVerifiesAndSavesTheHead) {
  const std::string state = Path("state/head.pb");
  EXPECT_EQ(Verify(archive_, state), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("audit log OK: 10 entries"));
  absl::StatusOr<std::optional<v1::SignedTreeHead>> saved = LoadSavedHead(state);
  ASSERT_TRUE(saved.ok()) << saved.status();
  ASSERT_TRUE(saved->has_value());
  EXPECT_EQ((*saved)->head().tree_size(), 10u);
}

TEST_F(AuditCommandsTest, TamperedEntryFailsWithTheFirstBadIndex) {
  std::string tampered = archive_;
  const size_t at = tampered.find("sequence 4");  // the reason text of entry 4
  ASSERT_NE(at, std::string::npos);
  tampered[at] = 'S';
  EXPECT_EQ(Verify(tampered, ""), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("audit log verification FAILED"));
  EXPECT_THAT(out_.str(), HasSubstr("first bad entry: 4\n"));
}

// What `fedlink audit export` writes: the latest head only. Offline the
// verdict can only name the range; against the live log (the heads at
// smaller sizes fetched one by one) it names the entry.
TEST_F(AuditCommandsTest, LatestHeadOnlyNamesTheRangeUntilHeadsAreFetched) {
  absl::StatusOr<audit::AuditLogExport> exported = log_->Export();
  ASSERT_TRUE(exported.ok()) << exported.status();
  exported->heads = {exported->heads.back()};
  std::string& bytes = *exported->entries[4].mutable_entry();
  bytes[bytes.find("sequence 4")] = 'S';
  std::ostringstream archive;
  ASSERT_TRUE(audit::WriteAuditArchive(*exported, archive).ok());
  EXPECT_EQ(Verify(archive.str(), ""), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("first bad entry: somewhere in 0..9\n"));

  absl::StatusOr<audit::AuditVerifyOptions> options = MakeVerifyOptions(config_, std::nullopt);
  ASSERT_TRUE(options.ok()) << options.status();
  absl::StatusOr<audit::AuditVerdict> verdict = audit::VerifyAuditLog(*exported, *options);
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  std::vector<audit::MerkleHash> leaf_hashes;
  for (const v1::LoggedEntry& entry : exported->entries) {
    leaf_hashes.push_back(crypto::MerkleLeafHash(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(entry.entry().data()), entry.entry().size())));
  }
  const audit::AuditVerdict located =
      LocateFirstBadEntry(*verdict, leaf_hashes, *options,
                          [&](uint64_t size) { return log_->GetSignedHead(size); });
  out_.str("");
  EXPECT_EQ(ReportVerdict(located, "", out_, err_), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("first bad entry: 4\n"));
  EXPECT_THAT(out_.str(), HasSubstr("entry 4 was changed, removed, inserted or reordered"));

  // A head the search cannot trust leaves the range, saying why.
  const audit::AuditVerdict unlocated = LocateFirstBadEntry(
      *verdict, leaf_hashes, *options,
      [](uint64_t) -> absl::StatusOr<v1::SignedTreeHead> { return v1::SignedTreeHead(); });
  out_.str("");
  EXPECT_EQ(ReportVerdict(unlocated, "", out_, err_), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("first bad entry: somewhere in 0..9\n"));
  EXPECT_THAT(out_.str(), HasSubstr("the first bad entry could not be located"));
}

TEST_F(AuditCommandsTest, VerdictAsJsonSaysOkAndWhereTheHeadWasSaved) {
  const std::string state = Path("state/head.pb");
  WriteFile(Path("audit.fla"), archive_);
  ASSERT_EQ(VerifyArchiveCommand(Path("audit.fla"), config_, state, out_, err_, /*json=*/true),
            kExitOk)
      << err_.str();
  const nlohmann::json verdict = nlohmann::json::parse(out_.str());
  EXPECT_EQ(verdict["ok"], true);
  EXPECT_EQ(verdict["problem"], std::string(audit::AuditProblemName(audit::AuditProblem::kNone)));
  EXPECT_EQ(verdict["entries_checked"], 10);
  EXPECT_TRUE(verdict["first_bad_index"].is_null());
  EXPECT_EQ(verdict["latest_head"]["tree_size"], 10);
  EXPECT_EQ(verdict["latest_head"]["root_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(verdict["saved_state"], state);
  EXPECT_TRUE(std::filesystem::exists(state));
}

TEST_F(AuditCommandsTest, FailedVerdictAsJsonNamesTheFirstBadEntry) {
  std::string tampered = archive_;
  const size_t at = tampered.find("sequence 4");  // the reason text of entry 4
  ASSERT_NE(at, std::string::npos);
  tampered[at] = 'S';
  WriteFile(Path("audit.fla"), tampered);
  EXPECT_EQ(VerifyArchiveCommand(Path("audit.fla"), config_, "", out_, err_, /*json=*/true),
            kExitFailed);
  const nlohmann::json verdict = nlohmann::json::parse(out_.str());
  EXPECT_EQ(verdict["ok"], false);
  EXPECT_NE(verdict["problem"], std::string(audit::AuditProblemName(audit::AuditProblem::kNone)));
  EXPECT_EQ(verdict["first_bad_index"], 4);
  EXPECT_TRUE(verdict["last_possible_bad_index"].is_null());
  EXPECT_TRUE(verdict["latest_head"].is_null());
  EXPECT_TRUE(verdict["saved_state"].is_null());
  EXPECT_FALSE(verdict["reason"].get<std::string>().empty());
}

TEST_F(AuditCommandsTest, RewrittenHistoryIsCaughtByTheSavedHead) {
  const std::string state = Path("head.pb");
  ASSERT_EQ(Verify(archive_, state), kExitOk) << err_.str();
  // The keeper rebuilds the log with its own key, entry 2 changed: every head
  // verifies, only the head the auditor saved shows it.
  TempAuditDb other_db;
  TestClock other_clock;
  std::unique_ptr<audit::AuditLog> rewritten = OpenLog(other_db, &other_clock);
  ASSERT_NE(rewritten, nullptr);
  for (uint64_t i = 0; i < 12; ++i) {
    ASSERT_TRUE(rewritten->AppendBatchAndSign({MakeEntry(i == 2 ? 99 : i)}).ok());
  }
  std::ostringstream bytes;
  ASSERT_TRUE(audit::WriteAuditArchive(*rewritten, bytes).ok());
  EXPECT_EQ(Verify(bytes.str(), state), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("saved"));
  // The saved head is kept for the next run.
  absl::StatusOr<std::optional<v1::SignedTreeHead>> saved = LoadSavedHead(state);
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_EQ((*saved)->head().tree_size(), 10u);
}

TEST_F(AuditCommandsTest, TruncatedArchiveBelowTheSavedHeadFails) {
  const std::string state = Path("head.pb");
  ASSERT_TRUE(log_->AppendBatchAndSign({MakeEntry(10)}).ok());
  ASSERT_EQ(Verify(Export(), state), kExitOk) << err_.str();  // saves size 11
  EXPECT_EQ(Verify(archive_, state), kExitFailed);  // only 10 now
  EXPECT_THAT(out_.str(), HasSubstr("truncated"));
  EXPECT_THAT(out_.str(), HasSubstr("first bad entry: 10\n"));
}

TEST_F(AuditCommandsTest, ForeignKeyFailsAndMissingKeyIsAnError) {
  absl::StatusOr<std::string> other = TestKey(2).public_key().ToPem();
  ASSERT_TRUE(other.ok());
  WriteFile(Path("log-key.pem"), *other);
  EXPECT_EQ(Verify(archive_, ""), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("first bad entry: 0\n"));

  config_.audit_log_key_file.clear();
  EXPECT_EQ(Verify(archive_, ""), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("audit.log_key"));
}

TEST_F(AuditCommandsTest, CorruptArchiveAndStateAreErrorsNotVerdicts) {
  EXPECT_EQ(Verify("not an archive", ""), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("audit.fla"));
  WriteFile(Path("bad-state"), "\xff\xff\xff");
  EXPECT_EQ(Verify(archive_, Path("bad-state")), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("not a saved signed tree head"));
}

TEST_F(AuditCommandsTest, LogAndDenialsFilterTheArchive) {
  WriteFile(Path("audit.fla"), archive_);
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(PrintArchiveEntries(Path("audit.fla"), {"", 0, true}, /*json=*/true, out, err),
            kExitOk)
      << err.str();
  EXPECT_EQ(out.str(),
            "{\"index\":6,\"time\":\"2026-12-01T06:00:00.060Z\",\"time_unix_ms\":1796104800060,"
            "\"actor\":{\"role\":\"agent\",\"name\":\"health-dept\",\"agency\":\"health-dept\"},"
            "\"action\":\"call_refused\",\"outcome\":\"refused\",\"job_id\":\"job-6\","
            "\"agency\":\"health-dept\",\"rpc\":\"fedlink.v1.Coordinator/UploadEncodings\","
            "\"reason\":\"batch accepted after validation, sequence 6\","
            "\"counts\":{\"records\":4102,\"batches\":7}}\n");

  out.str("");
  ASSERT_EQ(PrintArchiveEntries(Path("audit.fla"), {"job-3", 0, false}, false, out, err), kExitOk);
  std::vector<std::string> lines = absl::StrSplit(out.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);  // header + entry 3 (job-3 is only i % 7 == 3)
  EXPECT_THAT(lines[1], HasSubstr("encodings_uploaded"));
  EXPECT_EQ(lines[1].rfind("3 ", 0), 0u);

  out.str("");
  ASSERT_EQ(PrintArchiveEntries(Path("audit.fla"), {"", 1796104800080, false}, true, out, err),
            kExitOk);
  lines = absl::StrSplit(out.str(), '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 2u);  // entries 8 and 9
}

TEST(ParseSinceTest, AcceptsTimesDatesAndMillis) {
  EXPECT_EQ(*ParseSince("2026-12-01T06:00:00Z"), 1796104800000u);
  EXPECT_EQ(*ParseSince("2026-12-01"), 1796083200000u);
  EXPECT_EQ(*ParseSince("1796104800000"), 1796104800000u);
  EXPECT_FALSE(ParseSince("yesterday").ok());
}

}  // namespace
}  // namespace fedlink::cli
