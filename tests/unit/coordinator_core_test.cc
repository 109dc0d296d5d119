// CoordinatorCore without gRPC: a temporary RocksDB store, identities as
// the certificate would give them, decisions signed with generated agency
// keys, synthetic token uploads. Covers the job state machine as driven by
// the protocol, validation, role checks, idempotent uploads and restart.
#include "coordinator/core/coordinator_core.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/jobs/work_items.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/schema/linkage_schema.h"
#include "proto/runtime/decision_verify.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "proto/runtime/signing_input.h"

namespace fedlink::coordinator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using proto::PeerIdentity;
using proto::Role;

const PeerIdentity kAlice{Role::kAnalyst, "alice", ""};
const PeerIdentity kBob{Role::kAnalyst, "bob", ""};
const PeerIdentity kEduAgent{Role::kAgent, "edu", "edu"};
const PeerIdentity kHealthAgent{Role::kAgent, "health", "health"};
const PeerIdentity kLaborAgent{Role::kAgent, "labor", "labor"};
const PeerIdentity kEduSteward{Role::kSteward, "edu/sam", "edu"};
const PeerIdentity kAuditor{Role::kAuditor, "audrey", ""};
const PeerIdentity kOperator{Role::kOperator, "ops", ""};

const absl::Time kNow = absl::FromCivil(absl::CivilDay(2026, 12, 1), absl::UTCTimeZone());

