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
};

struct TokenPart {
  std::string field;  // a FieldSpec name
  Transform transform = Transform::kValue;
};

// One salted-hash token: HMAC(K_tok, id ‖ 0x00 ‖ parts joined by 0x1F).
struct TokenRecipe {
  uint16_t id = 0;   // 1..65535, unique; part of the HMAC input
  std::string name;  // for reports only
  std::vector<TokenPart> parts;
  // A blocking-only recipe proposes candidate pairs for Bloom matching but
  // never links two records by itself.
  bool blocking_only = false;
};

struct BloomField {
  std::string field;                         // a FieldSpec name
  Transform transform = Transform::kCompact;  // applied before q-gramming
  uint32_t k = 0;  // bit positions per q-gram: the field's weight (1..64)
};

struct BloomHardening {
  bool balance = false;   // append the complement, permute (doubles length)
  bool xor_fold = false;  // XOR the two halves (halves length)
  // BLIP randomised response: each bit flipped with this probability, in
  // [0, 0.5). 0 disables it.
  double blip_flip_probability = 0.0;
};

struct BloomParams {
  uint32_t bits = 1024;  // L: a multiple of 64, 64..8192
  uint32_t q = 2;        // q-gram length, 1..4
  bool padded = true;    // pad with q-1 boundary markers on each side
  std::vector<BloomField> fields;
  BloomHardening hardening;
  // Also emit one filter per field (for field-level scoring).
  bool field_level = false;
  uint32_t field_level_bits = 512;  // a multiple of 64
};

struct LinkageSchema {
  uint32_t version = 1;  // format version of this schema
  std::vector<FieldSpec> fields;
  std::vector<TokenRecipe> token_recipes;
  std::optional<BloomParams> bloom;  // absent: tokens only

  // Index of the field called `name` in `fields`, or nullopt.
  std::optional<size_t> FieldIndex(std::string_view name) const;
};

// Checks every rule stated above. The error names the offending entry, e.g.
// "token_recipes[2].parts[1]: unknown field 'middle_name'".
absl::Status ValidateSchema(const LinkageSchema& schema);

// A byte string that depends only on the schema's meaning (not on YAML
// layout, comments or key order), identical on every platform.
std::string CanonicalSerialization(const LinkageSchema& schema);

// SHA-256 of CanonicalSerialization, and its lower-case hex form.
std::array<uint8_t, 32> Fingerprint(const LinkageSchema& schema);
std::string FingerprintHex(const LinkageSchema& schema);

// Parses and validates the YAML form (see linkage/schema/README.md).
// `source_name` (a file name) prefixes error messages; positions are given as
// line:column of the YAML text.
absl::StatusOr<LinkageSchema> ParseLinkageSchemaYaml(std::string_view yaml,
                                                     std::string_view source_name);

// The built-in schema: first/last/middle name, dob, sex, postcode, ssn, with
// the default token recipes and a 1024-bit CLK.
LinkageSchema DefaultLinkageSchema();

std::string_view FieldKindName(FieldKind kind);
std::string_view TransformName(Transform transform);

}  // namespace fedlink::schema

#endif  // FEDLINK_LINKAGE_SCHEMA_LINKAGE_SCHEMA_H_
