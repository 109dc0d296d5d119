// The canonical byte form of a schema and its fingerprint. The format is
// documented in linkage/schema/README.md; changing it changes every
// fingerprint, so it carries its own version line.
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "linkage/crypto/sha256.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::schema {
namespace {

constexpr std::string_view kCanonicalHeader =
    "fedlink.linkage_schema.canonical/1\n";

// Appends one "key=value\n" line. Keys are fixed ASCII chosen here; values
// are rendered by the typed overloads below so that no value can contain an
// unescaped line break that would be mistaken for a new key.
class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::string* out) : out_(out) {}

  void Uint(std::string_view key, uint64_t value) {
    Line(key, absl::StrCat(value));
  }
  void Bool(std::string_view key, bool value) {
    Line(key, value ? "true" : "false");
  }
  // Strings as "<byte length>:<bytes>": unambiguous whatever the bytes.
  void String(std::string_view key, std::string_view value) {
    Line(key, absl::StrCat(value.size(), ":",
                           absl::string_view(value.data(), value.size())));
  }
  // Enums by name; an out-of-range value by number, so that the form stays
  // injective for invalid schemas too.
  void Kind(std::string_view key, FieldKind kind) {
    std::string_view name = FieldKindName(kind);
    Line(key, name != "invalid" ? std::string(name)
                                : absl::StrCat("#", static_cast<int>(kind)));
  }
  void TransformValue(std::string_view key, Transform transform) {
    std::string_view name = TransformName(transform);
    Line(key, name != "invalid"
                  ? std::string(name)
                  : absl::StrCat("#", static_cast<int>(transform)));
  }
  // Doubles exactly, as the 16 hex digits of their IEEE 754 binary64 bit
  // pattern (independent of locale and printf); -0 is written as +0 since
  // they mean the same probability.
  void Double(std::string_view key, double value) {
    if (value == 0.0) value = 0.0;
    uint64_t bits = 0;
    static_assert(sizeof(bits) == sizeof(value));
    std::memcpy(&bits, &value, sizeof(bits));
    Line(key, absl::StrFormat("f64:%016x", bits));
  }

 private:
  void Line(std::string_view key, std::string_view value) {
    absl::StrAppend(out_, absl::string_view(key.data(), key.size()), "=",
                    absl::string_view(value.data(), value.size()), "\n");
  }

  std::string* out_;
};

}  // namespace

std::string CanonicalSerialization(const LinkageSchema& schema) {
  std::string out(kCanonicalHeader);
  CanonicalWriter w(&out);
  w.Uint("version", schema.version);

  w.Uint("fields.count", schema.fields.size());
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const std::string p = absl::StrCat("fields[", i, "]");
    w.String(p + ".name", schema.fields[i].name);
    w.Kind(p + ".kind", schema.fields[i].kind);
  }

  w.Uint("token_recipes.count", schema.token_recipes.size());
  for (size_t i = 0; i < schema.token_recipes.size(); ++i) {
    const TokenRecipe& recipe = schema.token_recipes[i];
    const std::string p = absl::StrCat("token_recipes[", i, "]");
    w.Uint(p + ".id", recipe.id);
    w.String(p + ".name", recipe.name);
    w.Bool(p + ".blocking_only", recipe.blocking_only);
    w.Uint(p + ".parts.count", recipe.parts.size());
    for (size_t j = 0; j < recipe.parts.size(); ++j) {
      const std::string pp = absl::StrCat(p, ".parts[", j, "]");
      w.String(pp + ".field", recipe.parts[j].field);
      w.TransformValue(pp + ".transform", recipe.parts[j].transform);
    }
  }

  w.Bool("bloom.present", schema.bloom.has_value());
  if (schema.bloom.has_value()) {
    const BloomParams& bloom = *schema.bloom;
    w.Uint("bloom.bits", bloom.bits);
    w.Uint("bloom.q", bloom.q);
    w.Bool("bloom.padded", bloom.padded);
    w.Uint("bloom.fields.count", bloom.fields.size());
    for (size_t i = 0; i < bloom.fields.size(); ++i) {
      const std::string p = absl::StrCat("bloom.fields[", i, "]");
      w.String(p + ".field", bloom.fields[i].field);
      w.TransformValue(p + ".transform", bloom.fields[i].transform);
      w.Uint(p + ".k", bloom.fields[i].k);
    }
    w.Bool("bloom.hardening.balance", bloom.hardening.balance);
    w.Bool("bloom.hardening.xor_fold", bloom.hardening.xor_fold);
    w.Double("bloom.hardening.blip_flip_probability",
             bloom.hardening.blip_flip_probability);
    w.Bool("bloom.field_level", bloom.field_level);
    // The length of field-level filters means nothing when none are made.
    if (bloom.field_level) {
      w.Uint("bloom.field_level_bits", bloom.field_level_bits);
    }
  }
  out.append("end\n");
  return out;
}

std::array<uint8_t, 32> Fingerprint(const LinkageSchema& schema) {
  return crypto::Sha256(CanonicalSerialization(schema));
}

std::string FingerprintHex(const LinkageSchema& schema) {
  return crypto::ToHex(Fingerprint(schema));
}

}  // namespace fedlink::schema
