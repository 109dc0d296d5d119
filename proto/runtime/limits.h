// Size limits of the fedlink.v1 contract and the validator of every inbound
// message. The per-field limits are annotations in the .proto files
// (options.proto); the constants here are the ones code needs to size its
// own output (batches, chunks) and are checked against those annotations by
// tests/unit/proto_limits_test.cc. Service adapters call Validate(request)
// before anything else and return its error unchanged.
//
// Every error is InvalidArgument "<Message>.<field path>: <problem>", naming
// the field and sizes, never the value.
#ifndef FEDLINK_PROTO_RUNTIME_LIMITS_H_
#define FEDLINK_PROTO_RUNTIME_LIMITS_H_

#include <climits>
#include <cstddef>
#include <string>
#include <string_view>

#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "fedlink/v1/agent_admin.pb.h"
#include "fedlink/v1/coordinator.pb.h"
#include "linkage/status_macros.h"
#include "proto/runtime/message_limits.h"

namespace fedlink::proto {

// gRPC refuses (RESOURCE_EXHAUSTED) any message larger than this, in either
// direction, before it is parsed. The largest fields below fit under it.
inline constexpr size_t kMaxGrpcMessageBytes = 20 << 20;  // 20 MiB

// Fixed sizes.
inline constexpr size_t kSha256Bytes = 32;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;
inline constexpr size_t kX25519PublicKeyBytes = 32;  // also the HPKE enc size
inline constexpr size_t kJobNonceBytes = 32;
inline constexpr size_t kTokenBytes = 16;
inline constexpr size_t kResearchIdBytes = 16;
inline constexpr size_t kAeadTagBytes = 16;

// Jobs.
inline constexpr size_t kMaxParties = 32;
inline constexpr size_t kMinParties = 2;
inline constexpr size_t kMaxColumnsPerParty = 256;
inline constexpr size_t kMaxJobSpecBytes = 1 << 20;  // serialised JobSpec
inline constexpr size_t kMaxNameBytes = 64;          // agency, person, job id, column

// Encoding batches (EncodingBatch). Agents should aim for ~4 MiB batches.
inline constexpr size_t kMaxRecordsPerEncodingBatch = 65536;
inline constexpr size_t kMaxTokensPerRecord = 1024;
inline constexpr size_t kMaxTokensPerEncodingBatch = 1 << 20;
inline constexpr size_t kMaxFilterBits = 16384;  // 8192 doubled by balancing
inline constexpr size_t kMaxFieldFiltersPerRecord = 256;
inline constexpr size_t kMaxEncodingColumnBytes = 16 << 20;  // tokens, filters, field_filters

// Assignment batches.
inline constexpr size_t kMaxAssignmentsPerBatch = 65536;

// Payload chunks: the plaintext is a serialised ReleasedRows / CategoryLegend.
inline constexpr size_t kMaxPayloadPlaintextBytes = 4 << 20;
inline constexpr size_t kMaxPayloadCiphertextBytes = kMaxPayloadPlaintextBytes + kAeadTagBytes;
inline constexpr size_t kMaxRowsPerPayloadChunk = 65536;

// Audit log.
inline constexpr size_t kMaxAuditEntryBytes = 65536;
inline constexpr size_t kMaxProofHashes = 64;

// Agent admin.
inline constexpr size_t kMaxIngestChunkBytes = 1 << 20;

// Sets kMaxGrpcMessageBytes as the send and receive limit of a server /
// a channel. Thread-compatible (call while building).
void ApplyMessageSizeLimits(grpc::ServerBuilder& builder);
void ApplyMessageSizeLimits(grpc::ChannelArguments& arguments);

// Validators. `path` names the message in errors (default: its type name).
// Each checks the field annotations (ValidateMessage) plus the cross-field
// rules documented on the message in the .proto file. Thread-safe.
//
// Any message without a dedicated overload: the annotations only.
absl::Status Validate(const google::protobuf::Message& message, std::string_view path = {});
// Columns consistent with record_count; sizes multiples of 16 / filter_bits/8;
// a non-final batch holds records; some encoding present for records.
absl::Status Validate(const v1::EncodingBatch& batch, std::string_view path = {});
// 16 bytes of research id per pseudonym; no pseudonym twice.
absl::Status Validate(const v1::AssignmentBatch& batch, std::string_view path = {});
// ≥ 2 parties, unique agencies and columns, value counts fit the
// comparison, method fits the schema, keys present where the output mode
// needs them, the serialised size at most kMaxJobSpecBytes.
absl::Status Validate(const v1::JobSpec& spec, std::string_view path = {});
absl::Status Validate(const v1::SubmitJobRequest& request, std::string_view path = {});
// A set work item; spec bytes match their hash; approvals are for that hash.
absl::Status Validate(const v1::WorkItem& item, std::string_view path = {});
// Every row has one value per column; columns unique.
absl::Status Validate(const v1::ReleasedRows& rows, std::string_view path = {});
// Index below size; first size not above second.
absl::Status Validate(const v1::InclusionProof& proof, std::string_view path = {});
absl::Status Validate(const v1::ConsistencyProof& proof, std::string_view path = {});
absl::Status Validate(const v1::GetInclusionProofRequest& request, std::string_view path = {});
absl::Status Validate(const v1::GetConsistencyProofRequest& request, std::string_view path = {});
absl::Status Validate(const v1::ListAuditEntriesRequest& request, std::string_view path = {});
// A oneof member is set.
absl::Status Validate(const v1::IngestRequest& request, std::string_view path = {});
absl::Status Validate(const v1::ResultsItem& item, std::string_view path = {});

// Parses `bytes` (a serialised T carried in a bytes field, e.g. a job spec
// or an HPKE plaintext) and validates the result. InvalidArgument naming
// `path` when the bytes are not a T or break its limits. Thread-safe.
template <typename T>
absl::StatusOr<T> ParseValidated(std::string_view bytes, std::string_view path) {
  T message;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(path), ": not a valid serialised ", T::descriptor()->full_name()));
  }
  FEDLINK_RETURN_IF_ERROR(Validate(message, path));
  return message;
}

// Checks that SHA-256(job_spec_bytes) equals `sha256`, then parses and
// validates the spec. InvalidArgument naming `path` otherwise. Thread-safe.
absl::StatusOr<v1::JobSpec> ParseJobSpec(std::string_view job_spec_bytes, std::string_view sha256,
                                         std::string_view path);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_LIMITS_H_
