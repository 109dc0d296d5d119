// ValidateSchema: the rules of linkage_schema.h, each problem named by the
// entry it concerns.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "linkage/document/quote_name.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/schema/schema_problems.h"

namespace fedlink::schema::internal {
namespace {

constexpr uint32_t kMinBloomBits = 64;
constexpr uint32_t kMaxBloomBits = 8192;
constexpr uint32_t kMaxQ = 4;
constexpr uint32_t kMaxK = 64;
constexpr double kMaxBlip = 0.5;
// "unknown field" messages list the declared fields, up to this many.
constexpr size_t kMaxListedFields = 16;

constexpr absl::string_view kAllKindNames =
    "name, date, sex, postcode, identifier, text";
constexpr absl::string_view kAllTransformNames =
    "value, compact, initial, soundex, nysiis, year";

bool IsFieldName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsRecipeName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool IsKnownKind(FieldKind kind) { return FieldKindName(kind) != "invalid"; }
bool IsKnownTransform(Transform t) { return TransformName(t) != "invalid"; }

// The transforms allowed for `kind`, for messages.
std::string AllowedTransforms(FieldKind kind) {
  std::vector<absl::string_view> names;
  for (Transform t : {Transform::kValue, Transform::kCompact,
                      Transform::kInitial, Transform::kSoundex,
                      Transform::kNysiis, Transform::kYear}) {
    if (TransformAppliesTo(t, kind)) names.push_back(Sv(TransformName(t)));
  }
  return absl::StrJoin(names, ", ");
}

bool IsBloomLength(uint32_t bits) {
  return bits >= kMinBloomBits && bits <= kMaxBloomBits && bits % 64 == 0;
}

std::string Describe(const std::string& field, Transform transform) {
  if (transform == Transform::kValue) return field;
  return absl::StrCat(Sv(TransformName(transform)), "(", field, ")");
}

class ProblemCollector {
 public:
  explicit ProblemCollector(const LinkageSchema& schema) : schema_(schema) {}

  std::vector<SchemaProblem> Run() {
    CheckVersion();
    CheckFields();
    CheckRecipes();
    if (schema_.bloom.has_value()) CheckBloom(*schema_.bloom);
    CheckSomethingLinks();
    return std::move(problems_);
  }

 private:
  void Add(std::string path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
  }

  void CheckVersion() {
    if (schema_.version != kLinkageSchemaVersion) {
      Add("version", absl::StrCat("unsupported version ", schema_.version,
                                  " (this build reads version ",
                                  kLinkageSchemaVersion, ")"));
    }
  }

  void CheckFields() {
    const auto& fields = schema_.fields;
    if (fields.empty()) {
      Add("fields", "no fields (at least one is required)");
    } else if (fields.size() > kMaxFields) {
      Add("fields", absl::StrCat(fields.size(), " fields (at most ",
                                 kMaxFields, " are allowed)"));
    }
    std::map<std::string_view, size_t> seen;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string path = absl::StrCat("fields[", i, "]");
      const FieldSpec& field = fields[i];
      if (!IsFieldName(field.name)) {
        Add(path + ".name",
            absl::StrCat(field.name.empty() ? std::string("empty name")
                                            : absl::StrCat(document::QuoteName(
                                                               field.name),
                                                           " is not a valid "
                                                           "field name"),
                         " (a field name matches [a-z][a-z0-9_]*, at most ",
                         kMaxNameLength, " characters)"));
      } else if (auto [it, inserted] = seen.emplace(field.name, i); !inserted) {
        Add(path + ".name",
            absl::StrCat(document::QuoteName(field.name),
                         " is already the name of fields[", it->second,
                         "] (field names are unique)"));
      }
      if (!IsKnownKind(field.kind)) {
        Add(path + ".kind",
            absl::StrCat("unknown kind #", static_cast<int>(field.kind),
                         " (allowed: ", kAllKindNames, ")"));
      }
    }
  }

  std::string DeclaredFields() const {
    std::vector<absl::string_view> names;
    for (const FieldSpec& f : schema_.fields) {
      if (names.size() == kMaxListedFields) {
        names.push_back("...");
        break;
      }
      names.push_back(f.name);
    }
    return names.empty() ? "none" : absl::StrJoin(names, ", ");
  }

