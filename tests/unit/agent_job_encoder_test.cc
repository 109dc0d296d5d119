#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/encoding/batch_plan.h"
#include "agent/encoding/job_encoder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/crypto/sha256.h"
#include "linkage/encode/clk_encoder.h"
#include "linkage/encode/record_normalizer.h"
#include "linkage/encode/token_encoder.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/linkage_schema_proto.h"
#include "tests/support/febrl.h"

namespace fedlink::agent::encoding {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr size_t kTokenBytes = encode::kTokenBytes;

crypto::SecretBytes Secret() {
  return crypto::SecretBytes(
      crypto::Sha256(std::string_view("linkage secret")));
}

std::string Nonce(std::string_view label) {
  const crypto::Sha256Digest digest = crypto::Sha256(label);
  return std::string(reinterpret_cast<const char*>(digest.data()),
                     digest.size());
}

crypto::SecretBytes Randomness(std::string_view label) {
  return crypto::SecretBytes(
      crypto::Sha256(absl::StrCat("randomness ", std::string(label))));
}

EncodeJobParams Params(
    const schema::LinkageSchema& schema, std::string job_id = "job-1",
    v1::LinkageMethod method = v1::LINKAGE_METHOD_TOKENS_AND_BLOOM,
    v1::CohortFilter cohort = {}) {
  EncodeJobParams params;
  params.job_id = job_id;
  params.agency = "school-district";
  params.method = method;
  params.linkage_schema = proto::MakeLinkageSchemaSpec(schema);
  params.cohort = std::move(cohort);
  params.job_nonce = Nonce(job_id);
  return params;
}

JobEncoderOptions Options(int threads = 1, uint32_t max_records = 65536,
                          std::string_view randomness = "fixed") {
  JobEncoderOptions options;
  options.threads = threads;
  options.max_records_per_batch = max_records;
  options.randomness = Randomness(randomness);
  return options;
}

std::unique_ptr<JobEncoder> MakeEncoder(const EncodeJobParams& params,
                                        JobEncoderOptions options = Options()) {
  absl::StatusOr<std::unique_ptr<JobEncoder>> encoder =
      JobEncoder::Create(params, Secret(), std::move(options));
  EXPECT_TRUE(encoder.ok()) << encoder.status();
  return encoder.ok() ? *std::move(encoder) : nullptr;
}

// Synthetic people with normalised identifiers (as ingest stores them) and
// two attributes: grade (integer text) and consent (Y/N).
StoredRecord Person(int i) {
  static const char* kFirst[] = {"amelia", "oliver", "isla", "jack",  "mia",
                                 "noah",   "ava",    "leo",  "grace", "henry"};
  static const char* kLast[] = {"smith",    "garcia",     "nguyen", "obrien",
                                "kowalski", "de la cruz", "muller", "tanaka",
                                "okafor",   "lee"};
  StoredRecord record;
  record.local_id = SensitiveString(absl::StrCat("student-", 100000 + i));
  record.identifiers = {
      {"first_name", SensitiveString(kFirst[i % 10])},
      {"last_name", SensitiveString(kLast[(i / 10) % 10])},
      {"dob", SensitiveString(
                  absl::StrCat(2005 + i % 7, "0", 1 + i % 9, 10 + i % 18))},
      {"sex", SensitiveString(i % 2 ? "f" : "m")},
      {"postcode", SensitiveString(absl::StrCat(2000 + i % 50))},
  };
  record.attributes = {{"grade", SensitiveString(absl::StrCat(i % 10))},
                       {"consent", SensitiveString(i % 3 ? "Y" : "N")}};
  return record;
}

InMemoryRecordSource People(int n) {
  InMemoryRecordSource source;
  for (int i = 0; i < n; ++i) source.Add(Person(i));
  return source;
}

struct EncodedRun {
  CohortSelection selection;
  std::vector<v1::EncodingBatch> batches;
  EncodingSummary summary;
};

EncodedRun Encode(const JobEncoder& encoder, const RecordSource& source,
                  uint64_t first_sequence = 0) {
  EncodedRun run;
  absl::StatusOr<CohortSelection> selection = encoder.SelectCohort(source);
  EXPECT_TRUE(selection.ok()) << selection.status();
  if (!selection.ok()) return run;
  run.selection = *std::move(selection);
  const absl::Status status = encoder.EncodeCohort(
      run.selection.pseudonyms, source, first_sequence,
      [&](const v1::EncodingBatch& batch) {
        run.batches.push_back(batch);
        return absl::OkStatus();
      },
      &run.summary);
  EXPECT_TRUE(status.ok()) << status;
  return run;
}

// The encodings of each record, by pseudonym, read back from the batches.
struct Decoded {
  std::vector<std::vector<encode::Token>> tokens;
  std::vector<encode::BloomFilter> filters;
  std::vector<std::vector<encode::BloomFilter>> field_filters;
};

encode::BloomFilter ReadFilter(const std::string& bytes, size_t offset,
                               size_t bits) {
  encode::BloomFilter filter;
  filter.words.resize(bits / 64);
  for (size_t w = 0; w < filter.words.size(); ++w) {
    uint64_t word = 0;
    for (int b = 7; b >= 0; --b) {
      word = (word << 8) | static_cast<uint8_t>(
                               bytes[offset + w * 8 + static_cast<size_t>(b)]);
    }
    filter.words[w] = word;
  }
  return filter;
}

Decoded DecodeBatches(const std::vector<v1::EncodingBatch>& batches) {
  Decoded out;
  uint64_t next = 0;
  for (const v1::EncodingBatch& batch : batches) {
    EXPECT_EQ(batch.first_pseudonym(), next);
    next += batch.record_count();
    size_t token = 0;
    for (uint32_t r = 0; r < batch.record_count(); ++r) {
      if (batch.token_counts_size() > 0) {
        std::vector<encode::Token> tokens;
        for (uint32_t t = 0; t < batch.token_counts(static_cast<int>(r));
             ++t, ++token) {
          encode::Token tok;
          tok.recipe_id = static_cast<uint16_t>(
              batch.token_recipe_ids(static_cast<int>(token)));
          std::memcpy(tok.bytes.data(),
                      batch.tokens().data() + token * kTokenBytes, kTokenBytes);
          tokens.push_back(tok);
        }
        out.tokens.push_back(std::move(tokens));
      }
      if (batch.filter_bits() > 0) {
        out.filters.push_back(ReadFilter(batch.filters(),
                                         r * (batch.filter_bits() / 8),
                                         batch.filter_bits()));
      }
      if (batch.field_filters_per_record() > 0) {
        std::vector<encode::BloomFilter> fields;
        const size_t bytes = batch.field_filter_bits() / 8;
        for (uint32_t f = 0; f < batch.field_filters_per_record(); ++f) {
          fields.push_back(
              ReadFilter(batch.field_filters(),
                         (r * batch.field_filters_per_record() + f) * bytes,
                         batch.field_filter_bits()));
        }
        out.field_filters.push_back(std::move(fields));
      }
    }
  }
  return out;
}

std::vector<std::string> LocalIds(const PseudonymMap& map) {
  std::vector<std::string> ids;
  for (uint32_t p = 0; p < map.size(); ++p)
    ids.emplace_back(map.ExposeLocalId(p));
  return ids;
}

v1::CohortCondition Condition(std::string column, v1::Comparison comparison,
                              v1::ValueType type,
                              std::vector<std::string> values) {
  v1::CohortCondition condition;
  condition.set_column(std::move(column));
  condition.set_comparison(comparison);
  condition.set_compare_as(type);
  for (std::string& v : values) condition.add_values(std::move(v));
  return condition;
}

// ---------------------------------------------------------------- Create

TEST(JobEncoderTest, RefusesSchemaWhoseFingerprintDiffers) {
  const schema::LinkageSchema approved = schema::DefaultLinkageSchema();
  schema::LinkageSchema altered = approved;
  altered.bloom->fields[0].k += 1;  // a quiet change of weights
  EncodeJobParams params = Params(approved);
  *params.linkage_schema.mutable_schema() =
      proto::LinkageSchemaToProto(altered);

  const absl::StatusOr<std::unique_ptr<JobEncoder>> encoder =
      JobEncoder::Create(params, Secret(), Options());
  ASSERT_EQ(encoder.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(encoder.status().message(), HasSubstr("job job-1"));
  EXPECT_THAT(encoder.status().message(),
              HasSubstr(schema::FingerprintHex(approved)));
  EXPECT_THAT(encoder.status().message(),
              HasSubstr(schema::FingerprintHex(altered)));

  // The same with an intact schema but another expected fingerprint.
  params = Params(approved);
  (*params.linkage_schema.mutable_fingerprint())[0] ^= 1;
  EXPECT_EQ(JobEncoder::Create(params, Secret(), Options()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(JobEncoder::Create(Params(approved), Secret(), Options()).ok());
}

TEST(JobEncoderTest, RefusesInconsistentJobs) {
  const schema::LinkageSchema schema = schema::DefaultLinkageSchema();
  auto code = [](const EncodeJobParams& params,
                 JobEncoderOptions options = Options(),
                 const crypto::SecretBytes& secret = Secret()) {
    return JobEncoder::Create(params, secret, std::move(options))
        .status()
        .code();
  };
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

  EncodeJobParams params = Params(schema);
  params.job_nonce.resize(16);
  EXPECT_EQ(code(params), kInvalid);
  EXPECT_EQ(code(Params(schema), Options(),
                 crypto::SecretBytes(std::vector<uint8_t>(31, 1))),
            kInvalid);
  EXPECT_EQ(code(Params(schema, "job-1", v1::LINKAGE_METHOD_UNSPECIFIED)),
            kInvalid);
  params = Params(schema);
  params.job_id = "job 1\n";  // not a name the batch contract accepts
  EXPECT_EQ(code(params), kInvalid);
  params = Params(schema);
  params.agency.clear();
  EXPECT_EQ(code(params), kInvalid);

  // BLOOM needs a bloom section; TOKENS needs a recipe that links.
  schema::LinkageSchema tokens_only = schema;
  tokens_only.bloom.reset();
  EXPECT_EQ(code(Params(tokens_only, "job-1", v1::LINKAGE_METHOD_BLOOM)),
            kInvalid);
  EXPECT_EQ(code(Params(tokens_only, "job-1", v1::LINKAGE_METHOD_TOKENS)),
            absl::StatusCode::kOk);
  schema::LinkageSchema blocking_only = schema;
  std::erase_if(blocking_only.token_recipes,
                [](const schema::TokenRecipe& r) { return !r.blocking_only; });
  EXPECT_EQ(code(Params(blocking_only, "job-1", v1::LINKAGE_METHOD_TOKENS)),
            kInvalid);

  JobEncoderOptions options = Options();
  options.randomness = crypto::SecretBytes(std::vector<uint8_t>(16, 1));
  EXPECT_EQ(code(Params(schema), std::move(options)), kInvalid);
  EXPECT_EQ(code(Params(schema), Options(-1)), kInvalid);
  EXPECT_EQ(code(Params(schema), Options(1, 0)), kInvalid);
}

TEST(JobEncoderTest, CohortFilterErrorsNameTheJobAndCondition) {
  v1::CohortFilter filter;
  *filter.add_all_of() = Condition("grade", v1::COMPARISON_EQUAL,
                                   v1::VALUE_TYPE_NUMBER, {"three"});
  const absl::Status bad =
      JobEncoder::Create(Params(schema::DefaultLinkageSchema(), "job-7",
                                v1::LINKAGE_METHOD_TOKENS, filter),
                         Secret(), Options())
          .status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(),
              HasSubstr("job job-7: cohort.all_of[0] (column 'grade')"));
  EXPECT_THAT(bad.message(), Not(HasSubstr("three")));

  v1::CohortFilter unknown;
  *unknown.add_all_of() =
      Condition("school", v1::COMPARISON_PRESENT, v1::VALUE_TYPE_TEXT, {});
  JobEncoderOptions options = Options();
  options.known_attribute_columns =
      absl::flat_hash_set<std::string>{"grade", "consent"};
  EXPECT_EQ(JobEncoder::Create(Params(schema::DefaultLinkageSchema(), "job-7",
                                      v1::LINKAGE_METHOD_TOKENS, unknown),
                               Secret(), std::move(options))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

// ---------------------------------------------------------------- cohort

TEST(JobEncoderTest, SelectsTheCohortByItsFilter) {
  v1::CohortFilter filter;
  *filter.add_all_of() =
      Condition("grade", v1::COMPARISON_IN, v1::VALUE_TYPE_NUMBER, {"2", "3"});
  *filter.add_all_of() =
      Condition("consent", v1::COMPARISON_EQUAL, v1::VALUE_TYPE_TEXT, {"Y"});
  InMemoryRecordSource source = People(300);
  StoredRecord no_identifiers = Person(302);  // grade 2, consent Y
  no_identifiers.identifiers.clear();
  no_identifiers.identifiers.push_back({"school_id", SensitiveString("S-1")});
  source.Add(no_identifiers);

  std::unique_ptr<JobEncoder> encoder =
      MakeEncoder(Params(schema::DefaultLinkageSchema(), "job-1",
                         v1::LINKAGE_METHOD_TOKENS, filter));
  const EncodedRun run = Encode(*encoder, source);

  std::set<std::string> expected;
  uint64_t wrong_grade = 0, no_consent = 0;
  for (int i = 0; i < 300; ++i) {
    const bool grade = i % 10 == 2 || i % 10 == 3;
    if (!grade) {
      ++wrong_grade;
    } else if (i % 3 == 0) {
      ++no_consent;
    } else {
      expected.insert(absl::StrCat("student-", 100000 + i));
    }
  }
  const std::vector<std::string> ids = LocalIds(run.selection.pseudonyms);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), expected);
  EXPECT_EQ(ids.size(), expected.size());
  EXPECT_EQ(run.selection.records_scanned, 301u);
  EXPECT_EQ(run.selection.excluded_by_condition,
            (std::vector<uint64_t>{wrong_grade, no_consent}));
  EXPECT_EQ(run.selection.excluded_without_identifiers, 1u);
  EXPECT_EQ(run.summary.cohort_records, expected.size());
  EXPECT_EQ(run.summary.records_encoded, expected.size());
}

TEST(JobEncoderTest, PseudonymsAreFreshPerJob) {
  const InMemoryRecordSource source = People(400);
  const schema::LinkageSchema schema = schema::DefaultLinkageSchema();
  // Production settings: randomness from the CSPRNG.
  JobEncoderOptions fresh;
  fresh.threads = 1;
  std::unique_ptr<JobEncoder> job1 =
      MakeEncoder(Params(schema, "job-1"), fresh);
  std::unique_ptr<JobEncoder> job2 =
      MakeEncoder(Params(schema, "job-2"), fresh);
  absl::StatusOr<CohortSelection> a = job1->SelectCohort(source);
  absl::StatusOr<CohortSelection> b = job2->SelectCohort(source);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<std::string> ids_a = LocalIds(a->pseudonyms);
  const std::vector<std::string> ids_b = LocalIds(b->pseudonyms);
  EXPECT_NE(ids_a, ids_b);
  size_t same = 0;
  for (size_t p = 0; p < ids_a.size(); ++p) same += ids_a[p] == ids_b[p];
  EXPECT_LT(same, 10u);  // ~1 expected for independent permutations
  // Both are permutations of the whole cohort, neither in insertion order.
  std::vector<std::string> scan;
  ASSERT_TRUE(source
                  .ForEach([&](const StoredRecord& r) {
                    scan.emplace_back(r.local_id.Expose());
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_NE(ids_a, scan);
  EXPECT_TRUE(std::is_permutation(ids_a.begin(), ids_a.end(), scan.begin(),
                                  scan.end()));
  EXPECT_TRUE(std::is_permutation(ids_b.begin(), ids_b.end(), scan.begin(),
                                  scan.end()));
}

// ---------------------------------------------------------------- encodings

TEST(JobEncoderTest, SameRecordInTwoJobsSharesNoEncoding) {
  const InMemoryRecordSource source = People(200);
  const schema::LinkageSchema schema = schema::DefaultLinkageSchema();
  const EncodedRun a = Encode(*MakeEncoder(Params(schema, "job-a")), source);
  const EncodedRun b = Encode(*MakeEncoder(Params(schema, "job-b")), source);
  std::set<std::string> tokens_a;
  for (const v1::EncodingBatch& batch : a.batches) {
    for (size_t t = 0; t < batch.tokens().size(); t += kTokenBytes) {
      tokens_a.insert(batch.tokens().substr(t, kTokenBytes));
    }
  }
  ASSERT_GT(tokens_a.size(), 200u);
  for (const v1::EncodingBatch& batch : b.batches) {
    for (size_t t = 0; t < batch.tokens().size(); t += kTokenBytes) {
      EXPECT_FALSE(tokens_a.contains(batch.tokens().substr(t, kTokenBytes)));
    }
  }
  // Filters of the same person differ too: compare by local id.
  const Decoded da = DecodeBatches(a.batches), db = DecodeBatches(b.batches);
  const std::vector<std::string> ids_a = LocalIds(a.selection.pseudonyms);
  const std::vector<std::string> ids_b = LocalIds(b.selection.pseudonyms);
  for (size_t p = 0; p < ids_a.size(); ++p) {
    const size_t q = static_cast<size_t>(
        std::find(ids_b.begin(), ids_b.end(), ids_a[p]) - ids_b.begin());
    ASSERT_LT(q, ids_b.size());
    EXPECT_NE(da.filters[p], db.filters[q]);
  }
}

TEST(JobEncoderTest, MethodDecidesWhatIsSent) {
  const InMemoryRecordSource source = People(50);
  const schema::LinkageSchema schema = schema::DefaultLinkageSchema();
  std::set<uint32_t> blocking;
  for (const schema::TokenRecipe& r : schema.token_recipes) {
    if (r.blocking_only) blocking.insert(r.id);
  }
  ASSERT_FALSE(blocking.empty());

  const EncodedRun tokens = Encode(
      *MakeEncoder(Params(schema, "j", v1::LINKAGE_METHOD_TOKENS)), source);
  ASSERT_EQ(tokens.batches.size(), 1u);
  const v1::EncodingBatch& t = tokens.batches[0];
  EXPECT_GT(t.token_recipe_ids_size(), 0);
  for (uint32_t id : t.token_recipe_ids())
    EXPECT_FALSE(blocking.contains(id)) << id;
  EXPECT_EQ(t.filter_bits(), 0u);
  EXPECT_TRUE(t.filters().empty());
  for (const EncodingSummary::RecipeCount& r :
       tokens.summary.tokens_per_recipe) {
    EXPECT_FALSE(blocking.contains(r.recipe_id));
  }

  const EncodedRun bloom = Encode(
      *MakeEncoder(Params(schema, "j", v1::LINKAGE_METHOD_BLOOM)), source);
  const v1::EncodingBatch& f = bloom.batches[0];
  EXPECT_EQ(f.token_counts_size(), 0);
  EXPECT_TRUE(f.tokens().empty());
  EXPECT_EQ(f.filter_bits(), 1024u);
  EXPECT_EQ(f.filters().size(), 50u * 128);
  EXPECT_EQ(f.field_filters_per_record(), 0u);
  EXPECT_TRUE(bloom.summary.tokens_per_recipe.empty());

  const EncodedRun both = Encode(
      *MakeEncoder(Params(schema, "j", v1::LINKAGE_METHOD_TOKENS_AND_BLOOM)),
      source);
  const v1::EncodingBatch& tb = both.batches[0];
  EXPECT_TRUE(std::any_of(tb.token_recipe_ids().begin(),
                          tb.token_recipe_ids().end(),
                          [&](uint32_t id) { return blocking.contains(id); }));
  EXPECT_EQ(tb.filters().size(), 50u * 128);
  uint64_t total = 0;
  for (const EncodingSummary::RecipeCount& r : both.summary.tokens_per_recipe)
    total += r.tokens;
  EXPECT_EQ(total, static_cast<uint64_t>(tb.token_recipe_ids_size()));
  EXPECT_EQ(both.summary.tokens, total);
  EXPECT_EQ(both.summary.tokens_per_recipe.size(), schema.token_recipes.size());
}

// ---------------------------------------------------------------- batches

TEST(JobEncoderTest, BatchesAreContiguousNumberedAndWithinLimits) {
  const InMemoryRecordSource source = People(300);
  std::unique_ptr<JobEncoder> encoder =
      MakeEncoder(Params(schema::DefaultLinkageSchema()), Options(2, 64));
  ASSERT_EQ(encoder->records_per_batch(), 64u);
  EXPECT_EQ(encoder->batch_count(300), 5u);
  const EncodedRun run = Encode(*encoder, source);
  ASSERT_EQ(run.batches.size(), 5u);
  uint32_t next = 0;
  for (size_t s = 0; s < run.batches.size(); ++s) {
    const v1::EncodingBatch& batch = run.batches[s];
    EXPECT_TRUE(proto::Validate(batch).ok()) << proto::Validate(batch);
    EXPECT_EQ(batch.sequence(), s);
    EXPECT_EQ(batch.first_pseudonym(), next);
    EXPECT_EQ(batch.record_count(), s < 4 ? 64u : 44u);
    EXPECT_EQ(batch.final_batch(), s == 4);
    EXPECT_EQ(batch.job_id(), "job-1");
    EXPECT_EQ(batch.agency(), "school-district");
    EXPECT_EQ(batch.schema_fingerprint(),
              std::string(reinterpret_cast<const char*>(
                              encoder->schema_fingerprint().data()),
                          32));
    EXPECT_EQ(batch.token_counts_size(),
              static_cast<int>(batch.record_count()));
    next += batch.record_count();
  }
  EXPECT_EQ(next, 300u);
  EXPECT_EQ(run.summary.batches_emitted, 5u);
  EXPECT_EQ(run.summary.records_encoded, 300u);
}

TEST(JobEncoderTest, BatchSizeFollowsTheTargetBytes) {
  JobEncoderOptions options = Options();
  options.target_batch_bytes = 64 << 10;
  std::unique_ptr<JobEncoder> encoder =
      MakeEncoder(Params(schema::DefaultLinkageSchema()), std::move(options));
  // 8 recipes × 19 B + 2 B + 128 B of filter = 282 B per record at most.
  EXPECT_EQ(encoder->records_per_batch(),
            ((64u << 10) - kBatchHeaderBytes) / 282);
  const EncodedRun run = Encode(*encoder, People(600));
  for (const v1::EncodingBatch& batch : run.batches) {
    EXPECT_LE(batch.ByteSizeLong(), size_t{64} << 10);
  }
}

TEST(BatchPlanTest, WorstCaseRecordsStayWithinEveryLimit) {
  // The largest shapes a valid schema allows.
  const BatchShape shapes[] = {
      {1024, 0, 0, 0},         // every recipe, tokens only
      {0, 16384, 0, 0},        // 8192 bits balanced
      {0, 16384, 256, 16384},  // and 256 balanced field filters
      {1024, 16384, 256, 16384}, {8, 1024, 0, 0},
  };
  for (const BatchShape& shape : shapes) {
    for (size_t target : {size_t{1}, size_t{4} << 20, size_t{1} << 30}) {
      const uint32_t n = RecordsPerBatch(shape, 65536, target);
      ASSERT_GE(n, 1u);
      EXPECT_LE(n, proto::kMaxRecordsPerEncodingBatch);
      EXPECT_LE(n * shape.max_tokens_per_record,
                proto::kMaxTokensPerEncodingBatch);
      EXPECT_LE(n * shape.max_tokens_per_record * 16,
                proto::kMaxEncodingColumnBytes);
      EXPECT_LE(size_t{n} * shape.filter_bits / 8,
                proto::kMaxEncodingColumnBytes);
      EXPECT_LE(size_t{n} * shape.field_filters_per_record *
                    shape.field_filter_bits / 8,
                proto::kMaxEncodingColumnBytes);
      EXPECT_LE(
          kBatchHeaderBytes + n * WorstCaseRecordBytes(shape),
          std::max<size_t>(std::min(target, proto::kMaxGrpcMessageBytes),
                           kBatchHeaderBytes + WorstCaseRecordBytes(shape)));
    }
  }
  EXPECT_EQ(RecordsPerBatch({8, 1024, 0, 0}, 100, size_t{4} << 20), 100u);
  EXPECT_EQ(BatchCount(0, 10), 1u);
  EXPECT_EQ(BatchCount(10, 10), 1u);
  EXPECT_EQ(BatchCount(11, 10), 2u);
}

TEST(JobEncoderTest, EmptyCohortSendsOneFinalEmptyBatch) {
  v1::CohortFilter nobody;
  *nobody.add_all_of() = Condition("grade", v1::COMPARISON_GREATER,
                                   v1::VALUE_TYPE_NUMBER, {"100"});
  const EncodedRun run =
      Encode(*MakeEncoder(Params(schema::DefaultLinkageSchema(), "job-1",
                                 v1::LINKAGE_METHOD_TOKENS_AND_BLOOM, nobody)),
             People(20));
  ASSERT_EQ(run.batches.size(), 1u);
  EXPECT_EQ(run.batches[0].record_count(), 0u);
  EXPECT_TRUE(run.batches[0].final_batch());
  EXPECT_EQ(run.batches[0].sequence(), 0u);
  EXPECT_TRUE(proto::Validate(run.batches[0]).ok());
}

TEST(JobEncoderTest, ResumesAtTheRequestedBatch) {
  const InMemoryRecordSource source = People(300);
  std::unique_ptr<JobEncoder> encoder =
      MakeEncoder(Params(schema::DefaultLinkageSchema()), Options(2, 64));
  const EncodedRun full = Encode(*encoder, source);
  ASSERT_EQ(full.batches.size(), 5u);

  // A restarted agent reloads its stored map (in pseudonym order) and sends
  // what the coordinator does not have yet.
  PseudonymMapBuilder reload;
  for (uint32_t p = 0; p < full.selection.pseudonyms.size(); ++p) {
    ASSERT_TRUE(reload.Add(full.selection.pseudonyms.ExposeLocalId(p)).ok());
  }
  const PseudonymMap map = reload.AssignInOrder();
  std::vector<v1::EncodingBatch> resumed;
  EncodingSummary summary;
  ASSERT_TRUE(encoder
                  ->EncodeCohort(
                      map, source, 3,
                      [&](const v1::EncodingBatch& b) {
                        resumed.push_back(b);
                        return absl::OkStatus();
                      },
                      &summary)
                  .ok());
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0].SerializeAsString(),
            full.batches[3].SerializeAsString());
  EXPECT_EQ(resumed[1].SerializeAsString(),
            full.batches[4].SerializeAsString());
  EXPECT_EQ(summary.first_sequence, 3u);
  EXPECT_EQ(summary.records_encoded, 64u + 44u);

  int calls = 0;
  auto count = [&](const v1::EncodingBatch&) {
    ++calls;
    return absl::OkStatus();
  };
  EXPECT_TRUE(encoder->EncodeCohort(map, source, 5, count).ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(encoder->EncodeCohort(map, source, 6, count).code(),
            absl::StatusCode::kOutOfRange);
}

// A schema with every source of per-record variation: BLIP noise, balancing,
// field-level filters.
schema::LinkageSchema HardenedSchema() {
  schema::LinkageSchema schema = schema::DefaultLinkageSchema();
  schema.bloom->hardening.balance = true;
  schema.bloom->hardening.blip_flip_probability = 0.05;
  schema.bloom->field_level = true;
  schema.bloom->field_level_bits = 256;
  return schema;
}

TEST(JobEncoderTest, OutputDoesNotDependOnThreadCount) {
  const InMemoryRecordSource source = People(1500);
  const EncodeJobParams params = Params(HardenedSchema());
  std::vector<std::string> reference;
  for (int threads : {1, 2, 3}) {
    const EncodedRun run =
        Encode(*MakeEncoder(params, Options(threads, 700)), source);
    ASSERT_EQ(run.batches.size(), 3u);
    std::vector<std::string> bytes;
    for (const v1::EncodingBatch& b : run.batches)
      bytes.push_back(b.SerializeAsString());
    if (reference.empty()) {
      reference = bytes;
      EXPECT_EQ(run.batches[0].filter_bits(), 2048u);
      EXPECT_EQ(run.batches[0].field_filters_per_record(), 7u);
      EXPECT_EQ(run.batches[0].field_filter_bits(), 512u);
    } else {
      EXPECT_EQ(bytes, reference) << threads << " threads";
    }
  }
  // Another randomness key: other pseudonyms and other noise.
  const EncodedRun other =
      Encode(*MakeEncoder(params, Options(2, 700, "other")), source);
  EXPECT_NE(other.batches[0].SerializeAsString(), reference[0]);
}

TEST(JobEncoderTest, BlipNoiseIsAppliedPerRecord) {
  // Two identical people in one job: without noise their filters are equal;
  // with BLIP they differ in a few percent of the bits.
  InMemoryRecordSource source;
  StoredRecord twin = Person(1);
  source.Add(twin);
  twin.local_id = SensitiveString("twin");
  source.Add(twin);
  const Decoded plain = DecodeBatches(
      Encode(*MakeEncoder(Params(schema::DefaultLinkageSchema())), source)
          .batches);
  ASSERT_EQ(plain.filters.size(), 2u);
  EXPECT_EQ(plain.filters[0], plain.filters[1]);
  const Decoded noisy = DecodeBatches(
      Encode(*MakeEncoder(Params(HardenedSchema())), source).batches);
  ASSERT_EQ(noisy.filters.size(), 2u);
  EXPECT_NE(noisy.filters[0], noisy.filters[1]);
}

TEST(JobEncoderTest, MissingFieldGivesAnAllZeroFieldFilter) {
  InMemoryRecordSource source;
  StoredRecord person = Person(4);  // no middle_name, no ssn
  source.Add(person);
  const Decoded decoded = DecodeBatches(
      Encode(*MakeEncoder(Params(HardenedSchema())), source).batches);
  ASSERT_EQ(decoded.field_filters.size(), 1u);
  const schema::LinkageSchema schema = HardenedSchema();
  for (size_t f = 0; f < schema.bloom->fields.size(); ++f) {
    const std::string& name = schema.bloom->fields[f].field;
    const bool present = person.FindIdentifier(name) != nullptr;
    const std::vector<uint64_t>& words = decoded.field_filters[0][f].words;
    EXPECT_EQ(std::any_of(words.begin(), words.end(),
                          [](uint64_t w) { return w != 0; }),
              present)
        << name;
  }
}

// ---------------------------------------------------------------- failures

TEST(JobEncoderTest, AbortsWhenTheCohortChangedSinceSelection) {
  InMemoryRecordSource source = People(100);
  std::unique_ptr<JobEncoder> encoder =
      MakeEncoder(Params(schema::DefaultLinkageSchema()));
  absl::StatusOr<CohortSelection> selection = encoder->SelectCohort(source);
  ASSERT_TRUE(selection.ok());
  source.Remove("student-100042");
  const absl::Status status = encoder->EncodeCohort(
      selection->pseudonyms, source, 0,
      [](const v1::EncodingBatch&) { return absl::OkStatus(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(status.message(), HasSubstr("no longer in the record store"));
  EXPECT_THAT(status.message(), Not(HasSubstr("student")));
}

TEST(JobEncoderTest, BreakdownSendsOneCategoryCodePerRecord) {
  InMemoryRecordSource source = People(300);
  EncodeJobParams params = Params(schema::DefaultLinkageSchema());
  params.category_column = "grade";  // 10 values, "0".."9"
  JobEncoderOptions options = Options(2, 64);
  options.known_attribute_columns = {{"grade", "consent"}};
  std::unique_ptr<JobEncoder> encoder = MakeEncoder(params, std::move(options));
  ASSERT_NE(encoder, nullptr);
  absl::StatusOr<CohortSelection> selection = encoder->SelectCohort(source);
  ASSERT_TRUE(selection.ok()) << selection.status();
  ASSERT_TRUE(selection->categories.has_value());
  ASSERT_EQ(selection->categories->size(), 10u);
  // Without the codes the breakdown is refused before anything is sent.
  int sent = 0;
  auto count = [&](const v1::EncodingBatch&) {
    ++sent;
    return absl::OkStatus();
  };
  EXPECT_EQ(encoder->EncodeCohort(selection->pseudonyms, source, 0, count).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sent, 0);

  std::vector<v1::EncodingBatch> batches;
  ASSERT_TRUE(encoder
                  ->EncodeCohort(
                      selection->pseudonyms, source, 0,
                      [&](const v1::EncodingBatch& batch) {
                        batches.push_back(batch);
                        return absl::OkStatus();
                      },
                      nullptr, &*selection->categories)
                  .ok());
  const v1::CategoryLegend legend = selection->categories->Legend();
  for (const v1::EncodingBatch& batch : batches) {
    ASSERT_EQ(static_cast<uint32_t>(batch.category_codes_size()), batch.record_count());
    for (uint32_t k = 0; k < batch.record_count(); ++k) {
      const std::string_view local_id =
          selection->pseudonyms.ExposeLocalId(batch.first_pseudonym() + k);
      const int person = std::stoi(std::string(local_id.substr(8))) - 100000;
      const uint32_t code = batch.category_codes(static_cast<int>(k));
      ASSERT_GE(code, 1u);
      ASSERT_LE(code, 10u);
      EXPECT_EQ(legend.labels(static_cast<int>(code - 1)).label(), absl::StrCat(person % 10));
    }
  }
  // A value that was not in the cohort when it was selected aborts.
  StoredRecord changed = Person(42);
  changed.attributes[0].value = SensitiveString("11");
  source.Add(std::move(changed));
  const absl::Status status =
      encoder->EncodeCohort(selection->pseudonyms, source, 0, count, nullptr,
                            &*selection->categories);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(status.message(), HasSubstr("category value that was not in the cohort"));
}

TEST(JobEncoderTest, BreakdownColumnMustBeAnAttributeOfThisAgency) {
  EncodeJobParams params = Params(schema::DefaultLinkageSchema());
  params.category_column = "shoe_size";
  JobEncoderOptions options = Options();
  options.known_attribute_columns = {{"grade", "consent"}};
  absl::StatusOr<std::unique_ptr<JobEncoder>> encoder =
      JobEncoder::Create(params, Secret(), std::move(options));
  EXPECT_EQ(encoder.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(encoder.status().message(), HasSubstr("shoe_size is not an attribute column"));
}

TEST(JobEncoderTest, SinkErrorStopsEncoding) {
  const InMemoryRecordSource source = People(300);
  std::unique_ptr<JobEncoder> encoder =
      MakeEncoder(Params(schema::DefaultLinkageSchema()), Options(2, 64));
  absl::StatusOr<CohortSelection> selection = encoder->SelectCohort(source);
  ASSERT_TRUE(selection.ok());
  int calls = 0;
  const absl::Status status = encoder->EncodeCohort(
      selection->pseudonyms, source, 0, [&](const v1::EncodingBatch&) {
        return ++calls == 2 ? absl::UnavailableError("stream broke")
                            : absl::OkStatus();
      });
  EXPECT_EQ(status, absl::UnavailableError("stream broke"));
  EXPECT_EQ(calls, 2);
}

class FailingSource : public RecordSource {
 public:
  explicit FailingSource(const RecordSource& inner) : inner_(inner) {}
  absl::Status ForEach(absl::FunctionRef<absl::Status(const StoredRecord&)>
                           visit) const override {
    return inner_.ForEach(visit);
  }
  absl::StatusOr<std::optional<StoredRecord>> Get(
      std::string_view local_id) const override {
    if (local_id == "student-100007")
      return absl::DataLossError("records: authentication failed");
    return inner_.Get(local_id);
  }

 private:
  const RecordSource& inner_;
};

TEST(JobEncoderTest, SourceErrorsPassThrough) {
  const InMemoryRecordSource people = People(2000);
  const FailingSource source(people);
  std::unique_ptr<JobEncoder> encoder =
      MakeEncoder(Params(schema::DefaultLinkageSchema()), Options(2));
  absl::StatusOr<CohortSelection> selection = encoder->SelectCohort(source);
  ASSERT_TRUE(selection.ok());
  int calls = 0;
  const absl::Status status = encoder->EncodeCohort(
      selection->pseudonyms, source, 0, [&](const v1::EncodingBatch&) {
        ++calls;
        return absl::OkStatus();
      });
  EXPECT_EQ(status, absl::DataLossError("records: authentication failed"));
  EXPECT_EQ(calls, 0);
}

// ---------------------------------------------------------------- privacy

TEST(JobEncoderTest, NoBatchContainsAnInputValue) {
  // Canary values: long and distinctive, so that finding one in the bytes
  // can only mean it was copied there.
  InMemoryRecordSource source;
  std::vector<std::string> canaries;
  for (int i = 0; i < 40; ++i) {
    StoredRecord record;
    record.local_id =
        SensitiveString(absl::StrCat("canary-local-id-", 7000 + i));
    const std::string first = absl::StrCat(
        "qwzxfirst", std::string(1, static_cast<char>('a' + i % 26)), "canary");
    const std::string last = absl::StrCat(
        "vbnmlast", std::string(1, static_cast<char>('a' + i % 26)), "canary");
    const std::string postcode = absl::StrCat("ZZ9", 1000 + i, "CANARY");
    const std::string ssn = absl::StrCat("987", 100000 + i);
    record.identifiers = {
        {"first_name", SensitiveString(first)},
        {"last_name", SensitiveString(last)},
        {"dob", SensitiveString(absl::StrCat("19", 10 + i, "0704"))},
        {"sex", SensitiveString("f")},
        {"postcode", SensitiveString(postcode)},
        {"ssn", SensitiveString(ssn)}};
    const std::string attribute = absl::StrCat("attribute-canary-", i);
    record.attributes = {{"note", SensitiveString(attribute)}};
    for (const std::string& v :
         {std::string(record.local_id.Expose()), first, last, postcode, ssn,
          attribute, absl::StrCat("19", 10 + i, "0704")}) {
      canaries.push_back(v);
    }
    source.Add(std::move(record));
  }
  schema::LinkageSchema schema = HardenedSchema();
  schema.bloom->hardening.blip_flip_probability = 0;
  for (v1::LinkageMethod method :
       {v1::LINKAGE_METHOD_TOKENS, v1::LINKAGE_METHOD_BLOOM,
        v1::LINKAGE_METHOD_TOKENS_AND_BLOOM}) {
    const EncodedRun run = Encode(
        *MakeEncoder(Params(schema, "job-1", method), Options(2, 16)), source);
    ASSERT_EQ(run.summary.records_encoded, 40u);
    std::string all;
    for (const v1::EncodingBatch& batch : run.batches)
      all += batch.SerializeAsString();
    for (const std::string& canary : canaries) {
      EXPECT_EQ(all.find(canary), std::string::npos)
          << "a batch contains an input value";
    }
    // Nor their case-folded or upper-case forms.
    for (const std::string& canary : canaries) {
      std::string upper = canary;
      std::transform(
          upper.begin(), upper.end(), upper.begin(),
          [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      EXPECT_EQ(all.find(upper), std::string::npos);
    }
  }
}

// ---------------------------------------------------------------- FEBRL

// FEBRL4 (dataset4a) as an agency would hold it: identifiers normalised by
// ingest (invalid and missing values left out), state as an attribute.
struct FebrlStore {
  InMemoryRecordSource source;
  std::vector<testing::FebrlRecord> records;
};

absl::StatusOr<schema::LinkageSchema> FebrlSchema() {
  const std::string path = absl::StrCat(
      FEDLINK_SOURCE_DIR, "/deploy/examples/febrl-linkage-schema.yaml");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return schema::ParseLinkageSchemaYaml(text.str(), path);
}

std::optional<std::string_view> FebrlColumn(const testing::FebrlRecord& r,
                                            std::string_view name) {
  if (name == "given_name") return r.given_name;
  if (name == "surname") return r.surname;
  if (name == "street_number") return r.street_number;
  if (name == "address_1") return r.address_1;
  if (name == "address_2") return r.address_2;
  if (name == "suburb") return r.suburb;
  if (name == "postcode") return r.postcode;
  if (name == "state") return r.state;
  if (name == "date_of_birth") return r.date_of_birth;
  return std::nullopt;
}

TEST(JobEncoderFebrlTest, EncodesAsTheLinkageEncodersDo) {
  absl::StatusOr<schema::LinkageSchema> schema = FebrlSchema();
  ASSERT_TRUE(schema.ok()) << schema.status();
  absl::StatusOr<std::vector<testing::FebrlRecord>> febrl =
      testing::LoadFebrl(testing::FebrlPath("dataset4a.csv"));
  ASSERT_TRUE(febrl.ok()) << febrl.status();
  ASSERT_EQ(febrl->size(), 5000u);

  normalize::DateOptions dates;
  dates.formats = {"%Y%m%d"};
  absl::StatusOr<encode::RecordNormalizer> normalizer =
      encode::RecordNormalizer::Create(*schema, dates);
  ASSERT_TRUE(normalizer.ok());

  // Direct: normalise the raw values and encode with linkage/ encoders.
  const EncodeJobParams params = Params(*schema, "febrl-job");
  absl::StatusOr<crypto::JobKeys> keys = crypto::DeriveJobKeys(
      Secret(), absl::MakeConstSpan(
                    reinterpret_cast<const uint8_t*>(params.job_nonce.data()),
                    params.job_nonce.size()));
  ASSERT_TRUE(keys.ok());
  absl::StatusOr<encode::TokenEncoder> tokens =
      encode::TokenEncoder::Create(*schema, keys->token_key);
  absl::StatusOr<std::unique_ptr<encode::ClkEncoder>> clk =
      encode::ClkEncoder::Create(*schema, keys->bloom_key);
  ASSERT_TRUE(tokens.ok() && clk.ok());

  InMemoryRecordSource source;
  absl::flat_hash_map<
      std::string, std::pair<std::vector<encode::Token>, encode::BloomFilter>>
      direct;
  std::vector<std::optional<std::string_view>> raw(schema->fields.size());
  encode::NormalizedRecord normalized;
  std::vector<encode::FieldReport> report;
  for (const testing::FebrlRecord& r : *febrl) {
    for (size_t f = 0; f < schema->fields.size(); ++f) {
      raw[f] = FebrlColumn(r, schema->fields[f].name);
    }
    ASSERT_TRUE(normalizer->Normalize(raw, &normalized, &report).ok());
    auto& [t, filter] = direct[r.rec_id];
    ASSERT_TRUE(tokens->Encode(normalized, &t).ok());
    ASSERT_TRUE((*clk)->Encode(normalized, &filter).ok());
    // The stored record: the normalised values ingest would keep.
    StoredRecord stored;
    stored.local_id = SensitiveString(r.rec_id);
    for (size_t f = 0; f < schema->fields.size(); ++f) {
      if (normalized.values[f].has_value()) {
        stored.identifiers.push_back(
            {schema->fields[f].name, *normalized.values[f]});
      }
    }
    stored.attributes.push_back({"state", SensitiveString(r.state)});
    source.Add(std::move(stored));
  }

  const EncodedRun run = Encode(*MakeEncoder(params, Options(2, 1000)), source);
  ASSERT_EQ(run.batches.size(), 5u);
  const Decoded decoded = DecodeBatches(run.batches);
  ASSERT_EQ(decoded.tokens.size(), 5000u);
  ASSERT_EQ(decoded.filters.size(), 5000u);
  for (uint32_t p = 0; p < 5000; ++p) {
    const auto& [t, filter] =
        direct.at(std::string(run.selection.pseudonyms.ExposeLocalId(p)));
    ASSERT_EQ(decoded.tokens[p], t) << "pseudonym " << p;
    ASSERT_EQ(decoded.filters[p], filter) << "pseudonym " << p;
  }
  EXPECT_EQ(run.summary.records_encoded, 5000u);
  for (uint64_t invalid : run.summary.invalid_values_per_field)
    EXPECT_EQ(invalid, 0u);
}

}  // namespace
}  // namespace fedlink::agent::encoding
