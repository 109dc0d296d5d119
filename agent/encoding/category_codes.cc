#include "agent/encoding/category_codes.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/encoding/pseudonyms.h"
#include "linkage/crypto/aes_ctr_rng.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::encoding {

absl::StatusOr<CategoryCodes> CategoryCodes::Assign(std::string column,
                                                    std::vector<SensitiveString> values,
                                                    const crypto::SecretBytes& randomness) {
  if (column.empty()) return absl::InvalidArgumentError("a category column needs a name");
  const std::string where = absl::StrCat("category column ", column);
  if (values.size() > kMaxCategoryCodes) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", values.size(),
                                                   " distinct values, at most ", kMaxCategoryCodes));
  }
  // Byte order first, so that the codes depend on the set of values only,
  // not on the order the cohort was scanned in.
  std::sort(values.begin(), values.end(), [](const SensitiveString& a, const SensitiveString& b) {
    return a.Expose() < b.Expose();
  });
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty() || values[i].size() > kMaxCategoryLabelBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": a value is blank or longer than ", kMaxCategoryLabelBytes, " bytes"));
    }
    if (i > 0 && values[i] == values[i - 1]) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": a value is given twice"));
    }
  }
  FEDLINK_ASSIGN_OR_RETURN(crypto::AesCtrRng rng,
                           crypto::AesCtrRng::Create(randomness, kCategoryCodeStream));
  // Fisher–Yates over the codes: value i (byte order) gets code codes[i].
  std::vector<uint32_t> codes(values.size());
  std::iota(codes.begin(), codes.end(), uint32_t{1});
  for (size_t i = codes.size(); i > 1; --i) std::swap(codes[i - 1], codes[UniformBelow(rng, i)]);
  if (!rng.status().ok()) {
    return absl::InternalError(
        absl::StrCat(where, ": random generator failed: ", rng.status().message()));
  }
  CategoryCodes result;
  result.column_ = std::move(column);
  result.labels_.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) result.labels_[codes[i] - 1] = std::move(values[i]);
  result.Index();
  return result;
}

absl::StatusOr<CategoryCodes> CategoryCodes::FromLegend(const v1::CategoryLegend& legend) {
  if (legend.column().empty()) return absl::InvalidArgumentError("the legend names no column");
  const std::string where = absl::StrCat("legend of category column ", legend.column());
  const size_t n = static_cast<size_t>(legend.labels_size());
  if (n > kMaxCategoryCodes) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", n, " labels"));
  }
  CategoryCodes result;
  result.column_ = legend.column();
  result.labels_.resize(n);
  std::vector<bool> seen(n, false);
  for (const v1::CategoryLabel& label : legend.labels()) {
    if (label.code() == 0 || label.code() > n || seen[label.code() - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": code ", label.code(), " is not one of 1..", n, " once"));
    }
    if (label.label().empty() || label.label().size() > kMaxCategoryLabelBytes) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": the label of code ", label.code(),
                                                     " is blank or too long"));
    }
    seen[label.code() - 1] = true;
    result.labels_[label.code() - 1] = SensitiveString(label.label());
  }
  result.Index();
  if (result.codes_.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": two codes have the same label"));
  }
  return result;
}

void CategoryCodes::Index() {
  codes_.clear();
  codes_.reserve(labels_.size());
  for (size_t i = 0; i < labels_.size(); ++i) {
    codes_.emplace(labels_[i].Expose(), static_cast<uint32_t>(i + 1));
  }
}

std::optional<uint32_t> CategoryCodes::CodeOf(const SensitiveString* value) const {
  if (value == nullptr || value->empty()) return 0;
  auto it = codes_.find(value->Expose());
  if (it == codes_.end()) return std::nullopt;
  return it->second;
}

v1::CategoryLegend CategoryCodes::Legend() const {
  v1::CategoryLegend legend;
  legend.set_column(column_);
  legend.mutable_labels()->Reserve(static_cast<int>(labels_.size()));
  for (size_t i = 0; i < labels_.size(); ++i) {
    v1::CategoryLabel* label = legend.add_labels();
    label->set_code(static_cast<uint32_t>(i + 1));
    label->set_label(std::string(labels_[i].Expose()));
  }
  return legend;
}

absl::Status CategoryCollector::Add(const SensitiveString* value) {
  if (value == nullptr || value->empty() || seen_.contains(value->Expose())) {
    return absl::OkStatus();
  }
  if (value->size() > kMaxCategoryLabelBytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "category column ", column_, ": a value is longer than the ", kMaxCategoryLabelBytes,
        " bytes a category label may have; break down by a column of short categories"));
  }
  if (values_.size() >= kMaxCategoryCodes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "category column ", column_, " has more than ", kMaxCategoryCodes,
        " distinct values in the cohort, the most a breakdown may have"));
  }
  values_.push_back(*value);
  seen_.insert(values_.back().Expose());
  return absl::OkStatus();
}

absl::StatusOr<CategoryCodes> CategoryCollector::Assign(const crypto::SecretBytes& randomness) {
  seen_.clear();
  std::vector<SensitiveString> values(std::make_move_iterator(values_.begin()),
                                      std::make_move_iterator(values_.end()));
  values_.clear();
  return CategoryCodes::Assign(column_, std::move(values), randomness);
}

}  // namespace fedlink::agent::encoding
