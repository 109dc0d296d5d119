#include "coordinator/fedlink_cli/job_spec_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "coordinator/fedlink_cli/client_config.h"
#include "linkage/crypto/x25519.h"
#include "linkage/schema/linkage_schema.h"
#include "proto/runtime/linkage_schema_proto.h"

namespace fedlink::cli {
namespace {

template <typename Enum>
using EnumTable = std::vector<std::pair<std::string, Enum>>;

const EnumTable<v1::LinkageMethod>& Methods() {
  static const auto* table = new EnumTable<v1::LinkageMethod>{
      {"tokens", v1::LINKAGE_METHOD_TOKENS},
      {"bloom", v1::LINKAGE_METHOD_BLOOM},
      {"tokens_and_bloom", v1::LINKAGE_METHOD_TOKENS_AND_BLOOM}};
  return *table;
}
const EnumTable<v1::OutputMode>& OutputModes() {
  static const auto* table = new EnumTable<v1::OutputMode>{
      {"linked_microdata", v1::OUTPUT_MODE_LINKED_MICRODATA},
      {"aggregate", v1::OUTPUT_MODE_AGGREGATE}};
  return *table;
}
const EnumTable<v1::HpkeAead>& Aeads() {
  static const auto* table =
      new EnumTable<v1::HpkeAead>{{"aes-128-gcm", v1::HPKE_AEAD_AES_128_GCM},
                                  {"chacha20-poly1305", v1::HPKE_AEAD_CHACHA20_POLY1305}};
  return *table;
}
const EnumTable<v1::Comparison>& Comparisons() {
  static const auto* table = new EnumTable<v1::Comparison>{
      {"equal", v1::COMPARISON_EQUAL},
      {"not_equal", v1::COMPARISON_NOT_EQUAL},
      {"in", v1::COMPARISON_IN},
      {"not_in", v1::COMPARISON_NOT_IN},
      {"less", v1::COMPARISON_LESS},
      {"less_or_equal", v1::COMPARISON_LESS_OR_EQUAL},
      {"greater", v1::COMPARISON_GREATER},
      {"greater_or_equal", v1::COMPARISON_GREATER_OR_EQUAL},
      {"present", v1::COMPARISON_PRESENT},
      {"absent", v1::COMPARISON_ABSENT}};
  return *table;
}
const EnumTable<v1::ValueType>& ValueTypes() {
  static const auto* table = new EnumTable<v1::ValueType>{
      {"text", v1::VALUE_TYPE_TEXT}, {"number", v1::VALUE_TYPE_NUMBER}, {"date", v1::VALUE_TYPE_DATE}};
  return *table;
}

// Parses one file; every error is positioned and names the key path.
class SpecParser {
 public:
  SpecParser(std::string_view source, const SpecFileReader& read_file)
      : source_(source), read_file_(read_file) {}

  absl::Status Error(const YAML::Node& node, std::string_view key, std::string_view message) const {
    const YAML::Mark mark = node.Mark();
    return absl::InvalidArgumentError(absl::StrCat(source_, ":", mark.line + 1, ":",
                                                   mark.column + 1, ": ", std::string(key), ": ",
                                                   std::string(message)));
  }

  // The map's entries by key; an error for a non-map, an unknown or a
  // repeated key.
  absl::StatusOr<std::map<std::string, YAML::Node>> Fields(const YAML::Node& node,
                                                           std::string_view path,
                                                           const std::vector<std::string>& allowed) {
    if (!node.IsMap()) return Error(node, path, "must be a map");
    std::map<std::string, YAML::Node> fields;
    for (const auto& item : node) {
      const std::string key = item.first.Scalar();
      const std::string key_path = path.empty() ? key : absl::StrCat(std::string(path), ".", key);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Error(item.first, key_path,
                     absl::StrCat("unknown key (allowed: ", absl::StrJoin(allowed, ", "), ")"));
      }
      if (!fields.emplace(key, item.second).second) {
        return Error(item.first, key_path, "repeated key");
      }
    }
    return fields;
  }

  absl::StatusOr<std::string> String(const YAML::Node& node, std::string_view path) const {
    if (!node.IsScalar()) return Error(node, path, "must be a string");
    return node.Scalar();
  }

