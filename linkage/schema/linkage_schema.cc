#include "linkage/schema/linkage_schema.h"

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace fedlink::schema {
namespace {

constexpr FieldKind kAllKinds[] = {FieldKind::kName,     FieldKind::kDate,
                                   FieldKind::kSex,      FieldKind::kPostcode,
                                   FieldKind::kIdentifier, FieldKind::kText};
constexpr Transform kAllTransforms[] = {
    Transform::kValue,   Transform::kCompact, Transform::kInitial,
    Transform::kSoundex, Transform::kNysiis,  Transform::kYear};

}  // namespace

std::optional<size_t> LinkageSchema::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return i;
  }
  return std::nullopt;
}

std::string_view FieldKindName(FieldKind kind) {
  switch (kind) {
    case FieldKind::kName:
      return "name";
    case FieldKind::kDate:
      return "date";
    case FieldKind::kSex:
      return "sex";
    case FieldKind::kPostcode:
      return "postcode";
    case FieldKind::kIdentifier:
      return "identifier";
    case FieldKind::kText:
      return "text";
  }
  return "invalid";
}

std::string_view TransformName(Transform transform) {
  switch (transform) {
    case Transform::kValue:
      return "value";
    case Transform::kCompact:
      return "compact";
    case Transform::kInitial:
      return "initial";
    case Transform::kSoundex:
      return "soundex";
    case Transform::kNysiis:
      return "nysiis";
    case Transform::kYear:
      return "year";
  }
  return "invalid";
}

std::optional<FieldKind> FieldKindFromName(std::string_view name) {
  for (FieldKind kind : kAllKinds) {
    if (FieldKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::optional<Transform> TransformFromName(std::string_view name) {
  for (Transform transform : kAllTransforms) {
    if (TransformName(transform) == name) return transform;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& FieldKindNames() {
  static const auto* const names = [] {
    auto* out = new std::vector<std::string_view>;
    for (FieldKind kind : kAllKinds) out->push_back(FieldKindName(kind));
    return out;
  }();
  return *names;
}

const std::vector<std::string_view>& TransformNames() {
  static const auto* const names = [] {
    auto* out = new std::vector<std::string_view>;
    for (Transform transform : kAllTransforms) out->push_back(TransformName(transform));
    return out;
  }();
  return *names;
}

bool TransformAppliesTo(Transform transform, FieldKind kind) {
  switch (transform) {
    case Transform::kValue:
    case Transform::kCompact:
      // Compact is the identity for kinds whose normal form has no spaces;
      // it is allowed there so that the Bloom default (compact) fits every
      // field.
      return FieldKindName(kind) != "invalid";
    case Transform::kInitial:
    case Transform::kSoundex:
    case Transform::kNysiis:
      return kind == FieldKind::kName || kind == FieldKind::kText;
    case Transform::kYear:
      return kind == FieldKind::kDate;
  }
  return false;
}

}  // namespace fedlink::schema
