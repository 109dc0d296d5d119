// Per-job category codes for an aggregate breakdown (JobSpec.aggregate
// .category): the agency that owns the category column numbers the distinct
// values of that column among its cohort 1..n and sends one code per record
// in its EncodingBatches (0 = no value). Only the analyst learns which value
// a code stands for: the code → label legend travels HPKE-encrypted
// (agent/release/category_legend.h).
//
// The numbering is a uniformly random permutation, drawn with Fisher–Yates
// from the job's randomness key (the one that shuffles the pseudonyms, on
// its own AES-CTR stream kCategoryCodeStream) over the values in byte
// order. So a code says nothing about a value's order, frequency or text;
// the same job (same key, same cohort) always gets the same codes, so a
// resumed upload re-sends identical batches; and another job's codes are
// unrelated.
//
// Values are attribute values: they are kept as SensitiveString (wiped when
// dropped) and never appear in an error message.
#ifndef FEDLINK_AGENT_ENCODING_CATEGORY_CODES_H_
#define FEDLINK_AGENT_ENCODING_CATEGORY_CODES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fedlink/v1/payload.pb.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/sensitive.h"

namespace fedlink::agent::encoding {

// Codes are 1..65535 on the wire (EncodingBatch.category_codes).
inline constexpr size_t kMaxCategoryCodes = 65535;
// CategoryLabel.label holds at most this many bytes.
inline constexpr size_t kMaxCategoryLabelBytes = 256;
// The randomness key's stream for the code permutation. Stream 0 shuffles
// the pseudonyms and streams 1..2^32 are BLIP noise (job_encoder.h).
inline constexpr uint64_t kCategoryCodeStream = uint64_t{1} << 62;

// The codes of one job. Movable, not copyable; const methods thread-safe.
class CategoryCodes {
 public:
  CategoryCodes() = default;
  CategoryCodes(CategoryCodes&&) noexcept = default;
  CategoryCodes& operator=(CategoryCodes&&) noexcept = default;
  CategoryCodes(const CategoryCodes&) = delete;
  CategoryCodes& operator=(const CategoryCodes&) = delete;

  // Codes 1..n for the n distinct non-empty values `values` (in any order),
  // a permutation drawn from `randomness` (32 bytes). InvalidArgument for an
  // empty column name, a repeated or blank value, a value over
  // kMaxCategoryLabelBytes, more than kMaxCategoryCodes values or a
  // randomness key that is not 32 bytes; Internal if the generator fails.
  static absl::StatusOr<CategoryCodes> Assign(std::string column, std::vector<SensitiveString> values,
                                              const crypto::SecretBytes& randomness);

  // The codes a legend (Legend()) records, e.g. saved with the job.
  // InvalidArgument (naming the code, never a label) for codes that are not
  // exactly 1..n once each, or labels that are blank, repeated or too long.
  static absl::StatusOr<CategoryCodes> FromLegend(const v1::CategoryLegend& legend);

  // The code of an attribute value: 0 for a missing or blank value, nullopt
  // for a value without a code (not in the cohort the codes were made for).
  std::optional<uint32_t> CodeOf(const SensitiveString* value) const;

  // The legend: column and one label per code, in code order.
  v1::CategoryLegend Legend() const;

  const std::string& column() const { return column_; }
  size_t size() const { return labels_.size(); }

 private:
  // Builds the index; labels_ must not change afterwards.
  void Index();

  std::string column_;
  std::vector<SensitiveString> labels_;  // labels_[code - 1]
  // Views into labels_ (whose elements never move once indexed: moving the
  // vector hands its buffer over).
  absl::flat_hash_map<std::string_view, uint32_t> codes_;
};

// Collects the distinct values of the category column while the cohort is
// selected. Not thread-safe.
class CategoryCollector {
 public:
  explicit CategoryCollector(std::string column) : column_(std::move(column)) {}

  // Adds one cohort record's value (nullptr or blank: no category).
  // FailedPrecondition, naming the column, for a value longer than
  // kMaxCategoryLabelBytes or a distinct value beyond kMaxCategoryCodes (a
  // breakdown that fine would publish next to nothing).
  absl::Status Add(const SensitiveString* value);

  // The codes of the values added (CategoryCodes::Assign). Leaves the
  // collector empty.
  absl::StatusOr<CategoryCodes> Assign(const crypto::SecretBytes& randomness);

  size_t distinct_values() const { return values_.size(); }

 private:
  std::string column_;
  std::deque<SensitiveString> values_;  // stable addresses for seen_
  absl::flat_hash_set<std::string_view> seen_;
};

}  // namespace fedlink::agent::encoding

#endif  // FEDLINK_AGENT_ENCODING_CATEGORY_CODES_H_
