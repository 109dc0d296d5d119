#include "agent/encoding/job_encoder.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/encoding/batch_plan.h"
#include "linkage/crypto/aes_ctr_rng.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/crypto/sha256.h"
#include "linkage/match/parallel.h"
#include "linkage/status_macros.h"
#include "linkage/thread_name.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/linkage_schema_proto.h"

namespace fedlink::agent::encoding {
namespace {

// Stored identifiers were normalised at ingest, dates to YYYYMMDD; they are
// normalised again under the job schema's field kinds (the normalisers are
// idempotent), so that every agency encodes exactly what the schema says
// whatever its ingest did. Any year ingest accepted is accepted here.
normalize::DateOptions StoredDateOptions() {
  normalize::DateOptions options;
  options.formats = {"%Y%m%d"};
  options.min_year = 1;
  options.max_year = 9999;
  return options;
}

// Appends the filter's words to `out` as little-endian 64-bit words (the
// wire layout of EncodingBatch.filters).
void StoreWords(const encode::BloomFilter& filter, char* out) {
  if (filter.words.empty()) return;  // memcpy may not take a null source
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, filter.words.data(), filter.words.size() * 8);
  } else {
    for (uint64_t word : filter.words) {
      for (int b = 0; b < 8; ++b) *out++ = static_cast<char>(word >> (8 * b));
    }
  }
}

// Calls task(worker, i) once for every i in [0, tasks) on up to `threads`
// threads, worker being the index (< threads) of the thread running it, so
// that each thread uses its own encoders. Tasks are claimed one at a time.
template <typename Task>
void RunTasks(int threads, size_t tasks, Task task) {
  const size_t workers =
      std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), tasks);
  std::atomic<size_t> next{0};
  auto work = [&](size_t worker) {
    for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < tasks;
         i = next.fetch_add(1, std::memory_order_relaxed)) {
      task(worker, i);
    }
  };
  std::vector<std::jthread> helpers;
  helpers.reserve(workers > 0 ? workers - 1 : 0);
  for (size_t w = 1; w < workers; ++w) {
    helpers.emplace_back([&work, w] {
      NameCurrentThread("encode-worker");
      work(w);
    });
  }
  work(0);
}  // helpers join here

bool HasAnyField(const StoredRecord& record,
                 const schema::LinkageSchema& schema) {
  for (const schema::FieldSpec& field : schema.fields) {
    const SensitiveString* value = record.FindIdentifier(field.name);
    if (value != nullptr && !value->empty()) return true;
  }
  return false;
}

}  // namespace

// One thread's encoders and scratch, reused from record to record.
struct JobEncoder::Worker {
  std::optional<encode::TokenEncoder> tokens;
  std::unique_ptr<encode::ClkEncoder> clk;
  std::vector<std::optional<std::string_view>> raw;
  encode::NormalizedRecord normalized;
  std::vector<encode::FieldReport> report;
  std::vector<encode::Token> record_tokens;
  encode::BloomFilter filter;
  std::vector<encode::BloomFilter> field_filters;
};

// A run of at most kRecordsPerUnit records of one batch, and what encoding
// them produced; combined into the batch in unit order.
struct JobEncoder::Unit {
  uint32_t begin = 0;  // offsets in the batch
  uint32_t end = 0;
  std::vector<uint32_t> token_counts;
  std::vector<uint32_t> recipe_ids;
  std::string tokens;
  std::vector<uint64_t> tokens_per_recipe;  // by recipes_ index
  std::vector<uint64_t> invalid_per_field;
  std::vector<uint32_t> category_codes;
  uint64_t records_without_tokens = 0;
  absl::Status status;

  void Reset(size_t recipes, size_t fields) {
    token_counts.clear();
    category_codes.clear();
    recipe_ids.clear();
    tokens.clear();
    tokens_per_recipe.assign(recipes, 0);
    invalid_per_field.assign(fields, 0);
    records_without_tokens = 0;
    status = absl::OkStatus();
  }
};

JobEncoder::~JobEncoder() = default;

