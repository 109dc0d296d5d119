#include "coordinator/core/coordinator_core.h"

#include <algorithm>
#include <map>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "coordinator/core/access_rules.h"
#include "coordinator/jobs/job_validation.h"
#include "coordinator/jobs/work_items.h"
#include "coordinator/state/job_state_machine.h"
#include "linkage/document/quote_name.h"
#include "linkage/encode/hardening.h"
#include "linkage/status_macros.h"
#include "linkage/thread_name.h"
#include "proto/runtime/abandon_reason.h"
#include "proto/runtime/decision_verify.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "spdlog/spdlog.h"

namespace fedlink::coordinator {
namespace {

using document::QuoteName;

constexpr char kService[] = "fedlink.v1.Coordinator/";

std::string Rpc(std::string_view name) { return absl::StrCat(kService, std::string(name)); }

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  ts.set_seconds(nanos / 1000000000);
  ts.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

v1::JobSummary Summarize(const internal::StoredJob& stored) {
  const v1::Job& job = stored.job();
  v1::JobSummary s;
  s.set_job_id(job.job_id());
  *s.mutable_analyst() = job.analyst();
  s.set_title(job.spec().title());
  s.set_state(job.state());
  s.set_state_reason(job.state_reason());
  for (const v1::Party& p : job.spec().parties()) s.add_agencies(p.agency());
  s.set_output_mode(job.spec().output_mode());
  s.set_method(job.spec().method());
  s.set_job_spec_sha256(job.job_spec_sha256());
  *s.mutable_submitted_at() = job.submitted_at();
  *s.mutable_updated_at() = job.updated_at();
  *s.mutable_expires_at() = job.spec().expires_at();
  for (const v1::PartyProgress& p : job.parties()) s.add_records_per_party(p.records_uploaded());
  s.set_clusters(job.quality().clusters());
  return s;
}

bool StateSelected(const google::protobuf::RepeatedField<int>& states, v1::JobState state) {
  return states.empty() || std::find(states.begin(), states.end(), state) != states.end();
}

std::string JobNotFound(std::string_view job_id) {
  return absl::StrCat("job ", QuoteName(job_id), " not found");
}

// A caller may not learn whether someone else's job exists: both answers
// are the same PermissionDenied.
absl::Status NotYours(std::string_view job_id) {
  return absl::PermissionDeniedError(absl::StrCat("job ", QuoteName(job_id), " is not yours"));
}

// The job's state_reason after an abandonment; also how a repeat is known.
std::string AbandonedReason(std::string_view agency, v1::AbandonReason reason,
                            const std::string& detail) {
  std::string text = absl::StrCat("abandoned by agency ", QuoteName(agency), " (",
                                  proto::AbandonReasonName(reason), ")");
  if (!detail.empty()) absl::StrAppend(&text, ": ", detail);
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorCore>> CoordinatorCore::Create(CoordinatorStore* store,
                                                                         AuditTrail* audit,
                                                                         CoreOptions options) {
  if (store == nullptr || audit == nullptr || !options.clock || !options.random) {
    return absl::InvalidArgumentError("CoordinatorCore needs a store, an audit trail, a clock and a CSPRNG");
  }
  std::unique_ptr<CoordinatorCore> core(new CoordinatorCore(store, audit, std::move(options)));
  absl::MutexLock lock(&core->registry_mu_);
  core->registry_ = core->options_.registry;
  core->registry_loaded_at_ = core->Now();
  return core;
}

CoordinatorCore::~CoordinatorCore() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  if (worker_.joinable()) worker_.join();
}

Registry CoordinatorCore::registry() const {
  absl::MutexLock lock(&registry_mu_);
  return registry_;
}

void CoordinatorCore::Notify() {
  absl::MutexLock lock(&change_mu_);
  ++changes_;
}

uint64_t CoordinatorCore::change_count() const {
  absl::MutexLock lock(&change_mu_);
  return changes_;
}

uint64_t CoordinatorCore::WaitForChange(uint64_t seen, absl::Duration timeout) const {
  absl::MutexLock lock(&change_mu_);
  auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(change_mu_) { return changes_ != seen; };
  change_mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return changes_;
}

absl::Status CoordinatorCore::Start() {
  std::vector<std::string> submitted, matching;
  FEDLINK_RETURN_IF_ERROR(store_->ForEachJob([&](const internal::StoredJob& job) {
    if (job.job().state() == v1::JOB_STATE_SUBMITTED) submitted.push_back(job.job().job_id());
    if (job.job().state() == v1::JOB_STATE_APPROVED) submitted.push_back(job.job().job_id());
    if (job.job().state() == v1::JOB_STATE_MATCHING) matching.push_back(job.job().job_id());
    return absl::OkStatus();
  }));
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& id : submitted) {
      FEDLINK_ASSIGN_OR_RETURN(internal::StoredJob job, LoadJob(id));
      CoordinatorStore::Batch batch = store_->NewBatch();
      const v1::JobState next = job.job().state() == v1::JOB_STATE_SUBMITTED
                                    ? v1::JOB_STATE_PENDING_APPROVAL
                                    : v1::JOB_STATE_ENCODING;
      FEDLINK_RETURN_IF_ERROR(Transition(job, next, "", batch));
    }
  }
  worker_ = std::thread([this] {
    NameCurrentThread("coord-matching");
    MatchingLoop();
  });
  for (const std::string& id : matching) EnqueueMatching(id);
  return absl::OkStatus();
}

absl::StatusOr<internal::StoredJob> CoordinatorCore::LoadJob(std::string_view job_id) const {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<internal::StoredJob> job, store_->GetJob(job_id));
  if (!job.has_value()) return absl::NotFoundError(JobNotFound(job_id));
  return *std::move(job);
}

absl::Status CoordinatorCore::WriteJob(internal::StoredJob& job, CoordinatorStore::Batch& batch) {
  *job.mutable_job()->mutable_updated_at() = ToTimestamp(Now());
  batch.PutJob(job);
  FEDLINK_RETURN_IF_ERROR(store_->Write(batch));
  Notify();
  return absl::OkStatus();
}

absl::Status CoordinatorCore::Transition(internal::StoredJob& job, v1::JobState to,
                                         std::string_view reason, CoordinatorStore::Batch& batch) {
  FEDLINK_RETURN_IF_ERROR(CheckTransition(job.job().job_id(), job.job().state(), to));
  const v1::JobState from = job.job().state();
  job.mutable_job()->set_state(to);
  if (!reason.empty()) job.mutable_job()->set_state_reason(std::string(reason.substr(0, 2000)));
  if (IsFinalState(to) && to != v1::JOB_STATE_PURGED) *job.mutable_finished_at() = ToTimestamp(Now());
  FEDLINK_RETURN_IF_ERROR(WriteJob(job, batch));
  spdlog::info("job {} {} -> {}", job.job().job_id(), std::string(JobStateName(from)),
               std::string(JobStateName(to)));
  if (options_.on_transition) options_.on_transition(job.job().job_id(), from, to);
  return absl::OkStatus();
}

void CoordinatorCore::RecordRefusal(const proto::PeerIdentity& caller, std::string_view rpc,
                                    const absl::Status& status) {
  absl::Status s = audit_->Record(caller, v1::AUDIT_ACTION_CALL_REFUSED, v1::AUDIT_OUTCOME_REFUSED,
                                  "", caller.agency, Rpc(rpc), status.message());
  if (!s.ok()) spdlog::error("audit: {}", std::string(s.message()));
  spdlog::warn("refused {} from {}: {}", std::string(rpc), proto::IdentityUri(caller),
               std::string(status.message()));
}

// ------------------------------------------------------------------ agent

