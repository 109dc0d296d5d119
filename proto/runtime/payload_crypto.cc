#include "proto/runtime/payload_crypto.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/signing_input.h"

namespace fedlink::proto {
namespace {

std::string Where(std::string_view job_id, std::string_view agency, uint32_t index) {
  return absl::StrCat("payload chunk ", index, " of job ", std::string(job_id), " from ",
                      std::string(agency));
}

}  // namespace

absl::StatusOr<crypto::HpkeAead> HpkeAeadFromProto(v1::HpkeAead aead) {
  switch (aead) {
    case v1::HPKE_AEAD_AES_128_GCM:
      return crypto::HpkeAead::kAes128Gcm;
    case v1::HPKE_AEAD_CHACHA20_POLY1305:
      return crypto::HpkeAead::kChaCha20Poly1305;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("HPKE AEAD ", static_cast<int>(aead),
                       " is not supported (AES_128_GCM or CHACHA20_POLY1305 are)"));
  }
}

absl::StatusOr<v1::PayloadChunk> SealPayloadChunk(const v1::AnalystKey& analyst_key,
                                                  const PayloadChunkPosition& position,
                                                  std::string_view plaintext) {
  FEDLINK_ASSIGN_OR_RETURN(const crypto::HpkeAead aead, HpkeAeadFromProto(analyst_key.aead()));
  FEDLINK_ASSIGN_OR_RETURN(
      const crypto::X25519PublicKey recipient,
      crypto::X25519PublicKey::FromBytes(absl::Span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(analyst_key.x25519_public_key().data()),
          analyst_key.x25519_public_key().size())));
  if (plaintext.size() > kMaxPayloadPlaintextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        Where(position.job_id, position.agency, position.chunk_index), ": ", plaintext.size(),
        " bytes of plaintext exceed the limit of ", kMaxPayloadPlaintextBytes));
  }
  v1::PayloadChunk chunk;
  chunk.set_job_id(position.job_id);
  chunk.set_agency(position.agency);
  chunk.set_kind(position.kind);
  chunk.set_chunk_index(position.chunk_index);
  chunk.set_final_chunk(position.final_chunk);
  FEDLINK_ASSIGN_OR_RETURN(
      crypto::HpkeSealed sealed,
      crypto::HpkeSeal(aead, recipient, kPayloadHpkeInfo, PayloadAssociatedData(chunk),
                       absl::string_view(plaintext.data(), plaintext.size())));
  chunk.set_enc(std::move(sealed.enc));
  chunk.set_ciphertext(std::move(sealed.ciphertext));
  // Catches a header outside the contract (a long job id, an index above
  // 2^20) before the chunk is sent and refused by the coordinator.
  FEDLINK_RETURN_IF_ERROR(Validate(chunk));
  return chunk;
}

absl::StatusOr<std::string> OpenPayloadChunk(const v1::PayloadChunk& chunk, crypto::HpkeAead aead,
                                             const crypto::X25519PrivateKey& analyst_private_key) {
  FEDLINK_RETURN_IF_ERROR(Validate(chunk));
  absl::StatusOr<std::string> plaintext =
      crypto::HpkeOpen(aead, analyst_private_key, chunk.enc(), kPayloadHpkeInfo,
                       PayloadAssociatedData(chunk), chunk.ciphertext());
  if (plaintext.ok()) return plaintext;
  if (absl::IsDataLoss(plaintext.status())) {
    return absl::DataLossError(absl::StrCat(
        Where(chunk.job_id(), chunk.agency(), chunk.chunk_index()),
        " failed authentication (altered, moved from another job, agency or position, or "
        "sealed to another key)"));
  }
  return absl::Status(plaintext.status().code(),
                      absl::StrCat(Where(chunk.job_id(), chunk.agency(), chunk.chunk_index()), ": ",
                                   plaintext.status().message()));
}

