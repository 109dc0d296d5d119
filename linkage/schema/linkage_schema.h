// The linkage schema: everything two agencies must agree on to produce
// comparable encodings for a job — which normalised fields exist, the
// salted-hash token recipes, and the Bloom-filter (CLK) parameters. The
// coordinator distributes one schema with a job; every agent encodes with it
// and refuses a schema whose fingerprint differs from the job's.
#ifndef FEDLINK_LINKAGE_SCHEMA_LINKAGE_SCHEMA_H_
#define FEDLINK_LINKAGE_SCHEMA_LINKAGE_SCHEMA_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fedlink::schema {

// The schema format version this build reads and writes.
inline constexpr uint32_t kLinkageSchemaVersion = 1;

// Size limits (generous for any real job; they bound work on hostile input).
inline constexpr size_t kMaxFields = 256;
inline constexpr size_t kMaxNameLength = 64;  // field and recipe names
inline constexpr size_t kMaxTokenRecipes = 1024;
inline constexpr size_t kMaxRecipeParts = 16;
inline constexpr size_t kMaxBloomFields = 256;
inline constexpr size_t kMaxSchemaYamlBytes = 1 << 20;

// What a field holds; it selects the normaliser (linkage/normalize/).
enum class FieldKind {
  kName,        // person name: "García-López" → "garcia lopez"
  kDate,        // calendar date → "YYYYMMDD"
  kSex,         // → "m" | "f" | "u"
  kPostcode,    // letters and digits, no spaces
  kIdentifier,  // SSN, student id…: letters and digits only
  kText,        // any other free text: folded, letters/digits/single spaces
};

// A derived value computed from one normalised field before encoding.
enum class Transform {
  kValue,    // the normalised value as is
  kCompact,  // without spaces ("de la cruz" → "delacruz")
  kInitial,  // first letter of the compact value
  kSoundex,  // Soundex code of the compact value
  kNysiis,   // NYSIIS code of the compact value
  kYear,     // first four characters of a YYYYMMDD date
};

struct FieldSpec {
  std::string name;  // [a-z][a-z0-9_]*, unique within the schema
  FieldKind kind = FieldKind::kText;
  friend bool operator==(const FieldSpec&, const FieldSpec&) = default;
};

struct TokenPart {
  std::string field;  // a FieldSpec name
  Transform transform = Transform::kValue;
  friend bool operator==(const TokenPart&, const TokenPart&) = default;
};

// One salted-hash token: HMAC(K_tok, id ‖ 0x00 ‖ parts joined by 0x1F).
struct TokenRecipe {
  uint16_t id = 0;   // 1..65535, unique; part of the HMAC input
  // For reports only: 1..64 printable ASCII characters, no leading or
  // trailing space, unique.
  std::string name;
  // 1..16 parts, each (field, transform) at most once; no two recipes have
  // the same parts, in any order (the order changes the token, not what it
  // links).
  std::vector<TokenPart> parts;
  // A blocking-only recipe proposes candidate pairs for Bloom matching but
  // never links two records by itself.
  bool blocking_only = false;
  friend bool operator==(const TokenRecipe&, const TokenRecipe&) = default;
};

struct BloomField {
  std::string field;                         // a FieldSpec name
  Transform transform = Transform::kCompact;  // applied before q-gramming
  uint32_t k = 0;  // bit positions per q-gram: the field's weight (1..64)
  // Each (field, transform) at most once in BloomParams::fields.
  friend bool operator==(const BloomField&, const BloomField&) = default;
};

struct BloomHardening {
  bool balance = false;   // append the complement, permute (doubles length)
  bool xor_fold = false;  // XOR the two halves (halves length)
  // BLIP randomised response: each bit flipped with this probability, in
  // [0, 0.5). 0 disables it.
  double blip_flip_probability = 0.0;
  // xor_fold needs an even number of 64-bit words: bits (and
  // field_level_bits when field_level is on) a multiple of 128.
  friend bool operator==(const BloomHardening&, const BloomHardening&) = default;
};

