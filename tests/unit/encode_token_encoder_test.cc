#include "linkage/encode/token_encoder.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/crypto/hmac.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/crypto/sha256.h"

// Counts this binary's heap allocations through operator new, so that a test
// can check that Encode allocates nothing in steady state.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// GCC 12 takes these replacements for a new/free mismatch
// (-Wmismatched-new-delete), though replacing both sides is what the
// standard allows.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace fedlink::encode {
namespace {

using schema::Transform;

constexpr uint16_t kExact = 1;     // last + first + dob + sex
constexpr uint16_t kPhonetic = 2;  // soundex(last) + soundex(first) + dob + sex
constexpr uint16_t kInitials = 3;  // compact(last) + initial(first) + dob
constexpr uint16_t kSsn = 4;       // ssn + dob
constexpr uint16_t kBlock = 5;     // year(dob) + postcode, blocking only

schema::LinkageSchema TestSchema() {
  schema::LinkageSchema s;
  s.fields = {{"first", schema::FieldKind::kName}, {"last", schema::FieldKind::kName},
              {"dob", schema::FieldKind::kDate},   {"sex", schema::FieldKind::kSex},
              {"postcode", schema::FieldKind::kPostcode},
              {"ssn", schema::FieldKind::kIdentifier}};
  s.token_recipes = {
      {kExact, "exact", {{"last"}, {"first"}, {"dob"}, {"sex"}}, false},
      {kPhonetic,
       "phonetic",
       {{"last", Transform::kSoundex}, {"first", Transform::kSoundex}, {"dob"}, {"sex"}},
       false},
      {kInitials,
       "initials",
       {{"last", Transform::kCompact}, {"first", Transform::kInitial}, {"dob"}},
       false},
      {kSsn, "ssn", {{"ssn"}, {"dob"}}, false},
      {kBlock, "block", {{"dob", Transform::kYear}, {"postcode"}}, true},
  };
  return s;
}

// One record in the field order of TestSchema; nullopt is a missing value.
NormalizedRecord Record(std::vector<std::optional<std::string>> values) {
  NormalizedRecord r;
  for (auto& v : values) {
    if (v.has_value()) {
      r.values.emplace_back(SensitiveString(std::move(*v)));
    } else {
      r.values.emplace_back(std::nullopt);
    }
  }
  return r;
}

NormalizedRecord JohnSmith() {
  return Record({"john", "smith", "19800101", "m", "2600", "123456789"});
}

crypto::SecretBytes Key(uint8_t seed) {
  std::vector<uint8_t> bytes(32);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(seed + i);
  return crypto::SecretBytes(bytes);
}

std::vector<Token> Encode(TokenEncoder& encoder, const NormalizedRecord& record) {
  std::vector<Token> tokens;
  absl::Status status = encoder.Encode(record, &tokens);
  EXPECT_TRUE(status.ok()) << status;
  return tokens;
}

std::vector<Token> EncodeWith(const schema::LinkageSchema& schema,
                              const crypto::SecretBytes& key,
                              const NormalizedRecord& record) {
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(schema, key);
  EXPECT_TRUE(encoder.ok()) << encoder.status();
  if (!encoder.ok()) return {};
  return Encode(*encoder, record);
}

std::vector<uint16_t> RecipeIds(const std::vector<Token>& tokens) {
  std::vector<uint16_t> ids;
  for (const Token& t : tokens) ids.push_back(t.recipe_id);
  return ids;
}

bool ShareAnyTokenBytes(const std::vector<Token>& a, const std::vector<Token>& b) {
  for (const Token& x : a) {
    for (const Token& y : b) {
      if (x.bytes == y.bytes) return true;
    }
  }
  return false;
}

// Pins the wire format: expected value computed with the OpenSSL command line,
//   printf '\x00\x01\x00smith\x1fjohn\x1f19800101\x1fm' |
//     openssl mac -digest SHA256 -macopt hexkey:000102…1f HMAC
// truncated to 16 bytes.
TEST(TokenEncoderTest, TokenIsTruncatedHmacOfIdZeroAndSeparatedParts) {
  const std::vector<Token> tokens = EncodeWith(TestSchema(), Key(0), JohnSmith());
  ASSERT_FALSE(tokens.empty());
  EXPECT_EQ(tokens[0].recipe_id, kExact);
  EXPECT_EQ(crypto::ToHex(tokens[0].bytes), "01ec9f144498906bccb04375e35c1233");
}

TEST(TokenEncoderTest, EncodesEveryRecipeInSchemaOrderIncludingBlockingOnly) {
  const std::vector<Token> tokens = EncodeWith(TestSchema(), Key(0), JohnSmith());
  EXPECT_EQ(RecipeIds(tokens),
            (std::vector<uint16_t>{kExact, kPhonetic, kInitials, kSsn, kBlock}));
}

TEST(TokenEncoderTest, PartsUseTheirTransforms) {
  // Same soundex codes, initial and year: those recipes agree, the exact one not.
  const std::vector<Token> a = EncodeWith(TestSchema(), Key(0), JohnSmith());
  const std::vector<Token> b = EncodeWith(
      TestSchema(), Key(0), Record({"jon", "smyth", "19800101", "m", "2600", "123456789"}));
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_NE(a[0], b[0]);  // exact
  EXPECT_EQ(a[1], b[1]);  // s530 + j500 + dob + sex
  EXPECT_NE(a[2], b[2]);  // "smith" vs "smyth"
  EXPECT_EQ(a[3], b[3]);  // ssn + dob
  EXPECT_EQ(a[4], b[4]);  // 1980 + 2600
}

TEST(TokenEncoderTest, DeterministicWithinAJob) {
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(TestSchema(), Key(7));
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  const std::vector<Token> first = Encode(*encoder, JohnSmith());
  Encode(*encoder, Record({"mary", "jones", "19751231", "f", "3000", "987654321"}));
  EXPECT_EQ(Encode(*encoder, JohnSmith()), first);
  EXPECT_EQ(EncodeWith(TestSchema(), Key(7), JohnSmith()), first);
}

TEST(TokenEncoderTest, CloneEncodesLikeTheOriginal) {
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(TestSchema(), Key(7));
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  absl::StatusOr<TokenEncoder> clone = encoder->Clone();
  ASSERT_TRUE(clone.ok()) << clone.status();
  EXPECT_EQ(Encode(*clone, JohnSmith()), Encode(*encoder, JohnSmith()));
  EXPECT_EQ(clone->recipe_count(), 5u);
  EXPECT_EQ(clone->field_count(), 6u);
}

TEST(TokenEncoderTest, SameRecordInTwoJobsSharesNoToken) {
  const crypto::SecretBytes secret = Key(42);
  absl::StatusOr<crypto::JobKeys> job1 =
      crypto::DeriveJobKeys(secret, std::vector<uint8_t>(16, 0x01));
  absl::StatusOr<crypto::JobKeys> job2 =
      crypto::DeriveJobKeys(secret, std::vector<uint8_t>(16, 0x02));
  ASSERT_TRUE(job1.ok() && job2.ok());
  const std::vector<Token> a = EncodeWith(TestSchema(), job1->token_key, JohnSmith());
  const std::vector<Token> b = EncodeWith(TestSchema(), job2->token_key, JohnSmith());
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_FALSE(ShareAnyTokenBytes(a, b));
}

TEST(TokenEncoderTest, DifferentSecretGivesDifferentTokens) {
  const std::vector<uint8_t> nonce(16, 0x01);
  absl::StatusOr<crypto::JobKeys> ours = crypto::DeriveJobKeys(Key(1), nonce);
  absl::StatusOr<crypto::JobKeys> theirs = crypto::DeriveJobKeys(Key(2), nonce);
  ASSERT_TRUE(ours.ok() && theirs.ok());
  EXPECT_FALSE(ShareAnyTokenBytes(EncodeWith(TestSchema(), ours->token_key, JohnSmith()),
                                  EncodeWith(TestSchema(), theirs->token_key, JohnSmith())));
}

TEST(TokenEncoderTest, SkipsRecipeWithMissingField) {
  const std::vector<Token> no_ssn = EncodeWith(
      TestSchema(), Key(0), Record({"john", "smith", "19800101", "m", "2600", std::nullopt}));
  EXPECT_EQ(RecipeIds(no_ssn),
            (std::vector<uint16_t>{kExact, kPhonetic, kInitials, kBlock}));
  const std::vector<Token> no_sex = EncodeWith(
      TestSchema(), Key(0), Record({"john", "smith", "19800101", std::nullopt, "2600", "1"}));
  EXPECT_EQ(RecipeIds(no_sex), (std::vector<uint16_t>{kInitials, kSsn, kBlock}));
  // The tokens that remain are the same as with the field present.
  const std::vector<Token> full = EncodeWith(TestSchema(), Key(0), JohnSmith());
  EXPECT_EQ(no_ssn[0], full[0]);
}

TEST(TokenEncoderTest, RecordWithoutValuesGivesNoTokens) {
  const std::vector<Token> tokens = EncodeWith(
      TestSchema(), Key(0),
      Record({std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
              std::nullopt}));
  EXPECT_TRUE(tokens.empty());
}

TEST(TokenEncoderTest, SkipsRecipeWhoseTransformHasNoValue) {
  // A first name without letters has no Soundex code; a dob that is not
  // YYYYMMDD has no year.
  const std::vector<Token> tokens = EncodeWith(
      TestSchema(), Key(0), Record({"123", "smith", "1980", "m", "2600", "1"}));
  EXPECT_EQ(RecipeIds(tokens), (std::vector<uint16_t>{kExact, kInitials, kSsn}));
}

TEST(TokenEncoderTest, EmptyValueNeverYieldsAToken) {
  const std::vector<Token> tokens = EncodeWith(
      TestSchema(), Key(0), Record({"", "smith", "19800101", "m", "", ""}));
  EXPECT_TRUE(tokens.empty()) << tokens.size() << " tokens";
}

schema::LinkageSchema TwoFieldSchema(std::vector<uint16_t> ids) {
  schema::LinkageSchema s;
  s.fields = {{"a", schema::FieldKind::kText}, {"b", schema::FieldKind::kText}};
  for (uint16_t id : ids) {
    s.token_recipes.push_back({id, "ab", {{"a"}, {"b"}}, false});
  }
  return s;
}

TEST(TokenEncoderTest, SeparatorKeepsPartBoundaries) {
  const std::vector<Token> ab_c =
      EncodeWith(TwoFieldSchema({7}), Key(0), Record({"ab", "c"}));
  const std::vector<Token> a_bc =
      EncodeWith(TwoFieldSchema({7}), Key(0), Record({"a", "bc"}));
  ASSERT_EQ(ab_c.size(), 1u);
  ASSERT_EQ(a_bc.size(), 1u);
  EXPECT_NE(ab_c[0].bytes, a_bc[0].bytes);
}

TEST(TokenEncoderTest, RecipeIdIsPartOfTheHashInput) {
  const std::vector<Token> tokens =
      EncodeWith(TwoFieldSchema({7, 8, 0x0107}), Key(0), Record({"ab", "c"}));
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_NE(tokens[0].bytes, tokens[1].bytes);
  EXPECT_NE(tokens[0].bytes, tokens[2].bytes);  // both id bytes count
  EXPECT_NE(tokens[1].bytes, tokens[2].bytes);
}

TEST(TokenEncoderTest, ValueContainingSeparatorIsTreatedAsMissing) {
  const std::vector<Token> tokens =
      EncodeWith(TwoFieldSchema({7}), Key(0), Record({"a\x1f" "b", "c"}));
  EXPECT_TRUE(tokens.empty());
}

TEST(TokenEncoderTest, AppendsToExistingTokens) {
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(TestSchema(), Key(0));
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  std::vector<Token> tokens;
  ASSERT_TRUE(encoder->Encode(JohnSmith(), &tokens).ok());
  ASSERT_TRUE(encoder->Encode(JohnSmith(), &tokens).ok());
  ASSERT_EQ(tokens.size(), 10u);
  EXPECT_TRUE(std::equal(tokens.begin(), tokens.begin() + 5, tokens.begin() + 5));
}

TEST(TokenEncoderTest, RejectsRecordWithWrongFieldCount) {
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(TestSchema(), Key(0));
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  std::vector<Token> tokens;
  absl::Status status = encoder->Encode(Record({"john", "smith"}), &tokens);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(tokens.empty());
}

TEST(TokenEncoderTest, RejectsRecipeNamingUnknownField) {
  schema::LinkageSchema s = TestSchema();
  s.token_recipes[2].parts[1].field = "middle";
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(s, Key(0));
  ASSERT_FALSE(encoder.ok());
  EXPECT_EQ(encoder.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(encoder.status().message());
  EXPECT_NE(message.find("token_recipes[2]"), std::string::npos) << message;
  EXPECT_NE(message.find("parts[1]"), std::string::npos) << message;
  EXPECT_NE(message.find("'middle'"), std::string::npos) << message;
}

TEST(TokenEncoderTest, RejectsRecipeWithoutParts) {
  schema::LinkageSchema s = TestSchema();
  s.token_recipes[1].parts.clear();
  EXPECT_EQ(TokenEncoder::Create(s, Key(0)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TokenEncoderTest, RejectsDuplicateRecipeId) {
  schema::LinkageSchema s = TestSchema();
  s.token_recipes[3].id = kExact;
  EXPECT_EQ(TokenEncoder::Create(s, Key(0)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TokenEncoderTest, RejectsEmptyKey) {
  EXPECT_FALSE(TokenEncoder::Create(TestSchema(), crypto::SecretBytes()).ok());
}

TEST(TokenEncoderTest, MovedEncoderKeepsEncoding) {
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(TestSchema(), Key(3));
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  const std::vector<Token> expected = Encode(*encoder, JohnSmith());
  TokenEncoder moved = std::move(*encoder);
  EXPECT_EQ(Encode(moved, JohnSmith()), expected);
  absl::StatusOr<TokenEncoder> other = TokenEncoder::Create(TestSchema(), Key(4));
  ASSERT_TRUE(other.ok());
  *other = std::move(moved);
  EXPECT_EQ(Encode(*other, JohnSmith()), expected);
}

TEST(TokenEncoderTest, SteadyStateEncodeDoesNotAllocate) {
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(TestSchema(), Key(0));
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  const std::vector<NormalizedRecord> records = {
      JohnSmith(),
      Record({"maximiliana", "van der berg-hoogstraten", "19751231", "f", "3000",
              "987654321"}),
      Record({"li", "ng", "20010704", std::nullopt, "2913", std::nullopt}),
  };
  std::vector<Token> tokens;
  for (const NormalizedRecord& r : records) {  // warm-up: buffers reach size
    tokens.clear();
    ASSERT_TRUE(encoder->Encode(r, &tokens).ok());
  }
  const long before = g_allocations.load();
  size_t encoded = 0;
  bool all_ok = true;
  for (int round = 0; round < 100; ++round) {
    for (const NormalizedRecord& r : records) {
      tokens.clear();
      all_ok = encoder->Encode(r, &tokens).ok() && all_ok;
      encoded += tokens.size();
    }
  }
  const long allocations = g_allocations.load() - before;
  EXPECT_TRUE(all_ok);
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(encoded, 100u * (5 + 5 + 2));

  // The counter does see allocations: a fresh output vector must grow.
  std::vector<Token> fresh;
  ASSERT_TRUE(encoder->Encode(records[0], &fresh).ok());
  EXPECT_GT(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace fedlink::encode
