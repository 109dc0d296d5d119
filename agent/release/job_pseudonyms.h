// A job's pseudonym map kept across restarts. The map itself lives in the
// store's pseudonyms family (agent/encoding SavePseudonymMap, written in
// several commits); this adds a marker in the meta family, "job-pseudonyms/
// <job id>", that says whether the saved map is complete and how many
// pseudonyms it has, so that after a restart the release step can load the
// map without the daemon's own job record and a half-saved map is never
// mistaken for a whole one.
//
// Marker values (sealed like every store value): "saving", "complete <n>",
// "dropped". The job-state family is not used: its key is the bare job id,
// which the daemon's job record owns.
#ifndef FEDLINK_AGENT_RELEASE_JOB_PSEUDONYMS_H_
#define FEDLINK_AGENT_RELEASE_JOB_PSEUDONYMS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/encoding/pseudonyms.h"
#include "agent/store/record_store.h"

namespace fedlink::agent::release {

// The meta name of job `job_id`'s marker.
std::string JobPseudonymsMetaName(std::string_view job_id);

// Stores `map` as job `job_id`'s map: marks it "saving", writes it
// (replacing any earlier map of the job), then marks it complete with its
// size. A crash in between leaves "saving", which LoadJobPseudonyms refuses.
// Errors of RecordStore and SavePseudonymMap. Thread-compatible per job.
absl::Status SaveJobPseudonyms(RecordStore& store, std::string_view job_id,
                               const encoding::PseudonymMap& map);

// The complete map saved for `job_id`. NotFound if none was ever saved;
// FailedPrecondition if the save did not finish or the map was dropped;
// DataLoss if the marker is unreadable or the stored map does not have the
// marked size (LoadPseudonymMap). Thread-safe.
absl::StatusOr<encoding::PseudonymMap> LoadJobPseudonyms(
    const RecordStore& store, std::string_view job_id);

// Deletes job `job_id`'s map (RecordStore::DropPseudonyms, compacted), then
// marks it "dropped". Idempotent. Errors of RecordStore.
absl::Status DropJobPseudonyms(RecordStore& store, std::string_view job_id);

}  // namespace fedlink::agent::release

#endif  // FEDLINK_AGENT_RELEASE_JOB_PSEUDONYMS_H_
