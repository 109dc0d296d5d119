#include "agent/daemon/job_steps.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/audit/audit_entries.h"
#include "agent/encoding/category_codes.h"
#include "agent/encoding/job_encoder.h"
#include "agent/encoding/job_params.h"
#include "agent/encoding/record_store_source.h"
#include "agent/release/category_legend.h"
#include "agent/release/job_pseudonyms.h"
#include "agent/release/release_columns.h"
#include "agent/release/row_releaser.h"
#include "linkage/status_macros.h"
#include "proto/runtime/abandon_reason.h"
#include "proto/runtime/limits.h"

namespace fedlink::agent::daemon {
namespace {

using nlohmann::json;

std::string JobPrefix(const std::string& job_id) { return absl::StrCat("job ", job_id, ": "); }

absl::Status Prefixed(const std::string& job_id, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(JobPrefix(job_id), status.message()));
}

int64_t UnixMillis(absl::Time t) { return absl::ToUnixMillis(t); }

// The coordinator did not answer: the call is worth repeating later. Any
// answer (a refusal too) is final.
bool Unanswered(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsCancelled(status) || absl::IsAborted(status) ||
         absl::IsResourceExhausted(status) || absl::IsInternal(status) ||
         absl::IsUnknown(status);
}

bool Uploaded(v1::AgentJobState state) {
  return state == v1::AGENT_JOB_STATE_UPLOADED || state == v1::AGENT_JOB_STATE_RELEASING ||
         state == v1::AGENT_JOB_STATE_RELEASED;
}

}  // namespace

absl::StatusOr<std::unique_ptr<JobSteps>> JobSteps::Create(JobStepsDeps deps) {
  if (deps.store == nullptr || deps.jobs == nullptr || deps.coordinator == nullptr ||
      deps.signer == nullptr || deps.log == nullptr || !deps.clock) {
    return absl::InvalidArgumentError("JobSteps: a dependency is missing");
  }
  if (deps.policy.agency != deps.agency || deps.signer->agency() != deps.agency) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the policy (agency ", deps.policy.agency, ") and signing identity (agency ",
        deps.signer->agency(), ") must both be for agency ", deps.agency));
  }
  if (deps.linkage_secret.size() != 32) {
    return absl::InvalidArgumentError("the linkage secret must be 32 bytes");
  }
  return std::unique_ptr<JobSteps>(new JobSteps(std::move(deps)));
}

JobSteps::JobSteps(JobStepsDeps deps)
    : deps_(std::move(deps)),
      columns_(policy::ColumnClassesFromSchema(deps_.schema)),
      keys_(policy::DecisionKeysFor(deps_.policy, deps_.signer->public_key())) {
  for (const ingest::AttributeColumn& column : deps_.schema.attributes) {
    attribute_names_.insert(column.name);
  }
}

absl::Status JobSteps::Handle(const v1::WorkItem& item) {
  switch (item.work_case()) {
    case v1::WorkItem::kDecide:
      return OnDecideJob(item.job_id(), item.decide());
    case v1::WorkItem::kEncode:
      return OnEncodeJob(item.job_id(), item.encode());
    case v1::WorkItem::kRelease:
      return OnReleaseJob(item.job_id(), item.release());
    case v1::WorkItem::kPurge:
      return OnPurgeJob(item.job_id(), item.purge());
    case v1::WorkItem::kWelcome:
    case v1::WorkItem::WORK_NOT_SET:
      break;
  }
  return absl::OkStatus();
}

absl::Status JobSteps::StepFailed(const std::string& job_id, std::string_view step,
                                  const absl::Status& status, bool fail) {
  const absl::Status error = Prefixed(job_id, status);
  deps_.log->Error("job.step_failed",
                   EventLog::StatusFields(status, {{"job", job_id}, {"step", step}}));
  absl::StatusOr<JobRecord> updated = deps_.jobs->Update(job_id, [&](JobRecord& record) {
    record.failure_reason = std::string(error.message()).substr(0, 2000);
    if (fail) record.state = v1::AGENT_JOB_STATE_FAILED;
    return absl::OkStatus();
  });
  (void)updated;  // an unknown job has no record to annotate
  return error;
}

absl::Status JobSteps::StepAbandoned(const std::string& job_id, std::string_view step,
                                     v1::AbandonReason reason, const absl::Status& status) {
  const absl::Status error = StepFailed(job_id, step, status, /*fail=*/true);
  v1::AbandonJobRequest request;
  request.set_job_id(job_id);
  request.set_reason(reason);
  request.set_detail(proto::AbandonDetail(status.message()));
  bool abandoned = false;
  absl::StatusOr<JobRecord> updated = deps_.jobs->Update(job_id, [&](JobRecord& record) {
    // Only a job this agency approved, and only once.
    if (!record.decision.has_value() || record.decision->verdict() != v1::VERDICT_APPROVE ||
        record.abandon.has_value()) {
      return absl::OkStatus();
    }
    record.abandon = request;
    record.abandon_pending = true;
    abandoned = true;
    return absl::OkStatus();
  });
  if (!updated.ok() || !abandoned) return error;
  const std::string category = proto::AbandonReasonName(reason);
  deps_.log->Warn("job.abandoned", {{"job", job_id}, {"step", step}, {"reason", category}});
  Audit(audit::JobAbandonedEntry(job_id, deps_.agency,
                                 absl::StrCat(category, ": ", request.detail())));
  (void)SendAbandonment(request);  // logged; sent again after the next reconnect
  return error;
}

