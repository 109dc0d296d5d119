#include "proto/runtime/limits.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <openssl/crypto.h>

#include "absl/container/flat_hash_set.h"
#include "linkage/crypto/sha256.h"

namespace fedlink::proto {
namespace {

std::string Root(std::string_view path, const google::protobuf::Message& message) {
  return path.empty() ? message.GetDescriptor()->name() : std::string(path);
}

absl::Status Problem(absl::string_view root, absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(root, field, ": ", what));
}

bool EqualDigest(std::string_view a, const crypto::Sha256Digest& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), b.size()) == 0;
}

absl::Status CheckTokenColumns(const v1::EncodingBatch& b, absl::string_view p) {
  const uint64_t n = b.record_count();
  if (static_cast<uint64_t>(b.token_counts_size()) != n) {
    return Problem(p, ".token_counts",
                   absl::StrCat(b.token_counts_size(), " entries for ", n, " records"));
  }
  uint64_t sum = 0;
  for (uint32_t count : b.token_counts()) sum += count;
  if (sum != static_cast<uint64_t>(b.token_recipe_ids_size())) {
    return Problem(
        p, ".token_recipe_ids",
        absl::StrCat(b.token_recipe_ids_size(), " entries but token_counts sum to ", sum));
  }
  if (b.tokens().size() != kTokenBytes * static_cast<uint64_t>(b.token_recipe_ids_size())) {
    return Problem(p, ".tokens",
                   absl::StrCat(b.tokens().size(), " bytes, expected ", kTokenBytes, " per token (",
                                b.token_recipe_ids_size(), " tokens)"));
  }
  return absl::OkStatus();
}

// `bytes` must hold `filters` filters of `bits` bits each.
absl::Status CheckFilterBytes(uint64_t filters, uint32_t bits, size_t bytes, absl::string_view p,
                              absl::string_view bits_field, absl::string_view bytes_field) {
  if (bits == 0) return Problem(p, bits_field, "required when filters are present");
  if (bits % 64 != 0) return Problem(p, bits_field, "not a multiple of 64");
  const uint64_t expected = filters * (bits / 8);
  if (bytes != expected) {
    return Problem(p, bytes_field,
                   absl::StrCat(bytes, " bytes, expected ", expected, " (", filters, " filters of ",
                                bits, " bits)"));
  }
  return absl::OkStatus();
}

absl::Status CheckJobSpecRules(const v1::JobSpec& spec, absl::string_view p) {
  if (static_cast<size_t>(spec.parties_size()) < kMinParties) {
    return Problem(
        p, ".parties",
        absl::StrCat(spec.parties_size(), " parties; a job needs at least ", kMinParties));
  }
  absl::flat_hash_set<std::string_view> agencies;
  for (int i = 0; i < spec.parties_size(); ++i) {
    const v1::Party& party = spec.parties(i);
    const std::string at = absl::StrCat(p, ".parties[", i, "]");
    if (!agencies.insert(party.agency()).second) return Problem(at, ".agency", "listed twice");
    absl::flat_hash_set<std::string_view> columns;
    for (int j = 0; j < party.columns_size(); ++j) {
      if (!columns.insert(party.columns(j)).second) {
        return Problem(at, absl::StrCat(".columns[", j, "]"), "listed twice");
      }
    }
    for (int j = 0; j < party.cohort().all_of_size(); ++j) {
      const v1::CohortCondition& condition = party.cohort().all_of(j);
      const int values = condition.values_size();
      bool ok = true;
      absl::string_view expected;
      switch (condition.comparison()) {
        case v1::COMPARISON_IN:
        case v1::COMPARISON_NOT_IN:
          ok = values >= 1;
          expected = "at least one value";
          break;
        case v1::COMPARISON_PRESENT:
        case v1::COMPARISON_ABSENT:
          ok = values == 0;
          expected = "no value";
          break;
        default:
          ok = values == 1;
          expected = "exactly one value";
          break;
      }
      if (!ok) {
        return Problem(at, absl::StrCat(".cohort.all_of[", j, "].values"),
                       absl::StrCat(values, " values; the comparison takes ", expected));
      }
    }
  }

  const v1::LinkageSchema& schema = spec.linkage_schema().schema();
  const bool bloom = spec.method() == v1::LINKAGE_METHOD_BLOOM ||
                     spec.method() == v1::LINKAGE_METHOD_TOKENS_AND_BLOOM;
  const bool tokens = spec.method() == v1::LINKAGE_METHOD_TOKENS ||
                      spec.method() == v1::LINKAGE_METHOD_TOKENS_AND_BLOOM;
  const double threshold = spec.match().bloom_threshold();
  if (!std::isfinite(threshold) || threshold < 0 || threshold > 1) {
    return Problem(p, ".match.bloom_threshold", "must be in [0, 1]");
  }
  if (bloom) {
    if (!schema.has_bloom()) {
      return Problem(p, ".linkage_schema.schema.bloom", "required by the job's Bloom method");
    }
    if (threshold <= 0) {
      return Problem(p, ".match.bloom_threshold", "required in (0, 1] by the job's Bloom method");
    }
  }
  if (tokens && std::none_of(schema.token_recipes().begin(), schema.token_recipes().end(),
                             [](const v1::TokenRecipe& r) { return !r.blocking_only(); })) {
    return Problem(p, ".linkage_schema.schema.token_recipes",
                   "the job's token method needs a recipe that is not blocking_only");
  }

  if (spec.output_mode() == v1::OUTPUT_MODE_LINKED_MICRODATA && !spec.has_analyst_key()) {
    return Problem(p, ".analyst_key", "required for linked microdata");
  }
  if (spec.output_mode() == v1::OUTPUT_MODE_AGGREGATE && spec.aggregate().has_category()) {
    if (!agencies.contains(spec.aggregate().category().agency())) {
      return Problem(p, ".aggregate.category.agency", "not one of the job's parties");
    }
    if (!spec.has_analyst_key()) {
      return Problem(p, ".analyst_key", "required for a breakdown by category");
    }
  }
  const size_t size = spec.ByteSizeLong();
  if (size > kMaxJobSpecBytes) {
    return Problem(
        p, "",
        absl::StrCat("serialised size ", size, " bytes exceeds the limit of ", kMaxJobSpecBytes));
  }
  return absl::OkStatus();
}

