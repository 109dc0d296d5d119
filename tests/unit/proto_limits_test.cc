// The contract's limits: every string, bytes and repeated field has one;
// the C++ constants agree with the annotations; oversized or malformed
// fields are refused naming the field (never the value), values at the
// limit are accepted; the cross-field rules of the main messages hold.
#include "proto/runtime/limits.h"

#include <set>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/status/status.h"
#include "fedlink/v1/options.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "linkage/schema/linkage_schema.h"
#include "proto/runtime/linkage_schema_proto.h"

namespace fedlink::proto {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using ::testing::HasSubstr;
using ::testing::Not;

// A value that must never appear in an error message.
constexpr char kCanary[] = "CANARYVALUE";

void CollectFiles(const FileDescriptor* file, std::set<const FileDescriptor*>* out) {
  if (file->package() != "fedlink.v1" || !out->insert(file).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) CollectFiles(file->dependency(i), out);
}

void CollectMessages(const Descriptor* message, std::vector<const Descriptor*>* out) {
  out->push_back(message);
  for (int i = 0; i < message->nested_type_count(); ++i) {
    CollectMessages(message->nested_type(i), out);
  }
}

std::vector<const Descriptor*> AllMessages() {
  std::set<const FileDescriptor*> files;
  CollectFiles(v1::WorkItem::descriptor()->file(), &files);       // coordinator.proto
  CollectFiles(v1::IngestRequest::descriptor()->file(), &files);  // agent_admin.proto
  std::vector<const Descriptor*> messages;
  for (const FileDescriptor* file : files) {
    for (int i = 0; i < file->message_type_count(); ++i) {
      CollectMessages(file->message_type(i), &messages);
    }
  }
  return messages;
}

const v1::FieldLimits& LimitsOf(const Descriptor* message, const std::string& field) {
  const FieldDescriptor* f = message->FindFieldByName(field);
  EXPECT_NE(f, nullptr) << message->full_name() << "." << field;
  return f->options().GetExtension(v1::limits);
}

TEST(ContractLimitsTest, EveryStringBytesAndRepeatedFieldHasALimit) {
  std::vector<const Descriptor*> messages = AllMessages();
  ASSERT_GT(messages.size(), 60u);  // all eleven files were found
  int checked = 0;
  for (const Descriptor* message : messages) {
    if (message->full_name() == "fedlink.v1.FieldLimits") continue;  // the option itself
    for (int i = 0; i < message->field_count(); ++i) {
      const FieldDescriptor* f = message->field(i);
      const v1::FieldLimits& limits = f->options().GetExtension(v1::limits);
      if (f->is_repeated()) {
        EXPECT_GT(limits.max_count(), 0u) << f->full_name() << " has no max_count";
        ++checked;
      }
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        EXPECT_GT(limits.max_bytes(), 0u) << f->full_name() << " has no max_bytes";
        ++checked;
      }
      if (limits.min_bytes() > 0) {
        EXPECT_LE(limits.min_bytes(), limits.max_bytes()) << f->full_name();
      }
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(ContractLimitsTest, ConstantsMatchTheAnnotations) {
  const Descriptor* batch = v1::EncodingBatch::descriptor();
  EXPECT_EQ(LimitsOf(batch, "record_count").max_value(), kMaxRecordsPerEncodingBatch);
  EXPECT_EQ(LimitsOf(batch, "token_counts").max_count(), kMaxRecordsPerEncodingBatch);
  EXPECT_EQ(LimitsOf(batch, "token_counts").max_value(), kMaxTokensPerRecord);
  EXPECT_EQ(LimitsOf(batch, "token_recipe_ids").max_count(), kMaxTokensPerEncodingBatch);
  EXPECT_EQ(LimitsOf(batch, "tokens").max_bytes(), kMaxEncodingColumnBytes);
  EXPECT_EQ(LimitsOf(batch, "filters").max_bytes(), kMaxEncodingColumnBytes);
  EXPECT_EQ(LimitsOf(batch, "field_filters").max_bytes(), kMaxEncodingColumnBytes);
  EXPECT_EQ(LimitsOf(batch, "filter_bits").max_value(), kMaxFilterBits);
  EXPECT_EQ(LimitsOf(batch, "field_filter_bits").max_value(), kMaxFilterBits);
  EXPECT_EQ(LimitsOf(batch, "field_filters_per_record").max_value(), kMaxFieldFiltersPerRecord);
  EXPECT_EQ(LimitsOf(batch, "category_codes").max_count(), kMaxRecordsPerEncodingBatch);
  EXPECT_EQ(LimitsOf(batch, "schema_fingerprint").max_bytes(), kSha256Bytes);

  const Descriptor* assignments = v1::AssignmentBatch::descriptor();
  EXPECT_EQ(LimitsOf(assignments, "pseudonyms").max_count(), kMaxAssignmentsPerBatch);
  EXPECT_EQ(LimitsOf(assignments, "research_ids").max_bytes(),
            kMaxAssignmentsPerBatch * kResearchIdBytes);

  const Descriptor* chunk = v1::PayloadChunk::descriptor();
  EXPECT_EQ(LimitsOf(chunk, "ciphertext").max_bytes(), kMaxPayloadCiphertextBytes);
  EXPECT_EQ(LimitsOf(chunk, "ciphertext").min_bytes(), kAeadTagBytes);
  EXPECT_EQ(LimitsOf(chunk, "enc").max_bytes(), kX25519PublicKeyBytes);
  EXPECT_EQ(LimitsOf(v1::ReleasedRows::descriptor(), "rows").max_count(), kMaxRowsPerPayloadChunk);

  const Descriptor* spec = v1::JobSpec::descriptor();
  EXPECT_EQ(LimitsOf(spec, "parties").max_count(), kMaxParties);
  EXPECT_EQ(LimitsOf(v1::Party::descriptor(), "columns").max_count(), kMaxColumnsPerParty);
  EXPECT_EQ(LimitsOf(v1::Party::descriptor(), "agency").max_bytes(), kMaxNameBytes);
  EXPECT_EQ(LimitsOf(v1::Job::descriptor(), "job_id").max_bytes(), kMaxNameBytes);
  EXPECT_EQ(LimitsOf(v1::DecideJob::descriptor(), "job_spec").max_bytes(), kMaxJobSpecBytes);
  EXPECT_EQ(LimitsOf(v1::EncodeJob::descriptor(), "job_spec").max_bytes(), kMaxJobSpecBytes);
  EXPECT_EQ(LimitsOf(v1::EncodeJob::descriptor(), "job_nonce").max_bytes(), kJobNonceBytes);
  EXPECT_EQ(LimitsOf(v1::AnalystKey::descriptor(), "x25519_public_key").max_bytes(),
            kX25519PublicKeyBytes);

  const Descriptor* decision = v1::SignedDecision::descriptor();
  EXPECT_EQ(LimitsOf(decision, "signature").max_bytes(), kEd25519SignatureBytes);
  EXPECT_EQ(LimitsOf(decision, "job_spec_sha256").max_bytes(), kSha256Bytes);
  EXPECT_EQ(LimitsOf(v1::AgencyRegistration::descriptor(), "ed25519_public_key").max_bytes(),
            kEd25519PublicKeyBytes);

  EXPECT_EQ(LimitsOf(v1::LoggedEntry::descriptor(), "entry").max_bytes(), kMaxAuditEntryBytes);
  EXPECT_EQ(LimitsOf(v1::InclusionProof::descriptor(), "path").max_count(), kMaxProofHashes);
  EXPECT_EQ(LimitsOf(v1::ConsistencyProof::descriptor(), "path").max_count(), kMaxProofHashes);
  EXPECT_EQ(LimitsOf(v1::IngestRequest::descriptor(), "data").max_bytes(), kMaxIngestChunkBytes);
}

TEST(ContractLimitsTest, TheLargestFieldsFitInOneGrpcMessage) {
  // Each of these is sent as one message; leave room for the other fields.
  EXPECT_LT(kMaxEncodingColumnBytes + (1u << 20), kMaxGrpcMessageBytes);
  EXPECT_LT(kMaxPayloadCiphertextBytes + (1u << 20), kMaxGrpcMessageBytes);
  EXPECT_LT(kMaxJobSpecBytes * 2 + (1u << 20), kMaxGrpcMessageBytes);
  EXPECT_LE(kMaxPayloadPlaintextBytes, kMaxPayloadCiphertextBytes - kAeadTagBytes);
}

// ------------------------------------------------------------ fixtures

std::string Bytes(size_t n, char c = 'x') { return std::string(n, c); }

v1::JobSpec ValidSpec() {
  v1::JobSpec spec;
  spec.set_title("Post-secondary outcomes of 2015 graduates");
  spec.set_purpose("Employment outcomes by programme.\nSecond line.");
  spec.set_irb_reference("IRB-2024-017");
  spec.set_data_sharing_agreement("DSA-7");
  spec.mutable_expires_at()->set_seconds(4102444800);  // 2100-01-01
  for (const char* agency : {"edu", "wages"}) {
    v1::Party* party = spec.add_parties();
    party->set_agency(agency);
    party->add_columns("program_code");
  }
  v1::CohortCondition* condition = spec.mutable_parties(0)->mutable_cohort()->add_all_of();
  condition->set_column("grad_year");
  condition->set_comparison(v1::COMPARISON_EQUAL);
  condition->set_compare_as(v1::VALUE_TYPE_NUMBER);
  condition->add_values("2015");
  spec.set_method(v1::LINKAGE_METHOD_TOKENS_AND_BLOOM);
  *spec.mutable_linkage_schema() = MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
  spec.mutable_match()->set_bloom_threshold(0.8);
  spec.set_output_mode(v1::OUTPUT_MODE_LINKED_MICRODATA);
  spec.mutable_analyst_key()->set_x25519_public_key(Bytes(32, 'k'));
  spec.mutable_analyst_key()->set_aead(v1::HPKE_AEAD_AES_128_GCM);
  return spec;
}

v1::SubmitJobRequest ValidSubmit() {
  v1::SubmitJobRequest request;
  *request.mutable_spec() = ValidSpec();
  return request;
}

// Two records: 2 + 1 tokens, 1024-bit filters.
v1::EncodingBatch ValidBatch() {
  v1::EncodingBatch batch;
  batch.set_job_id("job-1");
  batch.set_agency("edu");
  batch.set_schema_fingerprint(Bytes(32, 'f'));
  batch.set_sequence(0);
  batch.set_first_pseudonym(0);
  batch.set_record_count(2);
  batch.add_token_counts(2);
  batch.add_token_counts(1);
  batch.add_token_recipe_ids(1);
  batch.add_token_recipe_ids(2);
  batch.add_token_recipe_ids(1);
  batch.set_tokens(Bytes(3 * kTokenBytes));
  batch.set_filter_bits(1024);
  batch.set_filters(Bytes(2 * 128));
  return batch;
}

void ExpectRejected(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(field));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr(kCanary)));
}

