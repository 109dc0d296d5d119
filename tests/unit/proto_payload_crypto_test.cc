// Payload chunk sealing and the analyst-side reader (proto/runtime/
// payload_crypto.h): round trips for both AEADs, and every way a chunk can
// be altered, moved, replayed or dropped is refused.
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/crypto/x25519.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/payload_crypto.h"

namespace fedlink::proto {
namespace {

using ::testing::HasSubstr;

struct Keys {
  crypto::X25519PrivateKey private_key;
  v1::AnalystKey analyst_key;
};

Keys MakeKeys(v1::HpkeAead aead) {
  crypto::X25519PrivateKey key = crypto::X25519PrivateKey::Generate().value();
  v1::AnalystKey analyst_key;
  const auto& pub = key.public_key().bytes();
  analyst_key.set_x25519_public_key(std::string(pub.begin(), pub.end()));
  analyst_key.set_aead(aead);
  return {std::move(key), std::move(analyst_key)};
}

v1::ReleasedRows Rows(int first, int count) {
  v1::ReleasedRows rows;
  rows.add_columns("program_code");
  rows.add_columns("grad_year");
  for (int i = first; i < first + count; ++i) {
    v1::ReleasedRow* row = rows.add_rows();
    row->set_research_id(std::string(16, static_cast<char>('a' + i % 26)));
    row->add_values(absl::StrCat("P", i));
    row->add_values(absl::StrCat(2000 + i));
  }
  return rows;
}

// Three ROWS chunks of job-1 from edu, rows 0..2, 3..5, 6..7.
std::vector<v1::PayloadChunk> Seal3(const v1::AnalystKey& key, const std::string& job = "job-1",
                                    const std::string& agency = "edu") {
  std::vector<v1::PayloadChunk> chunks;
  const int starts[] = {0, 3, 6};
  const int counts[] = {3, 3, 2};
  for (uint32_t i = 0; i < 3; ++i) {
    absl::StatusOr<v1::PayloadChunk> chunk =
        SealPayloadChunk(key,
                         {.job_id = job,
                          .agency = agency,
                          .kind = v1::PAYLOAD_KIND_ROWS,
                          .chunk_index = i,
                          .final_chunk = i == 2},
                         Rows(starts[i], counts[i]).SerializeAsString());
    EXPECT_TRUE(chunk.ok()) << chunk.status();
    chunks.push_back(*std::move(chunk));
  }
  return chunks;
}

class PayloadCryptoTest : public ::testing::TestWithParam<v1::HpkeAead> {};

TEST_P(PayloadCryptoTest, RoundTripJoinsChunksInOrder) {
  Keys keys = MakeKeys(GetParam());
  const std::vector<v1::PayloadChunk> chunks = Seal3(keys.analyst_key);
  for (const v1::PayloadChunk& chunk : chunks) {
    EXPECT_TRUE(Validate(chunk).ok());
    EXPECT_EQ(chunk.enc().size(), kX25519PublicKeyBytes);
  }
  EXPECT_NE(chunks[0].enc(), chunks[1].enc()) << "each chunk has its own encapsulation";
  absl::StatusOr<v1::ReleasedRows> rows =
      DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, chunks);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->rows_size(), 8);
  EXPECT_THAT(rows->columns(), ::testing::ElementsAre("program_code", "grad_year"));
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(rows->rows(i).values(0), absl::StrCat("P", i));
  }
}

