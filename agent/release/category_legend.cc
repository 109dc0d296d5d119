#include "agent/release/category_legend.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "linkage/sensitive.h"
#include "linkage/status_macros.h"
#include "proto/runtime/payload_crypto.h"

namespace fedlink::agent::release {
namespace {

// Meta values: "L" + the serialised legend, or the dropped marker.
constexpr std::string_view kLegendPrefix = "L";
constexpr std::string_view kDropped = "dropped";

}  // namespace

std::string JobCategoryLegendMetaName(std::string_view job_id) {
  return absl::StrCat("job-category-legend/", std::string(job_id));
}

absl::Status SaveJobCategoryLegend(RecordStore& store, std::string_view job_id,
                                   const v1::CategoryLegend& legend) {
  std::string value(kLegendPrefix);
  legend.AppendToString(&value);
  const absl::Status saved =
      store.PutMeta(JobCategoryLegendMetaName(job_id), value);
  WipeString(value);
  return saved;
}

absl::StatusOr<v1::CategoryLegend> LoadJobCategoryLegend(
    const RecordStore& store, std::string_view job_id) {
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> value,
                           store.GetMeta(JobCategoryLegendMetaName(job_id)));
  const std::string job(job_id);
  if (!value.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("job ", job, " has no saved category legend"));
  }
  if (*value == kDropped) {
    return absl::FailedPreconditionError(
        absl::StrCat("the category legend of job ", job, " was dropped"));
  }
  v1::CategoryLegend legend;
  const bool parsed =
      value->rfind(kLegendPrefix, 0) == 0 &&
      legend.ParseFromArray(value->data() + kLegendPrefix.size(),
                            static_cast<int>(value->size() - kLegendPrefix.size()));
  WipeString(*value);
  if (!parsed) {
    return absl::DataLossError(absl::StrCat(
        "the saved category legend of job ", job, " does not parse"));
  }
  return legend;
}

absl::Status DropJobCategoryLegend(RecordStore& store, std::string_view job_id) {
  const std::string name = JobCategoryLegendMetaName(job_id);
  FEDLINK_ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetMeta(name));
  if (!value.has_value() || *value == kDropped) return absl::OkStatus();
  WipeString(*value);
  return store.PutMeta(name, kDropped);
}

uint32_t LegendChunkCount(const v1::CategoryLegend& legend) {
  const size_t labels = static_cast<size_t>(legend.labels_size());
  return static_cast<uint32_t>(
      std::max<size_t>(1, (labels + kLabelsPerLegendChunk - 1) / kLabelsPerLegendChunk));
}

absl::StatusOr<std::vector<v1::PayloadChunk>> SealCategoryLegend(
    std::string_view job_id, std::string_view agency,
    const v1::AnalystKey& analyst_key, const v1::CategoryLegend& legend,
    uint32_t first_chunk) {
  const uint32_t chunks = LegendChunkCount(legend);
  std::vector<v1::PayloadChunk> sealed;
  for (uint32_t index = first_chunk; index < chunks; ++index) {
    v1::CategoryLegend part;
    part.set_column(legend.column());
    const int begin = static_cast<int>(size_t{index} * kLabelsPerLegendChunk);
    const int end = std::min(legend.labels_size(),
                             begin + static_cast<int>(kLabelsPerLegendChunk));
    for (int i = begin; i < end; ++i) *part.add_labels() = legend.labels(i);
    std::string plaintext = part.SerializeAsString();
    part.Clear();
    absl::StatusOr<v1::PayloadChunk> chunk = proto::SealPayloadChunk(
        analyst_key,
        {std::string(job_id), std::string(agency),
         v1::PAYLOAD_KIND_CATEGORY_LEGEND, index, index + 1 == chunks},
        plaintext);
    WipeString(plaintext);
    if (!chunk.ok()) return chunk.status();
    sealed.push_back(*std::move(chunk));
  }
  return sealed;
}

}  // namespace fedlink::agent::release