// ------------------------------------------------------------ generic limits

TEST(ValidateTest, ValidMessagesPass) {
  EXPECT_TRUE(Validate(ValidSubmit()).ok()) << Validate(ValidSubmit());
  EXPECT_TRUE(Validate(ValidBatch()).ok()) << Validate(ValidBatch());
}

TEST(ValidateTest, StringAtTheLimitPassesOneByteMoreIsRefusedNamingTheField) {
  v1::SubmitJobRequest request = ValidSubmit();
  request.mutable_spec()->set_title(Bytes(200));
  EXPECT_TRUE(Validate(request).ok());
  request.mutable_spec()->set_title(std::string(kCanary) + Bytes(200 - sizeof(kCanary) + 2));
  ASSERT_EQ(request.spec().title().size(), 201u);
  absl::Status status = Validate(request);
  ExpectRejected(status, "SubmitJobRequest.spec.title: 201 bytes exceeds the limit of 200");
}

TEST(ValidateTest, RepeatedFieldAtTheLimitPassesOneMoreIsRefused) {
  v1::SubmitJobRequest request = ValidSubmit();
  v1::Party* party = request.mutable_spec()->mutable_parties(1);
  party->clear_columns();
  for (size_t i = 0; i < kMaxColumnsPerParty; ++i) party->add_columns("c" + std::to_string(i));
  EXPECT_TRUE(Validate(request).ok()) << Validate(request);
  party->add_columns("one_more");
  ExpectRejected(Validate(request),
                 "SubmitJobRequest.spec.parties[1].columns: 257 elements exceed the limit of 256");
}

