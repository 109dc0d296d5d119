// The daemon's job steps against an in-memory coordinator: every work item
// is idempotent, nothing is encoded without genuine approvals and this
// agency's own, and an interrupted upload resumes (after a "restart": new
// JobSteps over the same store) with batches identical to the ones a
// complete run sends.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/audit/agent_audit_log.h"
#include "agent/daemon/coordinator_api.h"
#include "agent/daemon/job_record.h"
#include "agent/daemon/job_steps.h"
#include "agent/daemon/job_store.h"
#include "agent/release/category_legend.h"
#include "agent/release/job_pseudonyms.h"
#include "agent/store/record_store.h"
#include "linkage/crypto/x25519.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/payload_crypto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/unit/agent_daemon_test_util.h"

namespace fedlink::agent::daemon {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace testing;  // NOLINT: the fixtures of agent_daemon_test_util.h

// Stores what the agent sends, like a coordinator would: batches by
// sequence (identical repeats accepted), next_sequence = contiguous prefix.
class FakeCoordinator : public CoordinatorApi {
 public:
  std::mutex mu;
  std::vector<v1::SignedDecision> decisions;
  std::map<uint64_t, std::string> batches;  // sequence → serialised batch
  int upload_streams = 0;
  int batches_written = 0;
  std::vector<std::string> acked;
  bool fail_submit = false;
  // Write fails after this many batches in one stream (-1: never).
  int break_after = -1;
  uint64_t total_batches = 0;  // set when the final batch arrives

  absl::StatusOr<v1::SubmitDecisionResponse> SubmitDecision(
      const v1::SignedDecision& decision) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail_submit) return absl::UnavailableError("coordinator down");
    decisions.push_back(decision);
    v1::SubmitDecisionResponse response;
    response.set_state(v1::JOB_STATE_PENDING_APPROVAL);
    return response;
  }

  class Upload : public EncodingUpload {
   public:
    explicit Upload(FakeCoordinator* fake) : fake_(fake) {}
    absl::Status Write(const v1::EncodingBatch& batch) override {
      std::lock_guard<std::mutex> lock(fake_->mu);
      if (fake_->break_after >= 0 && written_ >= fake_->break_after) {
        return absl::UnavailableError("stream broke");
      }
      ++written_;
      ++fake_->batches_written;
      const std::string bytes = batch.SerializeAsString();
      auto [it, inserted] = fake_->batches.emplace(batch.sequence(), bytes);
      if (!inserted && it->second != bytes) return absl::InvalidArgumentError("batch differs");
      job_id_ = batch.job_id();
      if (batch.final_batch()) fake_->total_batches = batch.sequence() + 1;
      return absl::OkStatus();
    }
    absl::StatusOr<v1::UploadSummary> Finish() override {
      std::lock_guard<std::mutex> lock(fake_->mu);
      v1::UploadSummary summary;
      summary.set_job_id(job_id_);
      uint64_t next = 0;
      while (fake_->batches.count(next) != 0) ++next;
      summary.set_next_sequence(next);
      summary.set_complete(fake_->total_batches != 0 && next == fake_->total_batches);
      return summary;
    }

   private:
    FakeCoordinator* fake_;
    int written_ = 0;
    std::string job_id_;
  };

  absl::StatusOr<std::unique_ptr<EncodingUpload>> UploadEncodings() override {
    std::lock_guard<std::mutex> lock(mu);
    ++upload_streams;
    return std::unique_ptr<EncodingUpload>(new Upload(this));
  }
  absl::Status FetchAssignments(const v1::FetchAssignmentsRequest&,
                                absl::FunctionRef<absl::Status(const v1::AssignmentBatch&)>) override {
    return absl::UnimplementedError("not in this test");
  }
  // Payload chunks by index (identical repeats accepted), like the
  // coordinator stores them.
  std::map<uint32_t, v1::PayloadChunk> chunks;
  uint32_t total_chunks = 0;  // set when the final chunk arrives

  class ChunkUpload : public PayloadUpload {
   public:
    explicit ChunkUpload(FakeCoordinator* fake) : fake_(fake) {}
    absl::Status Write(const v1::PayloadChunk& chunk) override {
      std::lock_guard<std::mutex> lock(fake_->mu);
      auto [it, inserted] = fake_->chunks.emplace(chunk.chunk_index(), chunk);
      if (!inserted && it->second.SerializeAsString() != chunk.SerializeAsString()) {
        return absl::AbortedError("chunk differs");
      }
      if (chunk.final_chunk()) fake_->total_chunks = chunk.chunk_index() + 1;
      job_id_ = chunk.job_id();
      return absl::OkStatus();
    }
    absl::StatusOr<v1::PayloadSummary> Finish() override {
      std::lock_guard<std::mutex> lock(fake_->mu);
      v1::PayloadSummary summary;
      summary.set_job_id(job_id_);
      uint32_t next = 0;
      while (fake_->chunks.count(next) != 0) ++next;
      summary.set_next_chunk_index(next);
      summary.set_complete(fake_->total_chunks != 0 && next == fake_->total_chunks);
      return summary;
    }

   private:
    FakeCoordinator* fake_;
    std::string job_id_;
  };

  absl::StatusOr<std::unique_ptr<PayloadUpload>> UploadPayload() override {
    return std::unique_ptr<PayloadUpload>(new ChunkUpload(this));
  }
  absl::StatusOr<v1::AckPurgeResponse> AckPurge(std::string_view job_id) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail_submit) return absl::UnavailableError("coordinator down");
    acked.emplace_back(job_id);
    return v1::AckPurgeResponse();
  }
  // Abandonments as received; `abandon_answer` is what the coordinator says.
  std::vector<v1::AbandonJobRequest> abandoned;
  absl::Status abandon_answer;
  absl::StatusOr<v1::AbandonJobResponse> AbandonJob(const v1::AbandonJobRequest& request) override {
    std::lock_guard<std::mutex> lock(mu);
    if (!abandon_answer.ok()) return abandon_answer;
    abandoned.push_back(request);
    v1::AbandonJobResponse response;
    response.set_state(v1::JOB_STATE_FAILED);
    return response;
  }
};

