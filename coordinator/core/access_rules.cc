#include "coordinator/core/access_rules.h"

#include "absl/strings/str_cat.h"
#include "coordinator/jobs/work_items.h"
#include "linkage/document/quote_name.h"

namespace fedlink::coordinator {

absl::Status RequireRole(const proto::PeerIdentity& caller, std::string_view rpc,
                         std::initializer_list<proto::Role> roles) {
  for (proto::Role r : roles) {
    if (caller.role == r) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(std::string(rpc), " is not open to role ",
                                                  std::string(proto::RoleName(caller.role))));
}

absl::StatusOr<const AgencyEntry*> CallerAgency(const proto::PeerIdentity& caller,
                                                const Registry& registry, std::string_view rpc) {
  if (absl::Status s = RequireRole(caller, rpc, {proto::Role::kAgent}); !s.ok()) return s;
  const AgencyEntry* agency = registry.AgencyForAgent(caller.name);
  if (agency == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("agent ", document::QuoteName(caller.name),
                                                    " is not a registered agency"));
  }
  return agency;
}

absl::Status CheckCanReadJob(const proto::PeerIdentity& caller, const internal::StoredJob& job) {
  if (caller.role == proto::Role::kAnalyst && job.job().analyst().name() == caller.name) {
    return absl::OkStatus();
  }
  if (caller.role == proto::Role::kSteward && PartyIndex(job, caller.agency).has_value()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("job ", document::QuoteName(job.job().job_id()), " is not yours"));
}

absl::Status CheckIsJobAnalyst(const proto::PeerIdentity& caller, const internal::StoredJob& job,
                               bool operator_allowed) {
  if (caller.role == proto::Role::kAnalyst && job.job().analyst().name() == caller.name) {
    return absl::OkStatus();
  }
  if (operator_allowed && caller.role == proto::Role::kOperator) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("job ", document::QuoteName(job.job().job_id()), " is not yours"));
}

}  // namespace fedlink::coordinator
