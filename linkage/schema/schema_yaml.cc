// ParseLinkageSchemaYaml: the YAML form of a linkage schema (format in
// linkage/schema/README.md). yaml-cpp builds the node tree; this file checks
// its shape strictly (no unknown or repeated keys, no silent type
// conversions) and remembers where each entry was, so that every error —
// structural or a ValidateSchema rule — points at a line and column.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/schema/schema_problems.h"
#include "linkage/status_macros.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::schema {
namespace {

using internal::QuoteForMessage;
using internal::Sv;

constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kIntTag = "tag:yaml.org,2002:int";
constexpr std::string_view kFloatTag = "tag:yaml.org,2002:float";
constexpr std::string_view kBoolTag = "tag:yaml.org,2002:bool";

// Edit distance, for "did you mean" hints on misspelt keys.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view Strip(std::string_view text) {
  absl::string_view stripped = absl::StripAsciiWhitespace(Sv(text));
  return std::string_view(stripped.data(), stripped.size());
}

// How a node that has the wrong type is described in an error.
std::string DescribeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return QuoteForMessage(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string JoinNames(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", Sv(name));
  }
  return out;
}

std::string JoinPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", Sv(key));
}

// The key/value pairs of one YAML mapping, checked for repeats.
struct MapEntry {
  YAML::Node key;
  YAML::Node value;
};

class SchemaYamlReader {
 public:
  explicit SchemaYamlReader(std::string_view source) : source_(source) {}

  absl::StatusOr<LinkageSchema> Read(const YAML::Node& root) {
    LinkageSchema schema;
    FEDLINK_ASSIGN_OR_RETURN(auto top, Entries(root, "", "the document"));
    // The version comes first: a newer file would otherwise show up as a
    // list of unknown keys.
    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* version,
                             Required(root, top, "", "version"));
    FEDLINK_ASSIGN_OR_RETURN(uint64_t v,
                             ReadUint(*version, "version",
                                      std::numeric_limits<uint32_t>::max()));
    if (v != kLinkageSchemaVersion) {
      return Error(version->Mark(), "version",
                   absl::StrCat("unsupported version ", v,
                                " (this build reads version ",
                                kLinkageSchemaVersion, ")"));
    }
    schema.version = static_cast<uint32_t>(v);
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

  // "source:line:col: " for the entry `path`, or for its nearest enclosing
  // entry whose position is known.
  std::string PrefixFor(const std::string& path) const {
    std::string p = path;
    while (true) {
      auto it = marks_.find(p);
      if (it != marks_.end()) return Prefix(it->second);
      if (p.empty()) return absl::StrCat(source_, ": ");
      const size_t cut = p.find_last_of(".[");
      p = cut == std::string::npos ? std::string() : p.substr(0, cut);
    }
  }

  std::string Prefix(const YAML::Mark& mark) const {
    if (mark.is_null()) return absl::StrCat(source_, ": ");
    return absl::StrCat(source_, ":", mark.line + 1, ":", mark.column + 1,
                        ": ");
  }

