#include "agent/release/job_pseudonyms.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "agent/encoding/record_store_source.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::release {
namespace {

constexpr std::string_view kSaving = "saving";
constexpr std::string_view kCompletePrefix = "complete ";
constexpr std::string_view kDropped = "dropped";

}  // namespace

std::string JobPseudonymsMetaName(std::string_view job_id) {
  return absl::StrCat("job-pseudonyms/", std::string(job_id));
}

absl::Status SaveJobPseudonyms(RecordStore& store, std::string_view job_id,
                               const encoding::PseudonymMap& map) {
  const std::string name = JobPseudonymsMetaName(job_id);
  FEDLINK_RETURN_IF_ERROR(store.PutMeta(name, kSaving));
  FEDLINK_RETURN_IF_ERROR(encoding::SavePseudonymMap(store, job_id, map));
  return store.PutMeta(name,
                       absl::StrCat(std::string(kCompletePrefix), map.size()));
}

absl::StatusOr<encoding::PseudonymMap> LoadJobPseudonyms(
    const RecordStore& store, std::string_view job_id) {
  FEDLINK_ASSIGN_OR_RETURN(const std::optional<std::string> marker,
                           store.GetMeta(JobPseudonymsMetaName(job_id)));
  const std::string job(job_id);
  if (!marker.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("job ", job, " has no saved pseudonym map"));
  }
  if (*marker == kSaving) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the pseudonym map of job ", job, " was not saved completely"));
  }
  if (*marker == kDropped) {
    return absl::FailedPreconditionError(
        absl::StrCat("the pseudonym map of job ", job, " was dropped"));
  }
  uint64_t size = 0;
  if (marker->rfind(kCompletePrefix, 0) != 0 ||
      !absl::SimpleAtoi(
          absl::string_view(*marker).substr(kCompletePrefix.size()), &size)) {
    return absl::DataLossError(absl::StrCat("the pseudonym map marker of job ",
                                            job, " is not readable"));
  }
  return encoding::LoadPseudonymMap(store, job_id, size);
}

absl::Status DropJobPseudonyms(RecordStore& store, std::string_view job_id) {
  FEDLINK_RETURN_IF_ERROR(store.DropPseudonyms(job_id));
  return store.PutMeta(JobPseudonymsMetaName(job_id), kDropped);
}

}  // namespace fedlink::agent::release
