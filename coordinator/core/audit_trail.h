// The coordinator's audit trail: every security-relevant step becomes one
// entry of proto/audit's Merkle log (in the store's audit_log family), and
// a signed tree head is written with each entry, so that the receipts agents
// collect always cover what happened. Entries carry names and counts only.
#ifndef FEDLINK_COORDINATOR_CORE_AUDIT_TRAIL_H_
#define FEDLINK_COORDINATOR_CORE_AUDIT_TRAIL_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fedlink/v1/audit.pb.h"
#include "proto/audit/audit_log.h"
#include "proto/runtime/peer_identity.h"

namespace fedlink::coordinator {

class AuditTrail {
 public:
  // Opens the log in `family` of `db` (both outlive the trail). Errors as
  // audit::AuditLog::Open.
  static absl::StatusOr<std::unique_ptr<AuditTrail>> Open(
      rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, crypto::Ed25519PrivateKey key,
      std::function<absl::Time()> clock, bool sync_writes);

  // Appends one entry and signs the new head. The entry's time is set from
  // the clock. Errors as AuditLog::AppendBatchAndSign. Thread-safe.
  absl::Status Record(v1::AuditEntry entry);

  // Builds and records an entry: `actor` did `action` on `job_id`
  // (optional) concerning `agency` (optional), with `counts`.
  absl::Status Record(const proto::PeerIdentity& actor, v1::AuditAction action,
                      v1::AuditOutcome outcome, std::string_view job_id, std::string_view agency,
                      std::string_view rpc, absl::string_view reason,
                      std::initializer_list<std::pair<std::string_view, uint64_t>> counts = {});

  // The latest signed head, with a consistency proof from `known_tree_size`
  // when that is non-zero and not beyond the head. Thread-safe.
  v1::Receipt MakeReceipt(uint64_t known_tree_size = 0) const;

  audit::AuditLog& log() { return *log_; }
  const audit::AuditLog& log() const { return *log_; }

 private:
  AuditTrail(std::unique_ptr<audit::AuditLog> log, std::function<absl::Time()> clock)
      : log_(std::move(log)), clock_(std::move(clock)) {}
  std::unique_ptr<audit::AuditLog> log_;
  std::function<absl::Time()> clock_;
};

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_CORE_AUDIT_TRAIL_H_