absl::StatusOr<std::unique_ptr<JobEncoder>> JobEncoder::Create(
    const EncodeJobParams& params, const crypto::SecretBytes& linkage_secret,
    JobEncoderOptions options) {
  const std::string job = absl::StrCat("job ", params.job_id.substr(0, 64));
  auto invalid = [&](absl::string_view problem) {
    return absl::InvalidArgumentError(absl::StrCat(job, ": ", problem));
  };
  auto encoder = std::unique_ptr<JobEncoder>(new JobEncoder());
  encoder->params_ = params;

  // The schema: exactly the one the job was approved with.
  FEDLINK_ASSIGN_OR_RETURN(encoder->schema_,
                           proto::LinkageSchemaFromProto(
                               params.linkage_schema.schema(),
                               absl::StrCat(job, ": linkage_schema.schema")));
  encoder->fingerprint_ = schema::Fingerprint(encoder->schema_);
  const std::string& expected = params.linkage_schema.fingerprint();
  if (expected.size() != encoder->fingerprint_.size() ||
      !std::equal(encoder->fingerprint_.begin(), encoder->fingerprint_.end(),
                  reinterpret_cast<const uint8_t*>(expected.data()))) {
    return absl::FailedPreconditionError(absl::StrCat(
        job, ": linkage schema fingerprint mismatch: the job expects ",
        crypto::ToHex(absl::MakeConstSpan(
            reinterpret_cast<const uint8_t*>(expected.data()),
            expected.size())),
        ", the schema received has ", crypto::ToHex(encoder->fingerprint_),
        "; refusing to encode with a schema the job was not approved with"));
  }
  if (absl::Status valid = schema::ValidateSchema(encoder->schema_);
      !valid.ok()) {
    return invalid(absl::StrCat("linkage_schema.schema: ", valid.message()));
  }
  const schema::LinkageSchema& schema = encoder->schema_;

  // The method decides what is sent.
  switch (params.method) {
    case v1::LINKAGE_METHOD_TOKENS:
      encoder->send_tokens_ = true;
      break;
    case v1::LINKAGE_METHOD_BLOOM:
      encoder->send_filters_ = true;
      break;
    case v1::LINKAGE_METHOD_TOKENS_AND_BLOOM:
      encoder->send_tokens_ = encoder->send_filters_ = true;
      break;
    default:
      return invalid(absl::StrCat("linkage method ",
                                  static_cast<int>(params.method),
                                  " is unspecified or unknown"));
  }
  if (encoder->send_filters_ && !schema.bloom.has_value()) {
    return invalid(
        "the job's method uses Bloom filters but its schema has no bloom "
        "section");
  }
  encoder->send_field_filters_ =
      encoder->send_filters_ && schema.bloom->field_level;
  for (const schema::TokenRecipe& recipe : schema.token_recipes) {
    RecipeInfo info;
    info.id = recipe.id;
    info.name = recipe.name;
    // Under TOKENS alone a blocking-only token can never link anything.
    info.sent = encoder->send_tokens_ &&
                !(recipe.blocking_only && !encoder->send_filters_);
    encoder->recipe_index_[recipe.id] = encoder->recipes_.size();
    encoder->recipes_.push_back(std::move(info));
  }
  const size_t sent_recipes = static_cast<size_t>(
      std::count_if(encoder->recipes_.begin(), encoder->recipes_.end(),
                    [](const RecipeInfo& r) { return r.sent; }));
  if (params.method == v1::LINKAGE_METHOD_TOKENS && sent_recipes == 0) {
    return invalid(
        "the job's token method needs a recipe that is not blocking_only");
  }

  // Options.
  if (options.threads < 0) return invalid("threads must be >= 0");
  if (options.max_records_per_batch == 0) {
    return invalid("max_records_per_batch must be at least 1");
  }
  encoder->threads_ = match::ResolveThreadCount(options.threads);
  if (options.randomness.has_value()) {
    if (options.randomness->size() != kRandomnessKeyBytes) {
      return invalid(absl::StrCat("randomness key of ",
                                  options.randomness->size(),
                                  " bytes, expected ", kRandomnessKeyBytes));
    }
    encoder->randomness_ = std::move(*options.randomness);
  } else {
    FEDLINK_ASSIGN_OR_RETURN(encoder->randomness_,
                             crypto::SecretBytes::Random(kRandomnessKeyBytes));
  }

  // The category column: one of this agency's attribute columns.
  if (!params.category_column.empty() &&
      options.known_attribute_columns.has_value() &&
      !options.known_attribute_columns->contains(params.category_column)) {
    return absl::FailedPreconditionError(
        absl::StrCat(job, ": the category column ", params.category_column,
                     " is not an attribute column of this agency"));
  }

  // The cohort filter.
  absl::StatusOr<CohortFilter> filter = CohortFilter::Compile(
      params.cohort, options.known_attribute_columns.has_value()
                         ? &*options.known_attribute_columns
                         : nullptr);
  if (!filter.ok()) {
    return absl::Status(filter.status().code(),
                        absl::StrCat(job, ": ", filter.status().message()));
  }
  encoder->filter_.emplace(*std::move(filter));

  FEDLINK_ASSIGN_OR_RETURN(
      encoder->normalizer_,
      encode::RecordNormalizer::Create(schema, StoredDateOptions()));

  // Keys, and the encoders that keep them.
  if (params.job_nonce.size() != proto::kJobNonceBytes) {
    return invalid(absl::StrCat("job nonce of ", params.job_nonce.size(),
                                " bytes, expected ", proto::kJobNonceBytes));
  }
  if (linkage_secret.size() != crypto::kLinkageSecretBytes) {
    return invalid(absl::StrCat("linkage secret of ", linkage_secret.size(),
                                " bytes, expected ",
                                crypto::kLinkageSecretBytes));
  }
  FEDLINK_ASSIGN_OR_RETURN(
      crypto::JobKeys keys,
      crypto::DeriveJobKeys(
          linkage_secret, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(
                                                  params.job_nonce.data()),
                                              params.job_nonce.size())));
  BatchShape shape;
  if (encoder->send_tokens_) {
    FEDLINK_ASSIGN_OR_RETURN(
        encoder->tokens_, encode::TokenEncoder::Create(schema, keys.token_key));
    shape.max_tokens_per_record = sent_recipes;
  }
  if (encoder->send_filters_) {
    FEDLINK_ASSIGN_OR_RETURN(
        encoder->clk_, encode::ClkEncoder::Create(schema, keys.bloom_key));
    shape.filter_bits = encoder->clk_->clk_bits();
    if (encoder->send_field_filters_) {
      shape.field_filters_per_record =
          static_cast<uint32_t>(encoder->clk_->field_count());
      shape.field_filter_bits = encoder->clk_->field_filter_bits();
    }
  }
  encoder->records_per_batch_ = RecordsPerBatch(
      shape, options.max_records_per_batch, options.target_batch_bytes);

  // The batch header must pass the contract before any work is done.
  v1::EncodingBatch header;
  header.set_job_id(params.job_id);
  header.set_agency(params.agency);
  header.set_schema_fingerprint(encoder->fingerprint_.data(),
                                encoder->fingerprint_.size());
  header.set_final_batch(true);
  if (absl::Status valid = proto::Validate(header); !valid.ok()) {
    return invalid(valid.message());
  }
  return encoder;
}