TEST(ValidateTest, ElementOfARepeatedStringIsCheckedWithItsIndex) {
  v1::SubmitJobRequest request = ValidSubmit();
  request.mutable_spec()->mutable_parties(0)->mutable_cohort()->mutable_all_of(0)->set_values(
      0, std::string(kCanary) + Bytes(256));
  ExpectRejected(Validate(request),
                 "SubmitJobRequest.spec.parties[0].cohort.all_of[0].values[0]: "
                 "267 bytes exceeds the limit of 256");
}

TEST(ValidateTest, LargeBytesFieldAtTheLimitPassesOneByteMoreIsRefused) {
  v1::PayloadChunk chunk;
  chunk.set_job_id("job-1");
  chunk.set_agency("edu");
  chunk.set_kind(v1::PAYLOAD_KIND_ROWS);
  chunk.set_enc(Bytes(kX25519PublicKeyBytes));
  chunk.set_ciphertext(Bytes(kMaxPayloadCiphertextBytes));
  EXPECT_TRUE(Validate(chunk).ok()) << Validate(chunk);
  chunk.mutable_ciphertext()->push_back('x');
  ExpectRejected(Validate(chunk), "PayloadChunk.ciphertext: 4194321 bytes exceeds the limit");
  chunk.set_ciphertext(Bytes(kAeadTagBytes - 1));
  ExpectRejected(Validate(chunk), "PayloadChunk.ciphertext: 15 bytes is below the minimum of 16");
}