absl::Status JobSteps::ReleaseDataFailed(const std::string& job_id, const absl::Status& status) {
  // Missing, half-saved, dropped or unreadable: it will not come back.
  if (absl::IsNotFound(status) || absl::IsFailedPrecondition(status) || absl::IsDataLoss(status)) {
    return StepAbandoned(job_id, "release", v1::ABANDON_REASON_LOCAL_DATA_LOST, status);
  }
  return StepFailed(job_id, "release", status);
}

absl::Status JobSteps::SendAbandonment(const v1::AbandonJobRequest& request) {
  const std::string& job_id = request.job_id();
  absl::StatusOr<v1::AbandonJobResponse> response = deps_.coordinator->AbandonJob(request);
  if (!response.ok() && Unanswered(response.status())) {
    deps_.log->Warn("job.abandon_queued",
                    EventLog::StatusFields(response.status(), {{"job", job_id}}));
    return Prefixed(job_id, response.status());
  }
  FEDLINK_RETURN_IF_ERROR(deps_.jobs
                              ->Update(job_id,
                                       [](JobRecord& record) {
                                         record.abandon_pending = false;
                                         return absl::OkStatus();
                                       })
                              .status());
  if (!response.ok()) {
    // The job ended otherwise meanwhile (cancelled, expired, failed by
    // another party), or the coordinator predates AbandonJob.
    deps_.log->Warn("job.abandon_refused",
                    EventLog::StatusFields(response.status(), {{"job", job_id}}));
    return absl::OkStatus();
  }
  AuditReceipt(response->receipt(), "AbandonJob", job_id);
  deps_.log->Info("job.abandon_delivered",
                  {{"job", job_id}, {"coordinator_state", v1::JobState_Name(response->state())}});
  return absl::OkStatus();
}

void JobSteps::Audit(v1::AuditEntry entry, const v1::Receipt* receipt) {
  if (deps_.audit == nullptr) return;
  const std::string job_id = entry.job_id();
  absl::StatusOr<v1::SignedTreeHead> head = deps_.audit->Record(std::move(entry), receipt);
  if (!head.ok()) {
    deps_.log->Error("audit.record_failed", EventLog::StatusFields(head.status(), {{"job", job_id}}));
  }
}

void JobSteps::AuditReceipt(const v1::Receipt& receipt, std::string_view rpc,
                            const std::string& job_id) {
  if (deps_.audit == nullptr || !receipt.has_tree_head()) return;
  absl::StatusOr<audit::ReceiptResult> taken = deps_.audit->RecordReceipt(receipt, rpc, job_id);
  if (!taken.ok()) {
    deps_.log->Error("audit.receipt_refused",
                     EventLog::StatusFields(taken.status(), {{"job", job_id}, {"rpc", rpc}}));
  }
}

// ---------------------------------------------------------------- decide

absl::Status JobSteps::OnDecideJob(const std::string& job_id, const v1::DecideJob& decide) {
  JobRecord record;
  record.job_id = job_id;
  record.state = v1::AGENT_JOB_STATE_PENDING_DECISION;
  record.job_spec_bytes = decide.job_spec();
  record.job_spec_sha256 = decide.job_spec_sha256();
  record.analyst = decide.analyst();
  record.received_at_unix_ms = UnixMillis(deps_.clock());
  FEDLINK_ASSIGN_OR_RETURN(bool inserted, deps_.jobs->Insert(record));
  if (inserted) {
    deps_.log->Info("job.received", {{"job", job_id}, {"analyst", decide.analyst().name()}});
    Audit(audit::JobReceivedEntry(job_id, decide.job_spec_sha256()));
    return absl::OkStatus();
  }
  FEDLINK_ASSIGN_OR_RETURN(std::optional<JobRecord> existing, deps_.jobs->Get(job_id));
  if (existing.has_value() && existing->job_spec_sha256 != decide.job_spec_sha256()) {
    return StepFailed(job_id, "decide",
                      absl::FailedPreconditionError(
                          "DecideJob carries another spec than the one received before; "
                          "ignored (a job's spec never changes)"));
  }
  deps_.log->Debug("job.repeat", {{"job", job_id}, {"item", "decide"}});
  return absl::OkStatus();
}

