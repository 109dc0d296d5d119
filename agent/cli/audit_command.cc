#include "agent/cli/audit_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "agent/admin/admin_client.h"
#include "agent/cli/admin_socket_option.h"
#include "agent/audit/agent_audit_log.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::cli {

absl::Status RunAuditExportCommand(const AuditExportOptions& options, std::ostream& out) {
  if (options.out.empty()) return absl::InvalidArgumentError("audit export: --out is required");
  FEDLINK_ASSIGN_OR_RETURN(const std::string socket,
                           ResolveAdminSocket(options.socket, options.config));
  std::unique_ptr<admin::AdminClient> client = admin::AdminClient::ForSocket(socket);
  FEDLINK_ASSIGN_OR_RETURN(const v1::AgentStatus status, client->Status());

  const std::string partial = options.out + ".partial";
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  if (!file) {
    return absl::InternalError(
        absl::StrCat("cannot create ", partial, ": ", std::strerror(errno)));
  }
  absl::StatusOr<uint64_t> bytes = client->ExportAuditLog(&file);
  file.close();
  if (bytes.ok() && !file) {
    bytes = absl::InternalError(absl::StrCat("cannot write ", partial));
  }
  if (bytes.ok() && std::rename(partial.c_str(), options.out.c_str()) != 0) {
    bytes = absl::InternalError(
        absl::StrCat("cannot rename ", partial, " to ", options.out, ": ", std::strerror(errno)));
  }
  if (!bytes.ok()) {
    std::remove(partial.c_str());
    return bytes.status();
  }
  out << "exported the audit log of agency " << status.agency() << " (" << *bytes
      << " bytes) to " << options.out << "\n"
      << "verify it with `fedlink audit verify --archive " << options.out
      << "`, pinning this agency's signing_key.pub.pem as audit.log_key and "
      << audit::AgentLogId(status.agency()) << " as audit.log_id\n";
  return absl::OkStatus();
}

}  // namespace fedlink::agent::cli
