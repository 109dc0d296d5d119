#include "agent/audit/agent_audit_log.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "linkage/status_macros.h"
#include "proto/audit/tree_head.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/message_limits.h"

namespace fedlink::agent::audit {

std::string AgentLogId(std::string_view agency) {
  return absl::StrCat("agent/", std::string(agency));
}

absl::StatusOr<std::unique_ptr<AgentAuditLog>> AgentAuditLog::Open(
    RecordStore& store, crypto::Ed25519PrivateKey agency_key,
    AgentAuditLogOptions options) {
  if (!proto::IsNameSyntax(options.agency) ||
      options.agency.size() > proto::kMaxNameBytes) {
    return absl::InvalidArgumentError(
        "agent audit log: the agency must be a name ([a-z0-9][a-z0-9._-]*, "
        "1..64 bytes)");
  }
  if (!options.coordinator_key.has_value()) {
    return absl::FailedPreconditionError(
        "agent audit log: no coordinator tree-head key is configured (receipts "
        "cannot be "
        "checked without it)");
  }
  if (!options.clock)
    return absl::InvalidArgumentError("agent audit log: no clock");

  fedlink::audit::AuditLogOptions log_options;
  log_options.log_id = AgentLogId(options.agency);
  log_options.clock = options.clock;
  log_options.sync_writes = options.sync_writes;
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<fedlink::audit::AuditLog> log,
                           fedlink::audit::AuditLog::Open(
                               store.audit_log_db(), store.audit_log_family(),
                               std::move(agency_key), std::move(log_options)));

  std::optional<v1::SignedTreeHead> coordinator_head;
  FEDLINK_ASSIGN_OR_RETURN(const std::optional<std::string> saved,
                           store.GetMeta(kCoordinatorHeadMeta));
  if (saved.has_value()) {
    v1::SignedTreeHead head;
    if (!head.ParseFromString(*saved) ||
        !fedlink::audit::VerifySignedTreeHead(head, *options.coordinator_key,
                                              options.coordinator_log_id)
             .ok()) {
      return absl::DataLossError(absl::StrCat(
          "agent audit log: the saved coordinator tree head (meta ",
          std::string(kCoordinatorHeadMeta),
          ") is unreadable or not signed by the configured coordinator key"));
    }
    coordinator_head = std::move(head);
  }
  return std::unique_ptr<AgentAuditLog>(new AgentAuditLog(
      store, std::move(log), std::move(options), std::move(coordinator_head)));
}

AgentAuditLog::AgentAuditLog(RecordStore& store,
                             std::unique_ptr<fedlink::audit::AuditLog> log,
                             AgentAuditLogOptions options,
                             std::optional<v1::SignedTreeHead> coordinator_head)
    : store_(store),
      log_(std::move(log)),
      options_(std::move(options)),
      coordinator_head_(std::move(coordinator_head)) {
  self_.set_role(v1::ROLE_AGENT);
  self_.set_name(options_.agency);
  self_.set_agency(options_.agency);
}

std::optional<v1::SignedTreeHead> AgentAuditLog::coordinator_head() const {
  absl::MutexLock lock(&mu_);
  return coordinator_head_;
}

absl::StatusOr<v1::SignedTreeHead> AgentAuditLog::Append(v1::AuditEntry entry) {
  if (entry.time_unix_ms() == 0) {
    entry.set_time_unix_ms(
        static_cast<uint64_t>(absl::ToUnixMillis(options_.clock())));
  }
  if (!entry.has_actor()) *entry.mutable_actor() = self_;
  return log_->AppendBatchAndSign({entry});
}

absl::Status AgentAuditLog::Advance(const v1::SignedTreeHead& head) {
  FEDLINK_RETURN_IF_ERROR(
      store_.PutMeta(kCoordinatorHeadMeta, head.SerializeAsString()));
  coordinator_head_ = head;
  return absl::OkStatus();
}