absl::StatusOr<std::vector<v1::WorkItem>> CoordinatorCore::OutstandingWork(
    const proto::PeerIdentity& caller) {
  const Registry reg = registry();
  FEDLINK_ASSIGN_OR_RETURN(const AgencyEntry* agency, CallerAgency(caller, reg, "WatchWork"));
  std::vector<v1::WorkItem> items;
  FEDLINK_RETURN_IF_ERROR(store_->ForEachJob([&](const internal::StoredJob& job) {
    std::optional<v1::WorkItem> item = coordinator::OutstandingWork(job, agency->id);
    if (item.has_value()) items.push_back(*std::move(item));
    return absl::OkStatus();
  }));
  const v1::Receipt receipt = audit_->MakeReceipt();
  for (v1::WorkItem& item : items) *item.mutable_receipt() = receipt;
  return items;
}

absl::StatusOr<v1::SubmitDecisionResponse> CoordinatorCore::SubmitDecision(
    const proto::PeerIdentity& caller, const v1::SubmitDecisionRequest& request) {
  const Registry reg = registry();
  FEDLINK_ASSIGN_OR_RETURN(const AgencyEntry* agency, CallerAgency(caller, reg, "SubmitDecision"));
  const v1::SignedDecision& decision = request.decision();
  if (decision.agency() != agency->id) {
    return absl::PermissionDeniedError(absl::StrCat(
        "SubmitDecision: the decision is agency ", QuoteName(decision.agency()),
        "'s but the caller acts for ", QuoteName(agency->id)));
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<internal::StoredJob> loaded = LoadJob(decision.job_id());
  if (!loaded.ok()) return loaded.status().code() == absl::StatusCode::kNotFound ? NotYours(decision.job_id()) : loaded.status();
  internal::StoredJob job = *std::move(loaded);
  const std::optional<int> party = PartyIndex(job, agency->id);
  if (!party.has_value()) return NotYours(decision.job_id());

  v1::SubmitDecisionResponse response;
  // A repeat of the decision already taken is acknowledged.
  for (const v1::SignedDecision& d : job.decisions()) {
    if (d.agency() == agency->id) {
      if (d.SerializeAsString() == decision.SerializeAsString()) {
        response.set_state(job.job().state());
        *response.mutable_receipt() = audit_->MakeReceipt();
        return response;
      }
      return absl::FailedPreconditionError(absl::StrCat(
          "agency ", QuoteName(agency->id), " already decided job ", QuoteName(decision.job_id())));
    }
  }
  if (job.job().state() != v1::JOB_STATE_PENDING_APPROVAL) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", QuoteName(decision.job_id()), " is ", JobStateName(job.job().state()),
                     "; decisions are taken while it is PENDING_APPROVAL"));
  }
  absl::Status verified = proto::VerifyDecision(
      decision, {job.job().job_id(), job.job().job_spec_sha256(), agency->id}, agency->decision_key);
  if (!verified.ok()) {
    v1::AuditEntry entry;
    *entry.mutable_actor() = proto::ToProto(caller);
    entry.set_action(v1::AUDIT_ACTION_DECISION_RECEIVED);
    entry.set_outcome(v1::AUDIT_OUTCOME_REFUSED);
    entry.set_job_id(job.job().job_id());
    entry.set_agency(agency->id);
    entry.set_rpc(Rpc("SubmitDecision"));
    entry.set_reason(std::string(verified.message()));
    FEDLINK_RETURN_IF_ERROR(audit_->Record(std::move(entry)));
    return verified;
  }

  *job.add_decisions() = decision;
  v1::PartyProgress* progress = job.mutable_job()->mutable_parties(*party);
  progress->set_verdict(decision.verdict());
  progress->set_decision_reason(decision.reason());
  {
    v1::AuditEntry entry;
    *entry.mutable_actor() = proto::ToProto(caller);
    entry.set_action(v1::AUDIT_ACTION_DECISION_RECEIVED);
    entry.set_outcome(v1::AUDIT_OUTCOME_OK);
    entry.set_job_id(job.job().job_id());
    entry.set_agency(agency->id);
    entry.set_rpc(Rpc("SubmitDecision"));
    *entry.mutable_decision() = decision;
    CoordinatorStore::Batch batch = store_->NewBatch();
    if (decision.verdict() == v1::VERDICT_DENY) {
      std::string reason = absl::StrCat("agency ", QuoteName(agency->id), " denied the job");
      if (!decision.reason().empty()) absl::StrAppend(&reason, ": ", decision.reason());
      FEDLINK_RETURN_IF_ERROR(Transition(job, v1::JOB_STATE_DENIED, reason, batch));
      FEDLINK_RETURN_IF_ERROR(audit_->Record(std::move(entry)));
      FEDLINK_RETURN_IF_ERROR(audit_->Record(caller, v1::AUDIT_ACTION_JOB_DENIED,
                                             v1::AUDIT_OUTCOME_OK, job.job().job_id(), agency->id,
                                             "", reason));
    } else {
      FEDLINK_RETURN_IF_ERROR(WriteJob(job, batch));
      FEDLINK_RETURN_IF_ERROR(audit_->Record(std::move(entry)));
      const bool all = std::all_of(job.job().parties().begin(), job.job().parties().end(),
                                   [](const v1::PartyProgress& p) {
                                     return p.verdict() == v1::VERDICT_APPROVE;
                                   });
      if (all) FEDLINK_RETURN_IF_ERROR(ApproveAll(job));
    }
  }
  response.set_state(job.job().state());
  *response.mutable_receipt() = audit_->MakeReceipt();
  return response;
}

absl::Status CoordinatorCore::ApproveAll(internal::StoredJob& job) {
  std::string nonce(proto::kJobNonceBytes, '\0');
  FEDLINK_RETURN_IF_ERROR(options_.random(
      absl::MakeSpan(reinterpret_cast<uint8_t*>(nonce.data()), nonce.size())));
  job.set_job_nonce(nonce);
  CoordinatorStore::Batch approve = store_->NewBatch();
  FEDLINK_RETURN_IF_ERROR(Transition(job, v1::JOB_STATE_APPROVED, "", approve));
  const proto::PeerIdentity self{proto::Role::kCoordinator, "coordinator", ""};
  FEDLINK_RETURN_IF_ERROR(audit_->Record(self, v1::AUDIT_ACTION_NONCE_ISSUED, v1::AUDIT_OUTCOME_OK,
                                         job.job().job_id(), "", "", ""));
  CoordinatorStore::Batch encode = store_->NewBatch();
  return Transition(job, v1::JOB_STATE_ENCODING, "", encode);
}