absl::StatusOr<v1::DecideResponse> JobSteps::Decide(const v1::DecideRequest& request) {
  FEDLINK_RETURN_IF_ERROR(proto::Validate(request));
  const std::string& job_id = request.job_id();
  FEDLINK_ASSIGN_OR_RETURN(std::optional<JobRecord> found, deps_.jobs->Get(job_id));
  if (!found.has_value()) {
    return absl::NotFoundError(absl::StrCat(JobPrefix(job_id), "no such job at this agent"));
  }
  if (found->state != v1::AGENT_JOB_STATE_PENDING_DECISION) {
    return absl::FailedPreconditionError(absl::StrCat(JobPrefix(job_id), "already ",
                                                      std::string(AgentJobStateName(found->state)),
                                                      "; a decision is final"));
  }
  if (request.job_spec_sha256() != found->job_spec_sha256) {
    return absl::FailedPreconditionError(absl::StrCat(
        JobPrefix(job_id),
        "the reviewed spec hash is not the job's; show the job again before deciding"));
  }
  const policy::ReviewedJob reviewed{job_id, found->job_spec_bytes, found->analyst};
  const absl::Time now = deps_.clock();
  absl::StatusOr<v1::SignedDecision> decision;
  if (request.verdict() == v1::VERDICT_APPROVE) {
    decision = deps_.signer->Approve(reviewed, request.steward(), request.reason(),
                                     deps_.policy, columns_, now);
  } else if (request.verdict() == v1::VERDICT_DENY) {
    if (request.reason().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(JobPrefix(job_id), "a denial needs a reason for the analyst"));
    }
    decision = deps_.signer->Deny(reviewed, request.steward(), request.reason(), now);
  } else {
    return absl::InvalidArgumentError("DecideRequest.verdict: must be approve or deny");
  }
  if (!decision.ok()) {
    deps_.log->Warn("job.decision_refused",
                    EventLog::StatusFields(decision.status(),
                                           {{"job", job_id}, {"steward", request.steward()}}));
    if (absl::IsFailedPrecondition(decision.status())) {
      Audit(audit::ApprovalRefusedEntry(
          job_id, absl::StrCat(deps_.agency, "/", request.steward()), deps_.agency,
          std::string(decision.status().message()).substr(0, 2000)));
    }
    return Prefixed(job_id, decision.status());
  }
  // Stored first, so a decision is never sent that the agent forgot.
  FEDLINK_RETURN_IF_ERROR(deps_.jobs
                              ->Update(job_id,
                                       [&](JobRecord& record) -> absl::Status {
                                         if (record.state !=
                                             v1::AGENT_JOB_STATE_PENDING_DECISION) {
                                           return absl::FailedPreconditionError(absl::StrCat(
                                               JobPrefix(job_id), "decided concurrently"));
                                         }
                                         record.decision = *decision;
                                         record.decision_delivered = false;
                                         record.state =
                                             request.verdict() == v1::VERDICT_APPROVE
                                                 ? v1::AGENT_JOB_STATE_APPROVED
                                                 : v1::AGENT_JOB_STATE_DENIED;
                                         return absl::OkStatus();
                                       })
                              .status());
  deps_.log->Info("job.decided", {{"job", job_id},
                                  {"verdict", request.verdict() == v1::VERDICT_APPROVE
                                                  ? "approve"
                                                  : "deny"},
                                  {"steward", decision->steward()}});
  Audit(audit::DecisionSignedEntry(*decision));
  v1::DecideResponse response;
  *response.mutable_decision() = *decision;
  bool delivered = false;
  const absl::Status sent = Deliver(job_id, *decision, &delivered);
  (void)sent;  // logged by Deliver; retried after the next reconnect
  response.set_delivered(delivered);
  return response;
}

absl::Status JobSteps::Deliver(const std::string& job_id, const v1::SignedDecision& decision,
                               bool* delivered) {
  *delivered = false;
  absl::StatusOr<v1::SubmitDecisionResponse> response =
      deps_.coordinator->SubmitDecision(decision);
  if (!response.ok()) {
    deps_.log->Warn("job.decision_queued",
                    EventLog::StatusFields(response.status(), {{"job", job_id}}));
    return response.status();
  }
  FEDLINK_RETURN_IF_ERROR(deps_.jobs
                              ->Update(job_id,
                                       [](JobRecord& record) {
                                         record.decision_delivered = true;
                                         return absl::OkStatus();
                                       })
                              .status());
  *delivered = true;
  AuditReceipt(response->receipt(), "SubmitDecision", job_id);
  deps_.log->Info("job.decision_delivered",
                  {{"job", job_id}, {"coordinator_state", v1::JobState_Name(response->state())}});
  return absl::OkStatus();
}

// ---------------------------------------------------------------- encode