// The spec bytes of a DecideJob / EncodeJob match their hash.
absl::Status CheckSpecHash(std::string_view spec, std::string_view sha256, absl::string_view p) {
  if (!EqualDigest(sha256, crypto::Sha256(spec))) {
    return Problem(p, ".job_spec_sha256", "does not match the SHA-256 of job_spec");
  }
  return absl::OkStatus();
}

absl::Status CheckProofRange(uint64_t index, uint64_t size, absl::string_view p,
                             absl::string_view index_field) {
  if (index >= size) return Problem(p, index_field, "must be below tree_size");
  return absl::OkStatus();
}

}  // namespace

void ApplyMessageSizeLimits(grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxGrpcMessageBytes));
  builder.SetMaxSendMessageSize(static_cast<int>(kMaxGrpcMessageBytes));
}

void ApplyMessageSizeLimits(grpc::ChannelArguments& arguments) {
  arguments.SetMaxReceiveMessageSize(static_cast<int>(kMaxGrpcMessageBytes));
  arguments.SetMaxSendMessageSize(static_cast<int>(kMaxGrpcMessageBytes));
}

absl::Status Validate(const google::protobuf::Message& message, std::string_view path) {
  return ValidateMessage(message, path);
}

absl::Status Validate(const v1::EncodingBatch& b, std::string_view path) {
  const std::string p = Root(path, b);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(b, p));
  const uint64_t n = b.record_count();
  if (n == 0 && !b.final_batch())
    return Problem(p, ".record_count", "required outside a final batch");
  if (uint64_t{b.first_pseudonym()} + n > (uint64_t{1} << 32)) {
    return Problem(p, ".first_pseudonym", "the batch runs past the largest pseudonym");
  }
  const bool has_tokens =
      b.token_counts_size() > 0 || b.token_recipe_ids_size() > 0 || !b.tokens().empty();
  if (has_tokens) FEDLINK_RETURN_IF_ERROR(CheckTokenColumns(b, p));
  const bool has_filters = b.filter_bits() != 0 || !b.filters().empty();
  if (has_filters) {
    FEDLINK_RETURN_IF_ERROR(
        CheckFilterBytes(n, b.filter_bits(), b.filters().size(), p, ".filter_bits", ".filters"));
  }
  if (b.field_filters_per_record() != 0 || b.field_filter_bits() != 0 ||
      !b.field_filters().empty()) {
    if (b.field_filters_per_record() == 0) {
      return Problem(p, ".field_filters_per_record", "required when field filters are present");
    }
    FEDLINK_RETURN_IF_ERROR(CheckFilterBytes(n * b.field_filters_per_record(),
                                             b.field_filter_bits(), b.field_filters().size(), p,
                                             ".field_filter_bits", ".field_filters"));
  }
  if (b.category_codes_size() != 0 && static_cast<uint64_t>(b.category_codes_size()) != n) {
    return Problem(p, ".category_codes",
                   absl::StrCat(b.category_codes_size(), " entries for ", n, " records"));
  }
  if (n > 0 && !has_tokens && !has_filters) {
    return Problem(p, "", absl::StrCat(n, " records but neither tokens nor filters"));
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::AssignmentBatch& b, std::string_view path) {
  const std::string p = Root(path, b);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(b, p));
  const uint64_t expected = kResearchIdBytes * static_cast<uint64_t>(b.pseudonyms_size());
  if (b.research_ids().size() != expected) {
    return Problem(p, ".research_ids",
                   absl::StrCat(b.research_ids().size(), " bytes, expected ", expected, " (",
                                kResearchIdBytes, " per pseudonym)"));
  }
  std::vector<uint32_t> sorted(b.pseudonyms().begin(), b.pseudonyms().end());
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return Problem(p, ".pseudonyms", "a pseudonym is listed twice");
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::JobSpec& spec, std::string_view path) {
  const std::string p = Root(path, spec);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(spec, p));
  return CheckJobSpecRules(spec, p);
}

