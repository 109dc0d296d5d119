// End-to-end encryption of released data (payload.proto): sealing one chunk
// for the analyst (agents) and opening a stream of chunks (the analyst's
// CLI). Both sides live here, next to the wire contract, so that they cannot
// disagree about the construction and so that a CLI can link it without the
// agent library.
//
// Construction (as payload.proto documents): each chunk is one RFC 9180
// single-shot seal, base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / the
// AEAD named in the job's AnalystKey, to the analyst's X25519 public key,
// with a fresh encapsulated key per chunk; info = kPayloadHpkeInfo and
// aad = PayloadAssociatedData(chunk) = job id, agency, kind, chunk index and
// the final flag. A chunk therefore fails to open if it is moved to another
// job, agency, kind or position, or if its final flag is changed; the stream
// reader below also refuses gaps, repeats, reordering and a missing final
// chunk (truncation).
//
// Errors never contain plaintext or key material; they name the job, the
// agency and the chunk index.
#ifndef FEDLINK_PROTO_RUNTIME_PAYLOAD_CRYPTO_H_
#define FEDLINK_PROTO_RUNTIME_PAYLOAD_CRYPTO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "fedlink/v1/common.pb.h"
#include "fedlink/v1/job.pb.h"
#include "fedlink/v1/payload.pb.h"
#include "linkage/crypto/hpke.h"
#include "linkage/crypto/x25519.h"

namespace fedlink::proto {

// The crypto library's AEAD for a wire HpkeAead. InvalidArgument for
// UNSPECIFIED or a value this build does not know. Thread-safe.
absl::StatusOr<crypto::HpkeAead> HpkeAeadFromProto(v1::HpkeAead aead);

// Where a chunk belongs: everything the associated data binds except the
// ciphertext itself.
struct PayloadChunkPosition {
  std::string job_id;
  std::string agency;
  v1::PayloadKind kind = v1::PAYLOAD_KIND_UNSPECIFIED;
  uint32_t chunk_index = 0;
  bool final_chunk = false;
};

// Seals `plaintext` (a serialised ReleasedRows or CategoryLegend) for the
// holder of `analyst_key` as the chunk at `position`. InvalidArgument if the
// key or its AEAD is invalid, the plaintext exceeds kMaxPayloadPlaintextBytes,
// or the resulting chunk breaks a payload.proto limit (job id, agency, kind,
// index); Internal if the CSPRNG or OpenSSL fails. Thread-safe.
absl::StatusOr<v1::PayloadChunk> SealPayloadChunk(const v1::AnalystKey& analyst_key,
                                                  const PayloadChunkPosition& position,
                                                  std::string_view plaintext);

// Opens one chunk with the analyst's private key: validates the chunk
// against payload.proto's limits (InvalidArgument naming the field), then
// HPKE-opens it with the aad rebuilt from the chunk's own header. DataLoss
// "payload chunk <index> of job <job> from <agency> failed authentication"
// if the ciphertext, enc, header or key do not match. Does not check that
// the header is the one the caller expects: PayloadStreamReader does.
// Thread-safe.
absl::StatusOr<std::string> OpenPayloadChunk(const v1::PayloadChunk& chunk, crypto::HpkeAead aead,
                                             const crypto::X25519PrivateKey& analyst_private_key);

// Opens the chunks of one (job, agency, kind) in order. Not thread-safe;
// the private key must outlive the reader.
class PayloadStreamReader {
 public:
  PayloadStreamReader(std::string job_id, std::string agency, v1::PayloadKind kind,
                      crypto::HpkeAead aead, const crypto::X25519PrivateKey& analyst_private_key)
      : job_id_(std::move(job_id)),
        agency_(std::move(agency)),
        kind_(kind),
        aead_(aead),
        key_(analyst_private_key) {}

  // The plaintext of the next chunk. InvalidArgument (nothing consumed) if
  // the chunk names another job, agency or kind, if its index is not the
  // next one (a gap, repeat or reordering), or if the final chunk was
  // already read; otherwise errors of OpenPayloadChunk.
  absl::StatusOr<std::string> Next(const v1::PayloadChunk& chunk);

  // OK once the final chunk has been read; DataLoss (the stream was cut
  // short) otherwise.
  absl::Status Finish() const;

  uint32_t chunks_read() const { return next_index_; }
  bool finished() const { return final_seen_; }

 private:
  std::string job_id_;
  std::string agency_;
  v1::PayloadKind kind_;
  crypto::HpkeAead aead_;
  const crypto::X25519PrivateKey& key_;
  uint32_t next_index_ = 0;
  bool final_seen_ = false;
};

// The analyst's view of one agency's release: opens every ROWS chunk of
// (job_id, agency) in `chunks` (in index order, complete up to the final
// chunk), parses and validates each ReleasedRows, checks that every chunk
// names the same columns, and returns the rows of all chunks in order.
// Errors of PayloadStreamReader, Finish and ParseValidated; InvalidArgument
// naming the chunk index when the columns differ between chunks, or when
// the rows of all chunks together exceed `max_rows` (bounds memory).
// Thread-safe.
absl::StatusOr<v1::ReleasedRows> DecryptReleasedRows(
    std::string_view job_id, std::string_view agency, v1::HpkeAead aead,
    const crypto::X25519PrivateKey& analyst_private_key, absl::Span<const v1::PayloadChunk> chunks,
    uint64_t max_rows = 1ULL << 32);

// The analyst's view of a breakdown's legend: opens every CATEGORY_LEGEND
// chunk of (job_id, agency) in `chunks` (in index order, complete up to the
// final chunk), parses and validates each CategoryLegend, and returns the
// column with the labels of all chunks. Errors of PayloadStreamReader,
// Finish and ParseValidated; InvalidArgument naming the chunk index when the
// column differs between chunks or a code has two labels. Thread-safe.
absl::StatusOr<v1::CategoryLegend> DecryptCategoryLegend(
    std::string_view job_id, std::string_view agency, v1::HpkeAead aead,
    const crypto::X25519PrivateKey& analyst_private_key, absl::Span<const v1::PayloadChunk> chunks);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_PAYLOAD_CRYPTO_H_
