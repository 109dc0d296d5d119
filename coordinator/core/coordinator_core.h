// The coordinator's protocol, one method per RPC: the caller's certificate
// identity and the request in, the answer (or a stream through callbacks)
// out. rpc/coordinator_service.cc only adapts gRPC to this.
//
// State: every job is one StoredJob in the store; each change of it is
// written (with the data it concerns, in one WriteBatch) before anything is
// acted on, and the audit trail records it. A restarted coordinator resumes
// from the store (Start): SUBMITTED jobs go out for approval, MATCHING
// jobs are matched again, and everything else waits for its agents, whose
// WatchWork streams are level-triggered.
//
// Thread safety: all methods are thread-safe. Job changes are serialised by
// one mutex; matching runs on a worker thread outside it.
#ifndef FEDLINK_COORDINATOR_CORE_COORDINATOR_CORE_H_
#define FEDLINK_COORDINATOR_CORE_COORDINATOR_CORE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "coordinator/config/coordinator_config.h"
#include "coordinator/core/audit_trail.h"
#include "coordinator/jobs/job_matching.h"
#include "coordinator/state/coordinator_store.h"
#include "fedlink/v1/coordinator.pb.h"
#include "proto/runtime/peer_identity.h"

namespace fedlink::coordinator {

struct CoreOptions {
  Registry registry;
  uint32_t min_cell_count = kDefaultMinCellCount;
  absl::Duration retention_grace = absl::Hours(168);
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  RandomBytes random = CsprngBytes;
  // Re-reads the registries for ReloadConfig (unset: ReloadConfig fails).
  std::function<absl::StatusOr<Registry>()> reload_registry;
  int matching_threads = 1;
  std::string software_version = "fedlink-coordinator " FEDLINK_VERSION;
  // Called after each job state change is written, under the job lock: it
  // must be quick and must not call the core (metrics).
  std::function<void(const std::string& job_id, v1::JobState from, v1::JobState to)>
      on_transition;
};

class CoordinatorCore {
 public:
  // `store` and `audit` must outlive the core. Nothing runs until Start.
  static absl::StatusOr<std::unique_ptr<CoordinatorCore>> Create(CoordinatorStore* store,
                                                                 AuditTrail* audit,
                                                                 CoreOptions options);
  // Stops the matching worker (a running match is finished first).
  ~CoordinatorCore();
  CoordinatorCore(const CoordinatorCore&) = delete;
  CoordinatorCore& operator=(const CoordinatorCore&) = delete;

  // Resumes stored jobs and starts the matching worker. Store errors.
  absl::Status Start();

  // ---- agent ----
  // The work items the caller's agency owes now (no Welcome), with receipts.
  absl::StatusOr<std::vector<v1::WorkItem>> OutstandingWork(const proto::PeerIdentity& caller);
  // A counter that changes whenever some job changed; WaitForChange blocks
  // until it differs from `seen` or `timeout` passes, and returns it.
  uint64_t change_count() const;
  uint64_t WaitForChange(uint64_t seen, absl::Duration timeout) const;
  v1::Receipt MakeReceipt(uint64_t known_tree_size) const { return audit_->MakeReceipt(known_tree_size); }

  absl::StatusOr<v1::SubmitDecisionResponse> SubmitDecision(const proto::PeerIdentity& caller,
                                                            const v1::SubmitDecisionRequest& request);
  // `read` yields the stream's batches (false at its end).
  absl::StatusOr<v1::UploadSummary> UploadEncodings(
      const proto::PeerIdentity& caller, const std::function<bool(v1::EncodingBatch*)>& read);
  // `write` sends one batch (false: the stream broke).
  absl::Status FetchAssignments(const proto::PeerIdentity& caller,
                                const v1::FetchAssignmentsRequest& request,
                                const std::function<bool(const v1::AssignmentBatch&)>& write);
  absl::StatusOr<v1::PayloadSummary> UploadPayload(
      const proto::PeerIdentity& caller, const std::function<bool(v1::PayloadChunk*)>& read);
  absl::StatusOr<v1::AckPurgeResponse> AckPurge(const proto::PeerIdentity& caller,
                                                const v1::AckPurgeRequest& request);
  // The caller's agency gives up a job it is party to (ENCODING, MATCHING
  // or RELEASING): FAILED, its data deleted, audited. A repeat of the same
  // abandonment is acknowledged; other states FailedPrecondition.
  absl::StatusOr<v1::AbandonJobResponse> AbandonJob(const proto::PeerIdentity& caller,
                                                    const v1::AbandonJobRequest& request);

  // ---- analyst / steward ----
  absl::StatusOr<v1::Job> SubmitJob(const proto::PeerIdentity& caller,
                                    const v1::SubmitJobRequest& request);
  absl::StatusOr<v1::Job> GetJob(const proto::PeerIdentity& caller,
                                 const v1::GetJobRequest& request);
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const proto::PeerIdentity& caller,
                                                const v1::ListJobsRequest& request);
  absl::StatusOr<v1::Job> CancelJob(const proto::PeerIdentity& caller,
                                    const v1::CancelJobRequest& request);
  absl::Status FetchResults(const proto::PeerIdentity& caller,
                            const v1::FetchResultsRequest& request,
                            const std::function<bool(const v1::ResultsItem&)>& write);

