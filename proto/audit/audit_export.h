// What an auditor takes away from a log and checks offline
// (audit_verifier.h): the entries from index 0 and the signed tree heads
// covering them. AuditLog::Export builds one from a live log.
#ifndef FEDLINK_PROTO_AUDIT_AUDIT_EXPORT_H_
#define FEDLINK_PROTO_AUDIT_AUDIT_EXPORT_H_

#include <vector>

#include "fedlink/v1/audit.pb.h"

namespace fedlink::audit {

struct AuditLogExport {
  // Entries 0, 1, … in order, each with its leaf index.
  std::vector<v1::LoggedEntry> entries;
  // Signed tree heads, any order (the verifier sorts them by size).
  std::vector<v1::SignedTreeHead> heads;
};

}  // namespace fedlink::audit

#endif  // FEDLINK_PROTO_AUDIT_AUDIT_EXPORT_H_
