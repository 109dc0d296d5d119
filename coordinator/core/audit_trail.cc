#include "coordinator/core/audit_trail.h"

#include "linkage/status_macros.h"

namespace fedlink::coordinator {

absl::StatusOr<std::unique_ptr<AuditTrail>> AuditTrail::Open(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, crypto::Ed25519PrivateKey key,
    std::function<absl::Time()> clock, bool sync_writes) {
  audit::AuditLogOptions options;
  options.log_id = "coordinator";
  options.clock = clock;
  options.sync_writes = sync_writes;
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<audit::AuditLog> log,
                           audit::AuditLog::Open(db, family, std::move(key), std::move(options)));
  return std::unique_ptr<AuditTrail>(new AuditTrail(std::move(log), std::move(clock)));
}

absl::Status AuditTrail::Record(v1::AuditEntry entry) {
  entry.set_time_unix_ms(static_cast<uint64_t>(absl::ToUnixMillis(clock_())));
  const v1::AuditEntry entries[] = {std::move(entry)};
  return log_->AppendBatchAndSign(entries).status();
}

absl::Status AuditTrail::Record(const proto::PeerIdentity& actor, v1::AuditAction action,
                                v1::AuditOutcome outcome, std::string_view job_id,
                                std::string_view agency, std::string_view rpc,
                                absl::string_view reason,
                                std::initializer_list<std::pair<std::string_view, uint64_t>> counts) {
  v1::AuditEntry entry;
  *entry.mutable_actor() = proto::ToProto(actor);
  entry.set_action(action);
  entry.set_outcome(outcome);
  entry.set_job_id(std::string(job_id));
  entry.set_agency(std::string(agency));
  entry.set_rpc(std::string(rpc));
  // Reasons are bounded by the contract (2000 bytes).
  entry.set_reason(std::string(reason.substr(0, 2000)));
  for (const auto& [name, value] : counts) {
    v1::AuditCount* count = entry.add_counts();
    count->set_name(std::string(name));
    count->set_value(value);
  }
  return Record(std::move(entry));
}

v1::Receipt AuditTrail::MakeReceipt(uint64_t known_tree_size) const {
  v1::Receipt receipt;
  std::optional<v1::SignedTreeHead> head = log_->latest_signed_head();
  if (!head.has_value()) return receipt;
  *receipt.mutable_tree_head() = *head;
  const uint64_t size = head->head().tree_size();
  if (known_tree_size > 0 && known_tree_size <= size) {
    absl::StatusOr<v1::ConsistencyProof> proof = log_->ConsistencyProof(known_tree_size, size);
    if (proof.ok()) *receipt.mutable_consistency() = *proof;
  }
  return receipt;
}

}  // namespace fedlink::coordinator
