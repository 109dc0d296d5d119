// The real coordinator server on 127.0.0.1 with mutual TLS (certificates
// from deploy/pki.sh), a temporary data directory, and test clients acting
// as two agencies' agents and an analyst: a whole microdata job from
// submission to decrypted, joined rows — then the identifier canary: no
// name or date of birth used to build the encodings appears in the
// coordinator's data directory, its log, or anything it sent.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "coordinator/config/coordinator_config.h"
#include "coordinator/jobs/aggregate_table.h"
#include "coordinator/rpc/coordinator_server.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/crypto/x25519.h"
#include "proto/audit/audit_verifier.h"
#include "proto/runtime/decision_verify.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "proto/runtime/payload_crypto.h"
#include "proto/runtime/signing_input.h"
#include "proto/runtime/tls_credentials.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/spdlog.h"
#include "tests/support/febrl_encoding.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;

int RunShell(const std::string& command) {
  int status = std::system((command + " > /dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string content;
  char buffer[4096];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) content.append(buffer, in.gcount());
  return content;
}

// Letters of a seeded pseudo-random walk: distinct made-up words per seed.
std::string Word(uint32_t seed, int length) {
  std::string word;
  for (int k = 0; k < length; ++k) {
    seed = seed * 1103515245u + 12345u;
    word.push_back(static_cast<char>('a' + (seed >> 16) % 26));
  }
  return word;
}

// Person i: made-up names, date and place no real data would hold.
testing::FebrlRecord Person(int i) {
  testing::FebrlRecord r;
  r.entity = std::to_string(i);
  r.rec_id = absl::StrCat("rec-", i);
  r.given_name = Word(static_cast<uint32_t>(i) * 2 + 1, 9);
  r.surname = Word(static_cast<uint32_t>(i) * 2 + 1000, 11);
  r.date_of_birth = absl::StrCat(1931 + i, "0", 1 + i % 9, 1 + i % 2, 3);
  r.postcode = absl::StrCat(7000 + i * 13);
  r.suburb = Word(static_cast<uint32_t>(i) + 5000, 8);
  r.street_number = absl::StrCat(10 + i);
  return r;
}

class CoordinatorJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-coord-it-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(RunShell(absl::StrCat("'", FEDLINK_SOURCE_DIR, "/deploy/pki.sh' --out '", dir_.string(),
                               "/pki' --coordinator coord --agent edu --agent health",
                               " --analyst alice --auditor audrey")),
              0);
    std::string agencies;
    for (const char* agency : {"edu", "health"}) {
      auto key = crypto::Ed25519PrivateKey::Generate();
      ASSERT_TRUE(key.ok());
      std::ofstream(dir_ / (std::string(agency) + ".pub")) << key->public_key().ToPem().value();
      decision_keys_.emplace(agency, *std::move(key));
      absl::StrAppend(&agencies, "  - id: ", agency, "\n    decision_key: ", agency, ".pub\n");
    }
    const std::string yaml = absl::StrCat(
        "version: 1\nlisten: 127.0.0.1:0\ndata_dir: data\nlog_format: json\n",
        "tls:\n  ca: pki/ca.crt\n  cert: pki/coordinator/coord.crt\n  key: pki/coordinator/coord.key\n",
        "aggregate:\n  min_cell_count: 10\nretention:\n  grace_hours: 24\n", "agencies:\n", agencies,
        "analysts:\n  - name: alice\n    training_expires: 2099-01-01\n");
    std::ofstream(dir_ / "coordinator.yaml") << yaml;
    absl::StatusOr<CoordinatorConfig> config = LoadCoordinatorConfig((dir_ / "coordinator.yaml").string());
    ASSERT_TRUE(config.ok()) << config.status();
    log_ = spdlog::basic_logger_mt("coordinator-it", (dir_ / "coordinator.log").string());
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(log_);
    auto server = CoordinatorServer::Start(*config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  void TearDown() override {
    server_.reset();
    if (previous_logger_) spdlog::set_default_logger(previous_logger_);
    spdlog::drop("coordinator-it");
    fs::remove_all(dir_);
  }

  std::unique_ptr<v1::Coordinator::Stub> Stub(const std::string& identity) {
    proto::TlsFiles files{(dir_ / "pki/ca.crt").string(), (dir_ / "pki" / (identity + ".crt")).string(),
                          (dir_ / "pki" / (identity + ".key")).string()};
    auto credentials = proto::MakeChannelCredentials(files);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    grpc::ChannelArguments arguments;
    proto::ApplyMessageSizeLimits(arguments);
    return v1::Coordinator::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("localhost:", server_->port()), credentials->credentials, arguments));
  }

  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }

  // Everything a client received, for the canary.
  void Saw(const google::protobuf::Message& m) { traffic_ += m.SerializeAsString(); }

  // Reads work items until one for `job_id` of the wanted kind arrives.
  v1::WorkItem AwaitWork(v1::Coordinator::Stub& stub, const std::string& job_id,
                         v1::WorkItem::WorkCase kind) {
    grpc::ClientContext context;
    Deadline(context);
    auto reader = stub.WatchWork(&context, v1::WatchWorkRequest());
    v1::WorkItem item;
    while (reader->Read(&item)) {
      Saw(item);
      if (item.job_id() == job_id && item.work_case() == kind) {
        context.TryCancel();
        reader->Finish().ok();
        return item;
      }
    }
    ADD_FAILURE() << "no work item of kind " << kind << ": " << reader->Finish().error_message();
    return item;
  }

  v1::SignedDecision Approve(const v1::DecideJob& decide, const std::string& job_id,
                             const std::string& agency) {
    v1::SignedDecision d;
    d.set_job_id(job_id);
    d.set_agency(agency);
    d.set_job_spec_sha256(decide.job_spec_sha256());
    d.set_verdict(v1::VERDICT_APPROVE);
    d.set_steward(agency + "/sam");
    d.set_decided_at_unix_ms(static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())));
    d.set_key_id(proto::DecisionKeyId(decision_keys_.at(agency).public_key()));
    auto signature = decision_keys_.at(agency).Sign(proto::DecisionSigningInput(d));
    d.set_signature(std::string(signature->begin(), signature->end()));
    return d;
  }

  // Encodes `records` under the job keys from `nonce` and uploads them in
  // batches of 10 (with one category code per record when `codes` is
  // given). Returns the coordinator's answer.
  grpc::Status UploadRecords(v1::Coordinator::Stub& stub, const std::string& job_id,
                             const std::string& agency, const v1::JobSpec& spec,
                             const std::vector<testing::FebrlRecord>& records,
                             const std::string& nonce, const std::vector<uint32_t>* codes,
                             v1::UploadSummary* summary) {
    absl::StatusOr<schema::LinkageSchema> schema = testing::LoadFebrlSchema();
    EXPECT_TRUE(schema.ok()) << schema.status();
    const std::string secret(32, 's');  // the agencies' shared linkage secret
    auto keys = crypto::DeriveJobKeys(
        crypto::SecretBytes(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(secret.data()), 32)),
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(nonce.data()), nonce.size()));
    EXPECT_TRUE(keys.ok());
    auto encoded = testing::EncodeFebrlRecords(records, *schema, *keys);
    EXPECT_TRUE(encoded.ok()) << encoded.status();
    grpc::ClientContext context;
    Deadline(context);
    auto writer = stub.UploadEncodings(&context, summary);
    const size_t n = encoded->tokens.size();
    for (size_t start = 0, seq = 0; start < n; start += 10, ++seq) {
      v1::EncodingBatch batch;
      batch.set_job_id(job_id);
      batch.set_agency(agency);
      batch.set_schema_fingerprint(spec.linkage_schema().fingerprint());
      batch.set_sequence(seq);
      batch.set_first_pseudonym(static_cast<uint32_t>(start));
      const size_t end = std::min(n, start + 10);
      batch.set_record_count(static_cast<uint32_t>(end - start));
      batch.set_final_batch(end == n);
      batch.set_filter_bits(static_cast<uint32_t>(encoded->filters[0].words.size() * 64));
      for (size_t i = start; i < end; ++i) {
        batch.add_token_counts(static_cast<uint32_t>(encoded->tokens[i].size()));
        for (const encode::Token& t : encoded->tokens[i]) {
          batch.add_token_recipe_ids(t.recipe_id);
          batch.mutable_tokens()->append(reinterpret_cast<const char*>(t.bytes.data()), 16);
        }
        for (uint64_t w : encoded->filters[i].words) {
          for (int b = 0; b < 8; ++b) batch.mutable_filters()->push_back(static_cast<char>(w >> (8 * b)));
        }
        if (codes != nullptr) batch.add_category_codes((*codes)[i]);
      }
      if (!writer->Write(batch)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  fs::path dir_;
  std::map<std::string, crypto::Ed25519PrivateKey> decision_keys_;
  std::shared_ptr<spdlog::logger> log_, previous_logger_;
  std::unique_ptr<CoordinatorServer> server_;
  std::string traffic_;
};

TEST_F(CoordinatorJobTest, TwoPartyMicrodataJobEndToEndLeaksNoIdentifier) {
  absl::StatusOr<schema::LinkageSchema> schema = testing::LoadFebrlSchema();
  ASSERT_TRUE(schema.ok()) << schema.status();
  const std::string secret(32, 's');  // the agencies' shared linkage secret
  std::map<std::string, std::vector<testing::FebrlRecord>> records;
  for (int i = 0; i < 20; ++i) records["edu"].push_back(Person(i));
  for (int i = 12; i < 30; ++i) records["health"].push_back(Person(i));  // 8 shared

  auto analyst_key = crypto::X25519PrivateKey::Generate();
  ASSERT_TRUE(analyst_key.ok());
  auto alice = Stub("analyst/alice");
  v1::SubmitJobRequest submit;
  v1::JobSpec* spec = submit.mutable_spec();
  spec->set_title("Apprentice outcomes");
  spec->set_purpose("Integration test");
  spec->set_irb_reference("IRB-7");
  spec->set_data_sharing_agreement("DSA-7");
  spec->mutable_expires_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
  for (const char* agency : {"edu", "health"}) {
    v1::Party* p = spec->add_parties();
    p->set_agency(agency);
    p->add_columns("outcome");
  }
  spec->set_method(v1::LINKAGE_METHOD_TOKENS_AND_BLOOM);
  spec->mutable_match()->set_bloom_threshold(0.8);
  *spec->mutable_linkage_schema() = proto::MakeLinkageSchemaSpec(*schema);
  spec->set_output_mode(v1::OUTPUT_MODE_LINKED_MICRODATA);
  const auto& pub = analyst_key->public_key().bytes();
  spec->mutable_analyst_key()->set_x25519_public_key(std::string(pub.begin(), pub.end()));
  spec->mutable_analyst_key()->set_aead(v1::HPKE_AEAD_AES_128_GCM);
  v1::Job job;
  {
    grpc::ClientContext context;
    Deadline(context);
    grpc::Status s = alice->SubmitJob(&context, submit, &job);
    ASSERT_TRUE(s.ok()) << s.error_message();
    Saw(job);
  }
  const std::string job_id = job.job_id();
  EXPECT_EQ(job.state(), v1::JOB_STATE_PENDING_APPROVAL);

  // An agent may not submit jobs (role from its certificate).
  auto edu_stub = Stub("agent/edu");
  {
    grpc::ClientContext context;
    Deadline(context);
    v1::Job ignored;
    EXPECT_EQ(edu_stub->SubmitJob(&context, submit, &ignored).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  std::map<std::string, std::unique_ptr<v1::Coordinator::Stub>> agents;
  agents["edu"] = std::move(edu_stub);
  agents["health"] = Stub("agent/health");
  for (auto& [agency, stub] : agents) {
    v1::WorkItem item = AwaitWork(*stub, job_id, v1::WorkItem::kDecide);
    grpc::ClientContext context;
    Deadline(context);
    v1::SubmitDecisionRequest request;
    *request.mutable_decision() = Approve(item.decide(), job_id, agency);
    v1::SubmitDecisionResponse response;
    ASSERT_TRUE(stub->SubmitDecision(&context, request, &response).ok());
    Saw(response);
  }

  // Encode under K_job from the coordinator's nonce, upload in two batches.
  for (auto& [agency, stub] : agents) {
    v1::WorkItem item = AwaitWork(*stub, job_id, v1::WorkItem::kEncode);
    ASSERT_EQ(item.encode().approvals_size(), 2);
    const std::string& nonce = item.encode().job_nonce();
    auto keys = crypto::DeriveJobKeys(
        crypto::SecretBytes(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(secret.data()), 32)),
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(nonce.data()), nonce.size()));
    ASSERT_TRUE(keys.ok());
    auto encoded = testing::EncodeFebrlRecords(records[agency], *schema, *keys);
    ASSERT_TRUE(encoded.ok()) << encoded.status();
    grpc::ClientContext context;
    Deadline(context);
    v1::UploadSummary summary;
    auto writer = stub->UploadEncodings(&context, &summary);
    const size_t n = encoded->tokens.size();
    for (size_t start = 0, seq = 0; start < n; start += 10, ++seq) {
      v1::EncodingBatch batch;
      batch.set_job_id(job_id);
      batch.set_agency(agency);
      batch.set_schema_fingerprint(spec->linkage_schema().fingerprint());
      batch.set_sequence(seq);
      batch.set_first_pseudonym(static_cast<uint32_t>(start));
      const size_t end = std::min(n, start + 10);
      batch.set_record_count(static_cast<uint32_t>(end - start));
      batch.set_final_batch(end == n);
      batch.set_filter_bits(static_cast<uint32_t>(encoded->filters[0].words.size() * 64));
      for (size_t i = start; i < end; ++i) {
        batch.add_token_counts(static_cast<uint32_t>(encoded->tokens[i].size()));
        for (const encode::Token& t : encoded->tokens[i]) {
          batch.add_token_recipe_ids(t.recipe_id);
          batch.mutable_tokens()->append(reinterpret_cast<const char*>(t.bytes.data()), 16);
        }
        for (uint64_t w : encoded->filters[i].words) {
          for (int b = 0; b < 8; ++b) batch.mutable_filters()->push_back(static_cast<char>(w >> (8 * b)));
        }
      }
      ASSERT_TRUE(writer->Write(batch));
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << agency << ": " << s.error_message();
    EXPECT_TRUE(summary.complete());
    Saw(summary);
  }

  // Matching runs on the coordinator's worker; then each agent fetches its
  // own pairs and releases rows encrypted to the analyst.
  std::map<std::string, std::map<uint32_t, std::string>> research_ids;  // agency → pseudonym → id
  for (auto& [agency, stub] : agents) {
    v1::WorkItem item = AwaitWork(*stub, job_id, v1::WorkItem::kRelease);
    grpc::ClientContext context;
    Deadline(context);
    v1::FetchAssignmentsRequest request;
    request.set_job_id(job_id);
    auto reader = stub->FetchAssignments(&context, request);
    v1::AssignmentBatch batch;
    while (reader->Read(&batch)) {
      Saw(batch);
      for (int i = 0; i < batch.pseudonyms_size(); ++i) {
        research_ids[agency][batch.pseudonyms(i)] = batch.research_ids().substr(16 * i, 16);
      }
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_EQ(research_ids[agency].size(), item.release().assignments());

    v1::ReleasedRows rows;
    rows.add_columns("outcome");
    for (const auto& [pseudonym, id] : research_ids[agency]) {
      v1::ReleasedRow* row = rows.add_rows();
      row->set_research_id(id);
      row->add_values(absl::StrCat("entity-", records[agency][pseudonym].entity));
    }
    auto chunk = proto::SealPayloadChunk(spec->analyst_key(),
                                         {job_id, agency, v1::PAYLOAD_KIND_ROWS, 0, true},
                                         rows.SerializeAsString());
    ASSERT_TRUE(chunk.ok()) << chunk.status();
    grpc::ClientContext upload_context;
    Deadline(upload_context);
    v1::PayloadSummary summary;
    auto writer = stub->UploadPayload(&upload_context, &summary);
    ASSERT_TRUE(writer->Write(*chunk));
    ASSERT_TRUE(writer->Write(*chunk));  // a retry is acknowledged, not stored twice
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(summary.chunks_stored(), 1u);
    EXPECT_EQ(summary.chunks_repeated(), 1u);
  }

  // The analyst fetches, decrypts and joins by research id.
  std::map<std::string, std::vector<v1::PayloadChunk>> chunks;
  v1::LinkageQualityReport quality;
  {
    grpc::ClientContext context;
    Deadline(context);
    v1::FetchResultsRequest request;
    request.set_job_id(job_id);
    auto reader = alice->FetchResults(&context, request);
    v1::ResultsItem item;
    while (reader->Read(&item)) {
      Saw(item);
      if (item.has_chunk()) chunks[item.chunk().agency()].push_back(item.chunk());
      if (item.has_quality()) quality = item.quality();
    }
    grpc::Status s = reader->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::map<std::string, std::map<std::string, std::string>> by_id;  // agency → research id → value
  for (const char* agency : {"edu", "health"}) {
    auto rows = proto::DecryptReleasedRows(job_id, agency, v1::HPKE_AEAD_AES_128_GCM, *analyst_key,
                                           chunks[agency]);
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (const v1::ReleasedRow& row : rows->rows()) by_id[agency][row.research_id()] = row.values(0);
  }
  int joined = 0;
  for (const auto& [id, value] : by_id["edu"]) {
    auto other = by_id["health"].find(id);
    ASSERT_NE(other, by_id["health"].end());
    EXPECT_EQ(value, other->second) << "a research id joined two different people";
    ++joined;
  }
  EXPECT_EQ(joined, 8);
  EXPECT_EQ(quality.clusters(), 8u);

  // An auditor fetches the log over mTLS and verifies it offline against the
  // coordinator's pinned key, checking each agency signature on decisions.
  {
    auto audrey = Stub("auditor/audrey");
    v1::SignedTreeHead head;
    grpc::ClientContext head_context;
    Deadline(head_context);
    ASSERT_TRUE(audrey->GetSignedTreeHead(&head_context, v1::GetSignedTreeHeadRequest(), &head).ok());
    audit::AuditLogExport exported;
    exported.heads.push_back(head);
    grpc::ClientContext context;
    Deadline(context);
    v1::ListAuditEntriesRequest request;
    request.set_to_index(head.head().tree_size());
    auto reader = audrey->ListAuditEntries(&context, request);
    v1::LoggedEntry logged;
    std::map<v1::AuditAction, int> actions;
    while (reader->Read(&logged)) {
      Saw(logged);
      exported.entries.push_back(logged);
      v1::AuditEntry entry;
      ASSERT_TRUE(entry.ParseFromString(logged.entry()));
      ++actions[entry.action()];
    }
    ASSERT_TRUE(reader->Finish().ok());
    auto signing_key = crypto::Ed25519PrivateKey::FromPem(ReadAll(dir_ / "data/audit-signing-key.pem"));
    ASSERT_TRUE(signing_key.ok());
    audit::AuditVerifyOptions options{signing_key->public_key(), "coordinator", std::nullopt,
                                      nullptr};
    options.check_entry = [&](uint64_t, const v1::AuditEntry& entry) -> absl::Status {
      if (entry.action() != v1::AUDIT_ACTION_DECISION_RECEIVED || !entry.has_decision()) {
        return absl::OkStatus();
      }
      return proto::VerifyDecision(entry.decision(),
                                   {entry.job_id(), job.job_spec_sha256(), entry.agency()},
                                   decision_keys_.at(entry.agency()).public_key());
    };
    absl::StatusOr<audit::AuditVerdict> verdict = audit::VerifyAuditLog(exported, options);
    ASSERT_TRUE(verdict.ok()) << verdict.status();
    EXPECT_TRUE(verdict->ok()) << verdict->reason;
    EXPECT_EQ(actions[v1::AUDIT_ACTION_DECISION_RECEIVED], 2);
    EXPECT_EQ(actions[v1::AUDIT_ACTION_CALL_REFUSED], 1);  // the agent's SubmitJob
    EXPECT_EQ(actions[v1::AUDIT_ACTION_MATCHING_DONE], 1);
    EXPECT_EQ(actions[v1::AUDIT_ACTION_RESULTS_FETCHED], 1);
    EXPECT_EQ(actions[v1::AUDIT_ACTION_JOB_COMPLETED], 1);
  }

  // Canary: no identifier value anywhere the coordinator wrote or sent.
  server_.reset();  // flush and close RocksDB and the log
  log_->flush();
  std::string everything = traffic_;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "data")) {
    if (entry.is_regular_file()) everything += ReadAll(entry.path());
  }
  const std::string log = ReadAll(dir_ / "coordinator.log");
  EXPECT_THAT(log, ::testing::HasSubstr(job_id));  // the log was written
  everything += log;
  int checked = 0;
  for (int i = 0; i < 30; ++i) {
    const testing::FebrlRecord p = Person(i);
    for (const std::string& value : {p.given_name, p.surname, p.date_of_birth}) {
      EXPECT_EQ(everything.find(value), std::string::npos) << "identifier of person " << i << " leaked";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 90);
}

TEST_F(CoordinatorJobTest, AggregateJobByCategoryRelaysTheLegendAndSuppressesByCategory) {
  // edu: persons 0..59, health: 30..79 (30 shared). edu's programme (the
  // breakdown column): made-up names, never seen by the coordinator.
  const std::vector<std::string> programmes = {"programme-ankh", "programme-bel", "programme-cyr"};
  std::map<std::string, std::vector<testing::FebrlRecord>> records;
  std::vector<uint32_t> edu_codes;  // the code of edu's record i (the agent's job)
  const std::vector<uint32_t> code_of_programme = {3, 1, 2};  // a per-job permutation
  // cyr is rare: 4 people at edu alone, 3 found at both.
  auto programme_of = [](int person) {
    return person < 4 || (person >= 30 && person < 33) ? 2 : person % 2;
  };
  for (int i = 0; i < 60; ++i) {
    records["edu"].push_back(Person(i));
    edu_codes.push_back(code_of_programme[programme_of(i)]);
  }
  for (int i = 30; i < 80; ++i) records["health"].push_back(Person(i));

  auto analyst_key = crypto::X25519PrivateKey::Generate();
  ASSERT_TRUE(analyst_key.ok());
  auto alice = Stub("analyst/alice");
  v1::SubmitJobRequest submit;
  v1::JobSpec* spec = submit.mutable_spec();
  spec->set_title("Programme overlap");
  spec->set_purpose("Integration test");
  spec->set_irb_reference("IRB-8");
  spec->set_data_sharing_agreement("DSA-8");
  spec->mutable_expires_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
  for (const char* agency : {"edu", "health"}) spec->add_parties()->set_agency(agency);
  absl::StatusOr<schema::LinkageSchema> schema = testing::LoadFebrlSchema();
  ASSERT_TRUE(schema.ok()) << schema.status();
  spec->set_method(v1::LINKAGE_METHOD_TOKENS_AND_BLOOM);
  spec->mutable_match()->set_bloom_threshold(0.8);
  *spec->mutable_linkage_schema() = proto::MakeLinkageSchemaSpec(*schema);
  spec->set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  spec->mutable_aggregate()->mutable_category()->set_agency("edu");
  spec->mutable_aggregate()->mutable_category()->set_column("programme");
  const auto& pub = analyst_key->public_key().bytes();
  spec->mutable_analyst_key()->set_x25519_public_key(std::string(pub.begin(), pub.end()));
  spec->mutable_analyst_key()->set_aead(v1::HPKE_AEAD_CHACHA20_POLY1305);
  v1::Job job;
  {
    grpc::ClientContext context;
    Deadline(context);
    grpc::Status s = alice->SubmitJob(&context, submit, &job);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string job_id = job.job_id();

  std::map<std::string, std::unique_ptr<v1::Coordinator::Stub>> agents;
  agents["edu"] = Stub("agent/edu");
  agents["health"] = Stub("agent/health");
  for (auto& [agency, stub] : agents) {
    v1::WorkItem item = AwaitWork(*stub, job_id, v1::WorkItem::kDecide);
    grpc::ClientContext context;
    Deadline(context);
    v1::SubmitDecisionRequest request;
    *request.mutable_decision() = Approve(item.decide(), job_id, agency);
    v1::SubmitDecisionResponse response;
    ASSERT_TRUE(stub->SubmitDecision(&context, request, &response).ok());
  }
  std::map<std::string, std::string> nonces;
  for (auto& [agency, stub] : agents) {
    nonces[agency] = AwaitWork(*stub, job_id, v1::WorkItem::kEncode).encode().job_nonce();
  }
  {
    // Codes come from the category party only, one per record.
    v1::UploadSummary summary;
    grpc::Status s = UploadRecords(*agents["health"], job_id, "health", *spec, records["health"],
                                   nonces["health"], &edu_codes, &summary);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), ::testing::HasSubstr("no breakdown by a column of this agency"));
    s = UploadRecords(*agents["edu"], job_id, "edu", *spec, records["edu"], nonces["edu"], nullptr,
                      &summary);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), ::testing::HasSubstr("needs one code per record"));
  }
  for (auto& [agency, stub] : agents) {
    v1::UploadSummary summary;
    grpc::Status s = UploadRecords(*stub, job_id, agency, *spec, records[agency], nonces[agency],
                                   agency == "edu" ? &edu_codes : nullptr, &summary);
    ASSERT_TRUE(s.ok()) << agency << ": " << s.error_message();
    EXPECT_TRUE(summary.complete());
  }

  // Matched: edu (and only edu) owes its legend, sealed to the analyst.
  v1::WorkItem release = AwaitWork(*agents["edu"], job_id, v1::WorkItem::kRelease);
  EXPECT_EQ(release.release().kind(), v1::PAYLOAD_KIND_CATEGORY_LEGEND);
  {
    grpc::ClientContext context;
    Deadline(context);
    v1::Job status;
    v1::GetJobRequest request;
    request.set_job_id(job_id);
    ASSERT_TRUE(alice->GetJob(&context, request, &status).ok());
    EXPECT_EQ(status.state(), v1::JOB_STATE_RELEASING);
  }
  v1::CategoryLegend legend;
  legend.set_column("programme");
  for (size_t p = 0; p < programmes.size(); ++p) {
    v1::CategoryLabel* label = legend.add_labels();
    label->set_code(code_of_programme[p]);
    label->set_label(programmes[p]);
  }
  auto legend_chunk = proto::SealPayloadChunk(
      spec->analyst_key(), {job_id, "edu", v1::PAYLOAD_KIND_CATEGORY_LEGEND, 0, true},
      legend.SerializeAsString());
  ASSERT_TRUE(legend_chunk.ok()) << legend_chunk.status();
  {
    // health owes nothing: its chunk is refused.
    auto stray = proto::SealPayloadChunk(
        spec->analyst_key(), {job_id, "health", v1::PAYLOAD_KIND_CATEGORY_LEGEND, 0, true},
        legend.SerializeAsString());
    ASSERT_TRUE(stray.ok());
    grpc::ClientContext context;
    Deadline(context);
    v1::PayloadSummary summary;
    auto writer = agents["health"]->UploadPayload(&context, &summary);
    writer->Write(*stray);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext context;
    Deadline(context);
    v1::PayloadSummary summary;
    auto writer = agents["edu"]->UploadPayload(&context, &summary);
    ASSERT_TRUE(writer->Write(*legend_chunk));
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(summary.complete());
  }

  // The analyst: the legend chunk as uploaded, then the table.
  std::vector<v1::PayloadChunk> chunks;
  v1::AggregateTable table;
  v1::ResultsHeader header;
  {
    grpc::ClientContext context;
    Deadline(context);
    v1::FetchResultsRequest request;
    request.set_job_id(job_id);
    auto reader = alice->FetchResults(&context, request);
    v1::ResultsItem item;
    while (reader->Read(&item)) {
      Saw(item);
      if (item.has_header()) header = item.header();
      if (item.has_chunk()) chunks.push_back(item.chunk());
      if (item.has_aggregate()) table = item.aggregate();
    }
    grpc::Status s = reader->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(header.payloads_size(), 1);
  EXPECT_EQ(header.payloads(0).agency(), "edu");
  EXPECT_EQ(header.payloads(0).kind(), v1::PAYLOAD_KIND_CATEGORY_LEGEND);
  auto opened = proto::DecryptCategoryLegend(job_id, "edu", v1::HPKE_AEAD_CHACHA20_POLY1305,
                                             *analyst_key, chunks);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->SerializeAsString(), legend.SerializeAsString());

  // Ground truth per (parties, code): edu-only 0..29, both 30..59, health-only 60..79.
  std::map<std::pair<std::vector<std::string>, uint32_t>, uint64_t> truth;
  for (int i = 0; i < 60; ++i) {
    const uint32_t code = code_of_programme[programme_of(i)];
    ++truth[{i < 30 ? std::vector<std::string>{"edu"} : std::vector<std::string>{"edu", "health"},
             code}];
  }
  truth[{{"health"}, 0}] = 20;
  EXPECT_TRUE(table.by_category());
  EXPECT_EQ(table.min_cell_count(), 10u);
  ASSERT_EQ(table.cells_size(), 7);  // edu × 3 codes, health, both × 3 codes
  int primary = 0;
  for (const v1::AggregateCell& cell : table.cells()) {
    const std::vector<std::string> agencies(cell.agencies().begin(), cell.agencies().end());
    const uint64_t expected = truth[{agencies, cell.category_code()}];
    if (cell.suppression() == v1::SUPPRESSION_NONE) {
      EXPECT_EQ(cell.count(), expected) << cell.DebugString();
    } else {
      EXPECT_EQ(cell.count(), 0u);
    }
    if (expected > 0 && expected < 10) {
      EXPECT_EQ(cell.suppression(), v1::SUPPRESSION_PRIMARY) << cell.DebugString();
      ++primary;
    }
  }
  EXPECT_EQ(primary, 2);  // the rare programme at edu alone (4) and at both (3)
  EXPECT_FALSE(AnySuppressedCellDetermined({"edu", "health"}, table, 0));
  {
    // Not even the audit log tells how many people were linked (a total the
    // suppression assumes unknown).
    auto audrey = Stub("auditor/audrey");
    grpc::ClientContext context;
    Deadline(context);
    v1::ListAuditEntriesRequest request;
    request.set_job_id(job_id);
    auto reader = audrey->ListAuditEntries(&context, request);
    v1::LoggedEntry logged;
    int matching_done = 0;
    while (reader->Read(&logged)) {
      v1::AuditEntry entry;
      ASSERT_TRUE(entry.ParseFromString(logged.entry()));
      if (entry.action() != v1::AUDIT_ACTION_MATCHING_DONE) continue;
      ++matching_done;
      EXPECT_EQ(entry.counts_size(), 0) << entry.DebugString();
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_EQ(matching_done, 1);
  }

  // The labels exist only as ciphertext at the coordinator.
  server_.reset();
  log_->flush();
  std::string everything = ReadAll(dir_ / "coordinator.log");
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "data")) {
    if (entry.is_regular_file()) everything += ReadAll(entry.path());
  }
  everything += traffic_;
  for (const std::string& label : programmes) {
    EXPECT_EQ(everything.find(label), std::string::npos) << label << " leaked";
  }
}

}  // namespace
}  // namespace fedlink::coordinator