absl::Status JobSteps::OnEncodeJob(const std::string& job_id, const v1::EncodeJob& encode) {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<JobRecord> found, deps_.jobs->Get(job_id));
  if (!found.has_value()) {
    deps_.log->Error("job.encode_refused",
                     {{"job", job_id}, {"reason", "never received for a decision here"}});
    return absl::FailedPreconditionError(absl::StrCat(
        JobPrefix(job_id), "EncodeJob for a job this agency never decided; nothing encoded"));
  }
  JobRecord record = std::move(*found);
  if (!record.decision.has_value() || record.decision->verdict() != v1::VERDICT_APPROVE ||
      record.state == v1::AGENT_JOB_STATE_PENDING_DECISION ||
      record.state == v1::AGENT_JOB_STATE_DENIED) {
    return StepFailed(job_id, "encode",
                      absl::FailedPreconditionError(
                          "this agency has not approved the job; nothing encoded"));
  }
  if (record.state == v1::AGENT_JOB_STATE_PURGED || record.state == v1::AGENT_JOB_STATE_FAILED) {
    return absl::FailedPreconditionError(absl::StrCat(JobPrefix(job_id), "job is ",
                                                      std::string(AgentJobStateName(record.state)),
                                                      "; nothing encoded"));
  }
  if (encode.job_spec_sha256() != record.job_spec_sha256 ||
      record.decision->job_spec_sha256() != record.job_spec_sha256) {
    return StepAbandoned(job_id, "encode", v1::ABANDON_REASON_SPEC_MISMATCH,
                         absl::FailedPreconditionError(
                             "EncodeJob is for another spec than the one approved here; nothing "
                             "encoded"));
  }
  // The spec as approved here (its bytes were hashed when it arrived).
  absl::StatusOr<v1::JobSpec> spec =
      proto::ParseJobSpec(record.job_spec_bytes, record.job_spec_sha256, "job spec");
  if (!spec.ok()) {
    return StepAbandoned(job_id, "encode", v1::ABANDON_REASON_LOCAL_DATA_LOST, spec.status());
  }
  // Every party's approval, checked against the keys this agent holds.
  const absl::Status approvals = proto::VerifyAllApprovals(
      encode.approvals(), job_id, record.job_spec_sha256, *spec, keys_);
  if (!approvals.ok()) {
    return StepAbandoned(job_id, "encode", v1::ABANDON_REASON_APPROVALS_UNVERIFIED,
                         absl::PermissionDeniedError(absl::StrCat(
                             "approvals do not verify against the pinned keys; nothing encoded: ",
                             approvals.message())));
  }
  if (!record.job_nonce.empty() && record.job_nonce != encode.job_nonce()) {
    return StepAbandoned(job_id, "encode", v1::ABANDON_REASON_NONCE_CHANGED,
                         absl::FailedPreconditionError(
                             "the job nonce differs from the one encoded with before"));
  }
  if (Uploaded(record.state) && encode.next_sequence() >= record.batches_total) {
    deps_.log->Debug("job.repeat", {{"job", job_id}, {"item", "encode"}});
    return absl::OkStatus();
  }
  if (record.randomness.empty()) {
    // First run: fix the nonce and the randomness key before anything is
    // derived from them, so a resumed run re-creates the same batches.
    FEDLINK_ASSIGN_OR_RETURN(crypto::SecretBytes randomness,
                             crypto::SecretBytes::Random(encoding::kRandomnessKeyBytes));
    FEDLINK_ASSIGN_OR_RETURN(record, deps_.jobs->Update(job_id, [&](JobRecord& r) {
      r.job_nonce = encode.job_nonce();
      r.randomness = randomness;
      r.state = v1::AGENT_JOB_STATE_ENCODING;
      r.failure_reason.clear();
      return absl::OkStatus();
    }));
  }
  v1::AbandonReason abandon = v1::ABANDON_REASON_UPLOAD_REFUSED;
  const absl::Status uploaded = Upload(job_id, encode, *spec, std::move(record), &abandon);
  if (!uploaded.ok()) {
    // Stopping, a broken stream or an unreachable coordinator: the
    // coordinator repeats EncodeJob with its next_sequence after reconnect.
    const bool permanent = absl::IsFailedPrecondition(uploaded) ||
                           absl::IsInvalidArgument(uploaded);
    if (permanent && !Stopping()) return StepAbandoned(job_id, "encode", abandon, uploaded);
    return StepFailed(job_id, "encode", uploaded);
  }
  return absl::OkStatus();
}