  // ---- auditor ----
  absl::StatusOr<v1::ListJobSummariesResponse> ListJobSummaries(
      const proto::PeerIdentity& caller, const v1::ListJobSummariesRequest& request);
  absl::Status ListAuditEntries(const proto::PeerIdentity& caller,
                                const v1::ListAuditEntriesRequest& request,
                                const std::function<bool(const v1::LoggedEntry&)>& write);
  // The latest signed head, or the one signed at request.tree_size() (see
  // the proto: NotFound if none was, InvalidArgument beyond the log).
  absl::StatusOr<v1::SignedTreeHead> GetSignedTreeHead(const proto::PeerIdentity& caller,
                                                       const v1::GetSignedTreeHeadRequest& request = {});
  absl::StatusOr<v1::InclusionProof> GetInclusionProof(const proto::PeerIdentity& caller,
                                                       const v1::GetInclusionProofRequest& request);
  absl::StatusOr<v1::ConsistencyProof> GetConsistencyProof(
      const proto::PeerIdentity& caller, const v1::GetConsistencyProofRequest& request);

  // ---- operator ----
  absl::StatusOr<v1::ListRegistrationsResponse> ListRegistrations(const proto::PeerIdentity& caller);
  absl::StatusOr<v1::ReloadConfigResponse> ReloadConfig(const proto::PeerIdentity& caller);
  // The same reload, asked for by the host (SIGHUP) rather than by a caller:
  // audited with the coordinator itself as the actor.
  absl::StatusOr<v1::ReloadConfigResponse> ReloadConfigOnSignal();
  absl::StatusOr<v1::CoordinatorStatus> GetStatus(const proto::PeerIdentity& caller);
  // WatchWork streams register their agency here (for GetStatus).
  void AgentConnected(const std::string& agency, int delta);

  // Records a refused call (authorization or validation) in the audit trail.
  void RecordRefusal(const proto::PeerIdentity& caller, std::string_view rpc,
                     const absl::Status& status);

  // Retention: expires jobs past their expiry and purges (deletes the data
  // of) final jobs whose grace period or expiry has passed. Run from a
  // timer; store errors.
  absl::Status RunRetention();

  // Blocks until the matching queue is empty (tests).
  void WaitForMatchingIdle() const;

 private:
  CoordinatorCore(CoordinatorStore* store, AuditTrail* audit, CoreOptions options)
      : store_(store), audit_(audit), options_(std::move(options)), started_at_(options_.clock()) {}

  absl::StatusOr<internal::StoredJob> LoadJob(std::string_view job_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the job to `to` (checked), writes it with `batch`, notifies watchers.
  absl::Status Transition(internal::StoredJob& job, v1::JobState to, std::string_view reason,
                          CoordinatorStore::Batch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteJob(internal::StoredJob& job, CoordinatorStore::Batch& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ApproveAll(internal::StoredJob& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StoreEncodingBatch(const AgencyEntry& agency, const v1::EncodingBatch& batch,
                                  v1::UploadSummary& summary, std::string& job_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StorePayloadChunk(const AgencyEntry& agency, const v1::PayloadChunk& chunk,
                                 v1::PayloadSummary& summary) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Purge(internal::StoredJob& job, absl::string_view reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends a job before it completed (cancelled, abandoned): moves it to
  // `to` and deletes its encodings, assignments and payloads in the same
  // write, then compacts them out of the files.
  absl::Status EndEarly(internal::StoredJob& job, v1::JobState to, std::string_view reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Re-reads the registries (reload_registry) and records CONFIG_RELOADED
  // with `actor`, `rpc` and `why`.
  absl::StatusOr<v1::ReloadConfigResponse> Reload(const proto::PeerIdentity& actor,
                                                  std::string_view rpc, std::string_view why);
  void Notify();
  void EnqueueMatching(const std::string& job_id);
  void MatchingLoop();
  void RunMatching(const std::string& job_id);
  Registry registry() const;
  absl::Time Now() const { return options_.clock(); }

  CoordinatorStore* const store_;
  AuditTrail* const audit_;
  CoreOptions options_;
  const absl::Time started_at_;

  mutable absl::Mutex mu_;  // serialises job changes

  mutable absl::Mutex registry_mu_;
  Registry registry_ ABSL_GUARDED_BY(registry_mu_);
  absl::Time registry_loaded_at_ ABSL_GUARDED_BY(registry_mu_);
  std::map<std::string, int> connected_ ABSL_GUARDED_BY(registry_mu_);

  mutable absl::Mutex change_mu_;
  uint64_t changes_ ABSL_GUARDED_BY(change_mu_) = 0;

  mutable absl::Mutex queue_mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool matching_busy_ ABSL_GUARDED_BY(queue_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread worker_;
};

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_CORE_COORDINATOR_CORE_H_