class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/fedlink-core-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    for (const char* agency : {"edu", "health", "labor"}) {
      absl::StatusOr<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::Generate();
      ASSERT_TRUE(key.ok());
      keys_.emplace(agency, *std::move(key));
      registry_.agencies.emplace(
          agency, AgencyEntry{agency, "", agency, keys_.at(agency).public_key(), 0});
    }
    registry_.analysts.emplace("alice", AnalystEntry{"alice", "", kNow + absl::Hours(24 * 100)});
    registry_.analysts.emplace("bob", AnalystEntry{"bob", "", kNow - absl::Hours(1)});
    schema_ = schema::DefaultLinkageSchema();
    for (const auto& r : schema_.token_recipes) {
      if (!r.blocking_only) {
        recipe_ = r.id;
        break;
      }
    }
    Open();
  }

  void TearDown() override {
    core_.reset();
    audit_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void Open() {
    auto store = CoordinatorStore::Open(dir_ + "/db", crypto::SecretBytes(std::vector<uint8_t>(32, 7)),
                                        /*sync_writes=*/false);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto key = crypto::Ed25519PrivateKey::Generate();
    if (!audit_key_.has_value()) audit_key_ = key->ToBytes().value();
    auto audit = AuditTrail::Open(store_->db(), store_->family(StoreFamily::kAuditLog),
                                  crypto::Ed25519PrivateKey::FromBytes(*audit_key_).value(),
                                  [this] { return now_; }, false);
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
    CoreOptions options;
    options.registry = registry_;
    options.clock = [this] { return now_; };
    options.random = [this](absl::Span<uint8_t> out) {
      for (uint8_t& b : out) b = static_cast<uint8_t>(++counter_ * 151 + 7);
      return absl::OkStatus();
    };
    auto core = CoordinatorCore::Create(store_.get(), audit_.get(), std::move(options));
    ASSERT_TRUE(core.ok()) << core.status();
    core_ = *std::move(core);
    ASSERT_TRUE(core_->Start().ok());
  }

  void Restart() {
    core_.reset();
    audit_.reset();
    store_.reset();
    Open();
  }

  v1::JobSpec Spec(std::vector<std::string> agencies = {"edu", "health"},
                   v1::OutputMode mode = v1::OUTPUT_MODE_LINKED_MICRODATA) {
    v1::JobSpec spec;
    spec.set_title("Outcomes of apprentices");
    spec.set_purpose("Study");
    spec.set_irb_reference("IRB-1");
    spec.set_data_sharing_agreement("DSA-1");
    spec.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(kNow + absl::Hours(24 * 30)));
    for (const std::string& a : agencies) {
      v1::Party* p = spec.add_parties();
      p->set_agency(a);
      p->add_columns("outcome");
    }
    spec.set_method(v1::LINKAGE_METHOD_TOKENS);
    *spec.mutable_linkage_schema() = proto::MakeLinkageSchemaSpec(schema_);
    spec.set_output_mode(mode);
    spec.mutable_analyst_key()->set_x25519_public_key(std::string(32, '\x09'));
    spec.mutable_analyst_key()->set_aead(v1::HPKE_AEAD_AES_128_GCM);
    return spec;
  }

  std::string Submit(const v1::JobSpec& spec) {
    v1::SubmitJobRequest request;
    *request.mutable_spec() = spec;
    absl::StatusOr<v1::Job> job = core_->SubmitJob(kAlice, request);
    EXPECT_TRUE(job.ok()) << job.status();
    EXPECT_EQ(job->state(), v1::JOB_STATE_PENDING_APPROVAL);
    return job.ok() ? job->job_id() : "";
  }

  v1::SubmitDecisionRequest Decision(const std::string& job_id, const std::string& agency,
                                     v1::Verdict verdict, const std::string& reason = "") {
    v1::GetJobRequest get;
    get.set_job_id(job_id);
    v1::Job job = core_->GetJob(kAlice, get).value();
    v1::SubmitDecisionRequest request;
    v1::SignedDecision* d = request.mutable_decision();
    d->set_job_id(job_id);
    d->set_agency(agency);
    d->set_job_spec_sha256(job.job_spec_sha256());
    d->set_verdict(verdict);
    d->set_reason(reason);
    d->set_steward(agency + "/sam");
    d->set_decided_at_unix_ms(static_cast<uint64_t>(absl::ToUnixMillis(kNow)));
    d->set_key_id(proto::DecisionKeyId(keys_.at(agency).public_key()));
    auto signature = keys_.at(agency).Sign(proto::DecisionSigningInput(*d));
    d->set_signature(std::string(signature->begin(), signature->end()));
    return request;
  }

  PeerIdentity Agent(const std::string& agency) { return PeerIdentity{Role::kAgent, agency, agency}; }

  void ApproveAll(const std::string& job_id, std::vector<std::string> agencies) {
    for (const std::string& a : agencies) {
      auto r = core_->SubmitDecision(Agent(a), Decision(job_id, a, v1::VERDICT_APPROVE));
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  // Records: token value `ids[i]` for record i (equal ids link across parties).
  v1::EncodingBatch Batch(const std::string& job_id, const std::string& agency, uint64_t sequence,
                          uint32_t first, const std::vector<int>& ids, bool final_batch) {
    v1::EncodingBatch b;
    b.set_job_id(job_id);
    b.set_agency(agency);
    b.set_schema_fingerprint(proto::MakeLinkageSchemaSpec(schema_).fingerprint());
    b.set_sequence(sequence);
    b.set_first_pseudonym(first);
    b.set_record_count(static_cast<uint32_t>(ids.size()));
    b.set_final_batch(final_batch);
    for (int id : ids) {
      b.add_token_counts(1);
      b.add_token_recipe_ids(recipe_);
      std::string token(16, '\0');
      for (int k = 0; k < 16; ++k) token[k] = static_cast<char>((id * 31 + k * 7) & 0xff);
      b.mutable_tokens()->append(token);
    }
    return b;
  }

  absl::StatusOr<v1::UploadSummary> Upload(const PeerIdentity& caller,
                                           std::vector<v1::EncodingBatch> batches) {
    size_t next = 0;
    return core_->UploadEncodings(caller, [&](v1::EncodingBatch* out) {
      if (next == batches.size()) return false;
      *out = batches[next++];
      return true;
    });
  }

  v1::Job Get(const std::string& job_id) {
    v1::GetJobRequest get;
    get.set_job_id(job_id);
    return core_->GetJob(kAlice, get).value();
  }

  std::vector<v1::AssignmentBatch> Assignments(const std::string& job_id, const std::string& agency) {
    std::vector<v1::AssignmentBatch> out;
    v1::FetchAssignmentsRequest request;
    request.set_job_id(job_id);
    absl::Status s = core_->FetchAssignments(Agent(agency), request, [&](const v1::AssignmentBatch& b) {
      out.push_back(b);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::string dir_;
  std::map<std::string, crypto::Ed25519PrivateKey> keys_;
  Registry registry_;
  schema::LinkageSchema schema_;
  uint16_t recipe_ = 0;
  absl::Time now_ = kNow;
  uint64_t counter_ = 0;
  std::optional<crypto::SecretBytes> audit_key_;
  std::unique_ptr<CoordinatorStore> store_;
  std::unique_ptr<AuditTrail> audit_;
  std::unique_ptr<CoordinatorCore> core_;
};

TEST_F(CoreTest, MicrodataJobRunsThroughEveryState) {
  const std::string job_id = Submit(Spec());
  // Both agencies see a DecideJob; the job is not yet encodable.
  auto edu_work = core_->OutstandingWork(kEduAgent);
  ASSERT_TRUE(edu_work.ok());
  ASSERT_EQ(edu_work->size(), 1u);
  EXPECT_TRUE((*edu_work)[0].has_decide());
  EXPECT_TRUE((*edu_work)[0].receipt().has_tree_head());

  ApproveAll(job_id, {"edu", "health"});
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_ENCODING);
  edu_work = core_->OutstandingWork(kEduAgent);
  ASSERT_EQ(edu_work->size(), 1u);
  ASSERT_TRUE((*edu_work)[0].has_encode());
  EXPECT_EQ((*edu_work)[0].encode().job_nonce().size(), 32u);
  EXPECT_EQ((*edu_work)[0].encode().approvals_size(), 2);

  // edu: records 0..4 with ids 1..5; health: ids 4,5,6 (two matches).
  ASSERT_TRUE(Upload(kEduAgent, {Batch(job_id, "edu", 0, 0, {1, 2, 3}, false),
                                 Batch(job_id, "edu", 1, 3, {4, 5}, true)}).ok());
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_ENCODING);
  auto summary = Upload(kHealthAgent, {Batch(job_id, "health", 0, 0, {6, 4, 5}, true)});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE(summary->complete());
  core_->WaitForMatchingIdle();
  v1::Job job = Get(job_id);
  ASSERT_EQ(job.state(), v1::JOB_STATE_RELEASING) << job.state_reason();
  EXPECT_EQ(job.quality().clusters(), 2u);
  EXPECT_EQ(job.parties(0).assignments(), 2u);

  // Each agency gets only its own pseudonyms, with shared research ids.
  auto edu = Assignments(job_id, "edu");
  auto health = Assignments(job_id, "health");
  ASSERT_EQ(edu.size(), 1u);
  ASSERT_EQ(health.size(), 1u);
  EXPECT_THAT(std::vector<uint32_t>(edu[0].pseudonyms().begin(), edu[0].pseudonyms().end()),
              ::testing::ElementsAre(3u, 4u));
  EXPECT_THAT(std::vector<uint32_t>(health[0].pseudonyms().begin(), health[0].pseudonyms().end()),
              ::testing::ElementsAre(1u, 2u));
  EXPECT_EQ(edu[0].research_ids(), health[0].research_ids());
  EXPECT_NE(edu[0].research_ids().substr(0, 16), edu[0].research_ids().substr(16, 16));

  // Release: one final chunk each, then COMPLETE and results for alice only.
  for (const std::string& agency : {std::string("edu"), std::string("health")}) {
    v1::PayloadChunk chunk;
    chunk.set_job_id(job_id);
    chunk.set_agency(agency);
    chunk.set_kind(v1::PAYLOAD_KIND_ROWS);
    chunk.set_final_chunk(true);
    chunk.set_enc(std::string(32, 'e'));
    chunk.set_ciphertext(std::string(40, 'c'));
    bool given = false;
    auto r = core_->UploadPayload(Agent(agency), [&](v1::PayloadChunk* out) {
      if (given) return false;
      *out = chunk;
      given = true;
      return true;
    });
    ASSERT_TRUE(r.ok()) << r.status();
  }
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_COMPLETE);
  std::vector<v1::ResultsItem> items;
  v1::FetchResultsRequest fetch;
  fetch.set_job_id(job_id);
  ASSERT_TRUE(core_->FetchResults(kAlice, fetch, [&](const v1::ResultsItem& i) {
    items.push_back(i);
    return true;
  }).ok());
  ASSERT_EQ(items.size(), 4u);  // header, two chunks, quality
  EXPECT_TRUE(items[0].has_header());
  EXPECT_TRUE(items[1].has_chunk());
  EXPECT_TRUE(items[3].has_quality());
  EXPECT_EQ(core_->FetchResults(kBob, fetch, [](const v1::ResultsItem&) { return true; }).code(),
            absl::StatusCode::kPermissionDenied);

  // Final: agents are told to purge until they acknowledge.
  edu_work = core_->OutstandingWork(kEduAgent);
  ASSERT_EQ(edu_work->size(), 1u);
  EXPECT_TRUE((*edu_work)[0].has_purge());
  v1::AckPurgeRequest ack;
  ack.set_job_id(job_id);
  ASSERT_TRUE(core_->AckPurge(kEduAgent, ack).ok());
  EXPECT_TRUE(core_->OutstandingWork(kEduAgent)->empty());

  // Retention: after the grace period the data is destroyed.
  now_ += absl::Hours(24 * 8);
  ASSERT_TRUE(core_->RunRetention().ok());
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_PURGED);
  EXPECT_FALSE(store_->GetPayloadChunk(job_id, 0, 1, 0).value().has_value());
  EXPECT_FALSE(store_->GetAssignmentBatch(job_id, 0, 0).value().has_value());
  // And it left the files: no payload ciphertext, research id or token.
  const std::string research_id = edu[0].research_ids().substr(0, 16);
  const std::string token = Batch(job_id, "edu", 0, 0, {1}, true).tokens();
  for (const auto& entry : fs::recursive_directory_iterator(dir_ + "/db")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content;
    char buffer[4096];
    while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) content.append(buffer, in.gcount());
    EXPECT_EQ(content.find(std::string(40, 'c')), std::string::npos) << entry.path();
    EXPECT_EQ(content.find(research_id), std::string::npos) << entry.path();
    EXPECT_EQ(content.find(token), std::string::npos) << entry.path();
  }
}