constexpr int kRecords = 300;
constexpr char kJob[] = "job-1";

class JobStepsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/fedlink-steps-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    OpenStore();
    for (int i = 0; i < kRecords; ++i) ASSERT_TRUE(store_->UpsertRecord(EduPerson(i)).ok());
    spec_bytes_ = LinkSpec().SerializeAsString();
    signer_ = policy::DecisionSigner::Create("edu", TestKey(1)).value();
    MakeSteps();
  }

  void TearDown() override {
    steps_.reset();
    jobs_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void OpenStore() {
    absl::StatusOr<std::unique_ptr<RecordStore>> store =
        RecordStore::Open(dir_ + "/store", crypto::SecretBytes(std::vector<uint8_t>(32, 7)));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    jobs_ = std::make_unique<JobStore>(*store_);
  }

  // A fresh JobSteps over the same store: what a restarted daemon builds.
  void MakeSteps(audit::AgentAuditLog* audit_log = nullptr) {
    JobStepsDeps deps;
    deps.audit = audit_log;
    deps.agency = "edu";
    deps.store = store_.get();
    deps.jobs = jobs_.get();
    deps.coordinator = &fake_;
    deps.signer = signer_.get();
    deps.policy = EduPolicy();
    deps.schema = EduSchema();
    deps.linkage_secret = crypto::SecretBytes(std::vector<uint8_t>(32, 9));
    deps.encode_threads = 2;
    deps.max_records_per_batch = 64;  // 300 records: 5 batches
    deps.clock = [] { return TestNow(); };
    deps.log = EventLog::ToSink(LogFormat::kJson, "debug",
                                std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    deps.stopping = &stopping_;
    absl::StatusOr<std::unique_ptr<JobSteps>> steps = JobSteps::Create(std::move(deps));
    ASSERT_TRUE(steps.ok()) << steps.status();
    steps_ = std::move(*steps);
  }

  JobRecord Record() {
    absl::StatusOr<std::optional<JobRecord>> record = jobs_->Get(kJob);
    EXPECT_TRUE(record.ok() && record->has_value());
    return record.ok() && record->has_value() ? **record : JobRecord();
  }

  v1::SignedDecision Approve() {
    EXPECT_TRUE(steps_->Handle(DecideItem(kJob, spec_bytes_)).ok());
    v1::DecideRequest request;
    request.set_job_id(kJob);
    request.set_verdict(v1::VERDICT_APPROVE);
    request.set_steward("bob");
    request.set_job_spec_sha256(proto::JobSpecSha256(spec_bytes_));
    absl::StatusOr<v1::DecideResponse> response = steps_->Decide(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->decision() : v1::SignedDecision();
  }

  std::string dir_;
  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<policy::DecisionSigner> signer_;
  std::unique_ptr<JobSteps> steps_;
  FakeCoordinator fake_;
  std::atomic<bool> stopping_{false};
  std::ostringstream log_;
  std::string spec_bytes_;
};

TEST_F(JobStepsTest, DecideJobIsStoredOnceAsPending) {
  ASSERT_TRUE(steps_->Handle(DecideItem(kJob, spec_bytes_)).ok());
  ASSERT_TRUE(steps_->Handle(DecideItem(kJob, spec_bytes_)).ok());
  JobRecord record = Record();
  EXPECT_EQ(record.state, v1::AGENT_JOB_STATE_PENDING_DECISION);
  EXPECT_EQ(record.job_spec_bytes, spec_bytes_);
  // The same job id with another spec changes nothing.
  v1::JobSpec other = LinkSpec();
  other.set_title("Another title");
  absl::Status changed = steps_->Handle(DecideItem(kJob, other.SerializeAsString()));
  EXPECT_TRUE(absl::IsFailedPrecondition(changed)) << changed;
  EXPECT_EQ(Record().job_spec_bytes, spec_bytes_);
}

TEST_F(JobStepsTest, ApprovalIsSignedStoredAndDeliveredOnce) {
  const v1::SignedDecision decision = Approve();
  EXPECT_EQ(decision.steward(), "edu/bob");
  ASSERT_EQ(fake_.decisions.size(), 1u);
  EXPECT_EQ(fake_.decisions[0].signature(), decision.signature());
  JobRecord record = Record();
  EXPECT_EQ(record.state, v1::AGENT_JOB_STATE_APPROVED);
  EXPECT_TRUE(record.decision_delivered);
  // A decision is final.
  v1::DecideRequest again;
  again.set_job_id(kJob);
  again.set_verdict(v1::VERDICT_DENY);
  again.set_reason("changed my mind");
  again.set_steward("bob");
  again.set_job_spec_sha256(proto::JobSpecSha256(spec_bytes_));
  EXPECT_TRUE(absl::IsFailedPrecondition(steps_->Decide(again).status()));
}

TEST_F(JobStepsTest, DecisionOnAnotherSpecHashIsRefused) {
  ASSERT_TRUE(steps_->Handle(DecideItem(kJob, spec_bytes_)).ok());
  v1::DecideRequest request;
  request.set_job_id(kJob);
  request.set_verdict(v1::VERDICT_APPROVE);
  request.set_steward("bob");
  request.set_job_spec_sha256(std::string(32, 'x'));
  absl::Status status = steps_->Decide(request).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_EQ(Record().state, v1::AGENT_JOB_STATE_PENDING_DECISION);
}

TEST_F(JobStepsTest, PolicyViolationBlocksApprovalAndIsShown) {
  v1::JobSpec spec = LinkSpec();
  spec.mutable_parties(0)->add_columns("iep_status");  // not in the schema
  spec_bytes_ = spec.SerializeAsString();
  ASSERT_TRUE(steps_->Handle(DecideItem(kJob, spec_bytes_)).ok());
  EXPECT_THAT(steps_->View(Record(), true).policy_violations(),
              ::testing::Contains(HasSubstr("column_not_in_schema")));
  v1::DecideRequest request;
  request.set_job_id(kJob);
  request.set_verdict(v1::VERDICT_APPROVE);
  request.set_steward("bob");
  request.set_job_spec_sha256(proto::JobSpecSha256(spec_bytes_));
  absl::Status status = steps_->Decide(request).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("column_not_in_schema"));
  EXPECT_TRUE(fake_.decisions.empty());
}

TEST_F(JobStepsTest, UndeliveredDecisionIsSentAfterReconnect) {
  fake_.fail_submit = true;
  Approve();
  EXPECT_FALSE(Record().decision_delivered);
  EXPECT_TRUE(fake_.decisions.empty());
  fake_.fail_submit = false;
  ASSERT_TRUE(steps_->ResumeAfterConnect().ok());
  EXPECT_TRUE(Record().decision_delivered);
  EXPECT_EQ(fake_.decisions.size(), 1u);
  ASSERT_TRUE(steps_->ResumeAfterConnect().ok());
  EXPECT_EQ(fake_.decisions.size(), 1u);
}

TEST_F(JobStepsTest, EncodeUploadsEveryBatchOnceAndRepeatsAreNoOps) {
  const v1::SignedDecision own = Approve();
  const v1::WorkItem encode = EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)});
  ASSERT_TRUE(steps_->Handle(encode).ok()) << Record().failure_reason;
  JobRecord record = Record();
  EXPECT_EQ(record.state, v1::AGENT_JOB_STATE_UPLOADED);
  EXPECT_EQ(record.cohort_size, static_cast<uint64_t>(kRecords));
  EXPECT_EQ(record.batches_total, 5u);
  EXPECT_EQ(fake_.batches.size(), 5u);
  EXPECT_EQ(fake_.batches_written, 5);
  // The coordinator repeats EncodeJob after a reconnect: nothing is sent.
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)},
                                        /*next_sequence=*/5))
                  .ok());
  EXPECT_EQ(fake_.batches_written, 5);
  EXPECT_EQ(fake_.upload_streams, 1);
}