TEST(ValidateTest, EncodingColumnsAtTheLimitPass) {
  v1::EncodingBatch batch = ValidBatch();
  const size_t tokens = kMaxEncodingColumnBytes / kTokenBytes;  // 2^20 tokens
  ASSERT_EQ(tokens, kMaxTokensPerEncodingBatch);
  batch.set_record_count(1024);
  batch.clear_token_counts();
  for (int i = 0; i < 1024; ++i) batch.add_token_counts(1024);  // kMaxTokensPerRecord each
  batch.clear_token_recipe_ids();
  for (size_t i = 0; i < tokens; ++i) batch.add_token_recipe_ids(1 + i % 1024);
  batch.set_tokens(Bytes(kMaxEncodingColumnBytes));
  batch.set_filters(Bytes(1024 * 128));
  EXPECT_TRUE(Validate(batch).ok()) << Validate(batch);
  batch.add_token_recipe_ids(1);
  ExpectRejected(Validate(batch), "EncodingBatch.token_recipe_ids: 1048577 elements exceed");
}

TEST(ValidateTest, ExactLengthFieldsRefuseOtherLengths) {
  v1::EncodingBatch batch = ValidBatch();
  batch.set_schema_fingerprint(Bytes(31));
  ExpectRejected(Validate(batch), "EncodingBatch.schema_fingerprint: 31 bytes, must be exactly 32");
  batch.set_schema_fingerprint(Bytes(33));
  ExpectRejected(Validate(batch), "EncodingBatch.schema_fingerprint: 33 bytes exceeds");

  v1::InclusionProof proof;
  proof.set_tree_size(4);
  proof.add_path(Bytes(32));
  proof.add_path("");
  ExpectRejected(Validate(proof), "InclusionProof.path[1]: 0 bytes, must be exactly 32");
}

TEST(ValidateTest, RequiredFieldsMustBePresent) {
  v1::SubmitJobRequest request = ValidSubmit();
  request.mutable_spec()->clear_irb_reference();
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.irb_reference: required");

  request = ValidSubmit();
  request.mutable_spec()->clear_expires_at();
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.expires_at: required");

  request = ValidSubmit();
  request.mutable_spec()->set_method(v1::LINKAGE_METHOD_UNSPECIFIED);
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.method: required");

  v1::GetJobRequest get;
  ExpectRejected(Validate(get), "GetJobRequest.job_id: required");
}