TEST_F(CoreTest, DenialEndsTheJobWithTheReasonAndNothingIsEncoded) {
  const std::string job_id = Submit(Spec());
  ASSERT_TRUE(core_->SubmitDecision(kEduAgent, Decision(job_id, "edu", v1::VERDICT_APPROVE)).ok());
  auto r = core_->SubmitDecision(kHealthAgent,
                                 Decision(job_id, "health", v1::VERDICT_DENY, "no DSA on file"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state(), v1::JOB_STATE_DENIED);
  v1::Job job = Get(job_id);
  EXPECT_EQ(job.state(), v1::JOB_STATE_DENIED);
  EXPECT_THAT(job.state_reason(), HasSubstr("'health' denied the job: no DSA on file"));
  auto work = core_->OutstandingWork(kEduAgent);
  ASSERT_EQ(work->size(), 1u);
  EXPECT_TRUE((*work)[0].has_purge());
  EXPECT_EQ(Upload(kEduAgent, {Batch(job_id, "edu", 0, 0, {1}, true)}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(CoreTest, TamperedOrForeignDecisionsAreRefused) {
  const std::string job_id = Submit(Spec());
  v1::SubmitDecisionRequest flipped = Decision(job_id, "edu", v1::VERDICT_DENY);
  flipped.mutable_decision()->set_verdict(v1::VERDICT_APPROVE);  // signature covers the verdict
  EXPECT_EQ(core_->SubmitDecision(kEduAgent, flipped).status().code(),
            absl::StatusCode::kInvalidArgument);
  // health's agent cannot submit edu's decision.
  EXPECT_EQ(core_->SubmitDecision(kHealthAgent, Decision(job_id, "edu", v1::VERDICT_APPROVE))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  // labor is not a party.
  EXPECT_EQ(core_->SubmitDecision(kLaborAgent, Decision(job_id, "labor", v1::VERDICT_APPROVE))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_PENDING_APPROVAL);
  // A genuine decision repeated is acknowledged once.
  const v1::SubmitDecisionRequest good = Decision(job_id, "edu", v1::VERDICT_APPROVE);
  ASSERT_TRUE(core_->SubmitDecision(kEduAgent, good).ok());
  ASSERT_TRUE(core_->SubmitDecision(kEduAgent, good).ok());
  EXPECT_EQ(Get(job_id).parties(0).verdict(), v1::VERDICT_APPROVE);
}

TEST_F(CoreTest, SubmissionIsValidated) {
  v1::SubmitJobRequest request;
  *request.mutable_spec() = Spec({"edu", "nowhere"});
  EXPECT_THAT(std::string(core_->SubmitJob(kAlice, request).status().message()),
              HasSubstr("parties[1].agency: 'nowhere' is not a registered agency"));
  *request.mutable_spec() = Spec();
  request.mutable_spec()->mutable_expires_at()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(1)));
  EXPECT_THAT(std::string(core_->SubmitJob(kAlice, request).status().message()),
              HasSubstr("expires_at: must be in the future"));
  *request.mutable_spec() = Spec();
  request.mutable_spec()->clear_analyst_key();
  EXPECT_EQ(core_->SubmitJob(kAlice, request).status().code(), absl::StatusCode::kInvalidArgument);
  *request.mutable_spec() = Spec();
  request.mutable_spec()->mutable_linkage_schema()->set_fingerprint(std::string(32, 'x'));
  EXPECT_THAT(std::string(core_->SubmitJob(kAlice, request).status().message()),
              HasSubstr("fingerprint"));
  *request.mutable_spec() = Spec();
  auto bob = core_->SubmitJob(kBob, request);
  EXPECT_EQ(bob.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(bob.status().message()), HasSubstr("training certification expired"));
  EXPECT_EQ(core_->SubmitJob(PeerIdentity{Role::kAnalyst, "mallory", ""}, request).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(core_->SubmitJob(kEduAgent, request).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Nothing was stored by the refusals.
  v1::ListJobsResponse list = core_->ListJobs(kAlice, v1::ListJobsRequest()).value();
  EXPECT_EQ(list.jobs_size(), 0);
}

TEST_F(CoreTest, SubmitIsIdempotentPerRequestId) {
  v1::SubmitJobRequest request;
  *request.mutable_spec() = Spec();
  request.set_request_id("r1");
  auto first = core_->SubmitJob(kAlice, request);
  auto second = core_->SubmitJob(kAlice, request);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->job_id(), second->job_id());
  request.mutable_spec()->set_title("Another");
  EXPECT_EQ(core_->SubmitJob(kAlice, request).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(CoreTest, RolesAndOwnershipAreEnforced) {
  const std::string job_id = Submit(Spec());
  v1::GetJobRequest get;
  get.set_job_id(job_id);
  EXPECT_TRUE(core_->GetJob(kEduSteward, get).ok());
  EXPECT_EQ(core_->GetJob(PeerIdentity{Role::kSteward, "labor/lee", "labor"}, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(core_->GetJob(kBob, get).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(core_->GetJob(kAuditor, get).status().code(), absl::StatusCode::kPermissionDenied);
  v1::GetJobRequest missing;
  missing.set_job_id("jnothere");
  EXPECT_EQ(core_->GetJob(kAlice, missing).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(core_->ListJobs(kBob, v1::ListJobsRequest()).value().jobs_size(), 0);
  EXPECT_EQ(core_->ListJobs(kEduSteward, v1::ListJobsRequest()).value().jobs_size(), 1);
  EXPECT_EQ(core_->ListJobSummaries(kAuditor, v1::ListJobSummariesRequest()).value().jobs_size(), 1);
  EXPECT_EQ(core_->ListJobSummaries(kAlice, v1::ListJobSummariesRequest()).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(core_->GetStatus(kAlice).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(core_->GetStatus(kOperator).ok());
  EXPECT_TRUE(core_->GetSignedTreeHead(kAuditor).ok());
  EXPECT_EQ(core_->GetSignedTreeHead(kEduAgent).status().code(), absl::StatusCode::kPermissionDenied);
  // An agent certificate naming no registered agency.
  EXPECT_EQ(core_->OutstandingWork(PeerIdentity{Role::kAgent, "rogue", "rogue"}).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::CancelJobRequest cancel;
  cancel.set_job_id(job_id);
  EXPECT_EQ(core_->CancelJob(kBob, cancel).status().code(), absl::StatusCode::kPermissionDenied);
  auto cancelled = core_->CancelJob(kAlice, cancel);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state(), v1::JOB_STATE_CANCELLED);
}

TEST_F(CoreTest, UploadsAreIdempotentAndCheckedInOrder) {
  const std::string job_id = Submit(Spec());
  ApproveAll(job_id, {"edu", "health"});
  const v1::EncodingBatch b0 = Batch(job_id, "edu", 0, 0, {1, 2}, false);
  ASSERT_TRUE(Upload(kEduAgent, {b0}).ok());
  auto repeat = Upload(kEduAgent, {b0});
  ASSERT_TRUE(repeat.ok());
  EXPECT_EQ(repeat->batches_repeated(), 1u);
  EXPECT_EQ(repeat->next_sequence(), 1u);
  EXPECT_EQ(Upload(kEduAgent, {Batch(job_id, "edu", 0, 0, {7, 8}, false)}).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(Upload(kEduAgent, {Batch(job_id, "edu", 2, 2, {3}, true)}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Upload(kEduAgent, {Batch(job_id, "edu", 1, 5, {3}, true)}).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::EncodingBatch wrong_schema = Batch(job_id, "edu", 1, 2, {3}, true);
  wrong_schema.set_schema_fingerprint(std::string(32, 'z'));
  EXPECT_EQ(Upload(kEduAgent, {wrong_schema}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Upload(kHealthAgent, {Batch(job_id, "edu", 1, 2, {3}, true)}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Get(job_id).parties(0).records_uploaded(), 2u);
}

TEST_F(CoreTest, RestartResumesMatching) {
  const std::string job_id = Submit(Spec());
  ApproveAll(job_id, {"edu", "health"});
  ASSERT_TRUE(Upload(kEduAgent, {Batch(job_id, "edu", 0, 0, {1, 2, 3}, true)}).ok());
  Restart();
  auto work = core_->OutstandingWork(kHealthAgent);
  ASSERT_EQ(work->size(), 1u);
  EXPECT_TRUE((*work)[0].has_encode());
  EXPECT_EQ((*work)[0].encode().next_sequence(), 0u);
  ASSERT_TRUE(Upload(kHealthAgent, {Batch(job_id, "health", 0, 0, {3, 1}, true)}).ok());
  core_->WaitForMatchingIdle();
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_RELEASING);
  Restart();
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_RELEASING);
  EXPECT_EQ(Assignments(job_id, "health")[0].pseudonyms_size(), 2);
  // The audit log kept growing across restarts and was re-opened intact.
  EXPECT_GT(audit_->log().tree_size(), 8u);
}

TEST_F(CoreTest, AggregateJobPublishesOnlySuppressedCounts) {
  registry_.agencies.at("health").min_cell_count = 3;
  Restart();
  v1::JobSpec spec = Spec({"edu", "health"}, v1::OUTPUT_MODE_AGGREGATE);
  spec.clear_analyst_key();
  const std::string job_id = Submit(spec);
  ApproveAll(job_id, {"edu", "health"});
  std::vector<int> edu_ids, health_ids;
  for (int i = 0; i < 40; ++i) edu_ids.push_back(i);
  for (int i = 35; i < 70; ++i) health_ids.push_back(i);  // 5 shared
  ASSERT_TRUE(Upload(kEduAgent, {Batch(job_id, "edu", 0, 0, edu_ids, true)}).ok());
  ASSERT_TRUE(Upload(kHealthAgent, {Batch(job_id, "health", 0, 0, health_ids, true)}).ok());
  core_->WaitForMatchingIdle();
  v1::Job job = Get(job_id);
  ASSERT_EQ(job.state(), v1::JOB_STATE_COMPLETE) << job.state_reason();
  EXPECT_EQ(job.quality().clusters(), 0u) << "cluster counts would undo suppression";
  EXPECT_TRUE(Assignments(job_id, "edu").empty() ||
              Assignments(job_id, "edu")[0].pseudonyms_size() == 0);
  std::vector<v1::ResultsItem> items;
  v1::FetchResultsRequest fetch;
  fetch.set_job_id(job_id);
  ASSERT_TRUE(core_->FetchResults(kAlice, fetch, [&](const v1::ResultsItem& i) {
    items.push_back(i);
    return true;
  }).ok());
  ASSERT_EQ(items.size(), 3u);
  ASSERT_TRUE(items[1].has_aggregate());
  const v1::AggregateTable& table = items[1].aggregate();
  EXPECT_EQ(table.min_cell_count(), 10u);
  for (const v1::AggregateCell& c : table.cells()) {
    EXPECT_NE(c.suppression(), v1::SUPPRESSION_NONE) << "overlap 5 and its complements are hidden";
    EXPECT_EQ(c.count(), 0u);
  }
}


// ---------------------------------------------------------------- AbandonJob

v1::AbandonJobRequest Abandonment(const std::string& job_id, v1::AbandonReason reason,
                                  const std::string& detail) {
  v1::AbandonJobRequest request;
  request.set_job_id(job_id);
  request.set_reason(reason);
  request.set_detail(detail);
  return request;
}

TEST_F(CoreTest, AbandonedJobFailsForEveryPartyWithItsDataDeletedOnceAudited) {
  const std::string job_id = Submit(Spec());
  const v1::AbandonJobRequest cohort = Abandonment(job_id, v1::ABANDON_REASON_COHORT_REFUSED,
                                                   "cohort refused by policy: 3 records, at most 2");
  // Not before every party approved.
  EXPECT_EQ(core_->AbandonJob(kHealthAgent, cohort).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ApproveAll(job_id, {"edu", "health"});
  ASSERT_TRUE(Upload(kEduAgent, {Batch(job_id, "edu", 0, 0, {1, 2, 3}, false)}).ok());
  ASSERT_TRUE(store_->GetEncodingBatch(job_id, 0, 0).value().has_value());

  // Only an agent of a party, for its own agency.
  for (const PeerIdentity& who : {kLaborAgent, kEduSteward, kAlice, kAuditor, kOperator}) {
    EXPECT_EQ(core_->AbandonJob(who, cohort).status().code(), absl::StatusCode::kPermissionDenied)
        << proto::IdentityUri(who);
  }
  EXPECT_EQ(core_->AbandonJob(kHealthAgent,
                              Abandonment("jnothere", v1::ABANDON_REASON_COHORT_REFUSED, ""))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_ENCODING);

  auto abandoned = core_->AbandonJob(kHealthAgent, cohort);
  ASSERT_TRUE(abandoned.ok()) << abandoned.status();
  EXPECT_EQ(abandoned->state(), v1::JOB_STATE_FAILED);
  EXPECT_TRUE(abandoned->receipt().has_tree_head());
  const v1::Job job = Get(job_id);
  EXPECT_EQ(job.state(), v1::JOB_STATE_FAILED);
  EXPECT_THAT(job.state_reason(), HasSubstr("abandoned by agency 'health' (cohort_refused)"));
  EXPECT_THAT(job.state_reason(), HasSubstr(cohort.detail()));
  EXPECT_FALSE(store_->GetEncodingBatch(job_id, 0, 0).value().has_value());
  // The other party is told to purge, with the reason.
  auto edu_work = core_->OutstandingWork(kEduAgent);
  ASSERT_TRUE(edu_work.ok());
  ASSERT_EQ(edu_work->size(), 1u);
  ASSERT_TRUE((*edu_work)[0].has_purge());
  EXPECT_EQ((*edu_work)[0].purge().final_state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ((*edu_work)[0].purge().reason(), job.state_reason());

  // A repeat is acknowledged; another cause or party is not the same job state.
  auto repeat = core_->AbandonJob(kHealthAgent, cohort);
  ASSERT_TRUE(repeat.ok()) << repeat.status();
  EXPECT_EQ(repeat->state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(core_->AbandonJob(kHealthAgent, Abandonment(job_id, v1::ABANDON_REASON_NONCE_CHANGED,
                                                        cohort.detail()))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(core_->AbandonJob(kEduAgent, cohort).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // One JOB_FAILED entry: who, which job and the category, not the detail.
  std::vector<v1::AuditEntry> failed;
  v1::ListAuditEntriesRequest list;
  ASSERT_TRUE(core_->ListAuditEntries(kAuditor, list, [&](const v1::LoggedEntry& logged) {
    v1::AuditEntry entry;
    EXPECT_TRUE(entry.ParseFromString(logged.entry()));
    if (entry.action() == v1::AUDIT_ACTION_JOB_FAILED) failed.push_back(entry);
    return true;
  }).ok());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].actor().role(), v1::ROLE_AGENT);
  EXPECT_EQ(failed[0].actor().name(), "health");
  EXPECT_EQ(failed[0].outcome(), v1::AUDIT_OUTCOME_FAILED);
  EXPECT_EQ(failed[0].job_id(), job_id);
  EXPECT_EQ(failed[0].agency(), "health");
  EXPECT_EQ(failed[0].rpc(), "fedlink.v1.Coordinator/AbandonJob");
  EXPECT_EQ(failed[0].reason(), "abandoned by the agency: cohort_refused");
}

TEST_F(CoreTest, ReleasingJobCanBeAbandonedButNotACompleteOne) {
  const std::string job_id = Submit(Spec());
  ApproveAll(job_id, {"edu", "health"});
  ASSERT_TRUE(Upload(kEduAgent, {Batch(job_id, "edu", 0, 0, {1, 2}, true)}).ok());
  ASSERT_TRUE(Upload(kHealthAgent, {Batch(job_id, "health", 0, 0, {2, 3}, true)}).ok());
  core_->WaitForMatchingIdle();
  ASSERT_EQ(Get(job_id).state(), v1::JOB_STATE_RELEASING);
  ASSERT_TRUE(store_->GetAssignmentBatch(job_id, 0, 0).value().has_value());
  auto abandoned = core_->AbandonJob(
      kEduAgent, Abandonment(job_id, v1::ABANDON_REASON_COLUMN_REFUSED,
                             "column outcome is not on the policy's column list"));
  ASSERT_TRUE(abandoned.ok()) << abandoned.status();
  EXPECT_EQ(Get(job_id).state(), v1::JOB_STATE_FAILED);
  EXPECT_FALSE(store_->GetAssignmentBatch(job_id, 0, 0).value().has_value());
  v1::FetchAssignmentsRequest fetch;
  fetch.set_job_id(job_id);
  EXPECT_EQ(core_->FetchAssignments(kHealthAgent, fetch, [](const v1::AssignmentBatch&) {
    return true;
  }).code(), absl::StatusCode::kFailedPrecondition);

  // An aggregate job without a breakdown completes right after matching.
  v1::JobSpec aggregate = Spec({"edu", "health"}, v1::OUTPUT_MODE_AGGREGATE);
  aggregate.clear_analyst_key();
  const std::string done = Submit(aggregate);
  ApproveAll(done, {"edu", "health"});
  ASSERT_TRUE(Upload(kEduAgent, {Batch(done, "edu", 0, 0, {1}, true)}).ok());
  ASSERT_TRUE(Upload(kHealthAgent, {Batch(done, "health", 0, 0, {1}, true)}).ok());
  core_->WaitForMatchingIdle();
  ASSERT_EQ(Get(done).state(), v1::JOB_STATE_COMPLETE) << Get(done).state_reason();
  EXPECT_EQ(core_->AbandonJob(kEduAgent, Abandonment(done, v1::ABANDON_REASON_LOCAL_DATA_LOST, ""))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace fedlink::coordinator
