// fedlink-agent ingest as the real binary: every FEBRL file, a crash (kill
// -9) between batches and at an arbitrary moment, the at-rest check that no
// identifier value of the ingested file is anywhere in the store's files,
// and the ingest through the daemon's admin socket while it holds the store.
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/admin/admin_service.h"
#include "agent/admin/admin_socket.h"
#include "agent/cli/agent_store_access.h"
#include "agent/daemon/job_store.h"
#include "agent/ingest/ingest_pipeline.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/agent_cli_runner.h"
#include "tests/support/febrl.h"

namespace fedlink::testing {
namespace {

using ::testing::HasSubstr;

std::string FebrlSchemaPath() {
  return std::string(FEDLINK_SOURCE_DIR) +
         "/deploy/examples/febrl-ingest-schema.yaml";
}

class AgentIngestTest : public AgentCliFixture {
 protected:
  // The bytes of every file of the store in data directory `data`.
  static std::string StoreFiles(const std::string& data) {
    std::string all;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(data + "/store")) {
      if (entry.is_regular_file()) all += ReadWholeFile(entry.path().string());
    }
    return all;
  }

  std::unique_ptr<agent::RecordStore> OpenStore(const std::string& data) {
    absl::StatusOr<agent::cli::OpenedStore> opened =
        agent::cli::OpenAgentStore(data, {});
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? std::move(opened->store) : nullptr;
  }

  // A FEBRL-like file of `rows` valid rows with ids r0..r{rows-1}.
  std::string SyntheticCsv(const std::string& name, int rows) {
    std::string csv =
        "rec_id, given_name, surname, street_number, address_1, address_2, "
        "suburb, postcode, state, date_of_birth, soc_sec_id\n";
    for (int i = 0; i < rows; ++i) {
      absl::StrAppend(&csv, "r", i, ", ann, smith, ", i % 90 + 1,
                      ", main street, , springfield, 2000, nsw, 1980",
                      10 + i % 3, "1", i % 9 + 1, ", ", 1000000 + i, "\n");
    }
    const std::string path = Path(name);
    WriteWholeFile(path, csv, 0600);
    return path;
  }