absl::Status CoordinatorCore::StoreEncodingBatch(const AgencyEntry& agency,
                                                 const v1::EncodingBatch& batch,
                                                 v1::UploadSummary& summary, std::string& job_id) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(batch, "EncodingBatch"));
  if (batch.agency() != agency.id) {
    return absl::PermissionDeniedError(absl::StrCat("EncodingBatch.agency: ", QuoteName(batch.agency()),
                                                    " is not the caller's agency ", QuoteName(agency.id)));
  }
  if (!job_id.empty() && batch.job_id() != job_id) {
    return absl::InvalidArgumentError("EncodingBatch.job_id: one stream uploads for one job");
  }
  job_id = batch.job_id();
  summary.set_job_id(job_id);
  absl::StatusOr<internal::StoredJob> loaded = LoadJob(batch.job_id());
  if (!loaded.ok()) return loaded.status().code() == absl::StatusCode::kNotFound ? NotYours(batch.job_id()) : loaded.status();
  internal::StoredJob job = *std::move(loaded);
  const std::optional<int> party = PartyIndex(job, agency.id);
  if (!party.has_value()) return NotYours(batch.job_id());
  internal::PartyState* state = job.mutable_party_state(*party);
  v1::PartyProgress* progress = job.mutable_job()->mutable_parties(*party);
  const std::string where =
      absl::StrCat("EncodingBatch (job ", QuoteName(job_id), ", sequence ", batch.sequence(), ")");

  const std::string bytes = batch.SerializeAsString();
  if (batch.sequence() < state->next_sequence()) {
    FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                             store_->GetEncodingBatch(job_id, static_cast<uint16_t>(*party),
                                                      batch.sequence()));
    if (!stored.has_value() && job.job().state() != v1::JOB_STATE_ENCODING) {
      // Matched already: encodings were dropped; the upload is complete.
      summary.set_batches_repeated(summary.batches_repeated() + 1);
    } else if (stored.has_value() && *stored == bytes) {
      summary.set_batches_repeated(summary.batches_repeated() + 1);
    } else {
      return absl::AbortedError(absl::StrCat(where, ": differs from the batch already stored"));
    }
  } else {
    if (job.job().state() != v1::JOB_STATE_ENCODING) {
      return absl::FailedPreconditionError(absl::StrCat(
          "job ", QuoteName(job_id), " is ", JobStateName(job.job().state()),
          "; encodings are taken while it is ENCODING"));
    }
    if (batch.sequence() > state->next_sequence()) {
      return absl::FailedPreconditionError(
          absl::StrCat(where, ": expected sequence ", state->next_sequence()));
    }
    if (progress->upload_complete()) {
      return absl::FailedPreconditionError(absl::StrCat(where, ": the final batch was stored already"));
    }
    const v1::JobSpec& spec = job.job().spec();
    if (batch.schema_fingerprint() != spec.linkage_schema().fingerprint()) {
      return absl::FailedPreconditionError(absl::StrCat(
          where, ": schema_fingerprint ", absl::BytesToHexString(batch.schema_fingerprint()),
          " is not the job's ", absl::BytesToHexString(spec.linkage_schema().fingerprint())));
    }
    if (batch.first_pseudonym() != progress->records_uploaded()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": first_pseudonym ",
                                                     batch.first_pseudonym(), ", expected ",
                                                     progress->records_uploaded()));
    }
    if (progress->records_uploaded() + batch.record_count() > UINT32_MAX) {
      return absl::ResourceExhaustedError(absl::StrCat(where, ": more than 2^32-1 records"));
    }
    const bool tokens = spec.method() != v1::LINKAGE_METHOD_BLOOM;
    const bool bloom = spec.method() != v1::LINKAGE_METHOD_TOKENS;
    const bool has_records = batch.record_count() > 0;
    if (has_records && tokens != (batch.token_counts_size() > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, tokens ? ": the job's method needs tokens" : ": the job's method takes no tokens"));
    }
    if (has_records && bloom != !batch.filters().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, bloom ? ": the job's method needs Bloom filters" : ": the job's method takes no Bloom filters"));
    }
    // The category party sends one code per record; nobody else sends any.
    const bool coded = CategoryPartyIndex(spec) == *party;
    if (!coded && batch.category_codes_size() > 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": category_codes: the job has no breakdown by a column of this agency"));
    }
    if (coded && has_records && batch.category_codes_size() == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": category_codes: the job's breakdown needs one code per record"));
    }
    if (bloom && has_records) {
      FEDLINK_ASSIGN_OR_RETURN(schema::LinkageSchema schema,
                               proto::LinkageSchemaFromProto(spec.linkage_schema().schema()));
      const uint32_t expected =
          schema.bloom.has_value() ? encode::HardenedBits(schema.bloom->hardening, schema.bloom->bits) : 0;
      if (batch.filter_bits() != expected) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": filter_bits ", batch.filter_bits(),
                                                       ", the job's schema gives ", expected));
      }
      job.set_filter_bits(expected);
    }
    CoordinatorStore::Batch write = store_->NewBatch();
    write.PutEncodingBatch(job_id, static_cast<uint16_t>(*party), batch.sequence(), bytes);
    state->set_next_sequence(batch.sequence() + 1);
    progress->set_records_uploaded(progress->records_uploaded() + batch.record_count());
    if (batch.final_batch()) progress->set_upload_complete(true);
    FEDLINK_RETURN_IF_ERROR(WriteJob(job, write));
    summary.set_batches_stored(summary.batches_stored() + 1);
    if (batch.final_batch()) {
      const bool all = std::all_of(job.job().parties().begin(), job.job().parties().end(),
                                   [](const v1::PartyProgress& p) { return p.upload_complete(); });
      if (all) {
        CoordinatorStore::Batch matching = store_->NewBatch();
        FEDLINK_RETURN_IF_ERROR(Transition(job, v1::JOB_STATE_MATCHING, "", matching));
        EnqueueMatching(job_id);
      }
    }
  }
  summary.set_next_sequence(job.party_state(*party).next_sequence());
  summary.set_records_stored(job.job().parties(*party).records_uploaded());
  summary.set_complete(job.job().parties(*party).upload_complete());
  return absl::OkStatus();
}

absl::StatusOr<v1::UploadSummary> CoordinatorCore::UploadEncodings(
    const proto::PeerIdentity& caller, const std::function<bool(v1::EncodingBatch*)>& read) {
  const Registry reg = registry();
  FEDLINK_ASSIGN_OR_RETURN(const AgencyEntry* agency, CallerAgency(caller, reg, "UploadEncodings"));
  v1::UploadSummary summary;
  std::string job_id;
  v1::EncodingBatch batch;
  absl::Status status;
  while (status.ok() && read(&batch)) {
    absl::MutexLock lock(&mu_);
    status = StoreEncodingBatch(*agency, batch, summary, job_id);
  }
  if (summary.batches_stored() > 0 || !status.ok()) {
    FEDLINK_RETURN_IF_ERROR(audit_->Record(
        caller, v1::AUDIT_ACTION_ENCODINGS_UPLOADED,
        status.ok() ? v1::AUDIT_OUTCOME_OK : v1::AUDIT_OUTCOME_REFUSED, job_id, agency->id,
        Rpc("UploadEncodings"), status.message(),
        {{"batches", summary.batches_stored()},
         {"repeated", summary.batches_repeated()},
         {"records", summary.records_stored()}}));
  }
  FEDLINK_RETURN_IF_ERROR(status);
  if (job_id.empty()) return absl::InvalidArgumentError("UploadEncodings: the stream held no batch");
  *summary.mutable_receipt() = audit_->MakeReceipt();
  return summary;
}

absl::Status CoordinatorCore::FetchAssignments(
    const proto::PeerIdentity& caller, const v1::FetchAssignmentsRequest& request,
    const std::function<bool(const v1::AssignmentBatch&)>& write) {
  const Registry reg = registry();
  FEDLINK_ASSIGN_OR_RETURN(const AgencyEntry* agency, CallerAgency(caller, reg, "FetchAssignments"));
  internal::StoredJob job;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<internal::StoredJob> loaded = LoadJob(request.job_id());
    if (!loaded.ok()) return loaded.status().code() == absl::StatusCode::kNotFound ? NotYours(request.job_id()) : loaded.status();
    job = *std::move(loaded);
  }
  const std::optional<int> party = PartyIndex(job, agency->id);
  if (!party.has_value()) return NotYours(request.job_id());
  const v1::JobState state = job.job().state();
  if (state != v1::JOB_STATE_RELEASING && state != v1::JOB_STATE_COMPLETE) {
    return absl::FailedPreconditionError(absl::StrCat("job ", QuoteName(request.job_id()), " is ",
                                                      JobStateName(state), "; no assignments"));
  }
  const uint64_t batches = job.party_state(*party).assignment_batches();
  uint64_t sent = 0;
  for (uint64_t seq = request.from_sequence(); seq < batches; ++seq) {
    FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                             store_->GetAssignmentBatch(request.job_id(), static_cast<uint16_t>(*party), seq));
    if (!bytes.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("job ", QuoteName(request.job_id()), ": assignments were purged"));
    }
    v1::AssignmentBatch batch;
    if (!batch.ParseFromString(*bytes)) return absl::DataLossError("a stored assignment batch does not parse");
    if (!write(batch)) return absl::CancelledError("FetchAssignments: the stream broke");
    sent += static_cast<uint64_t>(batch.pseudonyms_size());
  }
  return audit_->Record(caller, v1::AUDIT_ACTION_ASSIGNMENTS_SENT, v1::AUDIT_OUTCOME_OK,
                        request.job_id(), agency->id, Rpc("FetchAssignments"), "",
                        {{"assignments", sent}});
}