TEST_P(PayloadCryptoTest, FlippedBitInAnyPartIsRejected) {
  Keys keys = MakeKeys(GetParam());
  const std::vector<v1::PayloadChunk> chunks = Seal3(keys.analyst_key);
  const crypto::HpkeAead aead = HpkeAeadFromProto(GetParam()).value();
  for (size_t byte :
       {size_t{0}, chunks[1].ciphertext().size() / 2, chunks[1].ciphertext().size() - 1}) {
    v1::PayloadChunk bad = chunks[1];
    (*bad.mutable_ciphertext())[byte] ^= 0x01;
    absl::StatusOr<std::string> opened = OpenPayloadChunk(bad, aead, keys.private_key);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << byte;
    EXPECT_THAT(opened.status().message(), HasSubstr("chunk 1 of job job-1 from edu"));
  }
  v1::PayloadChunk bad_enc = chunks[1];
  (*bad_enc.mutable_enc())[5] ^= 0x80;
  EXPECT_FALSE(OpenPayloadChunk(bad_enc, aead, keys.private_key).ok());
  v1::PayloadChunk flipped_final = chunks[1];
  flipped_final.set_final_chunk(true);
  EXPECT_EQ(OpenPayloadChunk(flipped_final, aead, keys.private_key).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_P(PayloadCryptoTest, SwappedOrRelabelledChunksAreRejected) {
  Keys keys = MakeKeys(GetParam());
  const std::vector<v1::PayloadChunk> chunks = Seal3(keys.analyst_key);
  const crypto::HpkeAead aead = HpkeAeadFromProto(GetParam()).value();

  // Delivered out of order: the reader wants index 0 first.
  std::vector<v1::PayloadChunk> reordered = {chunks[1], chunks[0], chunks[2]};
  EXPECT_EQ(
      DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, reordered).status().code(),
      absl::StatusCode::kInvalidArgument);

  // Indexes swapped in the headers to pass the order check: authentication fails.
  std::vector<v1::PayloadChunk> swapped = {chunks[1], chunks[0], chunks[2]};
  swapped[0].set_chunk_index(0);
  swapped[1].set_chunk_index(1);
  absl::StatusOr<v1::ReleasedRows> rows =
      DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, swapped);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("chunk 0"));

  // Relabelled as another job or agency (replay across jobs).
  for (auto relabel :
       {+[](v1::PayloadChunk& c) { c.set_job_id("job-2"); },
        +[](v1::PayloadChunk& c) { c.set_agency("wages"); },
        +[](v1::PayloadChunk& c) { c.set_kind(v1::PAYLOAD_KIND_CATEGORY_LEGEND); }}) {
    v1::PayloadChunk moved = chunks[0];
    relabel(moved);
    EXPECT_EQ(OpenPayloadChunk(moved, aead, keys.private_key).status().code(),
              absl::StatusCode::kDataLoss);
  }
}

TEST_P(PayloadCryptoTest, ChunksOfAnotherJobAreRefusedByTheReader) {
  Keys keys = MakeKeys(GetParam());
  const std::vector<v1::PayloadChunk> other_job = Seal3(keys.analyst_key, "job-2");
  absl::StatusOr<v1::ReleasedRows> rows =
      DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, other_job);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rows.status().message(), HasSubstr("names job job-2"));
  const std::vector<v1::PayloadChunk> other_agency = Seal3(keys.analyst_key, "job-1", "wages");
  EXPECT_FALSE(
      DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, other_agency).ok());
}