absl::Status JobSteps::Upload(const std::string& job_id, const v1::EncodeJob& encode,
                              const v1::JobSpec& spec, JobRecord record,
                              v1::AbandonReason* abandon) {
  *abandon = v1::ABANDON_REASON_SCHEMA_REFUSED;
  FEDLINK_ASSIGN_OR_RETURN(encoding::EncodeJobParams params,
                           encoding::EncodeJobParamsFor(job_id, deps_.agency, spec, encode));
  encoding::JobEncoderOptions options;
  options.threads = deps_.encode_threads;
  options.max_records_per_batch = deps_.max_records_per_batch;
  options.randomness = record.randomness;
  options.known_attribute_columns = attribute_names_;
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<encoding::JobEncoder> encoder,
                           encoding::JobEncoder::Create(params, deps_.linkage_secret,
                                                        std::move(options)));
  if (!params.category_column.empty()) {
    // The codes partition this agency's records by the column's values:
    // checked against today's schema and policy before any leaves.
    absl::StatusOr<std::string> column =
        release::ResolveCategoryColumn(spec, deps_.agency, deps_.schema, deps_.policy);
    if (!column.ok()) {
      *abandon = v1::ABANDON_REASON_COLUMN_REFUSED;
      return absl::FailedPreconditionError(column.status().message());
    }
  }
  *abandon = v1::ABANDON_REASON_COHORT_REFUSED;
  encoding::RecordStoreSource source(*deps_.store);
  encoding::PseudonymMap pseudonyms;
  std::optional<encoding::CategoryCodes> categories;
  if (!record.pseudonyms_saved) {
    FEDLINK_ASSIGN_OR_RETURN(encoding::CohortSelection selection, encoder->SelectCohort(source));
    const uint64_t cohort = selection.pseudonyms.size();
    if (std::optional<policy::Violation> violation =
            policy::CheckCohortSize(cohort, deps_.policy)) {
      return absl::FailedPreconditionError(
          absl::StrCat("cohort refused by policy: ", policy::FormatViolations({*violation}, 500)));
    }
    if (selection.categories.has_value()) {
      // Saved before the pseudonyms are marked saved: a resumed upload and
      // the release use exactly these codes.
      FEDLINK_RETURN_IF_ERROR(release::SaveJobCategoryLegend(*deps_.store, job_id,
                                                             selection.categories->Legend()));
      deps_.log->Info("job.categories_assigned",
                      {{"job", job_id},
                       {"column", selection.categories->column()},
                       {"categories", selection.categories->size()}});
      categories = std::move(selection.categories);
    }
    // Stored before any batch leaves: research ids come back by pseudonym.
    FEDLINK_RETURN_IF_ERROR(release::SaveJobPseudonyms(*deps_.store, job_id, selection.pseudonyms));
    FEDLINK_ASSIGN_OR_RETURN(record, deps_.jobs->Update(job_id, [&](JobRecord& r) {
      r.cohort_size = cohort;
      r.pseudonyms_saved = true;
      r.batches_total = encoder->batch_count(cohort);
      return absl::OkStatus();
    }));
    pseudonyms = std::move(selection.pseudonyms);
    deps_.log->Info("job.cohort_selected",
                    {{"job", job_id},
                     {"cohort", cohort},
                     {"scanned", selection.records_scanned},
                     {"batches", record.batches_total}});
  } else {
    *abandon = v1::ABANDON_REASON_LOCAL_DATA_LOST;
    FEDLINK_ASSIGN_OR_RETURN(pseudonyms, release::LoadJobPseudonyms(*deps_.store, job_id));
    if (pseudonyms.size() != record.cohort_size) {
      return absl::DataLossError("the stored pseudonym map has another size than the cohort");
    }
    if (!params.category_column.empty()) {
      FEDLINK_ASSIGN_OR_RETURN(v1::CategoryLegend legend,
                               release::LoadJobCategoryLegend(*deps_.store, job_id));
      FEDLINK_ASSIGN_OR_RETURN(categories, encoding::CategoryCodes::FromLegend(legend));
    }
  }
  *abandon = v1::ABANDON_REASON_UPLOAD_REFUSED;
  if (encode.next_sequence() > record.batches_total) {
    return absl::InvalidArgumentError(absl::StrCat("the coordinator asks to resume at batch ",
                                                   encode.next_sequence(), " of ",
                                                   record.batches_total));
  }
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<EncodingUpload> upload,
                           deps_.coordinator->UploadEncodings());
  deps_.log->Info("job.upload_started", {{"job", job_id},
                                         {"from_batch", encode.next_sequence()},
                                         {"batches", record.batches_total},
                                         {"threads", encoder->threads()}});
  encoding::EncodingSummary summary;
  const absl::Status encoded = encoder->EncodeCohort(
      pseudonyms, source, encode.next_sequence(),
      [&](const v1::EncodingBatch& batch) -> absl::Status {
        if (Stopping()) return absl::CancelledError("the agent is stopping");
        return upload->Write(batch);
      },
      &summary, categories.has_value() ? &*categories : nullptr);
  if (!encoded.ok()) {
    // The coordinator's reason is more useful than "stream broke".
    absl::StatusOr<v1::UploadSummary> finished = upload->Finish();
    if (!finished.ok() && absl::IsUnavailable(encoded)) return finished.status();
    return encoded;
  }
  FEDLINK_ASSIGN_OR_RETURN(v1::UploadSummary result, upload->Finish());
  AuditReceipt(result.receipt(), "UploadEncodings", job_id);
  FEDLINK_ASSIGN_OR_RETURN(record, deps_.jobs->Update(job_id, [&](JobRecord& r) {
    r.next_sequence = result.next_sequence();
    r.records_uploaded = result.records_stored();
    if (result.complete()) {
      r.state = v1::AGENT_JOB_STATE_UPLOADED;
      r.failure_reason.clear();
    }
    return absl::OkStatus();
  }));
  deps_.log->Info("job.upload_finished", {{"job", job_id},
                                          {"batches_sent", summary.batches_emitted},
                                          {"records_sent", summary.records_encoded},
                                          {"next_batch", result.next_sequence()},
                                          {"complete", result.complete()}});
  if (!result.complete()) {
    return absl::UnavailableError(absl::StrCat("the coordinator has batches up to ",
                                               result.next_sequence(), " of ",
                                               record.batches_total, "; will resume"));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- release

absl::Status JobSteps::OnReleaseJob(const std::string& job_id, const v1::ReleaseJob& release) {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<JobRecord> found, deps_.jobs->Get(job_id));
  if (found.has_value() && found->state == v1::AGENT_JOB_STATE_FAILED) {
    // Kept FAILED with its reason until the coordinator ends the job.
    return absl::FailedPreconditionError(
        absl::StrCat(JobPrefix(job_id), "job is failed; nothing released"));
  }
  if (!found.has_value() || !Uploaded(found->state) || !found->decision.has_value() ||
      found->decision->verdict() != v1::VERDICT_APPROVE) {
    return StepFailed(job_id, "release",
                      absl::FailedPreconditionError(
                          "ReleaseJob for a job whose encodings this agent has not uploaded; "
                          "nothing released"));
  }
  FEDLINK_ASSIGN_OR_RETURN(
      v1::JobSpec spec,
      proto::ParseJobSpec(found->job_spec_bytes, found->job_spec_sha256, "job spec"));
  if (release.kind() == v1::PAYLOAD_KIND_CATEGORY_LEGEND) {
    return ReleaseLegend(job_id, spec, release);
  }
  if (release.kind() != v1::PAYLOAD_KIND_ROWS) {
    return StepFailed(job_id, "release",
                      absl::UnimplementedError(absl::StrCat(
                          "payload kind ", v1::PayloadKind_Name(release.kind()),
                          " is not released by this agent")));
  }
  absl::StatusOr<std::vector<std::string>> columns =
      release::ResolveReleaseColumns(spec, deps_.agency, deps_.schema, deps_.policy);
  if (!columns.ok()) {
    Audit(audit::ReleaseStoppedEntry(job_id, deps_.agency,
                                     absl::IsPermissionDenied(columns.status())
                                         ? v1::AUDIT_OUTCOME_REFUSED
                                         : v1::AUDIT_OUTCOME_FAILED,
                                     std::string(columns.status().message()).substr(0, 2000)));
    return StepAbandoned(job_id, "release", v1::ABANDON_REASON_COLUMN_REFUSED, columns.status());
  }
  absl::StatusOr<encoding::PseudonymMap> pseudonyms =
      release::LoadJobPseudonyms(*deps_.store, job_id);
  if (!pseudonyms.ok()) return ReleaseDataFailed(job_id, pseudonyms.status());
  FEDLINK_RETURN_IF_ERROR(MarkReleasing(job_id));
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<PayloadUpload> upload,
                           deps_.coordinator->UploadPayload());
  encoding::RecordStoreSource records(*deps_.store);
  release::ReleaseOptions options;
  options.first_chunk_to_send = release.next_chunk_index();
  absl::StatusOr<std::unique_ptr<release::RowReleaser>> releaser = release::RowReleaser::Create(
      job_id, deps_.agency, spec, *columns, *pseudonyms, records,
      [&](v1::PayloadChunk chunk) -> absl::Status {
        if (Stopping()) return absl::CancelledError("the agent is stopping");
        return upload->Write(chunk);
      },
      options);
  if (!releaser.ok()) return StepFailed(job_id, "release", releaser.status());
  v1::FetchAssignmentsRequest fetch;
  fetch.set_job_id(job_id);
  fetch.set_from_sequence(0);  // replayed in full: chunking depends on it
  absl::Status added = deps_.coordinator->FetchAssignments(
      fetch, [&](const v1::AssignmentBatch& batch) { return (*releaser)->AddBatch(batch); });
  absl::StatusOr<release::ReleaseSummary> summary =
      added.ok() ? (*releaser)->Finish() : absl::StatusOr<release::ReleaseSummary>(added);
  if (!summary.ok()) {
    (void)upload->Finish();
    return StepFailed(job_id, "release", summary.status());
  }
  absl::StatusOr<v1::PayloadSummary> result = upload->Finish();
  if (!result.ok()) return StepFailed(job_id, "release", result.status());
  audit::ReleaseCounts counts;
  counts.assignments = summary->assignments;
  counts.rows = summary->rows;
  counts.records_missing = summary->records_missing;
  counts.columns = summary->columns;
  counts.chunks = summary->chunks_sent;
  counts.ciphertext_bytes = summary->ciphertext_bytes;
  Audit(audit::RowsReleasedEntry(job_id, deps_.agency, counts),
        result->has_receipt() && result->receipt().has_tree_head() ? &result->receipt() : nullptr);
  FEDLINK_RETURN_IF_ERROR(RecordChunksSent(job_id, *result, summary->rows));
  deps_.log->Info("job.released", {{"job", job_id},
                                   {"assignments", summary->assignments},
                                   {"rows", summary->rows},
                                   {"records_missing", summary->records_missing},
                                   {"chunks_sent", summary->chunks_sent},
                                   {"complete", result->complete()}});
  return absl::OkStatus();
}