absl::Status CoordinatorCore::StorePayloadChunk(const AgencyEntry& agency,
                                                const v1::PayloadChunk& chunk,
                                                v1::PayloadSummary& summary) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(chunk, "PayloadChunk"));
  if (chunk.agency() != agency.id) {
    return absl::PermissionDeniedError(absl::StrCat("PayloadChunk.agency: ", QuoteName(chunk.agency()),
                                                    " is not the caller's agency ", QuoteName(agency.id)));
  }
  if (!summary.job_id().empty() && summary.job_id() != chunk.job_id()) {
    return absl::InvalidArgumentError("PayloadChunk.job_id: one stream uploads for one job");
  }
  summary.set_job_id(chunk.job_id());
  summary.set_kind(chunk.kind());
  absl::StatusOr<internal::StoredJob> loaded = LoadJob(chunk.job_id());
  if (!loaded.ok()) return loaded.status().code() == absl::StatusCode::kNotFound ? NotYours(chunk.job_id()) : loaded.status();
  internal::StoredJob job = *std::move(loaded);
  const std::optional<int> party = PartyIndex(job, agency.id);
  if (!party.has_value()) return NotYours(chunk.job_id());
  const std::optional<v1::PayloadKind> owed = OwedPayload(job.job().spec(), *party);
  if (!owed.has_value() || chunk.kind() != *owed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "PayloadChunk.kind: job ", QuoteName(chunk.job_id()), " takes ",
        owed.has_value() ? v1::PayloadKind_Name(*owed) : std::string("no payload"),
        " from agency ", QuoteName(agency.id)));
  }
  internal::PartyState* state = job.mutable_party_state(*party);
  v1::PartyProgress* progress = job.mutable_job()->mutable_parties(*party);
  const std::string where = absl::StrCat("PayloadChunk (job ", QuoteName(chunk.job_id()),
                                         ", index ", chunk.chunk_index(), ")");
  const std::string bytes = chunk.SerializeAsString();
  if (chunk.chunk_index() < state->next_chunk_index()) {
    FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                             store_->GetPayloadChunk(chunk.job_id(), static_cast<uint16_t>(*party),
                                                     static_cast<uint8_t>(chunk.kind()), chunk.chunk_index()));
    if (!stored.has_value() || *stored != bytes) {
      return absl::AbortedError(absl::StrCat(where, ": differs from the chunk already stored"));
    }
    summary.set_chunks_repeated(summary.chunks_repeated() + 1);
  } else {
    if (job.job().state() != v1::JOB_STATE_RELEASING) {
      return absl::FailedPreconditionError(absl::StrCat(
          "job ", QuoteName(chunk.job_id()), " is ", JobStateName(job.job().state()),
          "; payloads are taken while it is RELEASING"));
    }
    if (progress->payload_complete()) {
      return absl::FailedPreconditionError(absl::StrCat(where, ": the final chunk was stored already"));
    }
    if (chunk.chunk_index() > state->next_chunk_index()) {
      return absl::FailedPreconditionError(
          absl::StrCat(where, ": expected index ", state->next_chunk_index()));
    }
    CoordinatorStore::Batch write = store_->NewBatch();
    write.PutPayloadChunk(chunk.job_id(), static_cast<uint16_t>(*party),
                          static_cast<uint8_t>(chunk.kind()), chunk.chunk_index(), bytes);
    state->set_next_chunk_index(chunk.chunk_index() + 1);
    progress->set_payload_chunks(state->next_chunk_index());
    if (chunk.final_chunk()) progress->set_payload_complete(true);
    FEDLINK_RETURN_IF_ERROR(WriteJob(job, write));
    summary.set_chunks_stored(summary.chunks_stored() + 1);
    if (chunk.final_chunk()) {
      bool all = true;
      for (int p = 0; p < job.job().parties_size(); ++p) {
        if (OwedPayload(job.job().spec(), p).has_value() && !job.job().parties(p).payload_complete()) {
          all = false;
        }
      }
      if (all) {
        CoordinatorStore::Batch complete = store_->NewBatch();
        FEDLINK_RETURN_IF_ERROR(Transition(job, v1::JOB_STATE_COMPLETE, "", complete));
        const proto::PeerIdentity self{proto::Role::kCoordinator, "coordinator", ""};
        FEDLINK_RETURN_IF_ERROR(audit_->Record(self, v1::AUDIT_ACTION_JOB_COMPLETED,
                                               v1::AUDIT_OUTCOME_OK, chunk.job_id(), "", "", ""));
      }
    }
  }
  summary.set_next_chunk_index(job.party_state(*party).next_chunk_index());
  summary.set_complete(job.job().parties(*party).payload_complete());
  return absl::OkStatus();
}

absl::StatusOr<v1::PayloadSummary> CoordinatorCore::UploadPayload(
    const proto::PeerIdentity& caller, const std::function<bool(v1::PayloadChunk*)>& read) {
  const Registry reg = registry();
  FEDLINK_ASSIGN_OR_RETURN(const AgencyEntry* agency, CallerAgency(caller, reg, "UploadPayload"));
  v1::PayloadSummary summary;
  v1::PayloadChunk chunk;
  absl::Status status;
  uint64_t bytes = 0;
  while (status.ok() && read(&chunk)) {
    absl::MutexLock lock(&mu_);
    status = StorePayloadChunk(*agency, chunk, summary);
    bytes += chunk.ciphertext().size();
  }
  if (summary.chunks_stored() > 0 || !status.ok()) {
    FEDLINK_RETURN_IF_ERROR(audit_->Record(
        caller, v1::AUDIT_ACTION_PAYLOAD_UPLOADED,
        status.ok() ? v1::AUDIT_OUTCOME_OK : v1::AUDIT_OUTCOME_REFUSED, summary.job_id(),
        agency->id, Rpc("UploadPayload"), status.message(),
        {{"chunks", summary.chunks_stored()}, {"repeated", summary.chunks_repeated()}, {"bytes", bytes}}));
  }
  FEDLINK_RETURN_IF_ERROR(status);
  if (summary.job_id().empty()) return absl::InvalidArgumentError("UploadPayload: the stream held no chunk");
  *summary.mutable_receipt() = audit_->MakeReceipt();
  return summary;
}

