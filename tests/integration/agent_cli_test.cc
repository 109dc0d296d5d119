// fedlink-agent init, ingest (hostile CSV suite), quality and check-config,
// run as the real binary on temporary data directories.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/cli/agent_store_access.h"
#include "agent/ingest/ingest_pipeline.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/agent_cli_runner.h"

namespace fedlink::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSchema = R"(version: 1
local_id: {column: id}
identifiers:
  - {column: first, role: first_name}
  - {column: last, role: last_name, required: true}
  - {column: dob, role: dob, formats: ["%Y-%m-%d"], min_year: 1900}
attributes:
  - {column: grade, sensitivity: internal, type: integer, min: 0, max: 12}
)";
constexpr const char* kHeader = "id,first,last,dob,grade\n";

class AgentCliTest : public AgentCliFixture {
 protected:
  void SetUp() override {
    AgentCliFixture::SetUp();
    schema_ = Path("schema.yaml");
    WriteWholeFile(schema_, kSchema);
  }

  // The store of `data`, opened in this process after the binary exited.
  std::unique_ptr<agent::RecordStore> OpenStore(const std::string& data) {
    absl::StatusOr<agent::cli::OpenedStore> opened =
        agent::cli::OpenAgentStore(data, {});
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? std::move(opened->store) : nullptr;
  }

  uint64_t Count(const std::string& data) {
    auto store = OpenStore(data);
    if (store == nullptr) return ~uint64_t{0};
    absl::StatusOr<uint64_t> n = store->CountRecords();
    return n.ok() ? *n : ~uint64_t{0};
  }

  AgentRun Ingest(const std::string& data, const std::string& csv_name,
                  const std::string& csv, const std::string& quarantine) {
    WriteWholeFile(Path(csv_name), csv, 0600);
    std::vector<std::string> args = {"ingest", Path(csv_name), "--schema",
                                     schema_, "--data-dir", data,
                                     "--batch-size", "2"};
    if (!quarantine.empty()) {
      args.push_back("--quarantine");
      args.push_back(Path(quarantine));
    }
    return Run(args);
  }

  std::string schema_;
};