absl::StatusOr<ReceiptResult> AgentAuditLog::CheckReceipt(
    const v1::Receipt& receipt, std::string_view rpc, std::string_view job_id) {
  if (!receipt.has_tree_head()) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt of ", std::string(rpc), " carries no tree head"));
  }
  const v1::SignedTreeHead* previous =
      coordinator_head_.has_value() ? &*coordinator_head_ : nullptr;
  const uint64_t size = receipt.tree_head().head().tree_size();
  // A larger head without a proof can only be checked for its signature;
  // everything else is checked against the verified head.
  const bool unproven = previous != nullptr && !receipt.has_consistency() &&
                        size > previous->head().tree_size();
  const absl::Status verdict = fedlink::audit::VerifyReceipt(
      receipt, *options_.coordinator_key, options_.coordinator_log_id,
      unproven ? nullptr : previous);
  if (!verdict.ok()) {
    v1::AuditEntry evidence;
    evidence.set_action(v1::AUDIT_ACTION_RECEIPT_RECORDED);
    evidence.set_outcome(v1::AUDIT_OUTCOME_FAILED);
    evidence.set_rpc(std::string(rpc));
    evidence.set_job_id(std::string(job_id));
    evidence.set_reason(std::string(verdict.message()));
    // The offending head is the evidence, if it is well formed enough to
    // be stored at all.
    if (proto::Validate(receipt.tree_head()).ok()) {
      *evidence.mutable_coordinator_tree_head() = receipt.tree_head();
    }
    v1::AuditCount* count = evidence.add_counts();
    count->set_name("tree_size");
    count->set_value(size);
    FEDLINK_RETURN_IF_ERROR(Append(std::move(evidence)).status());
    return absl::DataLossError(
        absl::StrCat("coordinator receipt refused: ", verdict.message()));
  }
  if (previous == nullptr) return ReceiptResult::kFirst;
  if (unproven) return ReceiptResult::kUnproven;
  if (size == previous->head().tree_size()) return ReceiptResult::kSameHead;
  return ReceiptResult::kConsistent;
}

absl::StatusOr<v1::SignedTreeHead> AgentAuditLog::Record(
    v1::AuditEntry entry, const v1::Receipt* receipt) {
  absl::MutexLock lock(&mu_);
  if (receipt == nullptr) return Append(std::move(entry));
  FEDLINK_ASSIGN_OR_RETURN(const ReceiptResult result,
                           CheckReceipt(*receipt, entry.rpc(), entry.job_id()));
  *entry.mutable_coordinator_tree_head() = receipt->tree_head();
  FEDLINK_ASSIGN_OR_RETURN(v1::SignedTreeHead head, Append(std::move(entry)));
  if (result == ReceiptResult::kFirst || result == ReceiptResult::kConsistent) {
    FEDLINK_RETURN_IF_ERROR(Advance(receipt->tree_head()));
  }
  return head;
}

absl::StatusOr<ReceiptResult> AgentAuditLog::RecordReceipt(
    const v1::Receipt& receipt, std::string_view rpc, std::string_view job_id) {
  absl::MutexLock lock(&mu_);
  FEDLINK_ASSIGN_OR_RETURN(const ReceiptResult result,
                           CheckReceipt(receipt, rpc, job_id));
  if (result == ReceiptResult::kSameHead) return result;
  std::pair<uint64_t, std::string> head(receipt.tree_head().head().tree_size(),
                                        receipt.tree_head().head().root_hash());
  if (result == ReceiptResult::kUnproven && last_unproven_ == head)
    return result;
  v1::AuditEntry entry;
  entry.set_action(v1::AUDIT_ACTION_RECEIPT_RECORDED);
  entry.set_outcome(v1::AUDIT_OUTCOME_OK);
  entry.set_rpc(std::string(rpc));
  entry.set_job_id(std::string(job_id));
  *entry.mutable_coordinator_tree_head() = receipt.tree_head();
  v1::AuditCount* count = entry.add_counts();
  count->set_name("tree_size");
  count->set_value(receipt.tree_head().head().tree_size());
  if (result == ReceiptResult::kUnproven) {
    entry.set_reason(
        "no consistency proof with this receipt; signature checked");
  }
  FEDLINK_RETURN_IF_ERROR(Append(std::move(entry)).status());
  if (result == ReceiptResult::kUnproven) {
    last_unproven_ = std::move(head);
  } else {
    FEDLINK_RETURN_IF_ERROR(Advance(receipt.tree_head()));
  }
  return result;
}

}  // namespace fedlink::agent::audit