uint64_t JobEncoder::batch_count(uint64_t cohort_size) const {
  return BatchCount(cohort_size, records_per_batch_);
}

absl::StatusOr<CohortSelection> JobEncoder::SelectCohort(
    const RecordSource& source) const {
  CohortSelection selection;
  selection.excluded_by_condition.assign(filter_->condition_count(), 0);
  PseudonymMapBuilder builder;
  std::optional<CategoryCollector> categories;
  if (!params_.category_column.empty()) {
    categories.emplace(params_.category_column);
  }
  FEDLINK_RETURN_IF_ERROR(source.ForEach([&](const StoredRecord& record) {
    ++selection.records_scanned;
    if (const std::optional<size_t> unmet =
            filter_->FirstUnmetCondition(record)) {
      ++selection.excluded_by_condition[*unmet];
      return absl::OkStatus();
    }
    if (!HasAnyField(record, schema_)) {
      ++selection.excluded_without_identifiers;
      return absl::OkStatus();
    }
    if (categories.has_value()) {
      absl::Status added =
          categories->Add(record.FindAttribute(params_.category_column));
      if (!added.ok()) return added;
    }
    return builder.Add(record.local_id.Expose());
  }));
  if (categories.has_value()) {
    FEDLINK_ASSIGN_OR_RETURN(selection.categories,
                             categories->Assign(randomness_));
  }
  FEDLINK_ASSIGN_OR_RETURN(
      crypto::AesCtrRng rng,
      crypto::AesCtrRng::Create(randomness_, /*stream_id=*/0));
  FEDLINK_ASSIGN_OR_RETURN(selection.pseudonyms, builder.AssignShuffled(rng));
  return selection;
}

