// What the agent does for each job, one method per step, each idempotent
// (the coordinator repeats every outstanding work item on every reconnect)
// and resumable (progress is in the job record, job_record.h):
//
//   DecideJob   store the job for the steward (pending) — once;
//   Decide      the steward's verdict (admin socket): the policy check and
//               signature (DecisionSigner), stored, then sent; an
//               undelivered decision is sent again after every reconnect;
//   EncodeJob   verify every party's approval against locally pinned keys
//               (policy partners + this agency's own key) and require this
//               agency's own stored approval of the same spec; select the
//               cohort, store the pseudonym map, encode on N threads and
//               upload from the coordinator's next_sequence;
//   ReleaseJob  ROWS: fetch this agency's assignments and upload
//               HPKE-encrypted rows (agent/release) from next_chunk_index;
//               CATEGORY_LEGEND (an aggregate job broken down by a column
//               of this agency, whose codes went with the encodings): the
//               saved code → value legend, HPKE-encrypted the same way;
//   PurgeJob    drop the pseudonym map, the legend and the job's
//               randomness key, then
//               AckPurge (acknowledged again after a restart until the
//               coordinator has it).
//
// A step that fails for good on a job this agency approved (approvals that
// do not verify, another spec or nonce, the policy refusing the cohort or a
// column, the coordinator refusing the upload, the agent's own job data
// lost) marks the job FAILED here and abandons it at the coordinator
// (AbandonJob: a category and the step's message), which fails it for every
// party; an abandonment the coordinator did not answer is sent again after
// every reconnect. A job this agency never approved is never abandoned.
//
// Nothing is encoded or released for a job this agency has not approved.
// Errors name the job and the step, never a record value.
#ifndef FEDLINK_AGENT_DAEMON_JOB_STEPS_H_
#define FEDLINK_AGENT_DAEMON_JOB_STEPS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/audit/agent_audit_log.h"
#include "agent/daemon/coordinator_api.h"
#include "agent/daemon/event_log.h"
#include "agent/daemon/job_record.h"
#include "agent/daemon/job_store.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/policy/agent_policy.h"
#include "agent/policy/decision_signer.h"
#include "agent/policy/policy_check.h"
#include "agent/store/record_store.h"
#include "fedlink/v1/agent_admin.pb.h"
#include "fedlink/v1/coordinator.pb.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::agent::daemon {

// Everything the steps use. The pointers must outlive the JobSteps.
struct JobStepsDeps {
  std::string agency;
  RecordStore* store = nullptr;
  JobStore* jobs = nullptr;
  CoordinatorApi* coordinator = nullptr;
  const policy::DecisionSigner* signer = nullptr;
  policy::AgentPolicy policy;
  ingest::IngestSchema schema;
  crypto::SecretBytes linkage_secret;
  int encode_threads = 0;
  uint32_t max_records_per_batch = 65536;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  std::shared_ptr<EventLog> log;
  // Set when the daemon stops: uploads in progress end with Cancelled.
  const std::atomic<bool>* stopping = nullptr;
  // The agency's local audit log, or null when none is kept. Steps record
  // what they did (names and counts only) and the coordinator's receipts.
  audit::AgentAuditLog* audit = nullptr;
};

// Thread-safe: work items and admin calls may run concurrently; steps of the
// same job are serialised by the caller (the work queue runs one item per
// job at a time) and by JobStore's read-modify-write.
class JobSteps {
 public:
  // InvalidArgument when a dependency is missing or the policy is another
  // agency's.
  static absl::StatusOr<std::unique_ptr<JobSteps>> Create(JobStepsDeps deps);

  // Runs the step `item` asks for (a Welcome does nothing). The item must
  // have passed proto::Validate. Errors as the step's.
  absl::Status Handle(const v1::WorkItem& item);

