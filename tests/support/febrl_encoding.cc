#include "tests/support/febrl_encoding.h"

#include <bit>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/crypto/sha256.h"
#include "linkage/encode/clk_encoder.h"
#include "linkage/encode/record_normalizer.h"
#include "linkage/encode/token_encoder.h"
#include "linkage/status_macros.h"

namespace fedlink::testing {
namespace {

std::optional<std::string_view> Column(const FebrlRecord& r, std::string_view name) {
  if (name == "given_name") return r.given_name;
  if (name == "surname") return r.surname;
  if (name == "street_number") return r.street_number;
  if (name == "address_1") return r.address_1;
  if (name == "address_2") return r.address_2;
  if (name == "suburb") return r.suburb;
  if (name == "postcode") return r.postcode;
  if (name == "state") return r.state;
  if (name == "date_of_birth") return r.date_of_birth;
  return std::nullopt;  // soc_sec_id and rec_id are never encoded
}

}  // namespace

absl::StatusOr<schema::LinkageSchema> LoadFebrlSchema() {
  const std::string path =
      absl::StrCat(FEDLINK_SOURCE_DIR, "/deploy/examples/febrl-linkage-schema.yaml");
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  return schema::ParseLinkageSchemaYaml(text.str(), path);
}

absl::StatusOr<crypto::JobKeys> TestJobKeys(std::string_view job_label) {
  const crypto::Sha256Digest secret = crypto::Sha256(std::string_view("test secret"));
  const crypto::Sha256Digest nonce = crypto::Sha256(job_label);
  return crypto::DeriveJobKeys(crypto::SecretBytes(secret), nonce);
}

absl::StatusOr<EncodedFebrl> EncodeFebrl(std::string_view file_name,
                                         const schema::LinkageSchema& schema,
                                         const crypto::JobKeys& keys) {
  FEDLINK_ASSIGN_OR_RETURN(std::vector<FebrlRecord> records, LoadFebrl(FebrlPath(file_name)));
  return EncodeFebrlRecords(std::move(records), schema, keys);
}

absl::StatusOr<EncodedFebrl> EncodeFebrlRecords(std::vector<FebrlRecord> records,
                                                const schema::LinkageSchema& schema,
                                                const crypto::JobKeys& keys) {
  EncodedFebrl out;
  out.records = std::move(records);
  normalize::DateOptions dates;
  dates.formats = {"%Y%m%d"};
  FEDLINK_ASSIGN_OR_RETURN(encode::RecordNormalizer normalizer,
                           encode::RecordNormalizer::Create(schema, dates));
  FEDLINK_ASSIGN_OR_RETURN(encode::TokenEncoder tokens,
                           encode::TokenEncoder::Create(schema, keys.token_key));
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<encode::ClkEncoder> clk,
                           encode::ClkEncoder::Create(schema, keys.bloom_key));

  std::vector<std::optional<std::string_view>> raw(schema.fields.size());
  encode::NormalizedRecord normalized;
  std::vector<encode::FieldReport> report;
  out.tokens.resize(out.records.size());
  out.filters.resize(out.records.size());
  for (size_t i = 0; i < out.records.size(); ++i) {
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      raw[f] = Column(out.records[i], schema.fields[f].name);
    }
    FEDLINK_RETURN_IF_ERROR(normalizer.Normalize(raw, &normalized, &report));
    for (const encode::FieldReport& field : report) {
      if (field.outcome == encode::FieldOutcome::kInvalid) ++out.invalid_values;
    }
    FEDLINK_RETURN_IF_ERROR(tokens.Encode(normalized, &out.tokens[i]));
    FEDLINK_RETURN_IF_ERROR(clk->Encode(normalized, &out.filters[i]));
  }
  return out;
}

double DiceReference(const encode::BloomFilter& a, const encode::BloomFilter& b) {
  size_t common = 0, total = 0;
  for (size_t w = 0; w < a.words.size(); ++w) {
    common += std::popcount(a.words[w] & b.words[w]);
    total += std::popcount(a.words[w]) + std::popcount(b.words[w]);
  }
  return total == 0 ? 0.0 : 2.0 * static_cast<double>(common) / static_cast<double>(total);
}

}  // namespace fedlink::testing