 private:
  absl::Status Error(const YAML::Mark& mark, const std::string& path,
                     std::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(
        Prefix(mark), path.empty() ? "" : absl::StrCat(path, ": "),
        absl::string_view(message.data(), message.size())));
  }

  // The entries of the mapping `node` (which is entry `path`, described as
  // `what` when it is not a mapping), after checking that keys are text and
  // not repeated. Records the position of every value.
  absl::StatusOr<std::map<std::string, MapEntry>> Entries(
      const YAML::Node& node, const std::string& path, std::string_view what) {
    if (!node.IsMap()) {
      return Error(node.Mark(), path,
                   absl::StrCat("expected a mapping for ",
                                absl::string_view(what.data(), what.size()),
                                ", got ", DescribeNode(node)));
    }
    std::map<std::string, MapEntry> entries;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;
      if (!key.IsScalar()) {
        return Error(key.Mark(), path,
                     absl::StrCat("a key must be plain text, got ",
                                  DescribeNode(key)));
      }
      auto [pos, inserted] = entries.emplace(key.Scalar(),
                                             MapEntry{key, it->second});
      if (!inserted) {
        return Error(key.Mark(), path,
                     absl::StrCat("key ", QuoteForMessage(key.Scalar()),
                                  " appears twice (first at line ",
                                  pos->second.key.Mark().line + 1, ")"));
      }
      marks_[JoinPath(path, key.Scalar())] = it->second.Mark();
    }
    marks_[path] = node.Mark();
    return entries;
  }

  absl::Status AllowOnly(const std::map<std::string, MapEntry>& entries,
                         const std::string& path,
                         std::initializer_list<std::string_view> allowed) {
    for (const auto& [name, entry] : entries) {
      bool known = false;
      absl::string_view closest;
      size_t closest_distance = 3;  // suggest only near misses
      for (std::string_view candidate : allowed) {
        if (candidate == name) known = true;
        const size_t d = EditDistance(name, candidate);
        if (d < closest_distance) {
          closest_distance = d;
          closest = Sv(candidate);
        }
      }
      if (known) continue;
      std::string hint;
      if (!closest.empty()) {
        hint = absl::StrCat("did you mean '", closest, "'? ");
      }
      return Error(entry.key.Mark(), path,
                   absl::StrCat("unknown key ", QuoteForMessage(name), " (",
                                hint, "allowed: ", JoinNames(allowed),
                                ")"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<const YAML::Node*> Required(
      const YAML::Node& map, const std::map<std::string, MapEntry>& entries,
      const std::string& path, const std::string& key) {
    auto it = entries.find(key);
    if (it == entries.end()) {
      return Error(map.Mark(), path,
                   absl::StrCat("missing required key '", key, "'"));
    }
    return &it->second.value;
  }

  static const YAML::Node* Optional(
      const std::map<std::string, MapEntry>& entries, const std::string& key) {
    auto it = entries.find(key);
    return it == entries.end() ? nullptr : &it->second.value;
  }

  absl::Status ExpectList(const YAML::Node& node, const std::string& path,
                          size_t max_items) {
    if (!node.IsSequence()) {
      return Error(node.Mark(), path,
                   absl::StrCat("expected a list, got ", DescribeNode(node)));
    }
    if (node.size() > max_items) {
      return Error(node.Mark(), path,
                   absl::StrCat(node.size(), " entries (at most ", max_items,
                                " are allowed)"));
    }
    return absl::OkStatus();
  }

  static bool HasTag(const YAML::Node& node,
                     std::initializer_list<std::string_view> tags) {
    for (std::string_view tag : tags) {
      if (node.Tag() == tag) return true;
    }
    return false;
  }

  absl::StatusOr<uint64_t> ReadUint(const YAML::Node& node,
                                    const std::string& path, uint64_t max) {
    const std::string expected =
        absl::StrCat("expected a whole number from 0 to ", max, ", got ");
    if (!node.IsScalar() || !HasTag(node, {kPlainTag, kIntTag})) {
      return Error(node.Mark(), path,
                   absl::StrCat(expected, node.IsScalar()
                                              ? "a quoted or tagged value"
                                              : DescribeNode(node)));
    }
    const std::string& text = node.Scalar();
    uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value > max) {
      return Error(node.Mark(), path,
                   absl::StrCat(expected, QuoteForMessage(text)));
    }
    return value;
  }

  absl::StatusOr<bool> ReadBool(const YAML::Node& node,
                                const std::string& path) {
    if (node.IsScalar() && HasTag(node, {kPlainTag, kBoolTag})) {
      const std::string& text = node.Scalar();
      if (text == "true" || text == "True" || text == "TRUE") return true;
      if (text == "false" || text == "False" || text == "FALSE") return false;
    }
    return Error(node.Mark(), path,
                 absl::StrCat("expected true or false, got ",
                              node.IsScalar() && !HasTag(node, {kPlainTag})
                                  ? "a quoted or tagged value"
                                  : DescribeNode(node)));
  }

  absl::StatusOr<double> ReadProbability(const YAML::Node& node,
                                         const std::string& path) {
    const std::string expected =
        "expected a decimal number such as 0.05, got ";
    if (!node.IsScalar() || !HasTag(node, {kPlainTag, kFloatTag, kIntTag})) {
      return Error(node.Mark(), path,
                   absl::StrCat(expected, node.IsScalar()
                                              ? "a quoted or tagged value"
                                              : DescribeNode(node)));
    }
    // Decimal notation only: from_chars would also take "inf", "nan" and
    // hex floats, which have no place here.
    std::string_view text = node.Scalar();
    const bool decimal =
        !text.empty() &&
        text.find_first_not_of("0123456789.eE+-") == std::string_view::npos;
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    double value = 0;
    auto [ptr, ec] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (!decimal || ec != std::errc() || ptr != text.data() + text.size()) {
      return Error(node.Mark(), path,
                   absl::StrCat(expected, QuoteForMessage(node.Scalar())));
    }
    return value;
  }

  absl::StatusOr<std::string> ReadText(const YAML::Node& node,
                                       const std::string& path) {
    if (!node.IsScalar()) {
      return Error(node.Mark(), path,
                   absl::StrCat("expected text, got ", DescribeNode(node)));
    }
    return node.Scalar();
  }

  absl::Status ReadFields(const YAML::Node& list, LinkageSchema* schema) {
    FEDLINK_RETURN_IF_ERROR(ExpectList(list, "fields", kMaxFields));
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node item = list[i];
      const std::string path = absl::StrCat("fields[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(auto entries, Entries(item, path, "a field"));
      FEDLINK_RETURN_IF_ERROR(AllowOnly(entries, path, {"name", "kind"}));
      FieldSpec field;
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* name,
                               Required(item, entries, path, "name"));
      FEDLINK_ASSIGN_OR_RETURN(field.name, ReadText(*name, path + ".name"));
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* kind,
                               Required(item, entries, path, "kind"));
      FEDLINK_ASSIGN_OR_RETURN(field.kind, ReadKind(*kind, path + ".kind"));
      schema->fields.push_back(std::move(field));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<FieldKind> ReadKind(const YAML::Node& node,
                                     const std::string& path) {
    FEDLINK_ASSIGN_OR_RETURN(std::string text, ReadText(node, path));
    std::optional<FieldKind> kind = FieldKindFromName(text);
    if (!kind.has_value()) {
      return Error(node.Mark(), path,
                   absl::StrCat("unknown kind ", QuoteForMessage(text),
                                " (allowed: name, date, sex, postcode, "
                                "identifier, text)"));
    }
    return *kind;
  }

  absl::StatusOr<Transform> ReadTransformName(const YAML::Node& node,
                                              std::string_view text,
                                              const std::string& path) {
    std::optional<Transform> transform = TransformFromName(text);
    if (!transform.has_value()) {
      return Error(node.Mark(), path,
                   absl::StrCat("unknown transform ", QuoteForMessage(text),
                                " (allowed: value, compact, initial, soundex, "
                                "nysiis, year)"));
    }
    return *transform;
  }

  // A recipe part: "field" (the value transform) or "transform(field)".
  absl::StatusOr<TokenPart> ReadPart(const YAML::Node& node,
                                     const std::string& path) {
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
                     absl::StrCat("cannot read part ", QuoteForMessage(text),
                                  " (write a field name, or a transform "
                                  "applied to one, e.g. soundex(last_name))"));
      }
      const std::string_view name = Strip(spec.substr(0, open));
      FEDLINK_ASSIGN_OR_RETURN(part.transform,
                               ReadTransformName(node, name, path));
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
    FEDLINK_RETURN_IF_ERROR(ExpectList(list, "token_recipes", kMaxTokenRecipes));
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node item = list[i];
      const std::string path = absl::StrCat("token_recipes[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(auto entries,
                               Entries(item, path, "a token recipe"));
      FEDLINK_RETURN_IF_ERROR(AllowOnly(
          entries, path, {"id", "name", "parts", "blocking_only"}));
      TokenRecipe recipe;
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* id,
                               Required(item, entries, path, "id"));
      FEDLINK_ASSIGN_OR_RETURN(
          uint64_t id_value,
          ReadUint(*id, path + ".id", std::numeric_limits<uint16_t>::max()));
      recipe.id = static_cast<uint16_t>(id_value);
      if (const YAML::Node* name = Optional(entries, "name")) {
        FEDLINK_ASSIGN_OR_RETURN(recipe.name, ReadText(*name, path + ".name"));
      } else {
        recipe.name = absl::StrCat("token_", recipe.id);
      }
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* parts,
                               Required(item, entries, path, "parts"));
      FEDLINK_RETURN_IF_ERROR(ExpectList(*parts, path + ".parts",
                                         kMaxRecipeParts));
      for (size_t j = 0; j < parts->size(); ++j) {
        const YAML::Node part = (*parts)[j];
        const std::string part_path = absl::StrCat(path, ".parts[", j, "]");
        marks_[part_path] = part.Mark();
        FEDLINK_ASSIGN_OR_RETURN(TokenPart value, ReadPart(part, part_path));
        recipe.parts.push_back(std::move(value));
      }
      if (const YAML::Node* flag = Optional(entries, "blocking_only")) {
        FEDLINK_ASSIGN_OR_RETURN(recipe.blocking_only,
                                 ReadBool(*flag, path + ".blocking_only"));
      }
      schema->token_recipes.push_back(std::move(recipe));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<BloomParams> ReadBloom(const YAML::Node& node) {
    const std::string path = "bloom";
    FEDLINK_ASSIGN_OR_RETURN(auto entries,
                             Entries(node, path, "the bloom section"));
    FEDLINK_RETURN_IF_ERROR(
        AllowOnly(entries, path,
                  {"bits", "q", "padded", "fields", "hardening", "field_level",
                   "field_level_bits"}));
    constexpr uint64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
    BloomParams bloom;
    if (const YAML::Node* bits = Optional(entries, "bits")) {
      FEDLINK_ASSIGN_OR_RETURN(uint64_t v, ReadUint(*bits, "bloom.bits", kMaxU32));
      bloom.bits = static_cast<uint32_t>(v);
    }
    if (const YAML::Node* q = Optional(entries, "q")) {
      FEDLINK_ASSIGN_OR_RETURN(uint64_t v, ReadUint(*q, "bloom.q", kMaxU32));
      bloom.q = static_cast<uint32_t>(v);
    }
    if (const YAML::Node* padded = Optional(entries, "padded")) {
      FEDLINK_ASSIGN_OR_RETURN(bloom.padded, ReadBool(*padded, "bloom.padded"));
    }
    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* fields,
                             Required(node, entries, path, "fields"));
    FEDLINK_RETURN_IF_ERROR(
        ExpectList(*fields, "bloom.fields", kMaxBloomFields));
    for (size_t i = 0; i < fields->size(); ++i) {
      const YAML::Node item = (*fields)[i];
      const std::string item_path = absl::StrCat("bloom.fields[", i, "]");
      FEDLINK_ASSIGN_OR_RETURN(auto item_entries,
                               Entries(item, item_path, "a Bloom field"));
      FEDLINK_RETURN_IF_ERROR(
          AllowOnly(item_entries, item_path, {"field", "k", "transform"}));
      BloomField field;
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* name,
                               Required(item, item_entries, item_path, "field"));
      FEDLINK_ASSIGN_OR_RETURN(field.field,
                               ReadText(*name, item_path + ".field"));
      FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* k,
                               Required(item, item_entries, item_path, "k"));
      FEDLINK_ASSIGN_OR_RETURN(uint64_t k_value,
                               ReadUint(*k, item_path + ".k", kMaxU32));
      field.k = static_cast<uint32_t>(k_value);
      if (const YAML::Node* t = Optional(item_entries, "transform")) {
        const std::string t_path = item_path + ".transform";
        FEDLINK_ASSIGN_OR_RETURN(std::string text, ReadText(*t, t_path));
        FEDLINK_ASSIGN_OR_RETURN(field.transform,
                                 ReadTransformName(*t, text, t_path));
      }
      bloom.fields.push_back(std::move(field));
    }
    if (const YAML::Node* hardening = Optional(entries, "hardening")) {
      const std::string h_path = "bloom.hardening";
      FEDLINK_ASSIGN_OR_RETURN(
          auto h_entries, Entries(*hardening, h_path, "the hardening section"));
      FEDLINK_RETURN_IF_ERROR(AllowOnly(
          h_entries, h_path, {"balance", "xor_fold", "blip_flip_probability"}));
      if (const YAML::Node* b = Optional(h_entries, "balance")) {
        FEDLINK_ASSIGN_OR_RETURN(bloom.hardening.balance,
                                 ReadBool(*b, h_path + ".balance"));
      }
      if (const YAML::Node* x = Optional(h_entries, "xor_fold")) {
        FEDLINK_ASSIGN_OR_RETURN(bloom.hardening.xor_fold,
                                 ReadBool(*x, h_path + ".xor_fold"));
      }
      if (const YAML::Node* p = Optional(h_entries, "blip_flip_probability")) {
        FEDLINK_ASSIGN_OR_RETURN(
            bloom.hardening.blip_flip_probability,
            ReadProbability(*p, h_path + ".blip_flip_probability"));
      }
    }
    if (const YAML::Node* fl = Optional(entries, "field_level")) {
      FEDLINK_ASSIGN_OR_RETURN(bloom.field_level,
                               ReadBool(*fl, "bloom.field_level"));
    }
    if (const YAML::Node* flb = Optional(entries, "field_level_bits")) {
      FEDLINK_ASSIGN_OR_RETURN(uint64_t v,
                               ReadUint(*flb, "bloom.field_level_bits", kMaxU32));
      bloom.field_level_bits = static_cast<uint32_t>(v);
    }
    return bloom;
  }

  std::string source_;
  // Position of every entry read, by the path ValidateSchema uses.
  std::map<std::string, YAML::Mark> marks_;
};