  // DecideJob: stores a new job as pending. OK and no change when the job is
  // known with the same spec hash; FailedPrecondition when known with
  // another (a job's spec never changes); store errors.
  absl::Status OnDecideJob(const std::string& job_id, const v1::DecideJob& decide);
  // EncodeJob. FailedPrecondition (nothing encoded) when the job is unknown,
  // not approved here, approved for another spec, denied, purged or failed,
  // or its nonce changed; the errors of VerifyAllApprovals (forged, replayed,
  // missing approvals); errors of the encoder and the upload.
  absl::Status OnEncodeJob(const std::string& job_id, const v1::EncodeJob& encode);
  // ReleaseJob. FailedPrecondition unless the job's encodings were
  // uploaded; Unimplemented for an unknown payload kind; for ROWS errors of
  // ResolveReleaseColumns, LoadJobPseudonyms, RowReleaser and the
  // coordinator; for CATEGORY_LEGEND errors of ResolveCategoryColumn,
  // LoadJobCategoryLegend, SealCategoryLegend and the coordinator.
  absl::Status OnReleaseJob(const std::string& job_id, const v1::ReleaseJob& release);
  // PurgeJob: errors of DropJobPseudonyms, the store and AckPurge.
  absl::Status OnPurgeJob(const std::string& job_id, const v1::PurgeJob& purge);

  // After each (re)connect: sends undelivered decisions, unanswered
  // abandonments and unacknowledged purges. Returns the first error after
  // trying every job.
  absl::Status ResumeAfterConnect();

  // The steward's decision (AgentAdmin.Decide). NotFound for an unknown job;
  // FailedPrecondition when the job was already decided, the reviewed hash
  // differs from the job's, or (approve) the policy forbids it, listing
  // every violation; InvalidArgument for a malformed request or a denial
  // without a reason. The decision is stored before it is sent; delivered
  // says whether the coordinator acknowledged it.
  absl::StatusOr<v1::DecideResponse> Decide(const v1::DecideRequest& request);

  // The admin view of a job: `with_spec` adds the parsed spec (else only the
  // title), and policy_violations is evaluated now.
  v1::AgentJob View(const JobRecord& record, bool with_spec) const;

  const JobStepsDeps& deps() const { return deps_; }

 private:
  explicit JobSteps(JobStepsDeps deps);

  bool Stopping() const { return deps_.stopping != nullptr && deps_.stopping->load(); }
  // Records `status` as the job's failure reason (kept; state unchanged,
  // or FAILED when `fail`), logs it and returns it.
  absl::Status StepFailed(const std::string& job_id, std::string_view step,
                          const absl::Status& status, bool fail = false);
  // StepFailed with the job FAILED, then, if this agency approved the job
  // and had not abandoned it yet, the abandonment: stored, audited and sent
  // (SendAbandonment). Returns the step's error.
  absl::Status StepAbandoned(const std::string& job_id, std::string_view step,
                             v1::AbandonReason reason, const absl::Status& status);
  // AbandonJob. The coordinator's answer settles it (a refusal too: the job
  // ended otherwise); unreachable, it stays pending and the error is returned.
  absl::Status SendAbandonment(const v1::AbandonJobRequest& request);
  // A release's saved job data (pseudonym map, legend) could not be loaded:
  // abandoned when it is gone for good, else StepFailed.
  absl::Status ReleaseDataFailed(const std::string& job_id, const absl::Status& status);
  absl::Status Deliver(const std::string& job_id, const v1::SignedDecision& decision,
                       bool* delivered);
  absl::Status AckPurge(const std::string& job_id);
  // Appends `entry` (with `receipt`'s head when given) to the audit log, if
  // one is kept. A failure is logged, never fails the step: what it records
  // has happened. A receipt the log refuses (a coordinator whose log forked
  // or went back) is logged as an error.
  void Audit(v1::AuditEntry entry, const v1::Receipt* receipt = nullptr);
  void AuditReceipt(const v1::Receipt& receipt, std::string_view rpc, const std::string& job_id);
  // Errors that are for good set `*abandon` to their category.
  absl::Status Upload(const std::string& job_id, const v1::EncodeJob& encode,
                      const v1::JobSpec& spec, JobRecord record, v1::AbandonReason* abandon);
  absl::Status ReleaseLegend(const std::string& job_id, const v1::JobSpec& spec,
                             const v1::ReleaseJob& release);
  // An uploaded job's release has begun (its first payload upload opens).
  absl::Status MarkReleasing(const std::string& job_id);
  // Stores how far a payload upload got (and, for the rows, how many were
  // released); a complete one makes the job RELEASED.
  absl::Status RecordChunksSent(const std::string& job_id, const v1::PayloadSummary& result,
                                std::optional<uint64_t> rows_released);

  JobStepsDeps deps_;
  policy::ColumnClasses columns_;
  policy::DecisionKeys keys_;
  absl::flat_hash_set<std::string> attribute_names_;
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_JOB_STEPS_H_