absl::Status JobSteps::ReleaseLegend(const std::string& job_id, const v1::JobSpec& spec,
                                     const v1::ReleaseJob& release) {
  absl::StatusOr<std::string> column =
      release::ResolveCategoryColumn(spec, deps_.agency, deps_.schema, deps_.policy);
  if (!column.ok()) {
    Audit(audit::ReleaseStoppedEntry(job_id, deps_.agency,
                                     absl::IsPermissionDenied(column.status())
                                         ? v1::AUDIT_OUTCOME_REFUSED
                                         : v1::AUDIT_OUTCOME_FAILED,
                                     std::string(column.status().message()).substr(0, 2000)));
    return StepAbandoned(job_id, "release", v1::ABANDON_REASON_COLUMN_REFUSED, column.status());
  }
  absl::StatusOr<v1::CategoryLegend> legend = release::LoadJobCategoryLegend(*deps_.store, job_id);
  if (!legend.ok()) return ReleaseDataFailed(job_id, legend.status());
  if (legend->column() != *column) {
    return StepAbandoned(
        job_id, "release", v1::ABANDON_REASON_LOCAL_DATA_LOST,
        absl::DataLossError("the saved legend is for another column than the job's"));
  }
  absl::StatusOr<std::vector<v1::PayloadChunk>> chunks = release::SealCategoryLegend(
      job_id, deps_.agency, spec.analyst_key(), *legend, release.next_chunk_index());
  if (!chunks.ok()) return StepFailed(job_id, "release", chunks.status());
  if (chunks->empty()) {  // every chunk is stored already
    deps_.log->Debug("job.repeat", {{"job", job_id}, {"item", "release legend"}});
    return absl::OkStatus();
  }
  FEDLINK_RETURN_IF_ERROR(MarkReleasing(job_id));
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<PayloadUpload> upload,
                           deps_.coordinator->UploadPayload());
  uint64_t ciphertext_bytes = 0;
  for (const v1::PayloadChunk& chunk : *chunks) {
    absl::Status written = Stopping() ? absl::CancelledError("the agent is stopping")
                                      : upload->Write(chunk);
    if (!written.ok()) {
      absl::StatusOr<v1::PayloadSummary> finished = upload->Finish();
      return StepFailed(job_id, "release", finished.ok() ? written : finished.status());
    }
    ciphertext_bytes += chunk.ciphertext().size();
  }
  absl::StatusOr<v1::PayloadSummary> result = upload->Finish();
  if (!result.ok()) return StepFailed(job_id, "release", result.status());
  Audit(audit::LegendReleasedEntry(job_id, deps_.agency,
                                   static_cast<uint64_t>(legend->labels_size()), chunks->size(),
                                   ciphertext_bytes),
        result->has_receipt() && result->receipt().has_tree_head() ? &result->receipt() : nullptr);
  FEDLINK_RETURN_IF_ERROR(RecordChunksSent(job_id, *result, std::nullopt));
  deps_.log->Info("job.legend_released", {{"job", job_id},
                                          {"categories", legend->labels_size()},
                                          {"chunks_sent", chunks->size()},
                                          {"complete", result->complete()}});
  return absl::OkStatus();
}