  // Checks that `field` names a declared field (else a problem at `path`)
  // and `transform` suits its kind (else a problem at `transform_path`).
  // Returns false after recording a problem.
  bool CheckFieldUse(const std::string& path, const std::string& field,
                     Transform transform, const std::string& transform_path) {
    std::optional<size_t> index = schema_.FieldIndex(field);
    if (!index.has_value()) {
      Add(path, absl::StrCat("unknown field ", document::QuoteName(field),
                             " (declared fields: ", DeclaredFields(), ")"));
      return false;
    }
    if (!IsKnownTransform(transform)) {
      Add(transform_path, absl::StrCat("unknown transform #",
                             static_cast<int>(transform), " (allowed: ",
                             kAllTransformNames, ")"));
      return false;
    }
    const FieldKind kind = schema_.fields[*index].kind;
    if (IsKnownKind(kind) && !TransformAppliesTo(transform, kind)) {
      Add(transform_path,
          absl::StrCat("transform '", Sv(TransformName(transform)),
                       "' does not apply to field '", field, "' of kind ",
                       Sv(FieldKindName(kind)), " (allowed for ",
                       Sv(FieldKindName(kind)), ": ",
                             AllowedTransforms(kind), ")"));
      return false;
    }
    return true;
  }

  void CheckRecipes() {
    const auto& recipes = schema_.token_recipes;
    if (recipes.size() > kMaxTokenRecipes) {
      Add("token_recipes",
          absl::StrCat(recipes.size(), " recipes (at most ", kMaxTokenRecipes,
                       " are allowed)"));
    }
    std::map<uint16_t, size_t> ids;
    std::map<std::string_view, size_t> names;
    using PartKey = std::vector<std::pair<std::string_view, int>>;
    std::map<PartKey, size_t> part_sets;
    for (size_t i = 0; i < recipes.size(); ++i) {
      const TokenRecipe& recipe = recipes[i];
      const std::string path = absl::StrCat("token_recipes[", i, "]");
      if (recipe.id == 0) {
        Add(path + ".id", "id 0 is not allowed (ids are 1 to 65535)");
      } else if (auto [it, inserted] = ids.emplace(recipe.id, i); !inserted) {
        Add(path + ".id",
            absl::StrCat("id ", recipe.id, " is already used by token_recipes[",
                         it->second, "] (ids are unique)"));
      }
      if (!IsRecipeName(recipe.name)) {
        Add(path + ".name",
            absl::StrCat(recipe.name.empty()
                             ? std::string("empty name")
                             : absl::StrCat(document::QuoteName(recipe.name),
                                            " is not a valid recipe name"),
                         " (1 to ", kMaxNameLength,
                         " printable ASCII characters, no leading or trailing "
                         "space)"));
      } else if (auto [it, inserted] = names.emplace(recipe.name, i);
                 !inserted) {
        Add(path + ".name",
            absl::StrCat(document::QuoteName(recipe.name),
                         " is already the name of token_recipes[", it->second,
                         "] (recipe names are unique)"));
      }
      if (recipe.parts.empty() || recipe.parts.size() > kMaxRecipeParts) {
        Add(path + ".parts",
            absl::StrCat(recipe.parts.size(), " parts (a recipe has 1 to ",
                         kMaxRecipeParts, " parts)"));
        continue;
      }
      PartKey key;
      for (size_t j = 0; j < recipe.parts.size(); ++j) {
        const TokenPart& part = recipe.parts[j];
        const std::string part_path = absl::StrCat(path, ".parts[", j, "]");
        if (!CheckFieldUse(part_path, part.field, part.transform, part_path)) {
          continue;
        }
        for (size_t earlier = 0; earlier < j; ++earlier) {
          if (recipe.parts[earlier] == part) {
            Add(part_path,
                absl::StrCat("repeats parts[", earlier, "] (",
                             Describe(part.field, part.transform),
                             "; each part at most once per recipe)"));
            break;
          }
        }
        key.emplace_back(part.field, static_cast<int>(part.transform));
      }
      if (key.size() != recipe.parts.size()) continue;  // already reported
      std::sort(key.begin(), key.end());
      if (auto [it, inserted] = part_sets.emplace(key, i); !inserted) {
        const bool same_order = recipes[it->second].parts == recipe.parts;
        Add(path, absl::StrCat("same parts as token_recipes[", it->second, "]",
                               same_order ? "" : " in another order",
                               " (a recipe links the same records whatever "
                               "its part order or flags; keep one)"));
      }
    }
  }