TEST_F(JobStepsTest, ForgedApprovalEncodesNothing) {
  const v1::SignedDecision own = Approve();
  // wages's approval signed by a key that is not wages's pinned key.
  absl::Status status = steps_->Handle(
      EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_, /*key_byte=*/5)}));
  EXPECT_TRUE(absl::IsPermissionDenied(status)) << status;
  EXPECT_EQ(fake_.upload_streams, 0);
  // For good: failed here, and abandoned at the coordinator with the reason.
  EXPECT_EQ(Record().state, v1::AGENT_JOB_STATE_FAILED);
  EXPECT_THAT(Record().failure_reason, HasSubstr("nothing encoded"));
  ASSERT_EQ(fake_.abandoned.size(), 1u);
  EXPECT_EQ(fake_.abandoned[0].job_id(), kJob);
  EXPECT_EQ(fake_.abandoned[0].reason(), v1::ABANDON_REASON_APPROVALS_UNVERIFIED);
  EXPECT_THAT(fake_.abandoned[0].detail(),
              HasSubstr("approvals do not verify against the pinned keys"));
  EXPECT_TRUE(proto::Validate(fake_.abandoned[0]).ok());
  EXPECT_FALSE(Record().abandon_pending);
  // The coordinator repeats EncodeJob until it has the abandonment: refused
  // again, abandoned once.
  status = steps_->Handle(
      EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_, /*key_byte=*/5)}));
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_EQ(fake_.abandoned.size(), 1u);
  EXPECT_THAT(Record().failure_reason, HasSubstr("nothing encoded"));
}