TEST(ValidateTest, NamesMustFollowTheirSyntaxAndAreNotQuoted) {
  v1::GetJobRequest get;
  get.set_job_id(std::string("job/") + kCanary);
  ExpectRejected(Validate(get), "GetJobRequest.job_id: not a valid name");

  v1::SubmitJobRequest request = ValidSubmit();
  request.mutable_spec()->mutable_parties(0)->set_agency("EDU");
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.parties[0].agency: not a valid name");

  request = ValidSubmit();
  request.mutable_spec()->mutable_parties(0)->set_columns(0, "1st column");
  ExpectRejected(Validate(request),
                 "SubmitJobRequest.spec.parties[0].columns[0]: not a valid identifier");

  request = ValidSubmit();
  request.mutable_spec()->set_title(std::string("two\nlines ") + kCanary);
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.title: contains a control");

  request = ValidSubmit();
  request.mutable_spec()->set_title("right-to-left \xE2\x80\xAE override");
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.title: contains a control");
}

TEST(ValidateTest, TextSyntaxHelpers) {
  EXPECT_TRUE(IsNameSyntax("edu"));
  EXPECT_TRUE(IsNameSyntax("0-a.b_c"));
  EXPECT_FALSE(IsNameSyntax(""));
  EXPECT_FALSE(IsNameSyntax("-edu"));
  EXPECT_FALSE(IsNameSyntax("Edu"));
  EXPECT_FALSE(IsNameSyntax("e du"));
  EXPECT_TRUE(IsPrincipalSyntax("edu/bob"));
  EXPECT_FALSE(IsPrincipalSyntax("edu/bob/x"));
  EXPECT_FALSE(IsPrincipalSyntax("edu/"));
  EXPECT_TRUE(IsIdentifierSyntax("First_Name"));
  EXPECT_TRUE(IsIdentifierSyntax("_x.y-z"));
  EXPECT_FALSE(IsIdentifierSyntax("1st"));
  EXPECT_TRUE(IsPrintableText("García-López, Nguyễn", false));
  EXPECT_FALSE(IsPrintableText("a\tb", false));
  EXPECT_TRUE(IsPrintableText("a\tb\nc", true));
  EXPECT_FALSE(IsPrintableText("a\rb", true));
  EXPECT_FALSE(IsPrintableText("a\x7f", true));
  EXPECT_FALSE(IsPrintableText("a\xC2\x85", true));      // NEL (C1)
  EXPECT_FALSE(IsPrintableText("a\xE2\x80\xA8", true));  // line separator
  EXPECT_FALSE(IsPrintableText("a\xE2\x81\xA6", true));  // left-to-right isolate
}

TEST(ValidateTest, UnknownEnumValuesAndUnknownFieldsAreRefused) {
  v1::SubmitJobRequest request = ValidSubmit();
  request.mutable_spec()->set_output_mode(static_cast<v1::OutputMode>(77));
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.output_mode: unknown OutputMode value");

  // A field number this build does not know, as a newer peer might send.
  v1::GetJobRequest get;
  get.set_job_id("job-1");
  std::string wire = get.SerializeAsString();
  wire += std::string("\xA0\x06\x01", 3);  // field 100, varint 1
  v1::GetJobRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire));
  ExpectRejected(Validate(parsed), "GetJobRequest: unknown field number 100");
}

TEST(ValidateTest, IntegerRangesAndTimestamps) {
  v1::EncodingBatch batch = ValidBatch();
  batch.set_token_recipe_ids(1, 0);
  ExpectRejected(Validate(batch), "EncodingBatch.token_recipe_ids[1]: value out of range 1..65535");
  batch = ValidBatch();
  batch.set_filter_bits(kMaxFilterBits + 64);
  ExpectRejected(Validate(batch), "EncodingBatch.filter_bits: value out of range 64..16384");

  v1::SubmitJobRequest request = ValidSubmit();
  request.mutable_spec()->mutable_expires_at()->set_nanos(-1);
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.expires_at: not a valid timestamp");
}

// ------------------------------------------------------------ cross-field rules

