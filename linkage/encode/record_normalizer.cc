#include "linkage/encode/record_normalizer.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace fedlink::encode {

absl::StatusOr<RecordNormalizer> RecordNormalizer::Create(
    const schema::LinkageSchema& schema, normalize::DateOptions date_options,
    std::vector<std::pair<std::string, normalize::DateOptions>> overrides) {
  RecordNormalizer n;
  for (const schema::FieldSpec& field : schema.fields) {
    n.kinds_.push_back(field.kind);
    n.date_options_.push_back(date_options);
  }
  for (auto& [name, options] : overrides) {
    std::optional<size_t> index = schema.FieldIndex(name);
    if (!index.has_value() || schema.fields[*index].kind != schema::FieldKind::kDate) {
      return absl::InvalidArgumentError(absl::StrCat(
          "date format override for '", name, "': no date field of that name"));
    }
    n.date_options_[*index] = std::move(options);
  }
  return n;
}

absl::Status RecordNormalizer::Normalize(
    absl::Span<const std::optional<std::string_view>> raw, NormalizedRecord* record,
    std::vector<FieldReport>* report) const {
  if (raw.size() != kinds_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "record has ", raw.size(), " fields, schema has ", kinds_.size()));
  }
  record->values.resize(kinds_.size());
  report->resize(kinds_.size());
  for (size_t i = 0; i < kinds_.size(); ++i) {
    FieldReport& field_report = (*report)[i];
    field_report.reason.clear();
    record->values[i].reset();
    if (!raw[i].has_value()) {
      field_report.outcome = FieldOutcome::kMissing;
      continue;
    }
    normalize::MaybeValue value =
        normalize::NormalizeField(kinds_[i], *raw[i], date_options_[i]);
    if (!value.ok()) {
      field_report.outcome = FieldOutcome::kInvalid;
      field_report.reason = std::string(value.status().message());
    } else if (!value->has_value()) {
      field_report.outcome = FieldOutcome::kMissing;
    } else {
      field_report.outcome = FieldOutcome::kPresent;
      record->values[i] = std::move(**value);
    }
  }
  return absl::OkStatus();
}

}  // namespace fedlink::encode