  void CheckBloomLength(const std::string& path, uint32_t bits) {
    if (!IsBloomLength(bits)) {
      Add(path, absl::StrCat(bits,
                             " bits is not allowed (a multiple of 64 from ",
                             kMinBloomBits, " to ", kMaxBloomBits, ")"));
    }
  }

  void CheckBloom(const BloomParams& bloom) {
    CheckBloomLength("bloom.bits", bloom.bits);
    if (bloom.q < 1 || bloom.q > kMaxQ) {
      Add("bloom.q", absl::StrCat("q = ", bloom.q, " is not allowed (1 to ",
                                  kMaxQ, ")"));
    }
    if (bloom.fields.empty()) {
      Add("bloom.fields", "no fields (a Bloom filter needs at least one)");
    } else if (bloom.fields.size() > kMaxBloomFields) {
      Add("bloom.fields", absl::StrCat(bloom.fields.size(), " fields (at most ",
                                       kMaxBloomFields, " are allowed)"));
    }
    for (size_t i = 0; i < bloom.fields.size(); ++i) {
      const BloomField& field = bloom.fields[i];
      const std::string path = absl::StrCat("bloom.fields[", i, "]");
      if (CheckFieldUse(path + ".field", field.field, field.transform,
                        path + ".transform")) {
        for (size_t earlier = 0; earlier < i; ++earlier) {
          const BloomField& other = bloom.fields[earlier];
          if (other.field == field.field && other.transform == field.transform) {
            Add(path, absl::StrCat("repeats bloom.fields[", earlier, "] (",
                                   Describe(field.field, field.transform),
                                   "; raise k to give a field more weight)"));
            break;
          }
        }
      }
      if (field.k < 1 || field.k > kMaxK) {
        Add(path + ".k", absl::StrCat("k = ", field.k,
                                      " is not allowed (1 to ", kMaxK, ")"));
      }
    }
    const BloomHardening& hardening = bloom.hardening;
    const double p = hardening.blip_flip_probability;
    if (!(p >= 0.0 && p < kMaxBlip)) {  // also rejects NaN
      Add("bloom.hardening.blip_flip_probability",
          "out of range (at least 0 and below 0.5; 0 disables BLIP)");
    }
    if (hardening.xor_fold && IsBloomLength(bloom.bits) && bloom.bits % 128) {
      Add("bloom.hardening.xor_fold",
          absl::StrCat("needs an even number of 64-bit words but bloom.bits is ",
                       bloom.bits, " (use a multiple of 128)"));
    }
    CheckBloomLength("bloom.field_level_bits", bloom.field_level_bits);
    if (bloom.field_level && hardening.xor_fold &&
        IsBloomLength(bloom.field_level_bits) && bloom.field_level_bits % 128) {
      Add("bloom.hardening.xor_fold",
          absl::StrCat("needs an even number of 64-bit words but "
                       "bloom.field_level_bits is ",
                       bloom.field_level_bits, " (use a multiple of 128)"));
    }
  }

  void CheckSomethingLinks() {
    if (schema_.bloom.has_value()) return;
    if (schema_.token_recipes.empty()) {
      Add("token_recipes",
          "no recipes and no bloom section (nothing to encode: give at least "
          "one recipe or a bloom section)");
      return;
    }
    const bool any_linking =
        std::any_of(schema_.token_recipes.begin(), schema_.token_recipes.end(),
                    [](const TokenRecipe& r) { return !r.blocking_only; });
    if (!any_linking) {
      Add("token_recipes",
          "every recipe is blocking_only and there is no bloom section "
          "(blocking-only tokens only propose pairs for Bloom matching)");
    }
  }

  const LinkageSchema& schema_;
  std::vector<SchemaProblem> problems_;
};

}  // namespace

std::vector<SchemaProblem> FindSchemaProblems(const LinkageSchema& schema) {
  return ProblemCollector(schema).Run();
}

}  // namespace fedlink::schema::internal

namespace fedlink::schema {

absl::Status ValidateSchema(const LinkageSchema& schema) {
  return document::ProblemsToStatus(
      internal::FindSchemaProblems(schema),
      [](const std::string&) { return std::string(); });
}

}  // namespace fedlink::schema