absl::StatusOr<std::unique_ptr<JobEncoder::Worker>> JobEncoder::NewWorker()
    const {
  auto worker = std::make_unique<Worker>();
  if (tokens_.has_value()) {
    FEDLINK_ASSIGN_OR_RETURN(worker->tokens, tokens_->Clone());
  }
  if (clk_ != nullptr) {
    FEDLINK_ASSIGN_OR_RETURN(worker->clk, clk_->Clone());
  }
  worker->raw.resize(schema_.fields.size());
  return worker;
}

absl::Status JobEncoder::EncodeUnit(const PseudonymMap& pseudonyms,
                                    const RecordSource& source,
                                    const CategoryCodes* categories,
                                    Worker& worker, Unit& unit,
                                    uint32_t batch_first, char* filters,
                                    char* field_filters) const {
  const uint32_t unit_first = batch_first + unit.begin;
  std::optional<crypto::AesCtrRng> blip;
  if (send_filters_ && schema_.bloom->hardening.blip_flip_probability > 0) {
    FEDLINK_ASSIGN_OR_RETURN(
        blip, crypto::AesCtrRng::Create(randomness_, uint64_t{1} + unit_first));
  }
  const size_t filter_bytes = send_filters_ ? clk_->clk_bits() / 8 : 0;
  const size_t field_bytes =
      send_field_filters_ ? clk_->field_filter_bits() / 8 : 0;
  const size_t fields_per_record =
      send_field_filters_ ? clk_->field_count() : 0;

  // The unit's records in one batched read: pseudonym order is shuffled, so
  // these are random reads, which a batch makes cheaper.
  std::vector<std::string_view> local_ids;
  local_ids.reserve(unit.end - unit.begin);
  for (uint32_t offset = unit.begin; offset < unit.end; ++offset) {
    local_ids.push_back(pseudonyms.ExposeLocalId(batch_first + offset));
  }
  FEDLINK_ASSIGN_OR_RETURN(std::vector<std::optional<StoredRecord>> records,
                           source.GetMany(local_ids));
  if (records.size() != local_ids.size()) {
    return absl::InternalError("the record source answered for other records");
  }
  for (uint32_t offset = unit.begin; offset < unit.end; ++offset) {
    const uint32_t pseudonym = batch_first + offset;
    std::optional<StoredRecord>& record = records[offset - unit.begin];
    if (!record.has_value() || !filter_->Matches(*record)) {
      return absl::AbortedError(absl::StrCat(
          "job ", params_.job_id, ": the record behind pseudonym ", pseudonym,
          record.has_value() ? " no longer meets the cohort filter"
                             : " is no longer in the record store",
          "; the records changed since the cohort was selected, so the "
          "job's encoding must start again"));
    }
    if (categories != nullptr) {
      const std::optional<uint32_t> code = categories->CodeOf(
          record->FindAttribute(params_.category_column));
      if (!code.has_value()) {
        return absl::AbortedError(absl::StrCat(
            "job ", params_.job_id, ": the record behind pseudonym ", pseudonym,
            " has a category value that was not in the cohort when it was "
            "selected; the job's encoding must start again"));
      }
      unit.category_codes.push_back(*code);
    }
    for (size_t f = 0; f < schema_.fields.size(); ++f) {
      const SensitiveString* value =
          record->FindIdentifier(schema_.fields[f].name);
      worker.raw[f] = value == nullptr
                          ? std::nullopt
                          : std::optional<std::string_view>(value->Expose());
    }
    FEDLINK_RETURN_IF_ERROR(
        normalizer_->Normalize(worker.raw, &worker.normalized, &worker.report));
    for (size_t f = 0; f < worker.report.size(); ++f) {
      if (worker.report[f].outcome == encode::FieldOutcome::kInvalid) {
        ++unit.invalid_per_field[f];
      }
    }

    if (send_tokens_) {
      worker.record_tokens.clear();
      FEDLINK_RETURN_IF_ERROR(
          worker.tokens->Encode(worker.normalized, &worker.record_tokens));
      uint32_t count = 0;
      for (const encode::Token& token : worker.record_tokens) {
        const size_t r = recipe_index_.at(token.recipe_id);
        if (!recipes_[r].sent) continue;
        ++count;
        ++unit.tokens_per_recipe[r];
        unit.recipe_ids.push_back(token.recipe_id);
        unit.tokens.append(reinterpret_cast<const char*>(token.bytes.data()),
                           token.bytes.size());
      }
      unit.token_counts.push_back(count);
      if (count == 0) ++unit.records_without_tokens;
    }
    if (send_filters_) {
      if (blip.has_value()) {
        FEDLINK_RETURN_IF_ERROR(
            worker.clk->Encode(worker.normalized, &worker.filter, *blip));
      } else {
        FEDLINK_RETURN_IF_ERROR(
            worker.clk->Encode(worker.normalized, &worker.filter));
      }
      StoreWords(worker.filter, filters + size_t{offset} * filter_bytes);
    }
    if (send_field_filters_) {
      if (blip.has_value()) {
        FEDLINK_RETURN_IF_ERROR(worker.clk->EncodeFieldLevel(
            worker.normalized, &worker.field_filters, *blip));
      } else {
        FEDLINK_RETURN_IF_ERROR(worker.clk->EncodeFieldLevel(
            worker.normalized, &worker.field_filters));
      }
      char* out =
          field_filters + size_t{offset} * fields_per_record * field_bytes;
      for (const encode::BloomFilter& field : worker.field_filters) {
        // A missing field has no words: it stays all zeros on the wire.
        StoreWords(field, out);
        out += field_bytes;
      }
    }
  }
  if (blip.has_value() && !blip->status().ok()) {
    return absl::InternalError(absl::StrCat(
        "job ", params_.job_id,
        ": BLIP noise generator failed: ", blip->status().message()));
  }
  return absl::OkStatus();
}