absl::StatusOr<v1::AckPurgeResponse> CoordinatorCore::AckPurge(const proto::PeerIdentity& caller,
                                                               const v1::AckPurgeRequest& request) {
  const Registry reg = registry();
  FEDLINK_ASSIGN_OR_RETURN(const AgencyEntry* agency, CallerAgency(caller, reg, "AckPurge"));
  absl::MutexLock lock(&mu_);
  absl::StatusOr<internal::StoredJob> loaded = LoadJob(request.job_id());
  if (!loaded.ok()) return loaded.status().code() == absl::StatusCode::kNotFound ? NotYours(request.job_id()) : loaded.status();
  internal::StoredJob job = *std::move(loaded);
  const std::optional<int> party = PartyIndex(job, agency->id);
  if (!party.has_value()) return NotYours(request.job_id());
  if (!IsFinalState(job.job().state())) {
    return absl::FailedPreconditionError(absl::StrCat("job ", QuoteName(request.job_id()), " is ",
                                                      JobStateName(job.job().state()),
                                                      "; purge is acknowledged after it ends"));
  }
  if (!job.job().parties(*party).purge_acknowledged()) {
    job.mutable_job()->mutable_parties(*party)->set_purge_acknowledged(true);
    CoordinatorStore::Batch batch = store_->NewBatch();
    FEDLINK_RETURN_IF_ERROR(WriteJob(job, batch));
    FEDLINK_RETURN_IF_ERROR(audit_->Record(caller, v1::AUDIT_ACTION_PURGE_ACKNOWLEDGED,
                                           v1::AUDIT_OUTCOME_OK, request.job_id(), agency->id,
                                           Rpc("AckPurge"), ""));
  }
  v1::AckPurgeResponse response;
  *response.mutable_receipt() = audit_->MakeReceipt();
  return response;
}

absl::StatusOr<v1::AbandonJobResponse> CoordinatorCore::AbandonJob(
    const proto::PeerIdentity& caller, const v1::AbandonJobRequest& request) {
  const Registry reg = registry();
  FEDLINK_ASSIGN_OR_RETURN(const AgencyEntry* agency, CallerAgency(caller, reg, "AbandonJob"));
  absl::MutexLock lock(&mu_);
  absl::StatusOr<internal::StoredJob> loaded = LoadJob(request.job_id());
  if (!loaded.ok()) {
    return absl::IsNotFound(loaded.status()) ? NotYours(request.job_id()) : loaded.status();
  }
  internal::StoredJob job = *std::move(loaded);
  if (!PartyIndex(job, agency->id).has_value()) return NotYours(request.job_id());
  const std::string reason = AbandonedReason(agency->id, request.reason(), request.detail());
  v1::AbandonJobResponse response;
  const v1::JobState state = job.job().state();
  if (state == v1::JOB_STATE_FAILED && job.job().state_reason() == reason) {
    // A repeat (the agent did not get the first answer).
    response.set_state(state);
    *response.mutable_receipt() = audit_->MakeReceipt();
    return response;
  }
  if (state != v1::JOB_STATE_ENCODING && state != v1::JOB_STATE_MATCHING &&
      state != v1::JOB_STATE_RELEASING) {
    std::string why =
        absl::StrCat("job ", QuoteName(request.job_id()), " is ", JobStateName(state));
    if (IsFinalState(state)) {
      absl::StrAppend(&why, " already");
    } else {
      absl::StrAppend(&why, "; a party abandons a job after every party approved it");
    }
    return absl::FailedPreconditionError(why);
  }
  FEDLINK_RETURN_IF_ERROR(EndEarly(job, v1::JOB_STATE_FAILED, reason));
  // The category only: the agent's detail stays in the job's state_reason.
  FEDLINK_RETURN_IF_ERROR(audit_->Record(
      caller, v1::AUDIT_ACTION_JOB_FAILED, v1::AUDIT_OUTCOME_FAILED, request.job_id(), agency->id,
      Rpc("AbandonJob"),
      absl::StrCat("abandoned by the agency: ", proto::AbandonReasonName(request.reason()))));
  response.set_state(job.job().state());
  *response.mutable_receipt() = audit_->MakeReceipt();
  return response;
}

// ---------------------------------------------------------------- matching

void CoordinatorCore::EnqueueMatching(const std::string& job_id) {
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(job_id);
}

void CoordinatorCore::WaitForMatchingIdle() const {
  absl::MutexLock lock(&queue_mu_);
  auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(queue_mu_) {
    return queue_.empty() && !matching_busy_;
  };
  queue_mu_.Await(absl::Condition(&idle));
}

void CoordinatorCore::MatchingLoop() {
  for (;;) {
    std::string job_id;
    {
      absl::MutexLock lock(&queue_mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(queue_mu_) {
        return stopping_ || !queue_.empty();
      };
      queue_mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      job_id = queue_.front();
      queue_.pop_front();
      matching_busy_ = true;
    }
    RunMatching(job_id);
    // The encodings were deleted with the match; make them leave the files.
    absl::Status compacted = store_->CompactJobData(job_id);
    if (!compacted.ok()) {
      spdlog::error("job {}: compaction: {}", job_id, std::string(compacted.message()));
    }
    absl::MutexLock lock(&queue_mu_);
    matching_busy_ = false;
  }
}

void CoordinatorCore::RunMatching(const std::string& job_id) {
  const proto::PeerIdentity self{proto::Role::kCoordinator, "coordinator", ""};
  internal::StoredJob job;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<internal::StoredJob> loaded = LoadJob(job_id);
    if (!loaded.ok() || loaded->job().state() != v1::JOB_STATE_MATCHING) return;
    job = *std::move(loaded);
  }
  const uint32_t threshold =
      EffectiveMinCellCount(job.job().spec(), registry(), options_.min_cell_count);
  absl::StatusOr<MatchingOutput> output =
      MatchJob(*store_, job, threshold, options_.random, options_.matching_threads);

  absl::MutexLock lock(&mu_);
  absl::StatusOr<internal::StoredJob> reloaded = LoadJob(job_id);
  if (!reloaded.ok() || reloaded->job().state() != v1::JOB_STATE_MATCHING) return;  // cancelled meanwhile
  job = *std::move(reloaded);
  CoordinatorStore::Batch batch = store_->NewBatch();
  absl::Status status;
  if (!output.ok()) {
    const std::string reason = absl::StrCat("matching failed: ", output.status().message());
    status = Transition(job, v1::JOB_STATE_FAILED, reason, batch);
    if (status.ok()) {
      status = audit_->Record(self, v1::AUDIT_ACTION_JOB_FAILED, v1::AUDIT_OUTCOME_FAILED, job_id,
                              "", "", reason);
    }
  } else {
    for (size_t p = 0; p < output->assignments.size(); ++p) {
      for (const v1::AssignmentBatch& a : output->assignments[p]) {
        batch.PutAssignmentBatch(job_id, static_cast<uint16_t>(p), a.sequence(), a.SerializeAsString());
      }
      job.mutable_party_state(static_cast<int>(p))->set_assignment_batches(output->assignments[p].size());
      job.mutable_job()->mutable_parties(static_cast<int>(p))->set_assignments(output->assigned[p]);
    }
    // Encodings are not needed once the clusters are decided.
    batch.DeleteEncodings(job_id);
    *job.mutable_job()->mutable_quality() = output->quality;
    if (output->aggregate.has_value()) *job.mutable_aggregate() = *output->aggregate;
    // Complete now unless some party still owes a payload: every party's
    // rows (microdata), the category party's legend (a breakdown).
    bool payload_owed = false;
    for (int p = 0; p < job.job().parties_size(); ++p) {
      if (OwedPayload(job.job().spec(), p).has_value()) payload_owed = true;
    }
    status = Transition(job, payload_owed ? v1::JOB_STATE_RELEASING : v1::JOB_STATE_COMPLETE, "",
                        batch);
    if (status.ok() && job.job().spec().output_mode() == v1::OUTPUT_MODE_AGGREGATE) {
      // An aggregate job's cluster count is the sum of its multi-party
      // cells, a total the suppression assumes nobody knows: not logged.
      status = audit_->Record(self, v1::AUDIT_ACTION_MATCHING_DONE, v1::AUDIT_OUTCOME_OK, job_id, "",
                              "", "");
    } else if (status.ok()) {
      status = audit_->Record(self, v1::AUDIT_ACTION_MATCHING_DONE, v1::AUDIT_OUTCOME_OK, job_id, "",
                              "", "", {{"clusters", output->clusters}});
    }
    if (status.ok() && !payload_owed) {
      status = audit_->Record(self, v1::AUDIT_ACTION_JOB_COMPLETED, v1::AUDIT_OUTCOME_OK, job_id,
                              "", "", "");
    }
  }
  if (!status.ok()) {
    spdlog::error("job {}: recording the match failed: {}", job_id, std::string(status.message()));
  }
}

