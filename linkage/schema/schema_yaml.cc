// ParseLinkageSchemaYaml: the YAML form of a linkage schema (format in
// linkage/schema/README.md). document::YamlReader checks its shape strictly
// (no unknown or repeated keys, no silent type conversions) and remembers
// where each entry was, so that every error — structural or a ValidateSchema
// rule — points at a line and column.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "linkage/document/yaml_reader.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/schema/schema_problems.h"
#include "linkage/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::schema {
namespace {

using document::AllowedHint;
using document::QuoteName;
using internal::Sv;

std::string_view Strip(std::string_view text) {
  absl::string_view stripped = absl::StripAsciiWhitespace(Sv(text));
  return std::string_view(stripped.data(), stripped.size());
}

constexpr int64_t kMaxU32 = std::numeric_limits<uint32_t>::max();

class SchemaYamlReader : public document::YamlReader {
 public:
  using YamlReader::YamlReader;

  absl::StatusOr<LinkageSchema> Read(const YAML::Node& root) {
    LinkageSchema schema;
    FEDLINK_ASSIGN_OR_RETURN(document::YamlEntries top,
                             GetEntries(root, "", "the document"));
    FEDLINK_RETURN_IF_ERROR(CheckVersion(root, top, kLinkageSchemaVersion));
    schema.version = kLinkageSchemaVersion;
    FEDLINK_RETURN_IF_ERROR(
        AllowOnly(top, "", {"version", "fields", "token_recipes", "bloom"}));

    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* fields,
                             Required(root, top, "", "fields"));
    FEDLINK_RETURN_IF_ERROR(ReadFields(*fields, &schema));
    if (const YAML::Node* recipes = Optional(top, "token_recipes")) {
      FEDLINK_RETURN_IF_ERROR(ReadRecipes(*recipes, &schema));
    }
    if (const YAML::Node* bloom = Optional(top, "bloom")) {
      FEDLINK_ASSIGN_OR_RETURN(schema.bloom, ReadBloom(*bloom));
    }
    return schema;
  }

