#include "coordinator/jobs/work_items.h"

#include <string>

#include "coordinator/state/job_state_machine.h"

namespace fedlink::coordinator {

std::optional<int> PartyIndex(const internal::StoredJob& job, std::string_view agency) {
  const auto& parties = job.job().spec().parties();
  for (int i = 0; i < parties.size(); ++i) {
    if (parties[i].agency() == agency) return i;
  }
  return std::nullopt;
}

std::optional<v1::PayloadKind> OwedPayload(const v1::JobSpec& spec, int party) {
  if (spec.output_mode() == v1::OUTPUT_MODE_LINKED_MICRODATA) return v1::PAYLOAD_KIND_ROWS;
  if (spec.output_mode() == v1::OUTPUT_MODE_AGGREGATE && spec.aggregate().has_category() &&
      party >= 0 && party < spec.parties_size() &&
      spec.parties(party).agency() == spec.aggregate().category().agency()) {
    return v1::PAYLOAD_KIND_CATEGORY_LEGEND;
  }
  return std::nullopt;
}

std::optional<v1::WorkItem> OutstandingWork(const internal::StoredJob& job,
                                            std::string_view agency) {
  const std::optional<int> party = PartyIndex(job, agency);
  if (!party.has_value() || *party >= job.job().parties_size()) return std::nullopt;
  const v1::PartyProgress& progress = job.job().parties(*party);
  v1::WorkItem item;
  item.set_job_id(job.job().job_id());
  switch (job.job().state()) {
    case v1::JOB_STATE_PENDING_APPROVAL: {
      if (progress.verdict() != v1::VERDICT_UNSPECIFIED) return std::nullopt;
      v1::DecideJob* decide = item.mutable_decide();
      decide->set_job_spec(job.spec_bytes());
      decide->set_job_spec_sha256(job.job().job_spec_sha256());
      *decide->mutable_analyst() = job.job().analyst();
      *decide->mutable_submitted_at() = job.job().submitted_at();
      return item;
    }
    case v1::JOB_STATE_ENCODING: {
      if (progress.upload_complete()) return std::nullopt;
      v1::EncodeJob* encode = item.mutable_encode();
      encode->set_job_spec(job.spec_bytes());
      encode->set_job_spec_sha256(job.job().job_spec_sha256());
      for (const v1::SignedDecision& d : job.decisions()) *encode->add_approvals() = d;
      encode->set_job_nonce(job.job_nonce());
      if (*party < job.party_state_size()) {
        encode->set_next_sequence(job.party_state(*party).next_sequence());
      }
      return item;
    }
    case v1::JOB_STATE_RELEASING: {
      const std::optional<v1::PayloadKind> kind = OwedPayload(job.job().spec(), *party);
      if (progress.payload_complete() || !kind.has_value()) return std::nullopt;
      v1::ReleaseJob* release = item.mutable_release();
      release->set_kind(*kind);
      if (*kind == v1::PAYLOAD_KIND_ROWS) release->set_assignments(progress.assignments());
      if (*party < job.party_state_size()) {
        release->set_next_chunk_index(job.party_state(*party).next_chunk_index());
      }
      return item;
    }
    default:
      break;
  }
  if (IsFinalState(job.job().state()) && !progress.purge_acknowledged()) {
    v1::PurgeJob* purge = item.mutable_purge();
    purge->set_final_state(job.job().state());
    purge->set_reason(job.job().state_reason());
    return item;
  }
  return std::nullopt;
}

}  // namespace fedlink::coordinator