TEST(EncodingBatchRulesTest, ColumnsMustAgreeWithRecordCount) {
  v1::EncodingBatch batch = ValidBatch();
  batch.add_token_counts(0);
  ExpectRejected(Validate(batch), "EncodingBatch.token_counts: 3 entries for 2 records");

  batch = ValidBatch();
  batch.set_token_counts(0, 1);
  ExpectRejected(Validate(batch),
                 "EncodingBatch.token_recipe_ids: 3 entries but token_counts sum to 2");

  batch = ValidBatch();
  batch.mutable_tokens()->pop_back();
  ExpectRejected(Validate(batch), "EncodingBatch.tokens: 47 bytes, expected 16 per token");

  batch = ValidBatch();
  batch.set_filters(Bytes(3 * 128));
  ExpectRejected(Validate(batch), "EncodingBatch.filters: 384 bytes, expected 256");

  batch = ValidBatch();
  batch.set_filter_bits(1000);
  ExpectRejected(Validate(batch), "EncodingBatch.filter_bits: not a multiple of 64");

  batch = ValidBatch();
  batch.add_category_codes(3);
  ExpectRejected(Validate(batch), "EncodingBatch.category_codes: 1 entries for 2 records");
}

TEST(EncodingBatchRulesTest, FieldLevelFilters) {
  v1::EncodingBatch batch = ValidBatch();
  batch.set_field_filters_per_record(3);
  batch.set_field_filter_bits(512);
  batch.set_field_filters(Bytes(2 * 3 * 64));
  EXPECT_TRUE(Validate(batch).ok()) << Validate(batch);
  batch.mutable_field_filters()->append(Bytes(64));
  ExpectRejected(Validate(batch), "EncodingBatch.field_filters: 448 bytes, expected 384");
  batch.set_field_filters_per_record(0);
  ExpectRejected(Validate(batch), "EncodingBatch.field_filters_per_record: required");
}

TEST(EncodingBatchRulesTest, EmptyBatchesOnlyAtTheEnd) {
  v1::EncodingBatch batch;
  batch.set_job_id("job-1");
  batch.set_agency("edu");
  batch.set_schema_fingerprint(Bytes(32));
  ExpectRejected(Validate(batch), "EncodingBatch.record_count: required outside a final batch");
  batch.set_final_batch(true);
  EXPECT_TRUE(Validate(batch).ok()) << Validate(batch);

  batch = ValidBatch();
  batch.clear_token_counts();
  batch.clear_token_recipe_ids();
  batch.clear_tokens();
  batch.clear_filter_bits();
  batch.clear_filters();
  ExpectRejected(Validate(batch), "EncodingBatch: 2 records but neither tokens nor filters");

  batch = ValidBatch();
  batch.set_first_pseudonym(0xFFFFFFFF);
  ExpectRejected(Validate(batch), "EncodingBatch.first_pseudonym: the batch runs past");
}

TEST(AssignmentBatchRulesTest, ResearchIdsMatchPseudonymsWhichAreUnique) {
  v1::AssignmentBatch batch;
  batch.set_job_id("job-1");
  for (uint32_t p = 0; p < kMaxAssignmentsPerBatch; ++p) batch.add_pseudonyms(p);
  batch.set_research_ids(Bytes(kMaxAssignmentsPerBatch * kResearchIdBytes));
  EXPECT_TRUE(Validate(batch).ok()) << Validate(batch);
  batch.add_pseudonyms(kMaxAssignmentsPerBatch);
  ExpectRejected(Validate(batch), "AssignmentBatch.pseudonyms: 65537 elements exceed");

  batch.Clear();
  batch.set_job_id("job-1");
  batch.add_pseudonyms(7);
  batch.add_pseudonyms(7);
  batch.set_research_ids(Bytes(32));
  ExpectRejected(Validate(batch), "AssignmentBatch.pseudonyms: a pseudonym is listed twice");
  batch.set_pseudonyms(1, 8);
  batch.set_research_ids(Bytes(31));
  ExpectRejected(Validate(batch), "AssignmentBatch.research_ids: 31 bytes, expected 32");
}