absl::StatusOr<std::string> PayloadStreamReader::Next(const v1::PayloadChunk& chunk) {
  // Validated first, so that the names quoted below are known to be names.
  FEDLINK_RETURN_IF_ERROR(Validate(chunk));
  const std::string where = Where(job_id_, agency_, chunk.chunk_index());
  if (chunk.job_id() != job_id_ || chunk.agency() != agency_) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the chunk names job ", chunk.job_id(), " from ", chunk.agency()));
  }
  if (chunk.kind() != kind_) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": kind ", static_cast<int>(chunk.kind()),
                                                   ", expected ", static_cast<int>(kind_)));
  }
  if (final_seen_) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": arrives after the final chunk ", next_index_ - 1));
  }
  if (chunk.chunk_index() != next_index_) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": out of order (expected chunk ", next_index_, ")"));
  }
  FEDLINK_ASSIGN_OR_RETURN(std::string plaintext, OpenPayloadChunk(chunk, aead_, key_));
  ++next_index_;
  final_seen_ = chunk.final_chunk();
  return plaintext;
}

absl::Status PayloadStreamReader::Finish() const {
  if (final_seen_) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat("payload of job ", job_id_, " from ", agency_,
                                          " is incomplete: ", next_index_,
                                          " chunks read and none was marked final"));
}

absl::StatusOr<v1::ReleasedRows> DecryptReleasedRows(
    std::string_view job_id, std::string_view agency, v1::HpkeAead aead,
    const crypto::X25519PrivateKey& analyst_private_key, absl::Span<const v1::PayloadChunk> chunks,
    uint64_t max_rows) {
  FEDLINK_ASSIGN_OR_RETURN(const crypto::HpkeAead suite, HpkeAeadFromProto(aead));
  PayloadStreamReader reader(std::string(job_id), std::string(agency), v1::PAYLOAD_KIND_ROWS, suite,
                             analyst_private_key);
  v1::ReleasedRows all;
  for (const v1::PayloadChunk& chunk : chunks) {
    FEDLINK_ASSIGN_OR_RETURN(const std::string plaintext, reader.Next(chunk));
    const std::string path = absl::StrCat(Where(job_id, agency, chunk.chunk_index()), " rows");
    FEDLINK_ASSIGN_OR_RETURN(v1::ReleasedRows rows,
                             ParseValidated<v1::ReleasedRows>(plaintext, path));
    if (reader.chunks_read() == 1) {
      *all.mutable_columns() = rows.columns();
    } else if (rows.columns().size() != all.columns().size() ||
               !std::equal(rows.columns().begin(), rows.columns().end(), all.columns().begin())) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": columns differ from those of chunk 0"));
    }
    if (static_cast<uint64_t>(all.rows_size()) + rows.rows_size() > max_rows) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": more than ", max_rows, " rows in total"));
    }
    for (v1::ReleasedRow& row : *rows.mutable_rows()) {
      *all.add_rows() = std::move(row);
    }
  }
  FEDLINK_RETURN_IF_ERROR(reader.Finish());
  return all;
}

absl::StatusOr<v1::CategoryLegend> DecryptCategoryLegend(
    std::string_view job_id, std::string_view agency, v1::HpkeAead aead,
    const crypto::X25519PrivateKey& analyst_private_key, absl::Span<const v1::PayloadChunk> chunks) {
  FEDLINK_ASSIGN_OR_RETURN(const crypto::HpkeAead suite, HpkeAeadFromProto(aead));
  PayloadStreamReader reader(std::string(job_id), std::string(agency),
                             v1::PAYLOAD_KIND_CATEGORY_LEGEND, suite, analyst_private_key);
  v1::CategoryLegend all;
  std::vector<bool> seen;
  for (const v1::PayloadChunk& chunk : chunks) {
    FEDLINK_ASSIGN_OR_RETURN(const std::string plaintext, reader.Next(chunk));
    const std::string path = absl::StrCat(Where(job_id, agency, chunk.chunk_index()), " legend");
    FEDLINK_ASSIGN_OR_RETURN(v1::CategoryLegend legend,
                             ParseValidated<v1::CategoryLegend>(plaintext, path));
    if (reader.chunks_read() == 1) {
      all.set_column(legend.column());
    } else if (legend.column() != all.column()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": column differs from that of chunk 0"));
    }
    for (v1::CategoryLabel& label : *legend.mutable_labels()) {
      if (seen.size() <= label.code()) seen.resize(label.code() + 1, false);
      if (seen[label.code()]) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": code ", label.code(), " has two labels"));
      }
      seen[label.code()] = true;
      *all.add_labels() = std::move(label);
    }
  }
  FEDLINK_RETURN_IF_ERROR(reader.Finish());
  return all;
}

}  // namespace fedlink::proto