absl::Status JobEncoder::EncodeCohort(const PseudonymMap& pseudonyms,
                                      const RecordSource& source,
                                      uint64_t first_sequence, BatchSink sink,
                                      EncodingSummary* summary,
                                      const CategoryCodes* categories) const {
  if (params_.category_column.empty() != (categories == nullptr) ||
      (categories != nullptr &&
       categories->column() != params_.category_column)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job ", params_.job_id,
        params_.category_column.empty()
            ? ": category codes given for a job without a breakdown here"
            : absl::StrCat(": the breakdown by ", params_.category_column,
                           " needs that column's category codes")));
  }
  const uint64_t n = pseudonyms.size();
  const uint64_t batches = batch_count(n);
  if (first_sequence > batches) {
    return absl::OutOfRangeError(absl::StrCat(
        "job ", params_.job_id, ": resume at batch ", first_sequence,
        " but the cohort has only ", batches, " batches"));
  }
  EncodingSummary local;
  EncodingSummary& sum = summary != nullptr ? *summary : local;
  sum = EncodingSummary();
  sum.cohort_records = n;
  sum.first_sequence = first_sequence;
  sum.invalid_values_per_field.assign(schema_.fields.size(), 0);
  std::vector<uint64_t> per_recipe(recipes_.size(), 0);

  const size_t units_per_batch =
      (records_per_batch_ + kRecordsPerUnit - 1) / kRecordsPerUnit;
  const int threads = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(threads_), units_per_batch));
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) {
    FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<Worker> worker, NewWorker());
    workers.push_back(std::move(worker));
  }
  std::vector<Unit> units;
  v1::EncodingBatch batch;
  const size_t filter_bytes = send_filters_ ? clk_->clk_bits() / 8 : 0;
  const size_t field_record_bytes =
      send_field_filters_
          ? clk_->field_count() * (clk_->field_filter_bits() / 8)
          : 0;

  for (uint64_t sequence = first_sequence; sequence < batches; ++sequence) {
    const uint64_t first = sequence * records_per_batch_;
    const uint32_t count = static_cast<uint32_t>(
        std::min<uint64_t>(records_per_batch_, n - first));
    batch.Clear();
    batch.set_job_id(params_.job_id);
    batch.set_agency(params_.agency);
    batch.set_schema_fingerprint(fingerprint_.data(), fingerprint_.size());
    batch.set_sequence(sequence);
    batch.set_first_pseudonym(static_cast<uint32_t>(first));
    batch.set_record_count(count);
    batch.set_final_batch(sequence + 1 == batches);
    if (send_filters_) {
      batch.set_filter_bits(clk_->clk_bits());
      batch.mutable_filters()->resize(size_t{count} * filter_bytes);
    }
    if (send_field_filters_) {
      batch.set_field_filters_per_record(
          static_cast<uint32_t>(clk_->field_count()));
      batch.set_field_filter_bits(clk_->field_filter_bits());
      // Zero-filled: a missing field's filter stays all zeros.
      batch.mutable_field_filters()->assign(size_t{count} * field_record_bytes,
                                            '\0');
    }

    const size_t unit_count = (count + kRecordsPerUnit - 1) / kRecordsPerUnit;
    if (units.size() < unit_count) units.resize(unit_count);
    for (size_t u = 0; u < unit_count; ++u) {
      units[u].Reset(recipes_.size(), schema_.fields.size());
      units[u].begin = static_cast<uint32_t>(u * kRecordsPerUnit);
      units[u].end =
          std::min<uint32_t>(units[u].begin + kRecordsPerUnit, count);
    }
    // Taken before the threads start: they write disjoint ranges.
    char* filters = send_filters_ ? batch.mutable_filters()->data() : nullptr;
    char* field_filters =
        send_field_filters_ ? batch.mutable_field_filters()->data() : nullptr;
    std::atomic<bool> failed{false};
    RunTasks(threads, unit_count, [&](size_t worker, size_t u) {
      if (failed.load(std::memory_order_relaxed)) {
        units[u].status = absl::CancelledError("an earlier unit failed");
        return;
      }
      units[u].status = EncodeUnit(pseudonyms, source, categories,
                                   *workers[worker], units[u],
                                   static_cast<uint32_t>(first), filters,
                                   field_filters);
      if (!units[u].status.ok()) failed.store(true, std::memory_order_relaxed);
    });
    // The first real error in unit order (a cancelled unit follows one).
    for (size_t u = 0; u < unit_count; ++u) {
      if (!units[u].status.ok() && !absl::IsCancelled(units[u].status)) {
        return units[u].status;
      }
    }

    if (send_tokens_) {
      size_t tokens = 0;
      for (size_t u = 0; u < unit_count; ++u)
        tokens += units[u].recipe_ids.size();
      batch.mutable_token_counts()->Reserve(static_cast<int>(count));
      batch.mutable_token_recipe_ids()->Reserve(static_cast<int>(tokens));
      batch.mutable_tokens()->reserve(tokens * encode::kTokenBytes);
      for (size_t u = 0; u < unit_count; ++u) {
        const Unit& unit = units[u];
        batch.mutable_token_counts()->Add(unit.token_counts.begin(),
                                          unit.token_counts.end());
        batch.mutable_token_recipe_ids()->Add(unit.recipe_ids.begin(),
                                              unit.recipe_ids.end());
        batch.mutable_tokens()->append(unit.tokens);
      }
      sum.tokens += tokens;
    }
    if (categories != nullptr) {
      batch.mutable_category_codes()->Reserve(static_cast<int>(count));
      for (size_t u = 0; u < unit_count; ++u) {
        batch.mutable_category_codes()->Add(units[u].category_codes.begin(),
                                            units[u].category_codes.end());
      }
    }
    for (size_t u = 0; u < unit_count; ++u) {
      const Unit& unit = units[u];
      sum.records_without_tokens += unit.records_without_tokens;
      for (size_t r = 0; r < recipes_.size(); ++r)
        per_recipe[r] += unit.tokens_per_recipe[r];
      for (size_t f = 0; f < schema_.fields.size(); ++f) {
        sum.invalid_values_per_field[f] += unit.invalid_per_field[f];
      }
    }

    if (absl::Status valid = proto::Validate(batch); !valid.ok()) {
      return absl::InternalError(
          absl::StrCat("job ", params_.job_id, ": batch ", sequence,
                       " breaks the wire contract: ", valid.message()));
    }
    FEDLINK_RETURN_IF_ERROR(sink(batch));
    ++sum.batches_emitted;
    sum.records_encoded += count;
  }

  for (size_t r = 0; r < recipes_.size(); ++r) {
    if (!recipes_[r].sent) continue;
    sum.tokens_per_recipe.push_back(
        {recipes_[r].id, recipes_[r].name, per_recipe[r]});
  }
  return absl::OkStatus();
}

}  // namespace fedlink::agent::encoding