TEST(JobSpecRulesTest, PartiesColumnsAndConditions) {
  v1::SubmitJobRequest request = ValidSubmit();
  request.mutable_spec()->mutable_parties()->RemoveLast();
  ExpectRejected(Validate(request),
                 "SubmitJobRequest.spec.parties: 1 parties; a job needs at least 2");

  request = ValidSubmit();
  request.mutable_spec()->mutable_parties(1)->set_agency("edu");
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.parties[1].agency: listed twice");

  request = ValidSubmit();
  request.mutable_spec()->mutable_parties(0)->add_columns("program_code");
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.parties[0].columns[1]: listed twice");

  request = ValidSubmit();
  v1::CohortCondition* condition =
      request.mutable_spec()->mutable_parties(0)->mutable_cohort()->mutable_all_of(0);
  condition->set_comparison(v1::COMPARISON_IN);
  EXPECT_TRUE(Validate(request).ok());
  condition->clear_values();
  ExpectRejected(Validate(request),
                 "parties[0].cohort.all_of[0].values: 0 values; the "
                 "comparison takes at least one value");
  condition->set_comparison(v1::COMPARISON_PRESENT);
  EXPECT_TRUE(Validate(request).ok());
}

TEST(JobSpecRulesTest, MethodOutputAndSize) {
  v1::SubmitJobRequest request = ValidSubmit();
  request.mutable_spec()->mutable_linkage_schema()->mutable_schema()->clear_bloom();
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.linkage_schema.schema.bloom: required");

  request = ValidSubmit();
  request.mutable_spec()->mutable_match()->set_bloom_threshold(0);
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.match.bloom_threshold: required");
  request.mutable_spec()->mutable_match()->set_bloom_threshold(1.5);
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.match.bloom_threshold: must be in");

  request = ValidSubmit();
  request.mutable_spec()->clear_analyst_key();
  ExpectRejected(Validate(request), "SubmitJobRequest.spec.analyst_key: required for linked");

  request = ValidSubmit();
  request.mutable_spec()->set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  request.mutable_spec()->mutable_aggregate()->mutable_category()->set_agency("health");
  request.mutable_spec()->mutable_aggregate()->mutable_category()->set_column("region");
  ExpectRejected(Validate(request),
                 "SubmitJobRequest.spec.aggregate.category.agency: not one of the job's parties");

  // Each field within its limit, the whole spec above 1 MiB.
  request = ValidSubmit();
  for (int i = 0; i < 32; ++i) {
    v1::CohortCondition* c =
        request.mutable_spec()->mutable_parties(0)->mutable_cohort()->add_all_of();
    c->set_column("code");
    c->set_comparison(v1::COMPARISON_IN);
    c->set_compare_as(v1::VALUE_TYPE_TEXT);
    for (int j = 0; j < 200; ++j) c->add_values(Bytes(200));
  }
  request.mutable_spec()->mutable_parties(0)->mutable_cohort()->mutable_all_of()->DeleteSubrange(0,
                                                                                                 1);
  ExpectRejected(Validate(request), "SubmitJobRequest.spec: serialised size");
}

TEST(WorkItemRulesTest, SpecBytesMustMatchTheirHash) {
  const std::string spec = ValidSpec().SerializeAsString();
  const crypto::Sha256Digest digest = crypto::Sha256(spec);
  const std::string hash(digest.begin(), digest.end());

  v1::WorkItem item;
  item.set_job_id("job-1");
  item.mutable_decide()->set_job_spec(spec);
  item.mutable_decide()->set_job_spec_sha256(hash);
  item.mutable_decide()->mutable_analyst()->set_role(v1::ROLE_ANALYST);
  item.mutable_decide()->mutable_analyst()->set_name("alice");
  EXPECT_TRUE(Validate(item).ok()) << Validate(item);
  EXPECT_TRUE(ParseJobSpec(spec, hash, "WorkItem.decide.job_spec").ok());

  item.mutable_decide()->set_job_spec(spec + " ");
  ExpectRejected(Validate(item), "WorkItem.decide.job_spec_sha256: does not match");
  ExpectRejected(ParseJobSpec(spec + " ", hash, "WorkItem.decide.job_spec").status(),
                 "WorkItem.decide.job_spec: the job spec does not match its SHA-256");

  v1::WorkItem none;
  ExpectRejected(Validate(none), "WorkItem.work: required");
}

