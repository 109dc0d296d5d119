// Who may call what (issue #6's matrix, enforced from the certificate on
// every RPC). The caller's role and name come from its certificate only.
//
//   RPC                        agent  steward  analyst  auditor  operator
//   WatchWork, SubmitDecision,   own
//   UploadEncodings, FetchAssignments,
//   UploadPayload, AckPurge,     agency, jobs it is party to
//   AbandonJob
//   SubmitJob                                   yes (registered, trained)
//   GetJob, ListJobs                    own      own
//                                       agency   jobs
//   CancelJob                                   own                 any
//   FetchResults                                own
//   ListJobSummaries                                    yes      yes
//   ListAuditEntries, GetSignedTreeHead,
//   GetInclusionProof, GetConsistencyProof              yes
//   ListRegistrations, ReloadConfig, GetStatus                   yes
#ifndef FEDLINK_COORDINATOR_CORE_ACCESS_RULES_H_
#define FEDLINK_COORDINATOR_CORE_ACCESS_RULES_H_

#include <initializer_list>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/config/coordinator_config.h"
#include "proto/runtime/peer_identity.h"
#include "state/stored_job.pb.h"

namespace fedlink::coordinator {

// OK if the caller's role is one of `roles`; PermissionDenied "<rpc> is not
// open to role <role>" otherwise.
absl::Status RequireRole(const proto::PeerIdentity& caller, std::string_view rpc,
                         std::initializer_list<proto::Role> roles);

// The registered agency an agent certificate acts for. PermissionDenied if
// the caller is not an agent or its certificate names no registered agency.
absl::StatusOr<const AgencyEntry*> CallerAgency(const proto::PeerIdentity& caller,
                                                const Registry& registry, std::string_view rpc);

// Whether the caller may read the job: its analyst, or a steward of one of
// its parties. PermissionDenied "job J is not yours" otherwise (the same
// answer whether or not the job exists is given by the caller of this).
absl::Status CheckCanReadJob(const proto::PeerIdentity& caller, const internal::StoredJob& job);

// The job's analyst (and, for CancelJob, an operator).
absl::Status CheckIsJobAnalyst(const proto::PeerIdentity& caller, const internal::StoredJob& job,
                               bool operator_allowed);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_CORE_ACCESS_RULES_H_
