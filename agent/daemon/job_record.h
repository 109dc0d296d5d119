// The daemon's persistent record of one job: what the coordinator sent, the
// steward's decision, and how far each step (encode → upload, release, purge)
// got, so that a restarted agent resumes every unfinished step where it was
// and a repeated work item changes nothing that is already done.
//
// Stored in the record store's job_state family under the job id (sealed
// like every store value, since it holds the per-job randomness key), as a
// CBOR map ("fedlink-agent-job" format version 1); unknown keys are ignored
// so a newer agent's extra fields do not break an older reader's view.
#ifndef FEDLINK_AGENT_DAEMON_JOB_RECORD_H_
#define FEDLINK_AGENT_DAEMON_JOB_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "fedlink/v1/agent_admin.pb.h"
#include "fedlink/v1/common.pb.h"
#include "fedlink/v1/coordinator.pb.h"
#include "fedlink/v1/decision.pb.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::agent::daemon {

inline constexpr int kJobRecordVersion = 1;

struct JobRecord {
  std::string job_id;
  v1::AgentJobState state = v1::AGENT_JOB_STATE_PENDING_DECISION;

  // From DecideJob: the spec bytes exactly as the coordinator stored them
  // (decisions sign their SHA-256), the hash and the submitting analyst.
  std::string job_spec_bytes;
  std::string job_spec_sha256;
  v1::Identity analyst;
  int64_t received_at_unix_ms = 0;

  // This agency's signed decision, and whether the coordinator acknowledged
  // it (undelivered decisions are sent again after every reconnect).
  std::optional<v1::SignedDecision> decision;
  bool decision_delivered = false;

  // Encoding: the job nonce from EncodeJob, and the randomness key that
  // drives the pseudonym shuffle and BLIP noise — kept so that batches
  // re-created after a restart are identical to the ones already sent.
  std::string job_nonce;
  crypto::SecretBytes randomness;
  uint64_t cohort_size = 0;
  // The pseudonym map is completely stored (release/job_pseudonyms marker).
  bool pseudonyms_saved = false;
  uint64_t batches_total = 0;
  // Batches the coordinator confirmed stored (all below this).
  uint64_t next_sequence = 0;
  uint64_t records_uploaded = 0;

  // Release: chunks the coordinator confirmed, and rows released.
  uint32_t next_chunk_index = 0;
  uint64_t rows_released = 0;

  bool purge_acknowledged = false;
  // The agent gave the job up for good (JobSteps abandons only jobs this
  // agency approved): what it told, or still has to tell, the coordinator.
  // Pending until the coordinator answered (sent again after reconnects).
  std::optional<v1::AbandonJobRequest> abandon;
  bool abandon_pending = false;
  // The last step failure (names the step and the job; never a value).
  std::string failure_reason;
};

// CBOR bytes of `record`. Never fails for a record within the store limits.
std::string SerializeJobRecord(const JobRecord& record);

// The record from SerializeJobRecord's bytes. DataLoss naming the job and
// the field when the bytes are not such a record (damaged or from a newer
// format version: FailedPrecondition). Thread-safe.
absl::StatusOr<JobRecord> ParseJobRecord(std::string_view bytes, std::string_view job_id);

// "pending_decision", "approved", … (AgentJobState without its prefix, lower
// case) for tables and logs; "unspecified" for anything else.
std::string_view AgentJobStateName(v1::AgentJobState state);

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_JOB_RECORD_H_
