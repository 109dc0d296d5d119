// The archive file of `fedlink audit export`, read back by
// `fedlink audit verify --file`: a log's signed tree heads, then its
// entries, as framed protobuf records.
//
//   "fedlink-audit-export v1\n"                       magic, 24 bytes
//   record*: kind (1: 'H' SignedTreeHead, 'E' LoggedEntry)
//            ‖ length (4, big-endian) ‖ serialised message
//
// All heads come before the first entry, so a reader can verify entries as
// they stream past (AuditVerifier) without holding the log in memory.
#ifndef FEDLINK_PROTO_AUDIT_AUDIT_ARCHIVE_H_
#define FEDLINK_PROTO_AUDIT_AUDIT_ARCHIVE_H_

#include <istream>
#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/audit/audit_export.h"
#include "proto/audit/audit_log.h"
#include "proto/audit/audit_verifier.h"

namespace fedlink::audit {

// Writes `log` as an archive. Unavailable if the stream fails.
// Thread-compatible (the stream is the caller's).
absl::Status WriteAuditArchive(const AuditLogExport& log, std::ostream& out);

// Streams AuditLog::Export's content (entries up to the latest signed head)
// straight from the database. Errors as AuditLog::ScanEntries, Unavailable
// if the stream fails. Thread-safe with respect to the log.
absl::Status WriteAuditArchive(const AuditLog& log, std::ostream& out);

// Reads a whole archive into memory. InvalidArgument naming the record
// number and byte offset for a bad magic, an unknown record kind, a record
// too large or not parsing, a head after an entry, or a file cut inside a
// record. Never quotes file contents.
absl::StatusOr<AuditLogExport> ReadAuditArchive(std::istream& in);

// Verifies an archive while reading it (memory: the heads plus O(log n)).
// Errors as ReadAuditArchive and AuditVerifier::Create; a readable archive
// of a tampered log is a verdict, not an error.
absl::StatusOr<AuditVerdict> VerifyAuditArchive(std::istream& in, AuditVerifyOptions options);

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_AUDIT_ARCHIVE_H_