// ---------------------------------------------------------------- analyst

absl::StatusOr<v1::Job> CoordinatorCore::SubmitJob(const proto::PeerIdentity& caller,
                                                   const v1::SubmitJobRequest& request) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "SubmitJob", {proto::Role::kAnalyst}));
  const Registry reg = registry();
  std::string spec_bytes;
  {
    google::protobuf::io::StringOutputStream stream(&spec_bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.spec().SerializeToCodedStream(&coded);
  }
  absl::MutexLock lock(&mu_);
  if (!request.request_id().empty()) {
    FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                             store_->GetRequestId(caller.name, request.request_id()));
    if (existing.has_value()) {
      FEDLINK_ASSIGN_OR_RETURN(internal::StoredJob job, LoadJob(*existing));
      if (job.spec_bytes() != spec_bytes) {
        return absl::AlreadyExistsError(absl::StrCat(
            "SubmitJobRequest.request_id: already used for job ", QuoteName(*existing),
            " with another spec"));
      }
      return job.job();
    }
  }
  absl::Status valid = ValidateSubmission(request.spec(), caller.name, reg, Now());
  if (!valid.ok()) {
    v1::AuditEntry entry;
    *entry.mutable_actor() = proto::ToProto(caller);
    entry.set_action(v1::AUDIT_ACTION_JOB_VALIDATED);
    entry.set_outcome(v1::AUDIT_OUTCOME_REFUSED);
    entry.set_rpc(Rpc("SubmitJob"));
    entry.set_reason(std::string(valid.message().substr(0, 2000)));
    FEDLINK_RETURN_IF_ERROR(audit_->Record(std::move(entry)));
    return valid;
  }

  uint8_t random_id[16];
  FEDLINK_RETURN_IF_ERROR(options_.random(absl::MakeSpan(random_id)));
  const std::string job_id = absl::StrCat(
      "j", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(random_id), 16)));

  internal::StoredJob job;
  v1::Job* j = job.mutable_job();
  j->set_job_id(job_id);
  *j->mutable_analyst() = proto::ToProto(caller);
  *j->mutable_spec() = request.spec();
  j->set_job_spec_sha256(proto::JobSpecSha256(spec_bytes));
  j->set_state(v1::JOB_STATE_SUBMITTED);
  *j->mutable_submitted_at() = ToTimestamp(Now());
  for (const v1::Party& p : request.spec().parties()) {
    j->add_parties()->set_agency(p.agency());
    job.add_party_state();
  }
  job.set_spec_bytes(spec_bytes);
  job.set_request_id(request.request_id());

  CoordinatorStore::Batch batch = store_->NewBatch();
  batch.CreateJobKey(job_id);
  if (!request.request_id().empty()) batch.PutRequestId(caller.name, request.request_id(), job_id);
  FEDLINK_RETURN_IF_ERROR(WriteJob(job, batch));
  {
    v1::AuditEntry entry;
    *entry.mutable_actor() = proto::ToProto(caller);
    entry.set_action(v1::AUDIT_ACTION_JOB_SUBMITTED);
    entry.set_outcome(v1::AUDIT_OUTCOME_OK);
    entry.set_job_id(job_id);
    entry.set_rpc(Rpc("SubmitJob"));
    entry.set_job_spec_sha256(j->job_spec_sha256());
    v1::AuditCount* parties = entry.add_counts();
    parties->set_name("parties");
    parties->set_value(static_cast<uint64_t>(request.spec().parties_size()));
    FEDLINK_RETURN_IF_ERROR(audit_->Record(std::move(entry)));
  }
  CoordinatorStore::Batch notify = store_->NewBatch();
  FEDLINK_RETURN_IF_ERROR(Transition(job, v1::JOB_STATE_PENDING_APPROVAL, "", notify));
  const proto::PeerIdentity self{proto::Role::kCoordinator, "coordinator", ""};
  for (const v1::Party& p : request.spec().parties()) {
    FEDLINK_RETURN_IF_ERROR(audit_->Record(self, v1::AUDIT_ACTION_JOB_NOTIFIED, v1::AUDIT_OUTCOME_OK,
                                           job_id, p.agency(), "", ""));
  }
  return job.job();
}

absl::StatusOr<v1::Job> CoordinatorCore::GetJob(const proto::PeerIdentity& caller,
                                                const v1::GetJobRequest& request) {
  FEDLINK_RETURN_IF_ERROR(
      RequireRole(caller, "GetJob", {proto::Role::kAnalyst, proto::Role::kSteward}));
  FEDLINK_ASSIGN_OR_RETURN(std::optional<internal::StoredJob> job, store_->GetJob(request.job_id()));
  if (!job.has_value()) return NotYours(request.job_id());
  FEDLINK_RETURN_IF_ERROR(CheckCanReadJob(caller, *job));
  return job->job();
}

absl::StatusOr<v1::ListJobsResponse> CoordinatorCore::ListJobs(const proto::PeerIdentity& caller,
                                                               const v1::ListJobsRequest& request) {
  FEDLINK_RETURN_IF_ERROR(
      RequireRole(caller, "ListJobs", {proto::Role::kAnalyst, proto::Role::kSteward}));
  const size_t page = request.page_size() == 0 ? 100 : request.page_size();
  v1::ListJobsResponse response;
  std::string last;
  absl::Status scan = store_->ForEachJob([&](const internal::StoredJob& job) {
    if (job.job().job_id() <= request.page_token()) return absl::OkStatus();
    if (!CheckCanReadJob(caller, job).ok()) return absl::OkStatus();
    if (!StateSelected(request.states(), job.job().state())) return absl::OkStatus();
    if (static_cast<size_t>(response.jobs_size()) == page) {
      response.set_next_page_token(last);
      return absl::CancelledError("page full");
    }
    *response.add_jobs() = Summarize(job);
    last = job.job().job_id();
    return absl::OkStatus();
  });
  if (!scan.ok() && scan.code() != absl::StatusCode::kCancelled) return scan;
  return response;
}

absl::StatusOr<v1::Job> CoordinatorCore::CancelJob(const proto::PeerIdentity& caller,
                                                   const v1::CancelJobRequest& request) {
  FEDLINK_RETURN_IF_ERROR(
      RequireRole(caller, "CancelJob", {proto::Role::kAnalyst, proto::Role::kOperator}));
  absl::MutexLock lock(&mu_);
  absl::StatusOr<internal::StoredJob> loaded = LoadJob(request.job_id());
  if (!loaded.ok()) return loaded.status().code() == absl::StatusCode::kNotFound ? NotYours(request.job_id()) : loaded.status();
  internal::StoredJob job = *std::move(loaded);
  FEDLINK_RETURN_IF_ERROR(CheckIsJobAnalyst(caller, job, /*operator_allowed=*/true));
  if (IsFinalState(job.job().state())) {
    return absl::FailedPreconditionError(absl::StrCat("job ", QuoteName(request.job_id()), " is ",
                                                      JobStateName(job.job().state()),
                                                      " and can no longer be cancelled"));
  }
  std::string reason = absl::StrCat("cancelled by ", std::string(proto::RoleName(caller.role)), " ",
                                    QuoteName(caller.name));
  if (!request.reason().empty()) absl::StrAppend(&reason, ": ", request.reason());
  FEDLINK_RETURN_IF_ERROR(EndEarly(job, v1::JOB_STATE_CANCELLED, reason));
  FEDLINK_RETURN_IF_ERROR(audit_->Record(caller, v1::AUDIT_ACTION_JOB_CANCELLED, v1::AUDIT_OUTCOME_OK,
                                         request.job_id(), "", Rpc("CancelJob"), reason));
  return job.job();
}