absl::Status JobSteps::MarkReleasing(const std::string& job_id) {
  return deps_.jobs
      ->Update(job_id,
               [](JobRecord& r) {
                 if (r.state == v1::AGENT_JOB_STATE_UPLOADED) {
                   r.state = v1::AGENT_JOB_STATE_RELEASING;
                 }
                 return absl::OkStatus();
               })
      .status();
}

absl::Status JobSteps::RecordChunksSent(const std::string& job_id,
                                        const v1::PayloadSummary& result,
                                        std::optional<uint64_t> rows_released) {
  return deps_.jobs
      ->Update(job_id,
               [&](JobRecord& r) {
                 r.next_chunk_index = result.next_chunk_index();
                 if (rows_released.has_value()) r.rows_released = *rows_released;
                 if (result.complete()) {
                   r.state = v1::AGENT_JOB_STATE_RELEASED;
                   r.failure_reason.clear();
                 }
                 return absl::OkStatus();
               })
      .status();
}

// ---------------------------------------------------------------- purge

absl::Status JobSteps::OnPurgeJob(const std::string& job_id, const v1::PurgeJob& purge) {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<JobRecord> found, deps_.jobs->Get(job_id));
  if (found.has_value() && found->state != v1::AGENT_JOB_STATE_PURGED) {
    FEDLINK_RETURN_IF_ERROR(Prefixed(job_id, release::DropJobPseudonyms(*deps_.store, job_id)));
    FEDLINK_RETURN_IF_ERROR(Prefixed(job_id, release::DropJobCategoryLegend(*deps_.store, job_id)));
    FEDLINK_RETURN_IF_ERROR(deps_.jobs
                                ->Update(job_id,
                                         [](JobRecord& r) {
                                           r.state = v1::AGENT_JOB_STATE_PURGED;
                                           r.randomness = crypto::SecretBytes();
                                           r.job_nonce.clear();
                                           r.pseudonyms_saved = false;
                                           r.purge_acknowledged = false;
                                           return absl::OkStatus();
                                         })
                                .status());
    deps_.log->Info("job.purged",
                    {{"job", job_id}, {"final_state", v1::JobState_Name(purge.final_state())}});
    Audit(audit::PseudonymsDroppedEntry(job_id, found->cohort_size));
  }
  return AckPurge(job_id);
}

