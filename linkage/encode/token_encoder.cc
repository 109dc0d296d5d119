#include "linkage/encode/token_encoder.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "linkage/encode/transform.h"
#include "linkage/sensitive.h"
#include "linkage/status_macros.h"

namespace fedlink::encode {

absl::StatusOr<TokenEncoder> TokenEncoder::Create(
    const schema::LinkageSchema& schema, const crypto::SecretBytes& token_key) {
  std::vector<Derived> derived;
  std::vector<Recipe> recipes;
  absl::flat_hash_set<uint16_t> ids;
  for (size_t r = 0; r < schema.token_recipes.size(); ++r) {
    const schema::TokenRecipe& spec = schema.token_recipes[r];
    const std::string where = absl::StrCat("token_recipes[", r, "] ('", spec.name, "')");
    if (!ids.insert(spec.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": id ", spec.id, " is used by an earlier recipe"));
    }
    if (spec.parts.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": no parts"));
    }
    Recipe recipe;
    recipe.id = spec.id;
    for (size_t p = 0; p < spec.parts.size(); ++p) {
      const schema::TokenPart& part = spec.parts[p];
      const auto field = std::find_if(
          schema.fields.begin(), schema.fields.end(),
          [&](const schema::FieldSpec& f) { return f.name == part.field; });
      if (field == schema.fields.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".parts[", p, "]: unknown field '", part.field, "'"));
      }
      const Derived wanted{static_cast<size_t>(field - schema.fields.begin()),
                           part.transform};
      auto slot = std::find_if(derived.begin(), derived.end(), [&](const Derived& d) {
        return d.field == wanted.field && d.transform == wanted.transform;
      });
      if (slot == derived.end()) slot = derived.insert(derived.end(), wanted);
      recipe.derived.push_back(static_cast<size_t>(slot - derived.begin()));
    }
    recipes.push_back(std::move(recipe));
  }
  FEDLINK_ASSIGN_OR_RETURN(crypto::HmacSha256 hmac,
                           crypto::HmacSha256::Create(token_key));
  return TokenEncoder(schema.fields.size(), std::move(derived), std::move(recipes),
                      std::move(hmac));
}

TokenEncoder::TokenEncoder(size_t field_count, std::vector<Derived> derived,
                           std::vector<Recipe> recipes, crypto::HmacSha256 hmac)
    : field_count_(field_count),
      derived_(std::move(derived)),
      recipes_(std::move(recipes)),
      hmac_(std::move(hmac)),
      parts_(derived_.size()),
      scratch_(derived_.size()) {}

TokenEncoder& TokenEncoder::operator=(TokenEncoder&& other) noexcept {
  if (this != &other) {
    WipeScratch();
    field_count_ = other.field_count_;
    derived_ = std::move(other.derived_);
    recipes_ = std::move(other.recipes_);
    hmac_ = std::move(other.hmac_);
    parts_ = std::move(other.parts_);
    scratch_ = std::move(other.scratch_);
    message_ = std::move(other.message_);
    tag_ = other.tag_;
  }
  return *this;
}

TokenEncoder::~TokenEncoder() { WipeScratch(); }

// The scratch buffers hold identifier values of the last record encoded.
void TokenEncoder::WipeScratch() {
  for (std::string& value : scratch_) WipeString(value);
  WipeString(message_);
}

absl::StatusOr<TokenEncoder> TokenEncoder::Clone() const {
  FEDLINK_ASSIGN_OR_RETURN(crypto::HmacSha256 hmac, hmac_.Clone());
  return TokenEncoder(field_count_, derived_, recipes_, std::move(hmac));
}

absl::Status TokenEncoder::Encode(const NormalizedRecord& record,
                                  std::vector<Token>* out) {
  if (record.values.size() != field_count_) {
    return absl::InvalidArgumentError(
        absl::StrCat("record has ", record.values.size(), " fields, the schema ",
                     field_count_));
  }
  for (size_t i = 0; i < derived_.size(); ++i) {
    parts_[i] = {};
    const std::optional<SensitiveString>& value = record.values[derived_[i].field];
    if (!value.has_value()) continue;
    std::string_view part = value->Expose();
    if (derived_[i].transform != schema::Transform::kValue) {
      if (!ApplyTransform(derived_[i].transform, part, &scratch_[i])) continue;
      part = scratch_[i];
    }
    // A value holding the separator could make two different part lists hash
    // alike; the normalisers never produce one, so it only arrives from a
    // caller that bypassed them, and the part is treated as missing.
    if (part.find(kTokenPartSeparator) != std::string_view::npos) continue;
    parts_[i] = part;  // empty (no value) stays empty
  }
  for (const Recipe& recipe : recipes_) {
    if (std::any_of(recipe.derived.begin(), recipe.derived.end(),
                    [&](size_t d) { return parts_[d].empty(); })) {
      continue;
    }
    message_.clear();
    message_.push_back(static_cast<char>(recipe.id >> 8));
    message_.push_back(static_cast<char>(recipe.id & 0xff));
    message_.push_back('\0');
    for (size_t p = 0; p < recipe.derived.size(); ++p) {
      if (p > 0) message_.push_back(kTokenPartSeparator);
      message_.append(parts_[recipe.derived[p]]);
    }
    const absl::Span<const uint8_t> pieces[] = {crypto::AsBytes(message_)};
    FEDLINK_RETURN_IF_ERROR(hmac_.ComputeInto(pieces, &tag_));
    Token& token = out->emplace_back();
    token.recipe_id = recipe.id;
    std::copy_n(tag_.begin(), kTokenBytes, token.bytes.begin());
  }
  return absl::OkStatus();
}

}  // namespace fedlink::encode