absl::Status CoordinatorCore::FetchResults(const proto::PeerIdentity& caller,
                                           const v1::FetchResultsRequest& request,
                                           const std::function<bool(const v1::ResultsItem&)>& write) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "FetchResults", {proto::Role::kAnalyst}));
  FEDLINK_ASSIGN_OR_RETURN(std::optional<internal::StoredJob> loaded, store_->GetJob(request.job_id()));
  if (!loaded.has_value()) return NotYours(request.job_id());
  const internal::StoredJob& job = *loaded;
  FEDLINK_RETURN_IF_ERROR(CheckIsJobAnalyst(caller, job, false));
  const v1::JobState state = job.job().state();
  if (state != v1::JOB_STATE_COMPLETE) {
    std::string why = absl::StrCat("job ", QuoteName(request.job_id()), " is ", JobStateName(state));
    if (state == v1::JOB_STATE_PURGED) {
      absl::StrAppend(&why, ": its results were destroyed");
    } else if (IsFinalState(state)) {
      absl::StrAppend(&why, ": ", job.job().state_reason());
    } else {
      absl::StrAppend(&why, "; results are ready when it is COMPLETE");
    }
    return absl::FailedPreconditionError(why);
  }
  const v1::JobSpec& spec = job.job().spec();
  v1::ResultsItem header;
  header.mutable_header()->set_job_id(request.job_id());
  header.mutable_header()->set_output_mode(spec.output_mode());
  const bool microdata = spec.output_mode() == v1::OUTPUT_MODE_LINKED_MICRODATA;
  // The payloads, relayed as stored (the coordinator cannot open them):
  // every party's rows (microdata) or the category party's legend.
  std::vector<std::pair<int, v1::PayloadKind>> payloads;
  for (int p = 0; p < spec.parties_size(); ++p) {
    if (std::optional<v1::PayloadKind> kind = OwedPayload(spec, p)) payloads.emplace_back(p, *kind);
  }
  for (const auto& [p, kind] : payloads) {
    v1::PayloadExtent* extent = header.mutable_header()->add_payloads();
    extent->set_agency(spec.parties(p).agency());
    extent->set_kind(kind);
    extent->set_chunks(job.party_state(p).next_chunk_index());
  }
  if (!write(header)) return absl::CancelledError("FetchResults: the stream broke");
  uint64_t chunks = 0, bytes = 0;
  for (const auto& [p, kind] : payloads) {
    uint32_t from = 0;
    for (const v1::ChunkCursor& c : request.resume()) {
      if (c.agency() == spec.parties(p).agency() && c.kind() == kind) from = c.next_chunk_index();
    }
    for (uint32_t i = from; i < job.party_state(p).next_chunk_index(); ++i) {
      FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                               store_->GetPayloadChunk(request.job_id(), static_cast<uint16_t>(p),
                                                       static_cast<uint8_t>(kind), i));
      if (!stored.has_value()) return absl::DataLossError("a stored payload chunk is missing");
      v1::ResultsItem item;
      if (!item.mutable_chunk()->ParseFromString(*stored)) {
        return absl::DataLossError("a stored payload chunk does not parse");
      }
      bytes += item.chunk().ciphertext().size();
      ++chunks;
      if (!write(item)) return absl::CancelledError("FetchResults: the stream broke");
    }
  }
  if (!microdata) {
    v1::ResultsItem item;
    *item.mutable_aggregate() = job.aggregate();
    if (!write(item)) return absl::CancelledError("FetchResults: the stream broke");
  }
  v1::ResultsItem quality;
  *quality.mutable_quality() = job.job().quality();
  if (!write(quality)) return absl::CancelledError("FetchResults: the stream broke");
  return audit_->Record(caller, v1::AUDIT_ACTION_RESULTS_FETCHED, v1::AUDIT_OUTCOME_OK,
                        request.job_id(), "", Rpc("FetchResults"), "",
                        {{"chunks", chunks}, {"bytes", bytes}});
}

// ---------------------------------------------------------------- auditor

absl::StatusOr<v1::ListJobSummariesResponse> CoordinatorCore::ListJobSummaries(
    const proto::PeerIdentity& caller, const v1::ListJobSummariesRequest& request) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "ListJobSummaries",
                                      {proto::Role::kAuditor, proto::Role::kOperator}));
  const size_t page = request.page_size() == 0 ? 100 : request.page_size();
  v1::ListJobSummariesResponse response;
  std::string last;
  absl::Status scan = store_->ForEachJob([&](const internal::StoredJob& job) {
    if (job.job().job_id() <= request.page_token()) return absl::OkStatus();
    if (!StateSelected(request.states(), job.job().state())) return absl::OkStatus();
    if (static_cast<size_t>(response.jobs_size()) == page) {
      response.set_next_page_token(last);
      return absl::CancelledError("page full");
    }
    *response.add_jobs() = Summarize(job);
    last = job.job().job_id();
    return absl::OkStatus();
  });
  if (!scan.ok() && scan.code() != absl::StatusCode::kCancelled) return scan;
  return response;
}

absl::Status CoordinatorCore::ListAuditEntries(
    const proto::PeerIdentity& caller, const v1::ListAuditEntriesRequest& request,
    const std::function<bool(const v1::LoggedEntry&)>& write) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "ListAuditEntries", {proto::Role::kAuditor}));
  const uint64_t size = audit_->log().tree_size();
  const uint64_t end = request.to_index() == 0 ? size : std::min(request.to_index(), size);
  if (request.from_index() > end) return absl::OkStatus();
  return audit_->log().ScanEntries(request.from_index(), end, [&](const v1::LoggedEntry& logged) {
    if (!request.job_id().empty() || request.since_unix_ms() > 0) {
      v1::AuditEntry entry;
      if (entry.ParseFromString(logged.entry())) {
        if (!request.job_id().empty() && entry.job_id() != request.job_id()) return absl::OkStatus();
        if (entry.time_unix_ms() < request.since_unix_ms()) return absl::OkStatus();
      }
    }
    return write(logged) ? absl::OkStatus() : absl::CancelledError("ListAuditEntries: the stream broke");
  });
}

absl::StatusOr<v1::SignedTreeHead> CoordinatorCore::GetSignedTreeHead(
    const proto::PeerIdentity& caller, const v1::GetSignedTreeHeadRequest& request) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "GetSignedTreeHead", {proto::Role::kAuditor}));
  if (request.tree_size() != 0) {
    const uint64_t current = audit_->log().tree_size();
    if (request.tree_size() > current) {
      return absl::InvalidArgumentError(absl::StrCat("GetSignedTreeHead: tree_size ",
                                                     request.tree_size(),
                                                     " is beyond the log's size ", current));
    }
    return audit_->log().GetSignedHead(request.tree_size());
  }
  std::optional<v1::SignedTreeHead> head = audit_->log().latest_signed_head();
  if (head.has_value()) return *head;
  return audit_->log().SignHead();
}

absl::StatusOr<v1::InclusionProof> CoordinatorCore::GetInclusionProof(
    const proto::PeerIdentity& caller, const v1::GetInclusionProofRequest& request) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "GetInclusionProof", {proto::Role::kAuditor}));
  return audit_->log().InclusionProof(request.leaf_index(), request.tree_size());
}