struct BloomParams {
  uint32_t bits = 1024;  // L: a multiple of 64, 64..8192
  uint32_t q = 2;        // q-gram length, 1..4
  bool padded = true;    // pad with q-1 boundary markers on each side
  std::vector<BloomField> fields;
  BloomHardening hardening;
  // Also emit one filter per field (for field-level scoring).
  bool field_level = false;
  uint32_t field_level_bits = 512;  // a multiple of 64, 64..8192
  friend bool operator==(const BloomParams&, const BloomParams&) = default;
};

struct LinkageSchema {
  uint32_t version = 1;  // format version of this schema
  std::vector<FieldSpec> fields;  // 1..256
  std::vector<TokenRecipe> token_recipes;  // 0..1024
  // Absent: tokens only. A schema needs bloom or at least one recipe that is
  // not blocking_only (blocking-only tokens alone cannot link anything).
  std::optional<BloomParams> bloom;

  friend bool operator==(const LinkageSchema&, const LinkageSchema&) = default;

  // Index of the field called `name` in `fields`, or nullopt.
  std::optional<size_t> FieldIndex(std::string_view name) const;
};

// Checks every rule stated above (the full list is in
// linkage/schema/README.md). Returns InvalidArgument naming every problem
// found (at most 10, then "and N more"), each as "<entry>: <what is wrong>
// (<what is allowed>)", e.g.
// "token_recipes[2].parts[1]: unknown field 'middle_name' (declared: ...)";
// problems are joined by "; ". Thread-safe.
absl::Status ValidateSchema(const LinkageSchema& schema);

// A byte string that depends only on the schema's meaning (not on YAML
// layout, comments or key order), identical on every platform; the format is
// in linkage/schema/README.md. Order of fields, recipes, parts and Bloom
// fields is kept: it defines the encodings. Defined for any schema, valid or
// not. Thread-safe.
std::string CanonicalSerialization(const LinkageSchema& schema);

// SHA-256 of CanonicalSerialization, and its lower-case hex form.
// Thread-safe.
std::array<uint8_t, 32> Fingerprint(const LinkageSchema& schema);
std::string FingerprintHex(const LinkageSchema& schema);

// Parses and validates the YAML form (see linkage/schema/README.md).
// `source_name` (a file name) prefixes error messages; positions are given as
// line:column of the YAML text (1-based). Returns InvalidArgument
// "source:line:col: <entry>: <message>" for malformed YAML, an unknown or
// repeated key, a missing required key, a value of the wrong type, and for
// every ValidateSchema problem (positioned at the offending entry). Never
// throws. Thread-safe.
absl::StatusOr<LinkageSchema> ParseLinkageSchemaYaml(std::string_view yaml,
                                                     std::string_view source_name);

// The YAML form of a valid schema, every key written out (no defaults
// relied on); ParseLinkageSchemaYaml of the result equals `schema`.
// InvalidArgument (as ValidateSchema) when the schema is invalid.
// Thread-safe.
absl::StatusOr<std::string> FormatLinkageSchemaYaml(const LinkageSchema& schema);

// The built-in schema: first/last/middle name, dob, sex, postcode, ssn, with
// the default token recipes and a 1024-bit CLK. deploy/examples/
// linkage-schema.yaml is its YAML form. Thread-safe.
LinkageSchema DefaultLinkageSchema();

// Names used in YAML and in the canonical form: "name", "date", "sex",
// "postcode", "identifier", "text" and "value", "compact", "initial",
// "soundex", "nysiis", "year". An out-of-range enum value gives "invalid".
std::string_view FieldKindName(FieldKind kind);
std::string_view TransformName(Transform transform);

// The inverse of FieldKindName / TransformName; nullopt for any other text.
std::optional<FieldKind> FieldKindFromName(std::string_view name);
std::optional<Transform> TransformFromName(std::string_view name);
// Every name FieldKindName / TransformName gives, in declaration order (for
// the "allowed: ..." part of an error).
const std::vector<std::string_view>& FieldKindNames();
const std::vector<std::string_view>& TransformNames();

// Whether `transform` makes sense for a field of `kind`: value and compact
// for every kind; initial, soundex and nysiis for name and text; year for
// date only.
bool TransformAppliesTo(Transform transform, FieldKind kind);

}  // namespace fedlink::schema

#endif  // FEDLINK_LINKAGE_SCHEMA_LINKAGE_SCHEMA_H_
