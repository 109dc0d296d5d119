#include "proto/audit/audit_archive.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"
#include "proto/runtime/limits.h"

namespace fedlink::audit {
namespace {

constexpr std::string_view kMagic = "fedlink-audit-export v1\n";
constexpr char kHeadKind = 'H';
constexpr char kEntryKind = 'E';
// An entry record holds up to kMaxAuditEntryBytes of entry plus its index
// and framing; a head is ~150 bytes.
constexpr uint32_t kMaxRecordBytes = proto::kMaxAuditEntryBytes + 64;

absl::Status WriteRecord(char kind, const google::protobuf::Message& message, std::ostream& out) {
  const std::string bytes = message.SerializeAsString();
  const auto size = static_cast<uint32_t>(bytes.size());
  const char header[5] = {kind, static_cast<char>(size >> 24), static_cast<char>(size >> 16),
                          static_cast<char>(size >> 8), static_cast<char>(size)};
  out.write(header, sizeof(header));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return absl::UnavailableError("audit archive: writing failed");
  return absl::OkStatus();
}

absl::Status WriteMagic(std::ostream& out) {
  out.write(kMagic.data(), static_cast<std::streamsize>(kMagic.size()));
  if (!out) return absl::UnavailableError("audit archive: writing failed");
  return absl::OkStatus();
}

// Reads the archive record by record: every head first (to `on_head`), then
// every entry (to `on_entry`, which returns false to stop early).
absl::Status ReadArchive(std::istream& in, absl::FunctionRef<void(v1::SignedTreeHead)> on_head,
                         absl::FunctionRef<void()> on_heads_done,
                         absl::FunctionRef<bool(const v1::LoggedEntry&)> on_entry) {
  std::string magic(kMagic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  if (!in || magic != kMagic) {
    return absl::InvalidArgumentError("audit archive: not a fedlink audit export (bad header)");
  }
  uint64_t offset = kMagic.size();
  bool entries_started = false;
  std::string bytes;
  v1::LoggedEntry entry;
  for (uint64_t record = 0;; ++record) {
    char header[5];
    in.read(header, sizeof(header));
    if (in.gcount() == 0 && in.eof()) break;
    const std::string where = absl::StrCat("audit archive: record ", record, " at byte ", offset);
    if (in.gcount() != sizeof(header)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": file ends inside the record header"));
    }
    const uint32_t size = (static_cast<uint32_t>(static_cast<uint8_t>(header[1])) << 24) |
                          (static_cast<uint32_t>(static_cast<uint8_t>(header[2])) << 16) |
                          (static_cast<uint32_t>(static_cast<uint8_t>(header[3])) << 8) |
                          static_cast<uint32_t>(static_cast<uint8_t>(header[4]));
    if (size > kMaxRecordBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", size, " bytes exceeds the limit of ", kMaxRecordBytes));
    }
    bytes.resize(size);
    in.read(bytes.data(), size);
    if (static_cast<uint64_t>(in.gcount()) != size) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": file ends inside the record"));
    }
    offset += sizeof(header) + size;
    if (header[0] == kHeadKind) {
      if (entries_started) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": a tree head after the entries"));
      }
      v1::SignedTreeHead head;
      if (!head.ParseFromString(bytes)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": not a SignedTreeHead"));
      }
      on_head(std::move(head));
    } else if (header[0] == kEntryKind) {
      if (!entries_started) {
        entries_started = true;
        on_heads_done();
      }
      if (!entry.ParseFromString(bytes)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": not a LoggedEntry"));
      }
      if (!on_entry(entry)) return absl::OkStatus();
    } else {
      return absl::InvalidArgumentError(absl::StrCat(where, ": unknown record kind"));
    }
  }
  if (!entries_started) on_heads_done();
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteAuditArchive(const AuditLogExport& log, std::ostream& out) {
  FEDLINK_RETURN_IF_ERROR(WriteMagic(out));
  for (const v1::SignedTreeHead& head : log.heads) {
    FEDLINK_RETURN_IF_ERROR(WriteRecord(kHeadKind, head, out));
  }
  for (const v1::LoggedEntry& entry : log.entries) {
    FEDLINK_RETURN_IF_ERROR(WriteRecord(kEntryKind, entry, out));
  }
  return absl::OkStatus();
}

absl::Status WriteAuditArchive(const AuditLog& log, std::ostream& out) {
  FEDLINK_RETURN_IF_ERROR(WriteMagic(out));
  const std::optional<v1::SignedTreeHead> latest = log.latest_signed_head();
  if (!latest.has_value()) return absl::OkStatus();
  const uint64_t size = latest->head().tree_size();
  FEDLINK_ASSIGN_OR_RETURN(const std::vector<v1::SignedTreeHead> heads,
                           log.GetSignedHeads(0, size));
  for (const v1::SignedTreeHead& head : heads) {
    FEDLINK_RETURN_IF_ERROR(WriteRecord(kHeadKind, head, out));
  }
  return log.ScanEntries(
      0, size, [&](const v1::LoggedEntry& entry) { return WriteRecord(kEntryKind, entry, out); });
}

absl::StatusOr<AuditLogExport> ReadAuditArchive(std::istream& in) {
  AuditLogExport log;
  FEDLINK_RETURN_IF_ERROR(ReadArchive(
      in, [&](v1::SignedTreeHead head) { log.heads.push_back(std::move(head)); }, [] {},
      [&](const v1::LoggedEntry& entry) {
        log.entries.push_back(entry);
        return true;
      }));
  return log;
}

absl::StatusOr<AuditVerdict> VerifyAuditArchive(std::istream& in, AuditVerifyOptions options) {
  std::vector<v1::SignedTreeHead> heads;
  std::unique_ptr<AuditVerifier> verifier;
  absl::Status created = absl::OkStatus();
  FEDLINK_RETURN_IF_ERROR(ReadArchive(
      in, [&](v1::SignedTreeHead head) { heads.push_back(std::move(head)); },
      [&] {
        absl::StatusOr<std::unique_ptr<AuditVerifier>> made =
            AuditVerifier::Create(std::move(options), std::move(heads));
        if (made.ok()) {
          verifier = *std::move(made);
        } else {
          created = made.status();
        }
      },
      [&](const v1::LoggedEntry& entry) {
        return verifier != nullptr && verifier->AddEntry(entry);
      }));
  FEDLINK_RETURN_IF_ERROR(created);
  if (verifier == nullptr) return absl::InternalError("audit archive: verifier not created");
  return verifier->Finish();
}

}  // namespace fedlink::audit