TEST_F(JobStepsTest, ApprovalReplayedFromAnotherJobEncodesNothing) {
  const v1::SignedDecision own = Approve();
  v1::SignedDecision replayed = WagesApproval("job-0", spec_bytes_);
  v1::WorkItem item = EncodeItem(kJob, spec_bytes_, {own, replayed});
  absl::Status status = steps_->Handle(item);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(fake_.upload_streams, 0);
}

TEST_F(JobStepsTest, MissingPartyApprovalEncodesNothing) {
  const v1::SignedDecision own = Approve();
  absl::Status status = steps_->Handle(EncodeItem(kJob, spec_bytes_, {own}));
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("wages"));
  EXPECT_EQ(fake_.upload_streams, 0);
}

TEST_F(JobStepsTest, JobNotApprovedHereEncodesNothingEvenWithValidApprovals) {
  ASSERT_TRUE(steps_->Handle(DecideItem(kJob, spec_bytes_)).ok());
  // A coordinator replaying this agency's approval of the same spec that
  // the steward never gave here (signed with the agency key elsewhere).
  policy::ColumnClasses columns = policy::ColumnClassesFromSchema(EduSchema());
  v1::SignedDecision own =
      signer_
          ->Approve(policy::ReviewedJob{kJob, spec_bytes_, TestAnalyst()}, "mallory", "",
                    EduPolicy(), columns, TestNow())
          .value();
  absl::Status status =
      steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}));
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_EQ(fake_.upload_streams, 0);
  // And a job never received at all.
  status = steps_->Handle(EncodeItem("job-9", spec_bytes_, {}));
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  // Neither was decided here: neither is abandoned.
  EXPECT_TRUE(fake_.abandoned.empty());
}

