// A breakdown's legend at the agent (aggregate jobs broken down by a
// column of this agency): the category code → value table the encoder made
// (agent/encoding/category_codes.h), kept with the job and released only to
// the analyst.
//
//  * Saved in the store's meta family ("job-category-legend/<job id>",
//    sealed like every store value) before any batch carrying its codes
//    leaves, so that a resumed upload re-sends the same codes and the
//    release step sends the legend those codes belong to. Dropped at purge.
//  * Released as CATEGORY_LEGEND payload chunks: each chunk's plaintext is a
//    CategoryLegend with the column and up to kLabelsPerLegendChunk labels
//    (in code order), sealed with SealPayloadChunk (HPKE to the job's
//    AnalystKey, bound to job, agency, kind, index and final flag). The
//    coordinator relays them without being able to read them.
#ifndef FEDLINK_AGENT_RELEASE_CATEGORY_LEGEND_H_
#define FEDLINK_AGENT_RELEASE_CATEGORY_LEGEND_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/store/record_store.h"
#include "fedlink/v1/job.pb.h"
#include "fedlink/v1/payload.pb.h"

namespace fedlink::agent::release {

// Labels per chunk: 8192 labels of at most 256 bytes stay far below the
// 4 MiB a chunk's plaintext may have.
inline constexpr size_t kLabelsPerLegendChunk = 8192;

// The meta name of job `job_id`'s legend.
std::string JobCategoryLegendMetaName(std::string_view job_id);

// Stores `legend` as job `job_id`'s (replacing an earlier one). Errors of
// RecordStore::PutMeta.
absl::Status SaveJobCategoryLegend(RecordStore& store, std::string_view job_id,
                                   const v1::CategoryLegend& legend);

// The legend saved for `job_id`. NotFound if none was saved;
// FailedPrecondition if it was dropped; DataLoss if the stored value does
// not parse. Thread-safe.
absl::StatusOr<v1::CategoryLegend> LoadJobCategoryLegend(
    const RecordStore& store, std::string_view job_id);

// Replaces job `job_id`'s legend with a "dropped" marker; writes nothing
// for a job without a legend. Idempotent. Errors of RecordStore.
absl::Status DropJobCategoryLegend(RecordStore& store, std::string_view job_id);

// Number of chunks the legend is released in (at least 1: an empty legend
// is one final chunk without labels).
uint32_t LegendChunkCount(const v1::CategoryLegend& legend);

// The sealed chunks first_chunk .. LegendChunkCount-1 of `legend` (none if
// first_chunk is past the end) for `agency` in job `job_id`. Errors of
// SealPayloadChunk (an invalid analyst key, a job id or agency the contract
// refuses). Plaintext buffers are wiped after sealing. Thread-safe.
absl::StatusOr<std::vector<v1::PayloadChunk>> SealCategoryLegend(
    std::string_view job_id, std::string_view agency,
    const v1::AnalystKey& analyst_key, const v1::CategoryLegend& legend,
    uint32_t first_chunk);

}  // namespace fedlink::agent::release

#endif  // FEDLINK_AGENT_RELEASE_CATEGORY_LEGEND_H_