 private:
  absl::Status ReadFields(const YAML::Node& list, LinkageSchema* schema) {
    FEDLINK_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                             ReadList(list, "fields", kMaxFields));
    for (size_t i = 0; i < items.size(); ++i) {
      const YAML::Node& item = items[i];
      const std::string path = absl::StrCat("fields[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(document::YamlEntries entries,
                               GetEntries(item, path, "a field"));
      FEDLINK_RETURN_IF_ERROR(AllowOnly(entries, path, {"name", "kind"}));
      FieldSpec field;
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* name,
                               Required(item, entries, path, "name"));
      FEDLINK_ASSIGN_OR_RETURN(field.name, ReadText(*name, path + ".name"));
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* kind,
                               Required(item, entries, path, "kind"));
      FEDLINK_ASSIGN_OR_RETURN(
          field.kind, ReadEnum<FieldKind>(*kind, path + ".kind", "kind",
                                          FieldKindNames(), &FieldKindFromName));
      schema->fields.push_back(std::move(field));
    }
    return absl::OkStatus();
  }

  // `text` as a transform name; `node` (entry `path`) is where it was read.
  absl::StatusOr<Transform> TransformNamed(const YAML::Node& node,
                                           std::string_view text,
                                           const std::string& path) const {
    std::optional<Transform> transform = TransformFromName(text);
    if (!transform.has_value()) {
      return Error(node.Mark(), path,
                   absl::StrCat("unknown transform ", QuoteName(text), " ",
                                AllowedHint(text, TransformNames())));
    }
    return *transform;
  }

  // A recipe part: "field" (the value transform) or "transform(field)".
  absl::StatusOr<TokenPart> ReadPart(const YAML::Node& node,
                                     const std::string& path) const {
    FEDLINK_ASSIGN_OR_RETURN(std::string text, ReadText(node, path));
    std::string_view spec = Strip(text);
    TokenPart part;
    const size_t open = spec.find('(');
    if (open == std::string_view::npos) {
      part.field = std::string(spec);
    } else {
      if (spec.back() != ')' || spec.find('(', open + 1) != spec.npos ||
          spec.find(')') != spec.size() - 1) {
        return Error(node.Mark(), path,
                     absl::StrCat("cannot read part ", QuoteName(text),
                                  " (write a field name, or a transform "
                                  "applied to one, e.g. soundex(last_name))"));
      }
      FEDLINK_ASSIGN_OR_RETURN(
          part.transform, TransformNamed(node, Strip(spec.substr(0, open)), path));
      part.field =
          std::string(Strip(spec.substr(open + 1, spec.size() - open - 2)));
    }
    if (part.field.empty()) {
      return Error(node.Mark(), path,
                   "no field named (write a field name, or a transform applied "
                   "to one, e.g. soundex(last_name))");
    }
    return part;
  }

  absl::Status ReadRecipes(const YAML::Node& list, LinkageSchema* schema) {
    FEDLINK_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                             ReadList(list, "token_recipes", kMaxTokenRecipes));
    for (size_t i = 0; i < items.size(); ++i) {
      const YAML::Node& item = items[i];
      const std::string path = absl::StrCat("token_recipes[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(document::YamlEntries entries,
                               GetEntries(item, path, "a token recipe"));
      FEDLINK_RETURN_IF_ERROR(AllowOnly(
          entries, path, {"id", "name", "parts", "blocking_only"}));
      TokenRecipe recipe;
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* id,
                               Required(item, entries, path, "id"));
      FEDLINK_ASSIGN_OR_RETURN(
          int64_t id_value,
          ReadInt(*id, path + ".id", 0, std::numeric_limits<uint16_t>::max()));
      recipe.id = static_cast<uint16_t>(id_value);
      if (const YAML::Node* name = Optional(entries, "name")) {
        FEDLINK_ASSIGN_OR_RETURN(recipe.name, ReadText(*name, path + ".name"));
      } else {
        recipe.name = absl::StrCat("token_", recipe.id);
      }
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* parts,
                               Required(item, entries, path, "parts"));
      FEDLINK_ASSIGN_OR_RETURN(
          std::vector<YAML::Node> part_nodes,
          ReadList(*parts, path + ".parts", kMaxRecipeParts));
      for (size_t j = 0; j < part_nodes.size(); ++j) {
        FEDLINK_ASSIGN_OR_RETURN(
            TokenPart part,
            ReadPart(part_nodes[j], absl::StrCat(path, ".parts[", j, "]")));
        recipe.parts.push_back(std::move(part));
      }
      if (const YAML::Node* flag = Optional(entries, "blocking_only")) {
        FEDLINK_ASSIGN_OR_RETURN(recipe.blocking_only,
                                 ReadBool(*flag, path + ".blocking_only"));
      }
      schema->token_recipes.push_back(std::move(recipe));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint32_t> ReadU32(const YAML::Node& node,
                                   const std::string& path) const {
    FEDLINK_ASSIGN_OR_RETURN(int64_t value, ReadInt(node, path, 0, kMaxU32));
    return static_cast<uint32_t>(value);
  }

  absl::Status ReadBloomFields(const YAML::Node& list, BloomParams* bloom) {
    FEDLINK_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                             ReadList(list, "bloom.fields", kMaxBloomFields));
    for (size_t i = 0; i < items.size(); ++i) {
      const YAML::Node& item = items[i];
      const std::string path = absl::StrCat("bloom.fields[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(document::YamlEntries entries,
                               GetEntries(item, path, "a Bloom field"));
      FEDLINK_RETURN_IF_ERROR(
          AllowOnly(entries, path, {"field", "k", "transform"}));
      BloomField field;
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* name,
                               Required(item, entries, path, "field"));
      FEDLINK_ASSIGN_OR_RETURN(field.field, ReadText(*name, path + ".field"));
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* k,
                               Required(item, entries, path, "k"));
      FEDLINK_ASSIGN_OR_RETURN(field.k, ReadU32(*k, path + ".k"));
      if (const YAML::Node* t = Optional(entries, "transform")) {
        FEDLINK_ASSIGN_OR_RETURN(
            field.transform,
            ReadEnum<Transform>(*t, path + ".transform", "transform",
                                TransformNames(), &TransformFromName));
      }
      bloom->fields.push_back(std::move(field));
    }
    return absl::OkStatus();
  }

  absl::Status ReadHardening(const YAML::Node& node, BloomHardening* hardening) {
    const std::string path = "bloom.hardening";
    FEDLINK_ASSIGN_OR_RETURN(document::YamlEntries entries,
                             GetEntries(node, path, "the hardening section"));
    FEDLINK_RETURN_IF_ERROR(AllowOnly(
        entries, path, {"balance", "xor_fold", "blip_flip_probability"}));
    if (const YAML::Node* b = Optional(entries, "balance")) {
      FEDLINK_ASSIGN_OR_RETURN(hardening->balance,
                               ReadBool(*b, path + ".balance"));
    }
    if (const YAML::Node* x = Optional(entries, "xor_fold")) {
      FEDLINK_ASSIGN_OR_RETURN(hardening->xor_fold,
                               ReadBool(*x, path + ".xor_fold"));
    }
    if (const YAML::Node* p = Optional(entries, "blip_flip_probability")) {
      FEDLINK_ASSIGN_OR_RETURN(
          hardening->blip_flip_probability,
          ReadDecimal(*p, path + ".blip_flip_probability"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<BloomParams> ReadBloom(const YAML::Node& node) {
    const std::string path = "bloom";
    FEDLINK_ASSIGN_OR_RETURN(document::YamlEntries entries,
                             GetEntries(node, path, "the bloom section"));
    FEDLINK_RETURN_IF_ERROR(
        AllowOnly(entries, path,
                  {"bits", "q", "padded", "fields", "hardening", "field_level",
                   "field_level_bits"}));
    BloomParams bloom;
    if (const YAML::Node* bits = Optional(entries, "bits")) {
      FEDLINK_ASSIGN_OR_RETURN(bloom.bits, ReadU32(*bits, "bloom.bits"));
    }
    if (const YAML::Node* q = Optional(entries, "q")) {
      FEDLINK_ASSIGN_OR_RETURN(bloom.q, ReadU32(*q, "bloom.q"));
    }
    if (const YAML::Node* padded = Optional(entries, "padded")) {
      FEDLINK_ASSIGN_OR_RETURN(bloom.padded, ReadBool(*padded, "bloom.padded"));
    }
    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* fields,
                             Required(node, entries, path, "fields"));
    FEDLINK_RETURN_IF_ERROR(ReadBloomFields(*fields, &bloom));
    if (const YAML::Node* hardening = Optional(entries, "hardening")) {
      FEDLINK_RETURN_IF_ERROR(ReadHardening(*hardening, &bloom.hardening));
    }
    if (const YAML::Node* fl = Optional(entries, "field_level")) {
      FEDLINK_ASSIGN_OR_RETURN(bloom.field_level,
                               ReadBool(*fl, "bloom.field_level"));
    }
    if (const YAML::Node* flb = Optional(entries, "field_level_bits")) {
      FEDLINK_ASSIGN_OR_RETURN(bloom.field_level_bits,
                               ReadU32(*flb, "bloom.field_level_bits"));
    }
    return bloom;
  }
};

}  // namespace

absl::StatusOr<LinkageSchema> ParseLinkageSchemaYaml(
    std::string_view yaml, std::string_view source_name) {
  SchemaYamlReader reader(source_name);
  return document::ParseValidatedYamlDocument<LinkageSchema>(
      yaml, source_name, "a linkage schema", kMaxSchemaYamlBytes, reader,
      &internal::FindSchemaProblems);
}

}  // namespace fedlink::schema