absl::Status Validate(const v1::SubmitJobRequest& request, std::string_view path) {
  const std::string p = Root(path, request);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(request, p));
  return CheckJobSpecRules(request.spec(), absl::StrCat(p, ".spec"));
}

absl::Status Validate(const v1::WorkItem& item, std::string_view path) {
  const std::string p = Root(path, item);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(item, p));
  if (item.work_case() == v1::WorkItem::WORK_NOT_SET) return Problem(p, ".work", "required");
  if (item.work_case() != v1::WorkItem::kWelcome && item.job_id().empty()) {
    return Problem(p, ".job_id", "required");
  }
  if (item.has_decide()) {
    return CheckSpecHash(item.decide().job_spec(), item.decide().job_spec_sha256(),
                         absl::StrCat(p, ".decide"));
  }
  if (item.has_encode()) {
    const v1::EncodeJob& encode = item.encode();
    const std::string at = absl::StrCat(p, ".encode");
    FEDLINK_RETURN_IF_ERROR(CheckSpecHash(encode.job_spec(), encode.job_spec_sha256(), at));
    for (int i = 0; i < encode.approvals_size(); ++i) {
      const v1::SignedDecision& approval = encode.approvals(i);
      const std::string field = absl::StrCat(".approvals[", i, "]");
      if (approval.verdict() != v1::VERDICT_APPROVE) {
        return Problem(at, field, "is not an approval");
      }
      if (approval.job_id() != item.job_id() ||
          approval.job_spec_sha256() != encode.job_spec_sha256()) {
        return Problem(at, field, "is for another job or job spec");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::ReleasedRows& rows, std::string_view path) {
  const std::string p = Root(path, rows);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(rows, p));
  absl::flat_hash_set<std::string_view> columns;
  for (int j = 0; j < rows.columns_size(); ++j) {
    if (!columns.insert(rows.columns(j)).second) {
      return Problem(p, absl::StrCat(".columns[", j, "]"), "listed twice");
    }
  }
  for (int i = 0; i < rows.rows_size(); ++i) {
    if (rows.rows(i).values_size() != rows.columns_size()) {
      return Problem(p, absl::StrCat(".rows[", i, "].values"),
                     absl::StrCat(rows.rows(i).values_size(), " values for ", rows.columns_size(),
                                  " columns"));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::InclusionProof& proof, std::string_view path) {
  const std::string p = Root(path, proof);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(proof, p));
  return CheckProofRange(proof.leaf_index(), proof.tree_size(), p, ".leaf_index");
}

absl::Status Validate(const v1::ConsistencyProof& proof, std::string_view path) {
  const std::string p = Root(path, proof);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(proof, p));
  if (proof.first_size() > proof.second_size()) {
    return Problem(p, ".first_size", "must not exceed second_size");
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::GetInclusionProofRequest& request, std::string_view path) {
  const std::string p = Root(path, request);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(request, p));
  return CheckProofRange(request.leaf_index(), request.tree_size(), p, ".leaf_index");
}

absl::Status Validate(const v1::GetConsistencyProofRequest& request, std::string_view path) {
  const std::string p = Root(path, request);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(request, p));
  if (request.first_size() > request.second_size()) {
    return Problem(p, ".first_size", "must not exceed second_size");
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::ListAuditEntriesRequest& request, std::string_view path) {
  const std::string p = Root(path, request);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(request, p));
  if (request.to_index() != 0 && request.from_index() > request.to_index()) {
    return Problem(p, ".from_index", "must not exceed to_index");
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::IngestRequest& request, std::string_view path) {
  const std::string p = Root(path, request);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(request, p));
  if (request.part_case() == v1::IngestRequest::PART_NOT_SET)
    return Problem(p, ".part", "required");
  return absl::OkStatus();
}

absl::Status Validate(const v1::ResultsItem& item, std::string_view path) {
  const std::string p = Root(path, item);
  FEDLINK_RETURN_IF_ERROR(ValidateMessage(item, p));
  if (item.item_case() == v1::ResultsItem::ITEM_NOT_SET) return Problem(p, ".item", "required");
  return absl::OkStatus();
}

absl::StatusOr<v1::JobSpec> ParseJobSpec(std::string_view job_spec_bytes, std::string_view sha256,
                                         std::string_view path) {
  if (!EqualDigest(sha256, crypto::Sha256(job_spec_bytes))) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(path), ": the job spec does not match its SHA-256"));
  }
  return ParseValidated<v1::JobSpec>(job_spec_bytes, path);
}

}  // namespace fedlink::proto