absl::Status JobSteps::AckPurge(const std::string& job_id) {
  absl::StatusOr<v1::AckPurgeResponse> acked = deps_.coordinator->AckPurge(job_id);
  if (!acked.ok()) {
    deps_.log->Warn("job.purge_ack_failed", EventLog::StatusFields(acked.status(), {{"job", job_id}}));
    return Prefixed(job_id, acked.status());
  }
  AuditReceipt(acked->receipt(), "AckPurge", job_id);
  absl::StatusOr<JobRecord> updated = deps_.jobs->Update(job_id, [](JobRecord& r) {
    r.purge_acknowledged = true;
    return absl::OkStatus();
  });
  if (!updated.ok() && !absl::IsNotFound(updated.status())) return updated.status();
  return absl::OkStatus();
}

absl::Status JobSteps::ResumeAfterConnect() {
  std::vector<std::pair<std::string, v1::SignedDecision>> undelivered;
  std::vector<std::string> unacknowledged;
  std::vector<v1::AbandonJobRequest> unanswered;
  FEDLINK_RETURN_IF_ERROR(deps_.jobs->ForEach([&](const JobRecord& record) {
    if (record.decision.has_value() && !record.decision_delivered) {
      undelivered.emplace_back(record.job_id, *record.decision);
    }
    if (record.abandon.has_value() && record.abandon_pending) unanswered.push_back(*record.abandon);
    if (record.state == v1::AGENT_JOB_STATE_PURGED && !record.purge_acknowledged) {
      unacknowledged.push_back(record.job_id);
    }
    return absl::OkStatus();
  }));
  absl::Status first;
  for (const auto& [job_id, decision] : undelivered) {
    bool delivered = false;
    first.Update(Deliver(job_id, decision, &delivered));
  }
  for (const v1::AbandonJobRequest& request : unanswered) first.Update(SendAbandonment(request));
  for (const std::string& job_id : unacknowledged) first.Update(AckPurge(job_id));
  return first;
}

// ---------------------------------------------------------------- view

v1::AgentJob JobSteps::View(const JobRecord& record, bool with_spec) const {
  v1::AgentJob job;
  job.set_job_id(record.job_id);
  job.set_state(record.state);
  job.set_job_spec_sha256(record.job_spec_sha256);
  job.set_analyst(record.analyst.name());
  job.mutable_received_at()->set_seconds(record.received_at_unix_ms / 1000);
  job.mutable_received_at()->set_nanos(
      static_cast<int32_t>((record.received_at_unix_ms % 1000) * 1000000));
  if (record.decision.has_value()) *job.mutable_decision() = *record.decision;
  job.set_cohort_size(record.cohort_size);
  job.set_records_uploaded(record.records_uploaded);
  job.set_rows_released(record.rows_released);
  job.set_failure_reason(record.failure_reason.substr(0, 2000));
  absl::StatusOr<v1::JobSpec> spec =
      proto::ParseJobSpec(record.job_spec_bytes, record.job_spec_sha256, "job spec");
  if (!spec.ok()) {
    job.add_policy_violations(std::string(spec.status().message()).substr(0, 500));
    return job;
  }
  if (with_spec) {
    *job.mutable_spec() = *spec;
  } else {
    job.mutable_spec()->set_title(spec->title());
  }
  if (record.state == v1::AGENT_JOB_STATE_PENDING_DECISION) {
    const policy::PolicyVerdict verdict =
        policy::EvaluateJob(*spec, record.analyst, deps_.policy, columns_, deps_.clock());
    for (const policy::Violation& violation : verdict.violations) {
      if (job.policy_violations_size() >= 64) break;
      job.add_policy_violations(policy::FormatViolations({violation}, 500));
    }
  }
  return job;
}

}  // namespace fedlink::agent::daemon