  absl::StatusOr<std::string> Required(const std::map<std::string, YAML::Node>& fields,
                                       const YAML::Node& parent, std::string_view path,
                                       const std::string& key) const {
    const std::string key_path = path.empty() ? key : absl::StrCat(std::string(path), ".", key);
    auto it = fields.find(key);
    if (it == fields.end()) return Error(parent, key_path, "missing (required)");
    absl::StatusOr<std::string> value = String(it->second, key_path);
    if (value.ok() && value->empty()) return Error(it->second, key_path, "must not be empty");
    return value;
  }

  template <typename Enum>
  absl::StatusOr<Enum> EnumValue(const YAML::Node& node, std::string_view path,
                                 const EnumTable<Enum>& table) const {
    absl::StatusOr<std::string> text = String(node, path);
    if (!text.ok()) return text.status();
    std::vector<std::string> names;
    for (const auto& [name, value] : table) {
      if (name == *text) return value;
      names.push_back(name);
    }
    return Error(node, path, absl::StrCat("unknown value (allowed: ", absl::StrJoin(names, ", "),
                                          ")"));
  }

  absl::StatusOr<std::string> ReadReferenced(const YAML::Node& node, std::string_view path) const {
    absl::StatusOr<std::string> file = String(node, path);
    if (!file.ok()) return file.status();
    absl::StatusOr<std::string> text = read_file_(*file);
    if (!text.ok()) {
      return Error(node, path, absl::StrCat("cannot read the file: ", text.status().message()));
    }
    return text;
  }

  absl::StatusOr<v1::JobSpec> Parse(const YAML::Node& root);

 private:
  absl::Status ParseParty(const YAML::Node& node, std::string_view path, v1::Party& party);
  absl::Status ParseAnalystKey(const YAML::Node& node, v1::AnalystKey& key);
  absl::Status ParseMatch(const YAML::Node& node, v1::MatchParameters& match);