std::string Where(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return absl::StrCat(source, ": ");
  return absl::StrCat(source, ":", mark.line + 1, ":", mark.column + 1, ": ");
}

absl::StatusOr<LinkageSchema> ParseDocument(std::string_view yaml,
                                            const std::string& source) {
  std::vector<YAML::Node> documents =
      YAML::LoadAll(std::string(yaml.data(), yaml.size()));
  SchemaYamlReader reader(source);
  if (documents.empty() || documents[0].IsNull()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":1:1: the document is empty (expected a mapping with "
                "version, fields, token_recipes and bloom)"));
  }
  if (documents.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(reader.Prefix(documents[1].Mark()),
                     "a second YAML document (a schema file holds one)"));
  }
  FEDLINK_ASSIGN_OR_RETURN(LinkageSchema schema, reader.Read(documents[0]));
  FEDLINK_RETURN_IF_ERROR(internal::ProblemsToStatus(
      internal::FindSchemaProblems(schema),
      [&reader](const std::string& path) { return reader.PrefixFor(path); }));
  return schema;
}

}  // namespace

absl::StatusOr<LinkageSchema> ParseLinkageSchemaYaml(
    std::string_view yaml, std::string_view source_name) {
  const std::string source(source_name);
  if (yaml.size() > kMaxSchemaYamlBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", yaml.size(),
                     " bytes is too large for a linkage schema (at most ",
                     kMaxSchemaYamlBytes, ")"));
  }
  // yaml-cpp reports malformed YAML (and its recursion limit) by throwing;
  // no exception leaves this function.
  try {
    return ParseDocument(yaml, source);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this case is "bad file".
    return absl::InvalidArgumentError(absl::StrCat(
        Where(source, e.mark), "malformed YAML: nested more than ",
        e.depth() - 1, " levels deep"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(source, e.mark), "malformed YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(
        source, ": unexpected failure while reading YAML: ", e.what()));
  }
}

}  // namespace fedlink::schema