TEST_F(JobStepsTest, InterruptedUploadResumesAfterRestartWithIdenticalBatches) {
  const v1::SignedDecision own = Approve();
  const v1::SignedDecision wages = WagesApproval(kJob, spec_bytes_);
  fake_.break_after = 2;
  EXPECT_FALSE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, wages})).ok());
  EXPECT_EQ(fake_.batches.size(), 2u);
  JobRecord record = Record();
  EXPECT_EQ(record.state, v1::AGENT_JOB_STATE_ENCODING);
  // A broken stream is not for good: nothing is abandoned.
  EXPECT_TRUE(fake_.abandoned.empty());
  EXPECT_FALSE(record.abandon.has_value());
  EXPECT_TRUE(record.pseudonyms_saved);
  EXPECT_FALSE(record.randomness.empty());

  // Restart: new steps over a reopened store; the coordinator resumes at 2.
  steps_.reset();
  jobs_.reset();
  store_.reset();
  OpenStore();
  MakeSteps();
  fake_.break_after = -1;
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, wages}, 2)).ok())
      << Record().failure_reason;
  EXPECT_EQ(fake_.batches.size(), 5u);
  EXPECT_EQ(fake_.batches_written, 5);  // 2 before, 3 after: none twice
  EXPECT_EQ(Record().state, v1::AGENT_JOB_STATE_UPLOADED);

  // Sending everything again reproduces the stored batches byte for byte
  // (the fake refuses a batch that differs from the stored one).
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, wages}, 0)).ok())
      << Record().failure_reason;
  EXPECT_EQ(fake_.batches_written, 10);
}

// An aggregate job broken down by edu's program_code (7 values among the
// records), results encrypted to `analyst`.
std::string BreakdownSpecBytes(const crypto::X25519PrivateKey& analyst) {
  v1::JobSpec spec = LinkSpec();
  spec.set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  spec.mutable_aggregate()->set_min_cell_count(20);
  spec.mutable_aggregate()->mutable_category()->set_agency("edu");
  spec.mutable_aggregate()->mutable_category()->set_column("program_code");
  const auto& pub = analyst.public_key().bytes();
  spec.mutable_analyst_key()->set_x25519_public_key(std::string(pub.begin(), pub.end()));
  return spec.SerializeAsString();
}

// Person index behind a local id (LocalId(i) = "EDU-LOCAL-<700000 + i>").
int PersonOf(std::string_view local_id) {
  return std::stoi(std::string(local_id.substr(std::string_view("EDU-LOCAL-").size()))) - 700000;
}