  std::string source_;
  const SpecFileReader& read_file_;
};

absl::Status SpecParser::ParseParty(const YAML::Node& node, std::string_view path,
                                    v1::Party& party) {
  absl::StatusOr<std::map<std::string, YAML::Node>> fields =
      Fields(node, path, {"agency", "columns", "cohort"});
  if (!fields.ok()) return fields.status();
  absl::StatusOr<std::string> agency = Required(*fields, node, path, "agency");
  if (!agency.ok()) return agency.status();
  party.set_agency(*agency);
  if (auto it = fields->find("columns"); it != fields->end()) {
    const std::string columns_path = absl::StrCat(std::string(path), ".columns");
    if (!it->second.IsSequence()) return Error(it->second, columns_path, "must be a list");
    std::set<std::string> seen;
    for (size_t i = 0; i < it->second.size(); ++i) {
      const std::string column_path = absl::StrCat(columns_path, "[", i, "]");
      absl::StatusOr<std::string> column = String(it->second[i], column_path);
      if (!column.ok()) return column.status();
      if (!seen.insert(*column).second) {
        return Error(it->second[i], column_path, "column requested twice");
      }
      party.add_columns(*column);
    }
  }
  if (auto it = fields->find("cohort"); it != fields->end()) {
    const std::string cohort_path = absl::StrCat(std::string(path), ".cohort");
    if (!it->second.IsSequence()) {
      return Error(it->second, cohort_path, "must be a list of conditions (all must hold)");
    }
    for (size_t i = 0; i < it->second.size(); ++i) {
      const YAML::Node condition_node = it->second[i];
      const std::string condition_path = absl::StrCat(cohort_path, "[", i, "]");
      absl::StatusOr<std::map<std::string, YAML::Node>> condition_fields =
          Fields(condition_node, condition_path, {"column", "comparison", "compare_as", "values"});
      if (!condition_fields.ok()) return condition_fields.status();
      v1::CohortCondition& condition = *party.mutable_cohort()->add_all_of();
      absl::StatusOr<std::string> column =
          Required(*condition_fields, condition_node, condition_path, "column");
      if (!column.ok()) return column.status();
      condition.set_column(*column);
      for (const char* key : {"comparison", "compare_as"}) {
        if (!condition_fields->contains(key)) {
          return Error(condition_node, absl::StrCat(condition_path, ".", key),
                       "missing (required)");
        }
      }
      absl::StatusOr<v1::Comparison> comparison =
          EnumValue(condition_fields->at("comparison"),
                    absl::StrCat(condition_path, ".comparison"), Comparisons());
      if (!comparison.ok()) return comparison.status();
      condition.set_comparison(*comparison);
      absl::StatusOr<v1::ValueType> compare_as = EnumValue(
          condition_fields->at("compare_as"), absl::StrCat(condition_path, ".compare_as"),
          ValueTypes());
      if (!compare_as.ok()) return compare_as.status();
      condition.set_compare_as(*compare_as);
      if (auto values = condition_fields->find("values"); values != condition_fields->end()) {
        const std::string values_path = absl::StrCat(condition_path, ".values");
        if (!values->second.IsSequence()) return Error(values->second, values_path, "must be a list");
        for (size_t v = 0; v < values->second.size(); ++v) {
          absl::StatusOr<std::string> value =
              String(values->second[v], absl::StrCat(values_path, "[", v, "]"));
          if (!value.ok()) return value.status();
          condition.add_values(*value);
        }
      }
      const int count = condition.values_size();
      const bool none = *comparison == v1::COMPARISON_PRESENT || *comparison == v1::COMPARISON_ABSENT;
      const bool many = *comparison == v1::COMPARISON_IN || *comparison == v1::COMPARISON_NOT_IN;
      if (none ? count != 0 : (many ? count < 1 : count != 1)) {
        return Error(condition_node, absl::StrCat(condition_path, ".values"),
                     none ? "present/absent take no values"
                          : (many ? "in/not_in need one or more values"
                                  : "this comparison needs exactly one value"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status SpecParser::ParseAnalystKey(const YAML::Node& node, v1::AnalystKey& key) {
  absl::StatusOr<std::map<std::string, YAML::Node>> fields =
      Fields(node, "analyst_key", {"public_key", "aead", "label"});
  if (!fields.ok()) return fields.status();
  auto file = fields->find("public_key");
  if (file == fields->end()) return Error(node, "analyst_key.public_key", "missing (required)");
  absl::StatusOr<std::string> pem = ReadReferenced(file->second, "analyst_key.public_key");
  if (!pem.ok()) return pem.status();
  absl::StatusOr<crypto::X25519PublicKey> public_key = crypto::X25519PublicKey::FromPem(*pem);
  if (!public_key.ok()) {
    return Error(file->second, "analyst_key.public_key",
                 "the file holds no X25519 PUBLIC KEY (PEM); `fedlink keys init` writes one");
  }
  key.set_x25519_public_key(std::string(public_key->bytes().begin(), public_key->bytes().end()));
  key.set_aead(v1::HPKE_AEAD_AES_128_GCM);
  if (auto aead = fields->find("aead"); aead != fields->end()) {
    absl::StatusOr<v1::HpkeAead> value = EnumValue(aead->second, "analyst_key.aead", Aeads());
    if (!value.ok()) return value.status();
    key.set_aead(*value);
  }
  if (auto label = fields->find("label"); label != fields->end()) {
    absl::StatusOr<std::string> value = String(label->second, "analyst_key.label");
    if (!value.ok()) return value.status();
    key.set_key_label(*value);
  }
  return absl::OkStatus();
}

absl::Status SpecParser::ParseMatch(const YAML::Node& node, v1::MatchParameters& match) {
  absl::StatusOr<std::map<std::string, YAML::Node>> fields =
      Fields(node, "match", {"min_shared_tokens", "bloom_threshold"});
  if (!fields.ok()) return fields.status();
  if (auto it = fields->find("min_shared_tokens"); it != fields->end()) {
    uint32_t value = 0;
    if (!it->second.IsScalar() || !absl::SimpleAtoi(it->second.Scalar(), &value) || value > 64) {
      return Error(it->second, "match.min_shared_tokens", "must be a whole number 0..64");
    }
    match.set_min_shared_tokens(value);
  }
  if (auto it = fields->find("bloom_threshold"); it != fields->end()) {
    double value = 0;
    if (!it->second.IsScalar() || !absl::SimpleAtod(it->second.Scalar(), &value) ||
        !std::isfinite(value) || value <= 0 || value > 1) {
      return Error(it->second, "match.bloom_threshold", "must be a number in (0, 1]");
    }
    match.set_bloom_threshold(value);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::JobSpec> SpecParser::Parse(const YAML::Node& root) {
  if (root.IsNull()) {
    return absl::InvalidArgumentError(absl::StrCat(source_, ":1:1: the file is empty"));
  }
  absl::StatusOr<std::map<std::string, YAML::Node>> fields = Fields(
      root, "", {"title", "purpose", "irb_reference", "data_sharing_agreement", "expires_at",
                 "method", "output", "linkage_schema", "match", "aggregate", "analyst_key",
                 "parties"});
  if (!fields.ok()) return fields.status();
  for (const char* key : {"expires_at", "method", "output", "linkage_schema", "parties"}) {
    if (!fields->contains(key)) return Error(root, key, "missing (required)");
  }
  v1::JobSpec spec;
  std::string* const texts[] = {spec.mutable_title(), spec.mutable_purpose(),
                                spec.mutable_irb_reference(),
                                spec.mutable_data_sharing_agreement()};
  const char* const text_keys[] = {"title", "purpose", "irb_reference", "data_sharing_agreement"};
  for (size_t i = 0; i < 4; ++i) {
    absl::StatusOr<std::string> value = Required(*fields, root, "", text_keys[i]);
    if (!value.ok()) return value.status();
    *texts[i] = *std::move(value);
  }

  const YAML::Node& expires = fields->at("expires_at");
  absl::StatusOr<std::string> expires_text = String(expires, "expires_at");
  if (!expires_text.ok()) return expires_text.status();
  absl::Time expires_at;
  std::string time_error;
  if (!absl::ParseTime(absl::RFC3339_full, *expires_text, &expires_at, &time_error)) {
    return Error(expires, "expires_at", "must be an RFC 3339 time, e.g. 2027-03-01T00:00:00Z");
  }
  spec.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(expires_at));

  absl::StatusOr<v1::LinkageMethod> method = EnumValue(fields->at("method"), "method", Methods());
  if (!method.ok()) return method.status();
  spec.set_method(*method);
  absl::StatusOr<v1::OutputMode> output = EnumValue(fields->at("output"), "output", OutputModes());
  if (!output.ok()) return output.status();
  spec.set_output_mode(*output);

  const YAML::Node& schema_node = fields->at("linkage_schema");
  absl::StatusOr<std::string> schema_text = ReadReferenced(schema_node, "linkage_schema");
  if (!schema_text.ok()) return schema_text.status();
  absl::StatusOr<schema::LinkageSchema> schema =
      schema::ParseLinkageSchemaYaml(*schema_text, schema_node.Scalar());
  if (!schema.ok()) {
    return Error(schema_node, "linkage_schema", std::string(schema.status().message()));
  }
  *spec.mutable_linkage_schema() = proto::MakeLinkageSchemaSpec(*schema);

  if (auto it = fields->find("match"); it != fields->end()) {
    absl::Status status = ParseMatch(it->second, *spec.mutable_match());
    if (!status.ok()) return status;
  }
  if (*method != v1::LINKAGE_METHOD_TOKENS && spec.match().bloom_threshold() == 0) {
    return Error(root, "match.bloom_threshold", "required for the bloom methods");
  }
  if (auto it = fields->find("aggregate"); it != fields->end()) {
    if (*output != v1::OUTPUT_MODE_AGGREGATE) {
      return Error(it->second, "aggregate", "only for output: aggregate");
    }
    absl::StatusOr<std::map<std::string, YAML::Node>> aggregate =
        Fields(it->second, "aggregate", {"min_cell_count", "category"});
    if (!aggregate.ok()) return aggregate.status();
    if (auto category = aggregate->find("category"); category != aggregate->end()) {
      absl::StatusOr<std::map<std::string, YAML::Node>> named =
          Fields(category->second, "aggregate.category", {"agency", "column"});
      if (!named.ok()) return named.status();
      absl::StatusOr<std::string> agency =
          Required(*named, category->second, "aggregate.category", "agency");
      if (!agency.ok()) return agency.status();
      absl::StatusOr<std::string> column =
          Required(*named, category->second, "aggregate.category", "column");
      if (!column.ok()) return column.status();
      spec.mutable_aggregate()->mutable_category()->set_agency(*agency);
      spec.mutable_aggregate()->mutable_category()->set_column(*column);
    }
    if (auto count = aggregate->find("min_cell_count"); count != aggregate->end()) {
      uint32_t value = 0;
      if (!count->second.IsScalar() || !absl::SimpleAtoi(count->second.Scalar(), &value) ||
          value > 1000000) {
        return Error(count->second, "aggregate.min_cell_count", "must be a whole number 0..1000000");
      }
      spec.mutable_aggregate()->set_min_cell_count(value);
    }
  }
  if (auto it = fields->find("analyst_key"); it != fields->end()) {
    absl::Status status = ParseAnalystKey(it->second, *spec.mutable_analyst_key());
    if (!status.ok()) return status;
  } else if (*output == v1::OUTPUT_MODE_LINKED_MICRODATA) {
    return Error(root, "analyst_key", "required for output: linked_microdata");
  } else if (spec.aggregate().has_category()) {
    return Error(root, "analyst_key", "required for a breakdown by category (aggregate.category)");
  }

  const YAML::Node& parties = fields->at("parties");
  if (!parties.IsSequence() || parties.size() < 2 || parties.size() > 32) {
    return Error(parties, "parties", "must be a list of 2..32 parties");
  }
  std::set<std::string> agencies;
  for (size_t i = 0; i < parties.size(); ++i) {
    const std::string path = absl::StrCat("parties[", i, "]");
    v1::Party& party = *spec.add_parties();
    absl::Status status = ParseParty(parties[i], path, party);
    if (!status.ok()) return status;
    if (!agencies.insert(party.agency()).second) {
      return Error(parties[i], absl::StrCat(path, ".agency"), "agency listed twice");
    }
  }
  return spec;
}

}  // namespace

absl::StatusOr<v1::JobSpec> ParseJobSpecYaml(std::string_view yaml, std::string_view source_name,
                                             const SpecFileReader& read_file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source_name), ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1, ": ", e.msg));
  }
  SpecParser parser(source_name, read_file);
  try {
    return parser.Parse(root);
  } catch (const YAML::Exception& e) {  // defensive: yaml-cpp throws on odd nodes
    return absl::InvalidArgumentError(absl::StrCat(std::string(source_name), ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<v1::JobSpec> LoadJobSpecYaml(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  return ParseJobSpecYaml(*text, path, [&folder](const std::string& file) {
    const std::filesystem::path target(file);
    return ReadWholeFile(target.is_absolute() || folder.empty() ? file : (folder / target).string());
  });
}

std::string DescribeJobSpec(const v1::JobSpec& spec) {
  std::string text = absl::StrCat(
      "title: ", spec.title(), "\nexpires_at: ",
      absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(spec.expires_at().seconds()),
                       absl::UTCTimeZone()),
      "\nmethod: ", v1::LinkageMethod_Name(spec.method()),
      "\noutput: ", v1::OutputMode_Name(spec.output_mode()),
      "\nschema fingerprint: ", absl::BytesToHexString(spec.linkage_schema().fingerprint()), "\n");
  for (const v1::Party& party : spec.parties()) {
    absl::StrAppend(&text, "party ", party.agency(), ": ", party.columns_size(), " columns (",
                    absl::StrJoin(party.columns(), ", "), "), ", party.cohort().all_of_size(),
                    " cohort conditions\n");
  }
  if (spec.aggregate().has_category()) {
    absl::StrAppend(&text, "broken down by: ", spec.aggregate().category().column(), " of ",
                    spec.aggregate().category().agency(), "\n");
  }
  if (spec.has_analyst_key()) {
    absl::StrAppend(&text, "analyst key: ", v1::HpkeAead_Name(spec.analyst_key().aead()), "\n");
  }
  return text;
}

}  // namespace fedlink::cli