TEST_F(AgentCliTest, InitCreatesPrivateDataDirAndRefusesToRunTwice) {
  const std::string data = InitDataDir();
  struct stat st;
  ASSERT_EQ(stat(data.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* file : {"at_rest.key", "signing_key.pem",
                           "signing_key.pub.pem", "linkage_secret.key"}) {
    ASSERT_EQ(stat((data + "/" + file).c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
  auto store = OpenStore(data);
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::optional<std::string>> agency =
      agent::cli::StoredAgency(*store);
  ASSERT_TRUE(agency.ok() && agency->has_value());
  EXPECT_EQ(**agency, "k12");
  store.reset();

  AgentRun again = Run({"init", "--data-dir", data, "--agency", "k12",
                        "--linkage-secret", Path("data.secret")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("already initialised"));
  WriteWholeFile(Path("other.secret"), std::string(64, 'b') + "\n", 0600);
  AgentRun other = Run({"init", "--data-dir", data, "--agency", "k12",
                        "--linkage-secret", Path("other.secret")});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("different linkage secret"));
}

TEST_F(AgentCliTest, InitRefusesAReadableSecretAndCreatesNothing) {
  const std::string secret = SecretFile("loose.secret", 0644);
  AgentRun run = Run({"init", "--data-dir", Path("data"), "--agency", "k12",
                      "--linkage-secret", secret});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("linkage secret"));
  EXPECT_THAT(run.err, HasSubstr("chmod"));
  EXPECT_FALSE(std::filesystem::exists(Path("data")));

  run = Run({"init", "--data-dir", Path("data"), "--agency", "k12",
             "--linkage-secret", Path("missing.secret")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(Path("data")));

  run = Run({"init", "--data-dir", Path("data"), "--agency", "Not A Name",
             "--linkage-secret", SecretFile("ok.secret")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("--agency"));
  EXPECT_FALSE(std::filesystem::exists(Path("data")));
}

TEST_F(AgentCliTest, IngestNeedsAnInitialisedDataDir) {
  AgentRun run = Ingest(Path("nowhere"), "a.csv",
                        std::string(kHeader) + "a1,ann,smith,1990-01-01,1\n",
                        "");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("fedlink-agent init"));
}

// One hostile input: the rows that must be quarantined (line and reason,
// as in the quarantine file) and the ids that must be committed.
struct HostileCase {
  std::string name;
  std::string csv;
  std::vector<std::string> quarantined;  // "line,reasons"
  std::vector<std::string> committed;
};

std::vector<HostileCase> HostileCases() {
  const std::string big(10 << 20, 'x');
  return {
      {"unterminated_quote_at_eof",
       std::string(kHeader) + "a1,ann,smith,1990-01-01,1\n"
                              "a2,\"ann,smith,1990-01-01,1\n",
       {"3,unterminated_quote"},
       {"a1"}},
      {"wrong_column_count",
       std::string(kHeader) + "a1,ann,smith,1990-01-01,1\n"
                              "a2,ann,smith\n"
                              "a3,ann,smith,1990-01-01,1,extra\n"
                              "a4,ann,smith,1990-01-01,2\n",
       {"3,wrong_column_count", "4,wrong_column_count"},
       {"a1", "a4"}},
      {"invalid_utf8",
       std::string(kHeader) + "a1,ann,sm\xff\xfeth,1990-01-01,1\n"
                              "a2,ann,smith,1990-01-01,1\n",
       {"2,last:invalid_utf8"},
       {"a2"}},
      {"ten_megabyte_field",
       std::string(kHeader) + "a1,ann," + big + ",1990-01-01,1\n"
                              "a2,ann,smith,1990-01-01,1\n",
       {"2,field_too_large"},
       {"a2"}},
      {"impossible_dates",
       std::string(kHeader) + "a1,ann,smith,2001-02-30,1\n"
                              "a2,ann,smith,1990-04-31,1\n"
                              "a3,ann,smith,1990-01-01,1\n",
       {"2,dob:impossible_date", "3,dob:impossible_date"},
       {"a3"}},
      {"duplicate_ids",
       std::string(kHeader) + "a1,ann,smith,1990-01-01,1\n"
                              "a2,ann,smith,1990-01-01,1\n"
                              "a1,bob,jones,1991-01-01,2\n",
       {"4,id:duplicate_local_id"},
       {"a1", "a2"}},
      {"header_only", std::string(kHeader), {}, {}},
  };
}

TEST_F(AgentCliTest, HostileCsvSuiteQuarantinesAndKeepsTheStoreConsistent) {
  for (const HostileCase& c : HostileCases()) {
    SCOPED_TRACE(c.name);
    const std::string data = InitDataDir("data-" + c.name);
    AgentRun run = Ingest(data, c.name + ".csv", c.csv, c.name + ".q.csv");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    // The quarantine file: header, then line and reasons of each row, mode
    // 0600; removed when no row was rejected.
    if (c.quarantined.empty()) {
      EXPECT_FALSE(std::filesystem::exists(Path(c.name + ".q.csv")));
    } else {
      std::string quarantine = ReadWholeFile(Path(c.name + ".q.csv"));
      std::vector<std::string> got;
      std::istringstream lines(quarantine);
      std::string line;
      std::getline(lines, line);
      EXPECT_EQ(line, "line,reasons,details,raw");
      while (std::getline(lines, line)) {
        const size_t second = line.find(',', line.find(',') + 1);
        got.push_back(line.substr(0, second));
      }
      EXPECT_EQ(got, c.quarantined);
      struct stat st;
      ASSERT_EQ(stat(Path(c.name + ".q.csv").c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0600u);
    }
    // The summary and progress never show a value of the file.
    EXPECT_THAT(run.out + run.err, Not(HasSubstr("smith")));
    EXPECT_THAT(run.out, HasSubstr(absl::StrCat("quarantined       ",
                                                c.quarantined.size())));

    auto store = OpenStore(data);
    ASSERT_NE(store, nullptr);
    absl::StatusOr<uint64_t> count = store->CountRecords();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, c.committed.size());
    for (const std::string& id : c.committed) {
      absl::StatusOr<std::optional<agent::StoredRecord>> r =
          store->GetRecord(id);
      ASSERT_TRUE(r.ok());
      EXPECT_TRUE(r->has_value()) << id;
    }
    absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
        agent::ingest::LoadIngestCheckpoint(*store);
    ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
    EXPECT_EQ((**checkpoint)["state"], "complete");
    EXPECT_EQ((**checkpoint)["rows_committed"], c.committed.size());
  }
}

TEST_F(AgentCliTest, EmptyFileIsAFatalErrorThatWritesNothing) {
  const std::string data = InitDataDir();
  AgentRun run = Ingest(data, "empty.csv", "", "empty.q.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(Path("empty.q.csv")));
  EXPECT_THAT(run.err, HasSubstr("empty.csv"));
  EXPECT_THAT(run.err, HasSubstr("empty"));
  auto store = OpenStore(data);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->CountRecords(), 0u);
  absl::StatusOr<std::optional<nlohmann::json>> checkpoint =
      agent::ingest::LoadIngestCheckpoint(*store);
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_FALSE(checkpoint->has_value());
}

TEST_F(AgentCliTest, WithoutQuarantineFileListsLinesAndReasonsOnly) {
  const std::string data = InitDataDir();
  AgentRun run = Ingest(data, "a.csv",
                        std::string(kHeader) + "a1,ann,smith,2001-02-30,1\n"
                                               "a2,ann,smith,1990-01-01,1\n",
                        "");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("rejected: line 2: dob:impossible_date"));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr("smith")));
  EXPECT_THAT(run.err, Not(HasSubstr("2001-02-30")));
}

TEST_F(AgentCliTest, QuarantineFileIsNeverOverwritten) {
  const std::string data = InitDataDir();
  WriteWholeFile(Path("q.csv"), "keep me", 0600);
  AgentRun run = Ingest(data, "a.csv",
                        std::string(kHeader) + "a1,ann,smith,1990-01-01,1\n",
                        "q.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(ReadWholeFile(Path("q.csv")), "keep me");
  EXPECT_EQ(Count(data), 0u);
}

TEST_F(AgentCliTest, QualityShowsCountsWithoutValues) {
  const std::string data = InitDataDir();
  AgentRun run = Ingest(data, "a.csv",
                        std::string(kHeader) + "a1,ann,smith,1990-01-01,1\n"
                                               "a2,zorblax,smith,1900-01-01,2\n"
                                               "a3,ann,jones,2001-02-30,3\n",
                        "");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  AgentRun text = Run({"quality", "--data-dir", data});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("records in store: 2"));
  EXPECT_THAT(text.out, HasSubstr("impossible_date"));
  EXPECT_THAT(text.out, HasSubstr("default_date"));
  AgentRun json = Run({"quality", "--data-dir", data, "--output", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json q = nlohmann::json::parse(json.out);
  EXPECT_EQ(q["records_in_store"], 2);
  EXPECT_EQ(q["last_ingest"]["quality_report"]["rows"]["rejected"], 1);
  EXPECT_TRUE(q["interrupted_ingest"].is_null());
  for (const char* value : {"smith", "SMITH", "jones", "JONES", "zorblax", "ZORBLAX",
                            "1990", "2001-02-30"}) {
    EXPECT_THAT(text.out + json.out, Not(HasSubstr(value))) << value;
  }
}

TEST_F(AgentCliTest, CheckConfigNamesFileKeyAndAllowedValues) {
  AgentRun ok = Run({"check-config", "--schema", schema_});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("ok     ingest schema"));

  WriteWholeFile(Path("bad.yaml"),
                 "version: 1\nlocal_id: {column: id}\nidentifiers:\n"
                 "  - {column: last, role: last_name}\nattributes:\n"
                 "  - {column: grade, sensitivity: secret}\n");
  AgentRun bad = Run({"check-config", "--schema", schema_, "--schema",
                      Path("bad.yaml")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("bad.yaml:6:"));
  EXPECT_THAT(bad.out, HasSubstr("attributes[0].sensitivity"));
  EXPECT_THAT(bad.out, HasSubstr("public, internal, confidential, restricted"));
  EXPECT_THAT(bad.err, HasSubstr("1 configuration problem"));

  const std::string policy =
      std::string(FEDLINK_SOURCE_DIR) + "/deploy/examples/agent-policy.yaml";
  const std::string data = InitDataDir();
  AgentRun dir = Run({"check-config", "--policy", policy, "--data-dir", data});
  // The example policy is for another agency than "k12".
  EXPECT_EQ(dir.exit_code, 1) << dir.out;
  EXPECT_THAT(dir.out, HasSubstr("ok     policy"));
  EXPECT_THAT(dir.out, HasSubstr("initialised for agency 'k12'"));

  // agent.yaml: the files it names are checked too, and the agencies of
  // config, policy and data directory must agree.
  WriteWholeFile(Path("agent.yaml"),
                 absl::StrCat("version: 1\nagency: k12\ndata_dir: ", data,
                              "\npolicy_file: ", policy,
                              "\ningest_schema_file: ", schema_,
                              "\ncoordinator:\n  address: coord.example.org:7443\n"
                              "  ca_file: ca.crt\n  cert_file: a.crt\n"
                              "  key_file: a.key\nadmin:\n  socket: a.sock\n"));
  AgentRun config = Run({"check-config", "--config", Path("agent.yaml")});
  EXPECT_EQ(config.exit_code, 1) << config.out << config.err;
  EXPECT_THAT(config.out, HasSubstr("ok     agent config"));
  EXPECT_THAT(config.out, HasSubstr("ok     ingest schema " + schema_));
  EXPECT_THAT(config.out, HasSubstr("is not the agent config's 'k12'"));
  EXPECT_THAT(config.out, HasSubstr("error  data directory " + data));
  EXPECT_THAT(config.err, HasSubstr("2 configuration problems"));

  // The same verdicts as one JSON object.
  AgentRun json = Run({"check-config", "--config", Path("agent.yaml"), "--output", "json"});
  EXPECT_EQ(json.exit_code, 1) << json.out << json.err;
  const nlohmann::json report = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << json.out;
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["problems"], 2);
  ASSERT_GE(report["items"].size(), 4u) << json.out;
  EXPECT_EQ(report["items"][0]["item"], "agent config " + Path("agent.yaml") + " (agency k12)");
  EXPECT_EQ(report["items"][0]["ok"], true);
  int errors = 0;
  for (const nlohmann::json& item : report["items"]) {
    if (item["ok"] == false) {
      ++errors;
      EXPECT_FALSE(item["error"].get<std::string>().empty()) << item;
    }
  }
  EXPECT_EQ(errors, 2) << json.out;

  AgentRun nothing = Run({"check-config"});
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_THAT(nothing.err, HasSubstr("nothing to check"));
}

}  // namespace
}  // namespace fedlink::testing