TEST_F(JobStepsTest, BreakdownSendsCategoryCodesAndReleasesTheLegendToTheAnalyst) {
  absl::StatusOr<crypto::X25519PrivateKey> analyst = crypto::X25519PrivateKey::Generate();
  ASSERT_TRUE(analyst.ok());
  spec_bytes_ = BreakdownSpecBytes(*analyst);
  const v1::SignedDecision own = Approve();
  const v1::SignedDecision wages = WagesApproval(kJob, spec_bytes_);
  fake_.break_after = 2;  // interrupted, then resumed after a restart
  EXPECT_FALSE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, wages})).ok());
  steps_.reset();
  jobs_.reset();
  store_.reset();
  OpenStore();
  MakeSteps();
  fake_.break_after = -1;
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, wages}, 2)).ok())
      << Record().failure_reason;
  // Everything again: identical codes, byte for byte (the fake refuses a
  // batch that differs from the stored one).
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, wages}, 0)).ok())
      << Record().failure_reason;
  ASSERT_EQ(fake_.batches.size(), 5u);

  // One code per record; the same programme always has the same code.
  absl::StatusOr<encoding::PseudonymMap> map = release::LoadJobPseudonyms(*store_, kJob);
  ASSERT_TRUE(map.ok()) << map.status();
  std::map<uint32_t, std::set<std::string>> programmes_by_code;
  for (const auto& [sequence, bytes] : fake_.batches) {
    EXPECT_THAT(bytes, Not(HasSubstr("prog-"))) << "a category value left in batch " << sequence;
    v1::EncodingBatch batch;
    ASSERT_TRUE(batch.ParseFromString(bytes));
    ASSERT_EQ(static_cast<uint32_t>(batch.category_codes_size()), batch.record_count());
    for (uint32_t k = 0; k < batch.record_count(); ++k) {
      const int person = PersonOf(map->ExposeLocalId(batch.first_pseudonym() + k));
      programmes_by_code[batch.category_codes(static_cast<int>(k))].insert(
          absl::StrCat("prog-", person % 7));
    }
  }
  ASSERT_EQ(programmes_by_code.size(), 7u);
  EXPECT_EQ(programmes_by_code.begin()->first, 1u);
  EXPECT_EQ(programmes_by_code.rbegin()->first, 7u);
  for (const auto& [code, programmes] : programmes_by_code) EXPECT_EQ(programmes.size(), 1u);

  // The legend, released on ReleaseJob{CATEGORY_LEGEND}, opens with the
  // analyst's key and decodes every code to its programme.
  v1::WorkItem release;
  release.set_job_id(kJob);
  release.mutable_release()->set_kind(v1::PAYLOAD_KIND_CATEGORY_LEGEND);
  ASSERT_TRUE(steps_->Handle(release).ok()) << Record().failure_reason;
  EXPECT_EQ(Record().state, v1::AGENT_JOB_STATE_RELEASED);
  std::vector<v1::PayloadChunk> chunks;
  for (const auto& [index, chunk] : fake_.chunks) chunks.push_back(chunk);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].kind(), v1::PAYLOAD_KIND_CATEGORY_LEGEND);
  EXPECT_THAT(chunks[0].SerializeAsString(), Not(HasSubstr("prog-")));
  absl::StatusOr<v1::CategoryLegend> legend = proto::DecryptCategoryLegend(
      kJob, "edu", v1::HPKE_AEAD_AES_128_GCM, *analyst, chunks);
  ASSERT_TRUE(legend.ok()) << legend.status();
  EXPECT_EQ(legend->column(), "program_code");
  ASSERT_EQ(legend->labels_size(), 7);
  for (const v1::CategoryLabel& label : legend->labels()) {
    EXPECT_THAT(programmes_by_code[label.code()], ::testing::ElementsAre(label.label()));
  }
  // A repeated ReleaseJob past the last chunk sends nothing more.
  release.mutable_release()->set_next_chunk_index(1);
  ASSERT_TRUE(steps_->Handle(release).ok());
  EXPECT_EQ(fake_.chunks.size(), 1u);

  // Purge drops the legend with the pseudonyms.
  v1::WorkItem purge;
  purge.set_job_id(kJob);
  purge.mutable_purge()->set_final_state(v1::JOB_STATE_COMPLETE);
  ASSERT_TRUE(steps_->Handle(purge).ok());
  EXPECT_EQ(release::LoadJobCategoryLegend(*store_, kJob).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(JobStepsTest, BreakdownByAColumnThePolicyNoLongerAllowsEncodesNothing) {
  absl::StatusOr<crypto::X25519PrivateKey> analyst = crypto::X25519PrivateKey::Generate();
  ASSERT_TRUE(analyst.ok());
  spec_bytes_ = BreakdownSpecBytes(*analyst);
  const v1::SignedDecision own = Approve();
  // The steward approved; then the policy dropped program_code.
  JobStepsDeps deps = steps_->deps();
  steps_.reset();
  deps.policy.columns = {"grad_year"};
  absl::StatusOr<std::unique_ptr<JobSteps>> steps = JobSteps::Create(std::move(deps));
  ASSERT_TRUE(steps.ok());
  steps_ = *std::move(steps);
  absl::Status status =
      steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}));
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_THAT(Record().failure_reason, HasSubstr("program_code is not on the policy's column list"));
  EXPECT_EQ(fake_.upload_streams, 0);
  ASSERT_EQ(fake_.abandoned.size(), 1u);
  EXPECT_EQ(fake_.abandoned[0].reason(), v1::ABANDON_REASON_COLUMN_REFUSED);
  EXPECT_EQ(Record().state, v1::AGENT_JOB_STATE_FAILED);
}

TEST_F(JobStepsTest, CohortThePolicyRefusesIsAbandonedUntilTheCoordinatorAnswers) {
  const v1::SignedDecision own = Approve();
  // The steward approved; then the policy capped the cohort below 300.
  JobStepsDeps deps = steps_->deps();
  steps_.reset();
  deps.policy.max_cohort_size = 100;
  absl::StatusOr<std::unique_ptr<JobSteps>> steps = JobSteps::Create(std::move(deps));
  ASSERT_TRUE(steps.ok());
  steps_ = *std::move(steps);
  fake_.abandon_answer = absl::UnavailableError("coordinator down");
  absl::Status status =
      steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}));
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_EQ(fake_.upload_streams, 0);
  JobRecord record = Record();
  EXPECT_EQ(record.state, v1::AGENT_JOB_STATE_FAILED);
  ASSERT_TRUE(record.abandon.has_value());
  EXPECT_TRUE(record.abandon_pending);
  EXPECT_EQ(record.abandon->reason(), v1::ABANDON_REASON_COHORT_REFUSED);
  EXPECT_THAT(record.abandon->detail(), HasSubstr("cohort refused by policy"));
  EXPECT_THAT(log_.str(), HasSubstr("job.abandon_queued"));

  // Sent after the reconnect (and only then), once.
  fake_.abandon_answer = absl::OkStatus();
  ASSERT_TRUE(steps_->ResumeAfterConnect().ok());
  ASSERT_EQ(fake_.abandoned.size(), 1u);
  EXPECT_EQ(fake_.abandoned[0].SerializeAsString(), record.abandon->SerializeAsString());
  EXPECT_FALSE(Record().abandon_pending);
  ASSERT_TRUE(steps_->ResumeAfterConnect().ok());
  EXPECT_EQ(fake_.abandoned.size(), 1u);
}

