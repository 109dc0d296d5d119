// FormatLinkageSchemaYaml: a valid schema as YAML in the layout of
// deploy/examples/linkage-schema.yaml, every key written out. Written by
// hand rather than with YAML::Emitter for a stable, readable layout; the
// only free text (recipe names, printable ASCII after validation) is always
// double-quoted, and field names are plain identifiers.
#include <charconv>
#include <string>
#include <string_view>
#include <system_error>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/schema/schema_problems.h"
#include "linkage/status_macros.h"

namespace fedlink::schema {
namespace {

using internal::Sv;

absl::string_view Bool(bool value) { return value ? "true" : "false"; }

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Part(const std::string& field, Transform transform) {
  if (transform == Transform::kValue) return field;
  return absl::StrCat(Sv(TransformName(transform)), "(", field, ")");
}

// The shortest decimal that reads back as exactly `value`.
std::string Decimal(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (ec != std::errc()) return "0";  // cannot happen for 64 bytes
  return std::string(buffer, end);
}

}  // namespace

absl::StatusOr<std::string> FormatLinkageSchemaYaml(
    const LinkageSchema& schema) {
  FEDLINK_RETURN_IF_ERROR(ValidateSchema(schema));
  std::string out = absl::StrCat(
      "# fedlink linkage schema (format: linkage/schema/README.md)\n",
      "version: ", schema.version, "\n", "fields:\n");
  for (const FieldSpec& field : schema.fields) {
    absl::StrAppend(&out, "  - {name: ", field.name,
                    ", kind: ", Sv(FieldKindName(field.kind)), "}\n");
  }
  if (schema.token_recipes.empty()) {
    out.append("token_recipes: []\n");
  } else {
    out.append("token_recipes:\n");
  }
  for (const TokenRecipe& recipe : schema.token_recipes) {
    absl::StrAppend(&out, "  - {id: ", recipe.id,
                    ", name: ", Quoted(recipe.name), ", parts: [");
    for (size_t i = 0; i < recipe.parts.size(); ++i) {
      absl::StrAppend(&out, i == 0 ? "" : ", ",
                      Part(recipe.parts[i].field, recipe.parts[i].transform));
    }
    absl::StrAppend(&out, "], blocking_only: ", Bool(recipe.blocking_only),
                    "}\n");
  }
  if (schema.bloom.has_value()) {
    const BloomParams& bloom = *schema.bloom;
    absl::StrAppend(&out, "bloom:\n", "  bits: ", bloom.bits, "\n",
                    "  q: ", bloom.q, "\n", "  padded: ", Bool(bloom.padded),
                    "\n", "  fields:\n");
    for (const BloomField& field : bloom.fields) {
      absl::StrAppend(&out, "    - {field: ", field.field,
                      ", transform: ", Sv(TransformName(field.transform)),
                      ", k: ", field.k, "}\n");
    }
    absl::StrAppend(
        &out, "  hardening: {balance: ", Bool(bloom.hardening.balance),
        ", xor_fold: ", Bool(bloom.hardening.xor_fold),
        ", blip_flip_probability: ",
        Decimal(bloom.hardening.blip_flip_probability), "}\n",
        "  field_level: ", Bool(bloom.field_level), "\n",
        "  field_level_bits: ", bloom.field_level_bits, "\n");
  }
  return out;
}

}  // namespace fedlink::schema
