#include "linkage/encode/clk_encoder.h"

#include <bit>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/crypto/sha256.h"
#include "linkage/encode/qgrams.h"

namespace fedlink::encode {
namespace {

using schema::BloomField;
using schema::FieldKind;
using schema::LinkageSchema;
using schema::Transform;

crypto::SecretBytes Key(uint8_t first = 0) {
  crypto::SecretBytes key = crypto::SecretBytes::Zeroed(32);
  for (size_t i = 0; i < key.size(); ++i) key.mutable_data()[i] = static_cast<uint8_t>(i);
  key.mutable_data()[0] = first;
  return key;
}

// given_name, surname, address, suburb, dob — the FEBRL-like record.
LinkageSchema FebrlSchema() {
  LinkageSchema s;
  s.fields = {{"given_name", FieldKind::kName},
              {"surname", FieldKind::kName},
              {"address", FieldKind::kText},
              {"suburb", FieldKind::kText},
              {"dob", FieldKind::kDate}};
  schema::BloomParams p;
  p.fields = {{"given_name", Transform::kCompact, 20},
              {"surname", Transform::kCompact, 20},
              {"address", Transform::kValue, 10},
              {"suburb", Transform::kValue, 10},
              {"dob", Transform::kValue, 15}};
  s.bloom = p;
  return s;
}

// One field "x" encoded with the given parameters.
LinkageSchema OneFieldSchema(uint32_t bits, uint32_t q, bool padded, uint32_t k) {
  LinkageSchema s;
  s.fields = {{"x", FieldKind::kText}};
  schema::BloomParams p;
  p.bits = bits;
  p.q = q;
  p.padded = padded;
  p.fields = {{"x", Transform::kValue, k}};
  s.bloom = p;
  return s;
}

NormalizedRecord Rec(std::vector<std::optional<std::string>> values) {
  NormalizedRecord r;
  for (auto& v : values) {
    if (v.has_value()) {
      r.values.emplace_back(SensitiveString(*v));
    } else {
      r.values.emplace_back(std::nullopt);
    }
  }
  return r;
}

std::unique_ptr<ClkEncoder> MakeEncoder(const LinkageSchema& s,
                                        const crypto::SecretBytes& key = Key()) {
  auto e = ClkEncoder::Create(s, key);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

BloomFilter EncodeOrDie(ClkEncoder& e, const NormalizedRecord& r) {
  BloomFilter f;
  const absl::Status st = e.Encode(r, &f);
  EXPECT_TRUE(st.ok()) << st;
  return f;
}

size_t Popcount(const BloomFilter& f) {
  size_t n = 0;
  for (uint64_t w : f.words) n += static_cast<size_t>(std::popcount(w));
  return n;
}

double Dice(const BloomFilter& a, const BloomFilter& b) {
  size_t both = 0;
  for (size_t i = 0; i < a.words.size(); ++i) {
    both += static_cast<size_t>(std::popcount(a.words[i] & b.words[i]));
  }
  const size_t total = Popcount(a) + Popcount(b);
  return total == 0 ? 0.0 : 2.0 * static_cast<double>(both) / static_cast<double>(total);
}

TEST(ClkEncoderTest, DefaultLengthIs1024Bits) {
  auto e = MakeEncoder(FebrlSchema());
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->clk_bits(), 1024u);
  EXPECT_EQ(e->field_filter_bits(), 0u);
  EXPECT_EQ(e->field_count(), 5u);
  const BloomFilter f = EncodeOrDie(
      *e, Rec({"michaela", "neumann", "8 stanley street", "winston hills", "19151111"}));
  EXPECT_EQ(f.words.size(), 16u);
  EXPECT_GT(Popcount(f), 100u);
}

TEST(ClkEncoderTest, SingleQgramSetsExactlyKBits) {
  for (uint32_t k : {1u, 7u, 30u, 64u}) {
    // q = 1, unpadded, one character: exactly one q-gram.
    auto e = MakeEncoder(OneFieldSchema(64, 1, false, k));
    ASSERT_NE(e, nullptr);
    const BloomFilter f = EncodeOrDie(*e, Rec({"z"}));
    EXPECT_EQ(Popcount(f), k) << "k=" << k;
  }
}

TEST(ClkEncoderTest, EncodingIsTheUnionOfEachQgramsPositions) {
  const uint32_t k = 12;
  auto e = MakeEncoder(OneFieldSchema(2048, 2, true, k));
  auto d = ClkPositionDeriver::Create(Key(), ClkLevel::kRecord, 2048);
  ASSERT_TRUE(e != nullptr && d.ok());
  const std::string value = "garcia lopez";
  std::vector<uint32_t> seq;
  const size_t n = AppendQgramSequence(value, 2, true, &seq);
  BloomFilter expected{std::vector<uint64_t>(32, 0)};
  for (size_t i = 0; i < QgramCount(n, 2); ++i) {
    auto pos = d->Positions(0, absl::MakeConstSpan(seq).subspan(i, 2), k);
    ASSERT_TRUE(pos.ok());
    for (uint32_t p : *pos) expected.words[p / 64] |= uint64_t{1} << (p % 64);
  }
  EXPECT_EQ(EncodeOrDie(*e, Rec({value})), expected);
}

TEST(ClkEncoderTest, PaddedTwoLetterValueHasThreeQgrams) {
  // With L = 8192 and k = 1 the three bigrams of "ab" set three bits unless
  // two collide (probability < 1/2700 for this key, checked by the union
  // test above); unpadded, "ab" is one bigram.
  auto padded = MakeEncoder(OneFieldSchema(8192, 2, true, 1));
  auto unpadded = MakeEncoder(OneFieldSchema(8192, 2, false, 1));
  ASSERT_TRUE(padded != nullptr && unpadded != nullptr);
  EXPECT_EQ(Popcount(EncodeOrDie(*padded, Rec({"ab"}))), 3u);
  EXPECT_EQ(Popcount(EncodeOrDie(*unpadded, Rec({"ab"}))), 1u);
}

TEST(ClkEncoderTest, QgramsAreUnicodeCodePoints) {
  // "é" is two bytes but one code point: one unigram, k bits. Over bytes it
  // would be two unigrams and about 2k bits.
  auto e = MakeEncoder(OneFieldSchema(1024, 1, false, 20));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Popcount(EncodeOrDie(*e, Rec({"\xC3\xA9"}))), 20u);
  // Accents matter: "jose" and "josé" encode differently.
  auto bigrams = MakeEncoder(OneFieldSchema(1024, 2, true, 20));
  EXPECT_NE(EncodeOrDie(*bigrams, Rec({"jose"})),
            EncodeOrDie(*bigrams, Rec({"jos\xC3\xA9"})));
}

TEST(ClkEncoderTest, SameKeyAndRecordGiveTheSameFilter) {
  auto a = MakeEncoder(FebrlSchema());
  auto b = MakeEncoder(FebrlSchema());
  ASSERT_TRUE(a != nullptr && b != nullptr);
  auto clone = a->Clone();
  ASSERT_TRUE(clone.ok());
  const NormalizedRecord r =
      Rec({"courtney", "painter", "12 pinkerton circuit", "richlands", "19161214"});
  const BloomFilter fa = EncodeOrDie(*a, r);
  EXPECT_EQ(fa, EncodeOrDie(*b, r));
  EXPECT_EQ(fa, EncodeOrDie(**clone, r));
  EXPECT_EQ(fa, EncodeOrDie(*a, r));  // scratch reuse changes nothing
}

TEST(ClkEncoderTest, DifferentKeysGiveUnrelatedFilters) {
  auto a = MakeEncoder(FebrlSchema(), Key(1));
  auto b = MakeEncoder(FebrlSchema(), Key(2));
  ASSERT_TRUE(a != nullptr && b != nullptr);
  const NormalizedRecord r =
      Rec({"charles", "green", "38 salkauskas crescent", "dapto", "19480930"});
  const BloomFilter fa = EncodeOrDie(*a, r);
  const BloomFilter fb = EncodeOrDie(*b, r);
  EXPECT_NE(fa, fb);
  // Two unrelated filters of this density (~45% set) have Dice ≈ 0.45.
  EXPECT_LT(Dice(fa, fb), 0.6);
}

TEST(ClkEncoderTest, SameValueInTwoFieldsSetsDifferentBits) {
  LinkageSchema s;
  s.fields = {{"a", FieldKind::kName}, {"b", FieldKind::kName}};
  schema::BloomParams p;
  p.fields = {{"a", Transform::kValue, 20}, {"b", Transform::kValue, 20}};
  s.bloom = p;
  auto e = MakeEncoder(s);
  ASSERT_NE(e, nullptr);
  const BloomFilter in_a = EncodeOrDie(*e, Rec({"anna", std::nullopt}));
  const BloomFilter in_b = EncodeOrDie(*e, Rec({std::nullopt, "anna"}));
  EXPECT_NE(in_a, in_b);
  EXPECT_LT(Dice(in_a, in_b), 0.2);
}

TEST(ClkEncoderTest, SameFieldTwiceWithDifferentTransformsIsTwoFields) {
  LinkageSchema s;
  s.fields = {{"name", FieldKind::kName}};
  schema::BloomParams p;
  p.fields = {{"name", Transform::kValue, 10}, {"name", Transform::kCompact, 10}};
  s.bloom = p;
  auto e = MakeEncoder(s);
  auto only_value = MakeEncoder(OneFieldSchema(1024, 2, true, 10));
  ASSERT_TRUE(e != nullptr && only_value != nullptr);
  // "anna" is its own compact form, yet the two Bloom fields differ.
  const BloomFilter both = EncodeOrDie(*e, Rec({"anna"}));
  EXPECT_GT(Popcount(both), Popcount(EncodeOrDie(*only_value, Rec({"anna"}))));
}

TEST(ClkEncoderTest, MissingAndEmptyFieldsContributeNothing) {
  auto e = MakeEncoder(FebrlSchema());
  ASSERT_NE(e, nullptr);
  const BloomFilter missing =
      EncodeOrDie(*e, Rec({"anna", std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
  const BloomFilter empty = EncodeOrDie(*e, Rec({"anna", "", "", "", ""}));
  EXPECT_EQ(missing, empty);
  EXPECT_GT(Popcount(missing), 0u);
  const BloomFilter nothing = EncodeOrDie(
      *e, Rec({std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(nothing.words, std::vector<uint64_t>(16, 0));
  // A value with no value under its transform (the year of a non-date) is
  // missing too.
  LinkageSchema s = OneFieldSchema(1024, 2, true, 10);
  s.bloom->fields[0].transform = Transform::kYear;
  auto year = MakeEncoder(s);
  ASSERT_NE(year, nullptr);
  EXPECT_EQ(Popcount(EncodeOrDie(*year, Rec({"not a date"}))), 0u);
  EXPECT_GT(Popcount(EncodeOrDie(*year, Rec({"19800314"}))), 0u);
}

TEST(ClkEncoderTest, OtherFilterLengthsWork) {
  for (uint32_t bits : {64u, 192u, 2048u, 8192u}) {
    auto e = MakeEncoder(OneFieldSchema(bits, 2, true, 5));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->clk_bits(), bits);
    const BloomFilter f = EncodeOrDie(*e, Rec({"smith"}));
    EXPECT_EQ(f.words.size(), bits / 64);
    // 6 bigrams × 5 bits: at least 5, at most 30 set.
    EXPECT_GE(Popcount(f), 5u);
    EXPECT_LE(Popcount(f), 30u);
  }
}

TEST(ClkEncoderTest, SimilarNamesScoreMuchHigherThanDissimilarOnes) {
  LinkageSchema s = FebrlSchema();
  auto e = MakeEncoder(s);
  ASSERT_NE(e, nullptr);
  const auto name = [](const char* given, const char* surname) {
    return Rec({given, surname, std::nullopt, std::nullopt, std::nullopt});
  };
  const BloomFilter a = EncodeOrDie(*e, name("christine", "smith"));
  const BloomFilter typo = EncodeOrDie(*e, name("christina", "smith"));
  const BloomFilter swapped = EncodeOrDie(*e, name("christine", "smyth"));
  const BloomFilter other = EncodeOrDie(*e, name("robert", "jones"));
  EXPECT_GT(Dice(a, typo), 0.8);
  EXPECT_GT(Dice(a, swapped), 0.7);
  EXPECT_LT(Dice(a, other), 0.3);
  EXPECT_GT(Dice(a, typo) - Dice(a, other), 0.5);
}

TEST(ClkEncoderTest, RecordMustHaveOneValuePerSchemaField) {
  auto e = MakeEncoder(FebrlSchema());
  ASSERT_NE(e, nullptr);
  BloomFilter f;
  EXPECT_EQ(e->Encode(Rec({"anna", "smith"}), &f).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ClkEncoderTest, CreateRejectsInvalidParameters) {
  EXPECT_EQ(ClkEncoder::Create(LinkageSchema{{}, {{"x"}}, {}, std::nullopt}, Key())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  LinkageSchema unknown = FebrlSchema();
  unknown.bloom->fields[2].field = "middle_name";
  const absl::Status st = ClkEncoder::Create(unknown, Key()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("bloom.fields[2]"), std::string::npos) << st;
  EXPECT_NE(st.message().find("middle_name"), std::string::npos) << st;

  const auto rejects = [](LinkageSchema s) {
    return ClkEncoder::Create(s, Key()).status().code() ==
           absl::StatusCode::kInvalidArgument;
  };
  LinkageSchema s = FebrlSchema();
  s.bloom->fields[0].k = 0;
  EXPECT_TRUE(rejects(s));
  s.bloom->fields[0].k = 65;
  EXPECT_TRUE(rejects(s));
  s = FebrlSchema();
  s.bloom->bits = 1000;
  EXPECT_TRUE(rejects(s));
  s.bloom->bits = 0;
  EXPECT_TRUE(rejects(s));
  s = FebrlSchema();
  s.bloom->q = 0;
  EXPECT_TRUE(rejects(s));
  s = FebrlSchema();
  s.bloom->fields.clear();
  EXPECT_TRUE(rejects(s));
  s = FebrlSchema();
  s.bloom->bits = 192;
  s.bloom->hardening.xor_fold = true;
  EXPECT_TRUE(rejects(s));
  s = FebrlSchema();
  s.bloom->field_level = true;
  s.bloom->field_level_bits = 100;
  EXPECT_TRUE(rejects(s));
  s = FebrlSchema();
  s.bloom->hardening.blip_flip_probability = 0.5;
  EXPECT_TRUE(rejects(s));
  s.bloom->hardening.blip_flip_probability = -0.1;
  EXPECT_TRUE(rejects(s));
  EXPECT_EQ(ClkEncoder::Create(FebrlSchema(), crypto::SecretBytes::Zeroed(16))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ClkEncoderTest, FieldLevelFiltersOnePerFieldEmptyWhenMissing) {
  LinkageSchema s = FebrlSchema();
  s.bloom->field_level = true;
  s.bloom->field_level_bits = 256;
  auto e = MakeEncoder(s);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->field_filter_bits(), 256u);
  std::vector<BloomFilter> fields;
  ASSERT_TRUE(e->EncodeFieldLevel(
                   Rec({"anna", std::nullopt, "1 main road", "", "19800314"}),
                   &fields)
                  .ok());
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].words.size(), 4u);
  EXPECT_TRUE(fields[1].words.empty());
  EXPECT_EQ(fields[2].words.size(), 4u);
  EXPECT_TRUE(fields[3].words.empty());
  EXPECT_EQ(fields[4].words.size(), 4u);
  // Five padded bigrams of "anna" × 20 bits in 256: between 20 and 100 set.
  EXPECT_GE(Popcount(fields[0]), 20u);
  EXPECT_LE(Popcount(fields[0]), 100u);
  // Field-level positions are their own: the same name alone in the
  // record-level filter (a different L here) is no prefix of it, and the
  // field filter only depends on its own field.
  std::vector<BloomFilter> again;
  ASSERT_TRUE(e->EncodeFieldLevel(
                   Rec({"anna", "smith", std::nullopt, std::nullopt, std::nullopt}),
                   &again)
                  .ok());
  EXPECT_EQ(again[0], fields[0]);
  EXPECT_EQ(again[1].words.size(), 4u);
  EXPECT_TRUE(again[2].words.empty());
}

TEST(ClkEncoderTest, FieldLevelNeedsTheSchemaToAskForIt) {
  auto e = MakeEncoder(FebrlSchema());
  ASSERT_NE(e, nullptr);
  std::vector<BloomFilter> fields;
  EXPECT_EQ(e->EncodeFieldLevel(Rec({"a", "b", "c", "d", "e"}), &fields).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ClkEncoderTest, BalancingDoublesLengthAndSetsExactlyHalf) {
  LinkageSchema s = FebrlSchema();
  s.bloom->hardening.balance = true;
  s.bloom->field_level = true;
  auto e = MakeEncoder(s);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->clk_bits(), 2048u);
  EXPECT_EQ(e->field_filter_bits(), 1024u);
  for (const NormalizedRecord& r :
       {Rec({"anna", "smith", "1 main road", "dapto", "19800314"}),
        Rec({std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt})}) {
    const BloomFilter f = EncodeOrDie(*e, r);
    EXPECT_EQ(f.words.size(), 32u);
    EXPECT_EQ(Popcount(f), 1024u);
  }
  std::vector<BloomFilter> fields;
  ASSERT_TRUE(e->EncodeFieldLevel(Rec({"anna", "smith", "", "", ""}), &fields).ok());
  EXPECT_EQ(fields[0].words.size(), 16u);
  EXPECT_EQ(Popcount(fields[0]), 512u);
  EXPECT_TRUE(fields[2].words.empty());
}

TEST(ClkEncoderTest, FoldingHalvesAndFoldThenBalanceKeepsLength) {
  LinkageSchema s = FebrlSchema();
  s.bloom->hardening.xor_fold = true;
  auto fold = MakeEncoder(s);
  s.bloom->hardening.balance = true;
  auto both = MakeEncoder(s);
  ASSERT_TRUE(fold != nullptr && both != nullptr);
  EXPECT_EQ(fold->clk_bits(), 512u);
  EXPECT_EQ(both->clk_bits(), 1024u);
  const NormalizedRecord r = Rec({"anna", "smith", "1 main road", "dapto", "19800314"});
  EXPECT_EQ(EncodeOrDie(*fold, r).words.size(), 8u);
  const BloomFilter f = EncodeOrDie(*both, r);
  EXPECT_EQ(f.words.size(), 16u);
  EXPECT_EQ(Popcount(f), 512u);
}

TEST(ClkEncoderTest, FoldedEncodingIsTheXorOfTheHalves) {
  LinkageSchema s = FebrlSchema();
  auto plain = MakeEncoder(s);
  s.bloom->hardening.xor_fold = true;
  auto fold = MakeEncoder(s);
  ASSERT_TRUE(plain != nullptr && fold != nullptr);
  const NormalizedRecord r = Rec({"anna", "smith", "1 main road", "dapto", "19800314"});
  const BloomFilter p = EncodeOrDie(*plain, r);
  const BloomFilter f = EncodeOrDie(*fold, r);
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(f.words[i], p.words[i] ^ p.words[i + 8]);
}

TEST(ClkEncoderTest, BlipWithInjectedGeneratorIsReproducibleAndNoisy) {
  LinkageSchema s = FebrlSchema();
  auto plain = MakeEncoder(s);
  s.bloom->hardening.blip_flip_probability = 0.1;
  auto noisy = MakeEncoder(s);
  ASSERT_TRUE(plain != nullptr && noisy != nullptr);
  const NormalizedRecord r = Rec({"anna", "smith", "1 main road", "dapto", "19800314"});
  const BloomFilter clean = EncodeOrDie(*plain, r);
  std::mt19937_64 g1(11), g2(11);
  BloomFilter a, b;
  ASSERT_TRUE(noisy->Encode(r, &a, g1).ok());
  ASSERT_TRUE(noisy->Encode(r, &b, g2).ok());
  EXPECT_EQ(a, b);
  size_t flipped = 0;
  for (size_t i = 0; i < clean.words.size(); ++i) {
    flipped += static_cast<size_t>(std::popcount(clean.words[i] ^ a.words[i]));
  }
  // 1024 bits at f = 0.1: about 102 flips (sd 9.6).
  EXPECT_GT(flipped, 50u);
  EXPECT_LT(flipped, 160u);
}

TEST(ClkEncoderTest, DefaultBlipNoiseIsFreshPerRecordAndPerClone) {
  LinkageSchema s = FebrlSchema();
  s.bloom->hardening.blip_flip_probability = 0.1;
  auto e = MakeEncoder(s);
  ASSERT_NE(e, nullptr);
  auto clone = e->Clone();
  ASSERT_TRUE(clone.ok());
  const NormalizedRecord r = Rec({"anna", "smith", "1 main road", "dapto", "19800314"});
  const BloomFilter first = EncodeOrDie(*e, r);
  const BloomFilter second = EncodeOrDie(*e, r);
  const BloomFilter from_clone = EncodeOrDie(**clone, r);
  EXPECT_NE(first, second);
  EXPECT_NE(first, from_clone);
  // Still the same record: far above unrelated-record similarity.
  EXPECT_GT(Dice(first, second), 0.7);
}

// Pins the encoding of one record under a fixed key: agencies running
// different fedlink builds must produce identical CLKs, so any change here
// is a breaking format change (and needs a new schema version).
TEST(ClkEncoderTest, EncodingOfAFixedRecordIsStable) {
  auto e = MakeEncoder(FebrlSchema(), Key());
  ASSERT_NE(e, nullptr);
  const BloomFilter f = EncodeOrDie(
      *e, Rec({"michaela", "neumann", "8 stanley street", "winston hills", "19151111"}));
  std::vector<uint8_t> bytes;
  for (uint64_t w : f.words) {
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(w >> (8 * i)));
  }
  EXPECT_EQ(crypto::ToHex(crypto::Sha256(bytes)), "807bd888837a5bf4a45e4c28cbe4b78b3bf51f31bbf2ae99e1f82cf45c793bdb");
}

}  // namespace
}  // namespace fedlink::encode