TEST_F(JobStepsTest, AbandonmentTheCoordinatorRefusesIsNotSentAgain) {
  const v1::SignedDecision own = Approve();
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}))
                  .ok());
  // The job was cancelled meanwhile: the coordinator says so.
  fake_.abandon_answer = absl::FailedPreconditionError("job is CANCELLED already");
  v1::WorkItem renonced = EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}, 5);
  renonced.mutable_encode()->set_job_nonce(std::string(32, 'm'));
  absl::Status status = steps_->Handle(renonced);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  JobRecord record = Record();
  EXPECT_EQ(record.state, v1::AGENT_JOB_STATE_FAILED);
  ASSERT_TRUE(record.abandon.has_value());
  EXPECT_EQ(record.abandon->reason(), v1::ABANDON_REASON_NONCE_CHANGED);
  EXPECT_FALSE(record.abandon_pending);
  EXPECT_THAT(log_.str(), HasSubstr("job.abandon_refused"));
  fake_.abandon_answer = absl::OkStatus();
  ASSERT_TRUE(steps_->ResumeAfterConnect().ok());
  EXPECT_TRUE(fake_.abandoned.empty());
}

TEST_F(JobStepsTest, StoppingDaemonLeavesUploadResumable) {
  const v1::SignedDecision own = Approve();
  stopping_ = true;
  absl::Status status = steps_->Handle(
      EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}));
  EXPECT_TRUE(absl::IsCancelled(status)) << status;
  EXPECT_EQ(Record().state, v1::AGENT_JOB_STATE_ENCODING);  // not FAILED
  EXPECT_TRUE(fake_.abandoned.empty());
}

TEST_F(JobStepsTest, PurgeDropsMapAndAcknowledgesEveryTime) {
  const v1::SignedDecision own = Approve();
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}))
                  .ok());
  ASSERT_EQ(store_->CountPseudonyms(kJob).value(), static_cast<uint64_t>(kRecords));
  fake_.fail_submit = true;  // the first acknowledgement is lost
  v1::WorkItem purge;
  purge.set_job_id(kJob);
  purge.mutable_purge()->set_final_state(v1::JOB_STATE_COMPLETE);
  EXPECT_FALSE(steps_->Handle(purge).ok());
  JobRecord record = Record();
  EXPECT_EQ(record.state, v1::AGENT_JOB_STATE_PURGED);
  EXPECT_TRUE(record.randomness.empty());
  EXPECT_FALSE(record.purge_acknowledged);
  EXPECT_EQ(store_->CountPseudonyms(kJob).value(), 0u);
  fake_.fail_submit = false;
  ASSERT_TRUE(steps_->ResumeAfterConnect().ok());
  EXPECT_TRUE(Record().purge_acknowledged);
  ASSERT_TRUE(steps_->Handle(purge).ok());  // repeated: acknowledged again
  EXPECT_EQ(fake_.acked.size(), 2u);
  // A purged job is never encoded again.
  EXPECT_FALSE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}))
                   .ok());
}

TEST_F(JobStepsTest, LogsNameJobsButNeverIdentifiers) {
  const v1::SignedDecision own = Approve();
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}))
                  .ok());
  const std::string log = log_.str();
  EXPECT_THAT(log, HasSubstr("\"job\":\"job-1\""));
  EXPECT_THAT(log, HasSubstr("job.upload_finished"));
  for (int i = 0; i < kRecords; i += 37) {
    EXPECT_THAT(log, Not(HasSubstr(LocalId(i))));
    EXPECT_THAT(log, Not(HasSubstr(FirstName(i))));
    EXPECT_THAT(log, Not(HasSubstr(LastName(i))));
  }
}

