#include "proto/runtime/linkage_schema_proto.h"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include <openssl/crypto.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "linkage/crypto/sha256.h"
#include "linkage/status_macros.h"

namespace fedlink::proto {
namespace {

using schema::FieldKind;
using schema::Transform;

constexpr std::array<std::pair<FieldKind, v1::FieldKind>, 6> kKinds = {{
    {FieldKind::kName, v1::FIELD_KIND_NAME},
    {FieldKind::kDate, v1::FIELD_KIND_DATE},
    {FieldKind::kSex, v1::FIELD_KIND_SEX},
    {FieldKind::kPostcode, v1::FIELD_KIND_POSTCODE},
    {FieldKind::kIdentifier, v1::FIELD_KIND_IDENTIFIER},
    {FieldKind::kText, v1::FIELD_KIND_TEXT},
}};

constexpr std::array<std::pair<Transform, v1::Transform>, 6> kTransforms = {{
    {Transform::kValue, v1::TRANSFORM_VALUE},
    {Transform::kCompact, v1::TRANSFORM_COMPACT},
    {Transform::kInitial, v1::TRANSFORM_INITIAL},
    {Transform::kSoundex, v1::TRANSFORM_SOUNDEX},
    {Transform::kNysiis, v1::TRANSFORM_NYSIIS},
    {Transform::kYear, v1::TRANSFORM_YEAR},
}};

// An out-of-range C++ enum (only possible in a schema built in code) maps to
// UNSPECIFIED, which LinkageSchemaFromProto and the validators refuse.
v1::FieldKind KindToProto(FieldKind kind) {
  for (const auto& [cpp, wire] : kKinds) {
    if (cpp == kind) return wire;
  }
  return v1::FIELD_KIND_UNSPECIFIED;
}

v1::Transform TransformToProto(Transform transform) {
  for (const auto& [cpp, wire] : kTransforms) {
    if (cpp == transform) return wire;
  }
  return v1::TRANSFORM_UNSPECIFIED;
}

absl::StatusOr<FieldKind> KindFromProto(v1::FieldKind kind, const std::string& at) {
  for (const auto& [cpp, wire] : kKinds) {
    if (wire == kind) return cpp;
  }
  return absl::InvalidArgumentError(absl::StrCat(at, ": not a known field kind"));
}

absl::StatusOr<Transform> TransformFromProto(v1::Transform transform, const std::string& at) {
  for (const auto& [cpp, wire] : kTransforms) {
    if (wire == transform) return cpp;
  }
  return absl::InvalidArgumentError(absl::StrCat(at, ": not a known transform"));
}

}  // namespace

v1::LinkageSchema LinkageSchemaToProto(const schema::LinkageSchema& s) {
  v1::LinkageSchema out;
  out.set_version(s.version);
  for (const schema::FieldSpec& f : s.fields) {
    v1::SchemaField* field = out.add_fields();
    field->set_name(f.name);
    field->set_kind(KindToProto(f.kind));
  }
  for (const schema::TokenRecipe& r : s.token_recipes) {
    v1::TokenRecipe* recipe = out.add_token_recipes();
    recipe->set_id(r.id);
    recipe->set_name(r.name);
    recipe->set_blocking_only(r.blocking_only);
    for (const schema::TokenPart& p : r.parts) {
      v1::TokenPart* part = recipe->add_parts();
      part->set_field(p.field);
      part->set_transform(TransformToProto(p.transform));
    }
  }
  if (s.bloom.has_value()) {
    const schema::BloomParams& b = *s.bloom;
    v1::BloomParams* bloom = out.mutable_bloom();
    bloom->set_bits(b.bits);
    bloom->set_q(b.q);
    bloom->set_padded(b.padded);
    for (const schema::BloomField& f : b.fields) {
      v1::BloomField* field = bloom->add_fields();
      field->set_field(f.field);
      field->set_transform(TransformToProto(f.transform));
      field->set_k(f.k);
    }
    bloom->mutable_hardening()->set_balance(b.hardening.balance);
    bloom->mutable_hardening()->set_xor_fold(b.hardening.xor_fold);
    bloom->mutable_hardening()->set_blip_flip_probability(b.hardening.blip_flip_probability);
    bloom->set_field_level(b.field_level);
    bloom->set_field_level_bits(b.field_level_bits);
  }
  return out;
}

v1::LinkageSchemaSpec MakeLinkageSchemaSpec(const schema::LinkageSchema& s) {
  v1::LinkageSchemaSpec spec;
  *spec.mutable_schema() = LinkageSchemaToProto(s);
  const std::array<uint8_t, 32> fingerprint = schema::Fingerprint(s);
  spec.set_fingerprint(std::string(fingerprint.begin(), fingerprint.end()));
  return spec;
}

absl::StatusOr<schema::LinkageSchema> LinkageSchemaFromProto(const v1::LinkageSchema& in,
                                                             std::string_view path) {
  const std::string p = path.empty() ? std::string("LinkageSchema") : std::string(path);
  schema::LinkageSchema out;
  out.version = in.version();
  for (int i = 0; i < in.fields_size(); ++i) {
    const v1::SchemaField& f = in.fields(i);
    schema::FieldSpec field;
    field.name = f.name();
    FEDLINK_ASSIGN_OR_RETURN(field.kind,
                             KindFromProto(f.kind(), absl::StrCat(p, ".fields[", i, "].kind")));
    out.fields.push_back(std::move(field));
  }
  for (int i = 0; i < in.token_recipes_size(); ++i) {
    const v1::TokenRecipe& r = in.token_recipes(i);
    const std::string at = absl::StrCat(p, ".token_recipes[", i, "]");
    if (r.id() == 0 || r.id() > std::numeric_limits<uint16_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat(at, ".id: must be 1..65535"));
    }
    schema::TokenRecipe recipe;
    recipe.id = static_cast<uint16_t>(r.id());
    recipe.name = r.name();
    recipe.blocking_only = r.blocking_only();
    for (int j = 0; j < r.parts_size(); ++j) {
      schema::TokenPart part;
      part.field = r.parts(j).field();
      FEDLINK_ASSIGN_OR_RETURN(part.transform,
                               TransformFromProto(r.parts(j).transform(),
                                                  absl::StrCat(at, ".parts[", j, "].transform")));
      recipe.parts.push_back(std::move(part));
    }
    out.token_recipes.push_back(std::move(recipe));
  }
  if (in.has_bloom()) {
    const v1::BloomParams& b = in.bloom();
    schema::BloomParams bloom;
    bloom.bits = b.bits();
    bloom.q = b.q();
    bloom.padded = b.padded();
    for (int i = 0; i < b.fields_size(); ++i) {
      schema::BloomField field;
      field.field = b.fields(i).field();
      FEDLINK_ASSIGN_OR_RETURN(
          field.transform, TransformFromProto(b.fields(i).transform(),
                                              absl::StrCat(p, ".bloom.fields[", i, "].transform")));
      field.k = b.fields(i).k();
      bloom.fields.push_back(std::move(field));
    }
    bloom.hardening.balance = b.hardening().balance();
    bloom.hardening.xor_fold = b.hardening().xor_fold();
    bloom.hardening.blip_flip_probability = b.hardening().blip_flip_probability();
    bloom.field_level = b.field_level();
    // 0 is proto3's "unset": keep the C++ default, which the fingerprint
    // ignores unless field_level is on (and then ValidateSchema requires a
    // valid length).
    if (b.field_level_bits() != 0) bloom.field_level_bits = b.field_level_bits();
    out.bloom = std::move(bloom);
  }
  return out;
}

absl::StatusOr<schema::LinkageSchema> VerifyLinkageSchemaSpec(const v1::LinkageSchemaSpec& spec,
                                                              std::string_view path) {
  const std::string p = path.empty() ? std::string("LinkageSchemaSpec") : std::string(path);
  FEDLINK_ASSIGN_OR_RETURN(schema::LinkageSchema schema,
                           LinkageSchemaFromProto(spec.schema(), absl::StrCat(p, ".schema")));
  absl::Status valid = schema::ValidateSchema(schema);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(p, ".schema: ", valid.message()));
  }
  const std::array<uint8_t, 32> fingerprint = schema::Fingerprint(schema);
  if (spec.fingerprint().size() != fingerprint.size() ||
      CRYPTO_memcmp(spec.fingerprint().data(), fingerprint.data(), fingerprint.size()) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        p, ".fingerprint: does not match the schema (recomputed ", crypto::ToHex(fingerprint),
        "); the schema is not the one the job was submitted with"));
  }
  return schema;
}

}  // namespace fedlink::proto