TEST_P(PayloadCryptoTest, TruncatedRepeatedOrExtendedStreamsAreRejected) {
  Keys keys = MakeKeys(GetParam());
  const std::vector<v1::PayloadChunk> chunks = Seal3(keys.analyst_key);
  std::vector<v1::PayloadChunk> truncated = {chunks[0], chunks[1]};
  absl::StatusOr<v1::ReleasedRows> rows =
      DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, truncated);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("incomplete"));

  std::vector<v1::PayloadChunk> repeated = {chunks[0], chunks[0], chunks[1], chunks[2]};
  EXPECT_EQ(
      DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, repeated).status().code(),
      absl::StatusCode::kInvalidArgument);

  std::vector<v1::PayloadChunk> extended = chunks;
  extended.push_back(chunks[2]);
  extended.back().set_chunk_index(3);
  EXPECT_EQ(
      DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, extended).status().code(),
      absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(DecryptReleasedRows("job-1", "edu", GetParam(), keys.private_key, {}).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_P(PayloadCryptoTest, WrongKeyOrSuiteCannotOpen) {
  Keys keys = MakeKeys(GetParam());
  Keys other = MakeKeys(GetParam());
  const std::vector<v1::PayloadChunk> chunks = Seal3(keys.analyst_key);
  EXPECT_EQ(
      DecryptReleasedRows("job-1", "edu", GetParam(), other.private_key, chunks).status().code(),
      absl::StatusCode::kDataLoss);
  const v1::HpkeAead other_aead = GetParam() == v1::HPKE_AEAD_AES_128_GCM
                                      ? v1::HPKE_AEAD_CHACHA20_POLY1305
                                      : v1::HPKE_AEAD_AES_128_GCM;
  EXPECT_EQ(
      DecryptReleasedRows("job-1", "edu", other_aead, keys.private_key, chunks).status().code(),
      absl::StatusCode::kDataLoss);
}

INSTANTIATE_TEST_SUITE_P(Aeads, PayloadCryptoTest,
                         ::testing::Values(v1::HPKE_AEAD_AES_128_GCM,
                                           v1::HPKE_AEAD_CHACHA20_POLY1305),
                         [](const auto& param_info) {
                           return param_info.param == v1::HPKE_AEAD_AES_128_GCM
                                      ? "Aes128Gcm"
                                      : "ChaCha20Poly1305";
                         });

TEST(PayloadCryptoLimitsTest, RefusesBadKeysSuitesAndHeaders) {
  Keys keys = MakeKeys(v1::HPKE_AEAD_AES_128_GCM);
  const PayloadChunkPosition position{.job_id = "job-1",
                                      .agency = "edu",
                                      .kind = v1::PAYLOAD_KIND_ROWS,
                                      .chunk_index = 0,
                                      .final_chunk = false};
  v1::AnalystKey no_aead = keys.analyst_key;
  no_aead.set_aead(v1::HPKE_AEAD_UNSPECIFIED);
  EXPECT_EQ(SealPayloadChunk(no_aead, position, "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::AnalystKey short_key = keys.analyst_key;
  short_key.set_x25519_public_key("short");
  EXPECT_EQ(SealPayloadChunk(short_key, position, "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  PayloadChunkPosition too_far = position;
  too_far.chunk_index = 1u << 20;
  EXPECT_EQ(SealPayloadChunk(keys.analyst_key, too_far, "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      SealPayloadChunk(keys.analyst_key, position, std::string(kMaxPayloadPlaintextBytes + 1, 'x'))
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  // A plaintext that is not ReleasedRows is refused after authentication.
  v1::PayloadChunk garbage = SealPayloadChunk(keys.analyst_key,
                                              {.job_id = "job-1",
                                               .agency = "edu",
                                               .kind = v1::PAYLOAD_KIND_ROWS,
                                               .chunk_index = 0,
                                               .final_chunk = true},
                                              "\xff\xff\xff")
                                 .value();
  EXPECT_EQ(
      DecryptReleasedRows("job-1", "edu", v1::HPKE_AEAD_AES_128_GCM, keys.private_key, {garbage})
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(PayloadCryptoLimitsTest, ColumnsMustAgreeAcrossChunksAndRowsAreBounded) {
  Keys keys = MakeKeys(v1::HPKE_AEAD_AES_128_GCM);
  v1::ReleasedRows other_columns = Rows(3, 1);
  other_columns.set_columns(1, "gpa");
  std::vector<v1::PayloadChunk> chunks;
  chunks.push_back(SealPayloadChunk(keys.analyst_key,
                                    {.job_id = "job-1",
                                     .agency = "edu",
                                     .kind = v1::PAYLOAD_KIND_ROWS,
                                     .chunk_index = 0,
                                     .final_chunk = false},
                                    Rows(0, 3).SerializeAsString())
                       .value());
  chunks.push_back(SealPayloadChunk(keys.analyst_key,
                                    {.job_id = "job-1",
                                     .agency = "edu",
                                     .kind = v1::PAYLOAD_KIND_ROWS,
                                     .chunk_index = 1,
                                     .final_chunk = true},
                                    other_columns.SerializeAsString())
                       .value());
  absl::StatusOr<v1::ReleasedRows> rows =
      DecryptReleasedRows("job-1", "edu", v1::HPKE_AEAD_AES_128_GCM, keys.private_key, chunks);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rows.status().message(), HasSubstr("columns differ"));

  const std::vector<v1::PayloadChunk> good = Seal3(keys.analyst_key);
  EXPECT_EQ(DecryptReleasedRows("job-1", "edu", v1::HPKE_AEAD_AES_128_GCM, keys.private_key, good,
                                /*max_rows=*/7)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::proto