TEST_F(JobStepsTest, AuditLogRecordsReceiptDecisionRefusalAndPurge) {
  audit::AgentAuditLogOptions options;
  options.agency = "edu";
  options.coordinator_key = TestKey(9).public_key();
  options.clock = [] { return TestNow(); };
  absl::StatusOr<std::unique_ptr<audit::AgentAuditLog>> audit_log =
      audit::AgentAuditLog::Open(*store_, TestKey(1), std::move(options));
  ASSERT_TRUE(audit_log.ok()) << audit_log.status();
  MakeSteps(audit_log->get());
  const v1::SignedDecision own = Approve();
  ASSERT_TRUE(steps_->Handle(EncodeItem(kJob, spec_bytes_, {own, WagesApproval(kJob, spec_bytes_)}))
                  .ok());
  v1::WorkItem purge;
  purge.set_job_id(kJob);
  purge.mutable_purge()->set_final_state(v1::JOB_STATE_COMPLETE);
  ASSERT_TRUE(steps_->Handle(purge).ok());
  // A second job the policy forbids: the refused approval is logged too.
  v1::JobSpec forbidden = LinkSpec();
  forbidden.mutable_parties(0)->add_columns("iep_status");
  const std::string forbidden_bytes = forbidden.SerializeAsString();
  ASSERT_TRUE(steps_->Handle(DecideItem("job-2", forbidden_bytes)).ok());
  v1::DecideRequest request;
  request.set_job_id("job-2");
  request.set_verdict(v1::VERDICT_APPROVE);
  request.set_steward("bob");
  request.set_job_spec_sha256(proto::JobSpecSha256(forbidden_bytes));
  ASSERT_FALSE(steps_->Decide(request).ok());

  absl::StatusOr<std::vector<v1::LoggedEntry>> entries =
      (*audit_log)->log().GetEntries(0, (*audit_log)->log().tree_size());
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::vector<v1::AuditEntry> parsed;
  std::vector<v1::AuditAction> actions;
  for (const v1::LoggedEntry& logged : *entries) {
    ASSERT_TRUE(parsed.emplace_back().ParseFromString(logged.entry()));
    actions.push_back(parsed.back().action());
  }
  EXPECT_EQ(actions, (std::vector<v1::AuditAction>{
                         v1::AUDIT_ACTION_JOB_RECEIVED, v1::AUDIT_ACTION_DECISION_SIGNED,
                         v1::AUDIT_ACTION_PSEUDONYMS_DROPPED, v1::AUDIT_ACTION_JOB_RECEIVED,
                         v1::AUDIT_ACTION_DECISION_SIGNED}));
  EXPECT_EQ(parsed[1].decision().signature(), own.signature());
  EXPECT_EQ(parsed[4].outcome(), v1::AUDIT_OUTCOME_REFUSED);
  steps_.reset();
}

TEST(JobRecordTest, RoundTripsAndDetectsDamage) {
  JobRecord record;
  record.job_id = "j";
  record.state = v1::AGENT_JOB_STATE_ENCODING;
  record.job_spec_bytes = std::string("\0spec", 5);
  record.job_spec_sha256 = std::string(32, 's');
  record.analyst = TestAnalyst();
  record.randomness = crypto::SecretBytes(std::vector<uint8_t>(32, 3));
  record.next_sequence = 4;
  record.next_chunk_index = 2;
  v1::AbandonJobRequest abandon;
  abandon.set_job_id("j");
  abandon.set_reason(v1::ABANDON_REASON_NONCE_CHANGED);
  record.abandon = abandon;
  record.abandon_pending = true;
  const std::string bytes = SerializeJobRecord(record);
  absl::StatusOr<JobRecord> parsed = ParseJobRecord(bytes, "j");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->state, record.state);
  EXPECT_EQ(parsed->job_spec_bytes, record.job_spec_bytes);
  EXPECT_EQ(parsed->randomness, record.randomness);
  EXPECT_EQ(parsed->analyst.name(), "alice");
  EXPECT_EQ(parsed->next_sequence, 4u);
  EXPECT_EQ(parsed->next_chunk_index, 2u);
  EXPECT_FALSE(parsed->decision.has_value());
  ASSERT_TRUE(parsed->abandon.has_value());
  EXPECT_EQ(parsed->abandon->reason(), v1::ABANDON_REASON_NONCE_CHANGED);
  EXPECT_TRUE(parsed->abandon_pending);
  EXPECT_TRUE(absl::IsDataLoss(ParseJobRecord(bytes.substr(0, bytes.size() / 2), "j").status()));
  EXPECT_TRUE(absl::IsDataLoss(ParseJobRecord(bytes, "other").status()));
}

}  // namespace
}  // namespace fedlink::agent::daemon
