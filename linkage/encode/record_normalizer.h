// Turns one raw record (the text of each schema field, as an agency holds it)
// into a NormalizedRecord, and says per field what happened, so that ingest
// can quarantine or report bad values without ever printing them.
#ifndef FEDLINK_LINKAGE_ENCODE_RECORD_NORMALIZER_H_
#define FEDLINK_LINKAGE_ENCODE_RECORD_NORMALIZER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/encode/encodings.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::encode {

enum class FieldOutcome { kPresent, kMissing, kInvalid };

struct FieldReport {
  FieldOutcome outcome = FieldOutcome::kMissing;
  std::string reason;  // for kInvalid: the normaliser's reason (no value in it)
};

class RecordNormalizer {
 public:
  // `date_options` applies to every kDate field; per-field overrides (keyed
  // by field name) take precedence. Fails if an override names no kDate field.
  static absl::StatusOr<RecordNormalizer> Create(
      const schema::LinkageSchema& schema, normalize::DateOptions date_options,
      std::vector<std::pair<std::string, normalize::DateOptions>> overrides = {});

  // `raw[i]` is the text of schema field i (nullopt: the source has no such
  // column). Invalid values become missing in *record and kInvalid in
  // *report. Fails only if raw.size() differs from the schema's field count.
  // Thread-safe (const).
  absl::Status Normalize(absl::Span<const std::optional<std::string_view>> raw,
                         NormalizedRecord* record,
                         std::vector<FieldReport>* report) const;

  size_t field_count() const { return kinds_.size(); }

 private:
  RecordNormalizer() = default;
  std::vector<schema::FieldKind> kinds_;
  std::vector<normalize::DateOptions> date_options_;  // per field
};

}  // namespace fedlink::encode

#endif  // FEDLINK_LINKAGE_ENCODE_RECORD_NORMALIZER_H_