  // Waits (up to a generous bound, not a timing assertion) until the
  // stderr file of `tag` contains `marker`.
  bool WaitForMarker(const std::string& tag, const std::string& marker) {
    for (int i = 0; i < 6000; ++i) {
      if (absl::StrContains(ReadWholeFile(Path(tag + ".err")), marker)) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Every committed record is a prefix r0..r{n-1} of the file, n a whole
  // number of batches, matching the checkpoint; returns n.
  uint64_t CheckPrefixOfWholeBatches(const std::string& data, int rows,
                                     uint64_t batch_size) {
    auto store = OpenStore(data);
    if (store == nullptr) return 0;
    absl::StatusOr<uint64_t> count = store->CountRecords();
    EXPECT_TRUE(count.ok());
    const uint64_t n = *count;
    if (n < static_cast<uint64_t>(rows)) {
      EXPECT_EQ(n % batch_size, 0u) << "a partial batch was committed";
    }
    for (uint64_t i : {uint64_t{0}, n / 2, n - 1, n, n + 1, n + batch_size}) {
      if (i >= static_cast<uint64_t>(rows)) continue;  // also n - 1 for n = 0
      absl::StatusOr<std::optional<agent::StoredRecord>> r =
          store->GetRecord(absl::StrCat("r", i));
      EXPECT_TRUE(r.ok());
      EXPECT_EQ(r.ok() && r->has_value(), i < n) << "record r" << i;
    }
    absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
        agent::ingest::LoadIngestCheckpoint(*store);
    EXPECT_TRUE(checkpoint.ok());
    if (n > 0 && checkpoint.ok()) {
      EXPECT_TRUE(checkpoint->has_value());
      if (checkpoint->has_value()) {
        EXPECT_EQ((**checkpoint)["rows_committed"], n);
        if (n < static_cast<uint64_t>(rows)) {
          EXPECT_EQ((**checkpoint)["batches"], n / batch_size);
        }
      }
    }
    return n;
  }
};

TEST_F(AgentIngestTest, IngestsEveryFebrlFile) {
  for (const char* file : {"dataset1.csv", "dataset2.csv", "dataset3.csv",
                           "dataset4a.csv", "dataset4b.csv"}) {
    SCOPED_TRACE(file);
    absl::StatusOr<std::vector<FebrlRecord>> records =
        LoadFebrl(FebrlPath(file));
    ASSERT_TRUE(records.ok()) << records.status();
    const std::string data = InitDataDir(absl::StrCat("data-", file));
    AgentRun run = Run({"ingest", FebrlPath(file), "--schema",
                        FebrlSchemaPath(), "--data-dir", data});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    AgentRun quality = Run({"quality", "--data-dir", data, "--output", "json"});
    ASSERT_EQ(quality.exit_code, 0) << quality.err;
    const nlohmann::json q = nlohmann::json::parse(quality.out);
    const nlohmann::json& last = q["last_ingest"];
    EXPECT_EQ(last["rows_read"], records->size());
    EXPECT_EQ(last["rows_quarantined"], 0);
    EXPECT_EQ(last["rows_committed"], records->size());
    EXPECT_EQ(q["records_in_store"], records->size());
    auto store = OpenStore(data);
    ASSERT_NE(store, nullptr);
    for (size_t i = 0; i < records->size(); i += 97) {
      const FebrlRecord& want = (*records)[i];
      absl::StatusOr<std::optional<agent::StoredRecord>> got =
          store->GetRecord(want.rec_id);
      ASSERT_TRUE(got.ok() && got->has_value()) << want.rec_id;
      if (!want.soc_sec_id.empty()) {
        const SensitiveString* ssn = (*got)->FindIdentifier("soc_sec_id");
        ASSERT_NE(ssn, nullptr) << want.rec_id;
        EXPECT_EQ(ssn->Expose(), want.soc_sec_id) << want.rec_id;
      }
    }
  }
}

TEST_F(AgentIngestTest, KillBetweenBatchesKeepsExactlyTheCommittedBatches) {
  constexpr int kRows = 3000;
  const std::string csv = SyntheticCsv("big.csv", kRows);
  const std::string data = InitDataDir();
  const pid_t pid =
      Spawn({"ingest", csv, "--schema", FebrlSchemaPath(), "--data-dir", data,
             "--batch-size", "250", "--test-pause-after-batches", "4"},
            "crash");
  ASSERT_GT(pid, 0);
  const bool paused = WaitForMarker("crash", "test hook: paused after batch 4");
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  AgentRun killed = Wait(pid, "crash");
  ASSERT_TRUE(paused) << killed.err;
  EXPECT_EQ(killed.exit_code, -1);  // killed, not exited

  auto store = OpenStore(data);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->CountRecords(), 1000u);
  for (int i : {0, 999}) {
    EXPECT_TRUE(store->GetRecord(absl::StrCat("r", i))->has_value()) << i;
  }
  for (int i : {1000, 1249, 2999}) {
    EXPECT_FALSE(store->GetRecord(absl::StrCat("r", i))->has_value()) << i;
  }
  absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
      agent::ingest::LoadIngestCheckpoint(*store);
  ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
  EXPECT_EQ((**checkpoint)["state"], "running");
  EXPECT_EQ((**checkpoint)["batches"], 4);
  EXPECT_EQ((**checkpoint)["rows_committed"], 1000);
  EXPECT_EQ((**checkpoint)["last_line"], 1001);
  store.reset();

  // quality warns about the interrupted ingest; re-running completes it.
  AgentRun quality = Run({"quality", "--data-dir", data});
  EXPECT_THAT(quality.out, HasSubstr("did not finish"));
  AgentRun rerun = Run({"ingest", csv, "--schema", FebrlSchemaPath(),
                        "--data-dir", data, "--batch-size", "250"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_THAT(rerun.out, HasSubstr("inserted 2000, updated 1000"));
  EXPECT_EQ(CheckPrefixOfWholeBatches(data, kRows, 250), 3000u);
}

TEST_F(AgentIngestTest, KillAtAnArbitraryMomentLeavesWholeBatchesOnly) {
  constexpr int kRows = 20000;
  const std::string csv = SyntheticCsv("big.csv", kRows);
  const std::string data = InitDataDir();
  const pid_t pid = Spawn({"ingest", csv, "--schema", FebrlSchemaPath(),
                           "--data-dir", data, "--batch-size", "100"},
                          "crash");
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  kill(pid, SIGKILL);
  Wait(pid, "crash");
  const uint64_t n = CheckPrefixOfWholeBatches(data, kRows, 100);
  EXPECT_LE(n, static_cast<uint64_t>(kRows));
}

// While a process holds the store (as the daemon does), `ingest` cannot
// open it and streams the file through the daemon's admin socket instead:
// the same rows land, duplicates and bad rows go to the same quarantine
// file, and the summary says how it ran.
TEST_F(AgentIngestTest, IngestGoesThroughTheDaemonThatHoldsTheStore) {
  std::string csv = ReadWholeFile(SyntheticCsv("big.csv", 300));
  csv += "r7, bob, jones, 1, main street, , springfield, 2000, nsw, "
         "19800101, 7\n";                        // line 302: duplicate
  csv += "r300, ann, smith\n";                    // line 303: 3 fields
  WriteWholeFile(Path("big.csv"), csv, 0600);
  const std::string data = InitDataDir();
  std::unique_ptr<agent::RecordStore> store = OpenStore(data);
  ASSERT_NE(store, nullptr);
  agent::daemon::JobStore jobs(*store);
  agent::admin::AgentAdminService service(agent::admin::AdminBackend{
      .steps = nullptr,
      .jobs = &jobs,
      .store = store.get(),
      .status =
          [] {
            v1::AgentStatus status;
            status.set_agency("k12");
            return status;
          },
      .ingest_batch_size = 100});
  ASSERT_EQ(mkdir(Path("run").c_str(), 0700), 0);
  const std::string socket = Path("run/agent.sock");
  absl::StatusOr<std::unique_ptr<grpc::Server>> server =
      agent::admin::StartAdminServer(socket, 0600, &service);
  ASSERT_TRUE(server.ok()) << server.status();

  AgentRun run = Run({"ingest", Path("big.csv"), "--schema", FebrlSchemaPath(),
                      "--data-dir", data, "--socket", socket, "--quarantine",
                      Path("q.csv")});
  (*server)->Shutdown();
  agent::admin::RemoveAdminSocket(socket);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("ingesting through the daemon's admin socket"));
  EXPECT_THAT(run.out, HasSubstr("through the agent daemon at " + socket));
  EXPECT_THAT(run.out, HasSubstr("committed         300 (inserted 300, "
                                 "updated 0) in 4 batches"));
  EXPECT_THAT(run.out, HasSubstr("quarantined       2"));
  EXPECT_THAT(run.out, HasSubstr("duplicate_local_id     1"));
  EXPECT_THAT(run.out, HasSubstr("wrong_column_count     1"));
  EXPECT_THAT(run.out, HasSubstr("records in store  300"));
  const std::string quarantine = ReadWholeFile(Path("q.csv"));
  EXPECT_THAT(quarantine,
              HasSubstr("302,rec_id:duplicate_local_id,,\"r7, bob, jones,"));
  EXPECT_THAT(quarantine,
              HasSubstr("303,wrong_column_count,,\"r300, ann, smith\""));
  struct stat st;
  ASSERT_EQ(stat(Path("q.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  absl::StatusOr<uint64_t> count = store->CountRecords();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 300u);
  absl::StatusOr<std::optional<agent::StoredRecord>> r7 = store->GetRecord("r7");
  ASSERT_TRUE(r7.ok() && r7->has_value());
  EXPECT_EQ((*r7)->FindIdentifier("surname")->Expose(), "smith");
}

// The store is held and no daemon answers: the error says both, the exit
// code is 3 (unavailable: agent/cli/exit_codes.h), and no quarantine file is
// left behind.
TEST_F(AgentIngestTest, HeldStoreWithoutADaemonSaysSo) {
  const std::string csv = SyntheticCsv("small.csv", 10);
  const std::string data = InitDataDir();
  std::unique_ptr<agent::RecordStore> store = OpenStore(data);
  ASSERT_NE(store, nullptr);
  AgentRun run = Run({"ingest", csv, "--schema", FebrlSchemaPath(),
                      "--data-dir", data, "--socket", Path("none.sock"),
                      "--quarantine", Path("q.csv")});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err, HasSubstr("is in use by another process"));
  EXPECT_THAT(run.err, HasSubstr("none.sock is not reachable"));
  EXPECT_FALSE(std::filesystem::exists(Path("q.csv")));
  EXPECT_EQ(*store->CountRecords(), 0u);
}

// A copied store directory reveals no identifier: the store's files (WAL,
// tables, manifest, RocksDB's LOG) contain none of the file's values.
TEST_F(AgentIngestTest, StoreFilesHoldNoIdentifierValue) {
  const std::string file = FebrlPath("dataset1.csv");
  absl::StatusOr<std::vector<FebrlRecord>> records = LoadFebrl(file);
  ASSERT_TRUE(records.ok());
  const std::string data = InitDataDir();
  AgentRun run = Run({"ingest", file, "--schema", FebrlSchemaPath(),
                      "--data-dir", data});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  // RocksDB writes its own text (LOG, OPTIONS): a value that is also a word
  // of that text (the FEBRL suburb "success") is found in a store that
  // holds no record too, so it proves nothing and is skipped.
  const std::string baseline = StoreFiles(InitDataDir("empty"));
  const std::string all = StoreFiles(data);
  ASSERT_GT(all.size(), 1000u * 100);  // the records are in there, sealed
  size_t checked = 0;
  for (const FebrlRecord& r : *records) {
    for (const std::string* value :
         {&r.rec_id, &r.given_name, &r.surname, &r.address_1, &r.suburb,
          &r.soc_sec_id, &r.date_of_birth}) {
      // Short values (postcodes, 3-letter names) occur in random bytes by
      // chance; values of 6+ bytes do not.
      if (value->size() < 6 || absl::StrContains(baseline, *value)) continue;
      ++checked;
      ASSERT_FALSE(absl::StrContains(all, *value))
          << "an identifier value of " << r.rec_id << " is in the store files";
    }
  }
  EXPECT_GT(checked, 3000u);
}

}  // namespace
}  // namespace fedlink::testing