TEST(WorkItemRulesTest, EncodeApprovalsMustBeForThisSpec) {
  const std::string spec = ValidSpec().SerializeAsString();
  const crypto::Sha256Digest digest = crypto::Sha256(spec);
  const std::string hash(digest.begin(), digest.end());
  v1::WorkItem item;
  item.set_job_id("job-1");
  v1::EncodeJob* encode = item.mutable_encode();
  encode->set_job_spec(spec);
  encode->set_job_spec_sha256(hash);
  encode->set_job_nonce(Bytes(kJobNonceBytes));
  for (const char* agency : {"edu", "wages"}) {
    v1::SignedDecision* d = encode->add_approvals();
    d->set_job_id("job-1");
    d->set_agency(agency);
    d->set_job_spec_sha256(hash);
    d->set_verdict(v1::VERDICT_APPROVE);
    d->set_steward(std::string(agency) + "/bob");
    d->set_decided_at_unix_ms(1700000000000);
    d->set_key_id(Bytes(32));
    d->set_signature(Bytes(64));
  }
  EXPECT_TRUE(Validate(item).ok()) << Validate(item);
  encode->mutable_approvals(1)->set_job_spec_sha256(Bytes(32));
  ExpectRejected(Validate(item), "WorkItem.encode.approvals[1]: is for another job or job spec");
  encode->mutable_approvals(1)->set_job_spec_sha256(hash);
  encode->mutable_approvals(0)->set_verdict(v1::VERDICT_DENY);
  ExpectRejected(Validate(item), "WorkItem.encode.approvals[0]: is not an approval");
}

TEST(OtherRulesTest, ProofsRowsAndOneofs) {
  v1::GetInclusionProofRequest inclusion;
  inclusion.set_leaf_index(5);
  inclusion.set_tree_size(5);
  ExpectRejected(Validate(inclusion), "GetInclusionProofRequest.leaf_index: must be below");
  inclusion.set_tree_size(6);
  EXPECT_TRUE(Validate(inclusion).ok());

  v1::GetConsistencyProofRequest consistency;
  consistency.set_first_size(7);
  consistency.set_second_size(6);
  ExpectRejected(Validate(consistency), "GetConsistencyProofRequest.first_size: must not exceed");

  v1::ReleasedRows rows;
  rows.add_columns("program_code");
  rows.add_columns("wage_band");
  v1::ReleasedRow* row = rows.add_rows();
  row->set_research_id(Bytes(kResearchIdBytes));
  row->add_values("B1");
  ExpectRejected(Validate(rows), "ReleasedRows.rows[0].values: 1 values for 2 columns");
  row->add_values("");
  EXPECT_TRUE(Validate(rows).ok()) << Validate(rows);

  v1::IngestRequest ingest;
  ExpectRejected(Validate(ingest), "IngestRequest.part: required");
  ingest.set_data(Bytes(kMaxIngestChunkBytes));
  EXPECT_TRUE(Validate(ingest).ok());
  ingest.mutable_data()->push_back('x');
  ExpectRejected(Validate(ingest), "IngestRequest.data: 1048577 bytes exceeds");
}

TEST(ParseValidatedTest, RefusesBytesThatAreNotTheMessage) {
  absl::StatusOr<v1::ReleasedRows> parsed =
      ParseValidated<v1::ReleasedRows>("\xff\xff\xff", "plaintext");
  ExpectRejected(parsed.status(), "plaintext: not a valid serialised fedlink.v1.ReleasedRows");

  v1::ReleasedRows rows;
  rows.add_columns("a");
  rows.add_rows()->set_research_id(Bytes(kResearchIdBytes));
  parsed = ParseValidated<v1::ReleasedRows>(rows.SerializeAsString(), "plaintext");
  ExpectRejected(parsed.status(), "plaintext.rows[0].values: 0 values for 1 columns");
}

}  // namespace
}  // namespace fedlink::proto