absl::StatusOr<v1::ConsistencyProof> CoordinatorCore::GetConsistencyProof(
    const proto::PeerIdentity& caller, const v1::GetConsistencyProofRequest& request) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "GetConsistencyProof", {proto::Role::kAuditor}));
  return audit_->log().ConsistencyProof(request.first_size(), request.second_size());
}

// ---------------------------------------------------------------- operator

absl::StatusOr<v1::ListRegistrationsResponse> CoordinatorCore::ListRegistrations(
    const proto::PeerIdentity& caller) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "ListRegistrations", {proto::Role::kOperator}));
  absl::MutexLock lock(&registry_mu_);
  v1::ListRegistrationsResponse response;
  for (const auto& [id, a] : registry_.agencies) {
    v1::AgencyRegistration* r = response.add_agencies();
    r->set_agency(id);
    r->set_display_name(a.display_name);
    r->set_ed25519_public_key(std::string(a.decision_key.bytes().begin(), a.decision_key.bytes().end()));
    r->set_min_cell_count(a.min_cell_count);
  }
  for (const auto& [name, a] : registry_.analysts) {
    v1::AnalystRegistration* r = response.add_analysts();
    r->set_name(name);
    r->set_display_name(a.display_name);
    *r->mutable_training_expires_at() = ToTimestamp(a.training_expires_at);
  }
  *response.mutable_loaded_at() = ToTimestamp(registry_loaded_at_);
  return response;
}

absl::StatusOr<v1::ReloadConfigResponse> CoordinatorCore::ReloadConfig(const proto::PeerIdentity& caller) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "ReloadConfig", {proto::Role::kOperator}));
  return Reload(caller, Rpc("ReloadConfig"), "");
}

absl::StatusOr<v1::ReloadConfigResponse> CoordinatorCore::ReloadConfigOnSignal() {
  const proto::PeerIdentity self{proto::Role::kCoordinator, "coordinator", ""};
  return Reload(self, "", "SIGHUP");
}

absl::StatusOr<v1::ReloadConfigResponse> CoordinatorCore::Reload(const proto::PeerIdentity& actor,
                                                                  std::string_view rpc,
                                                                  std::string_view why) {
  if (!options_.reload_registry) {
    return absl::FailedPreconditionError("ReloadConfig: this coordinator has no config file to re-read");
  }
  absl::StatusOr<Registry> reloaded = options_.reload_registry();
  std::string reason(why);
  if (!reloaded.ok()) {
    absl::StrAppend(&reason, reason.empty() ? "" : ": ", reloaded.status().message());
  }
  FEDLINK_RETURN_IF_ERROR(audit_->Record(actor, v1::AUDIT_ACTION_CONFIG_RELOADED,
                                         reloaded.ok() ? v1::AUDIT_OUTCOME_OK : v1::AUDIT_OUTCOME_FAILED,
                                         "", "", rpc, reason.substr(0, 2000)));
  FEDLINK_RETURN_IF_ERROR(reloaded.status());
  absl::MutexLock lock(&registry_mu_);
  registry_ = *std::move(reloaded);
  registry_loaded_at_ = Now();
  v1::ReloadConfigResponse response;
  response.set_agencies(registry_.agencies.size());
  response.set_analysts(registry_.analysts.size());
  *response.mutable_loaded_at() = ToTimestamp(registry_loaded_at_);
  return response;
}

void CoordinatorCore::AgentConnected(const std::string& agency, int delta) {
  absl::MutexLock lock(&registry_mu_);
  if ((connected_[agency] += delta) <= 0) connected_.erase(agency);
}

absl::StatusOr<v1::CoordinatorStatus> CoordinatorCore::GetStatus(const proto::PeerIdentity& caller) {
  FEDLINK_RETURN_IF_ERROR(RequireRole(caller, "GetStatus", {proto::Role::kOperator}));
  v1::CoordinatorStatus status;
  status.set_software_version(options_.software_version);
  *status.mutable_started_at() = ToTimestamp(started_at_);
  std::map<v1::JobState, uint64_t> counts;
  FEDLINK_RETURN_IF_ERROR(store_->ForEachJob([&](const internal::StoredJob& job) {
    ++counts[job.job().state()];
    return absl::OkStatus();
  }));
  for (const auto& [state, n] : counts) {
    v1::JobStateCount* c = status.add_jobs();
    c->set_state(state);
    c->set_jobs(n);
  }
  {
    absl::MutexLock lock(&registry_mu_);
    for (const auto& [agency, n] : connected_) status.add_connected_agencies(agency);
  }
  if (std::optional<v1::SignedTreeHead> head = audit_->log().latest_signed_head()) {
    *status.mutable_tree_head() = *head;
  }
  return status;
}

// ---------------------------------------------------------------- retention

absl::Status CoordinatorCore::Purge(internal::StoredJob& job, absl::string_view reason) {
  CoordinatorStore::Batch batch = store_->NewBatch();
  batch.DeleteJobData(job.job().job_id());
  job.clear_job_nonce();
  job.clear_aggregate();
  FEDLINK_RETURN_IF_ERROR(Transition(job, v1::JOB_STATE_PURGED, "", batch));
  FEDLINK_RETURN_IF_ERROR(store_->CompactJobData(job.job().job_id()));
  const proto::PeerIdentity self{proto::Role::kCoordinator, "coordinator", ""};
  return audit_->Record(self, v1::AUDIT_ACTION_JOB_PURGED, v1::AUDIT_OUTCOME_OK, job.job().job_id(),
                        "", "", reason);
}

absl::Status CoordinatorCore::EndEarly(internal::StoredJob& job, v1::JobState to,
                                       std::string_view reason) {
  CoordinatorStore::Batch batch = store_->NewBatch();
  batch.DeleteJobData(job.job().job_id());
  FEDLINK_RETURN_IF_ERROR(Transition(job, to, reason, batch));
  return store_->CompactJobData(job.job().job_id());
}

absl::Status CoordinatorCore::RunRetention() {
  const absl::Time now = Now();
  std::vector<std::string> ids;
  FEDLINK_RETURN_IF_ERROR(store_->ForEachJob([&](const internal::StoredJob& job) {
    if (job.job().state() != v1::JOB_STATE_PURGED) ids.push_back(job.job().job_id());
    return absl::OkStatus();
  }));
  const proto::PeerIdentity self{proto::Role::kCoordinator, "coordinator", ""};
  absl::MutexLock lock(&mu_);
  for (const std::string& id : ids) {
    FEDLINK_ASSIGN_OR_RETURN(internal::StoredJob job, LoadJob(id));
    const bool expired = FromTimestamp(job.job().spec().expires_at()) <= now;
    if (!IsFinalState(job.job().state())) {
      if (!expired) continue;
      CoordinatorStore::Batch batch = store_->NewBatch();
      batch.DeleteJobData(id);
      FEDLINK_RETURN_IF_ERROR(Transition(job, v1::JOB_STATE_FAILED, "the job expired before it completed", batch));
      FEDLINK_RETURN_IF_ERROR(audit_->Record(self, v1::AUDIT_ACTION_JOB_FAILED, v1::AUDIT_OUTCOME_FAILED,
                                             id, "", "", "expired"));
    }
    const bool grace_over =
        job.has_finished_at() && FromTimestamp(job.finished_at()) + options_.retention_grace <= now;
    if (expired || grace_over) {
      FEDLINK_RETURN_IF_ERROR(Purge(job, expired ? "expired" : "retention period over"));
    }
  }
  return absl::OkStatus();
}

}  // namespace fedlink::coordinator
