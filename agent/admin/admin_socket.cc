#include "agent/admin/admin_socket.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/tls_credentials.h"

namespace fedlink::agent::admin {
namespace {

std::string Octal(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

}  // namespace

absl::Status PrepareAdminSocket(const std::string& socket_path) {
  const std::filesystem::path path(socket_path);
  if (!path.is_absolute()) {
    return absl::FailedPreconditionError(
        absl::StrCat("admin socket ", socket_path, ": must be an absolute path"));
  }
  if (socket_path.size() > kMaxSocketPathBytes) {
    return absl::FailedPreconditionError(absl::StrCat("admin socket ", socket_path,
                                                      ": longer than ", kMaxSocketPathBytes,
                                                      " bytes (a UNIX socket limit)"));
  }
  const std::string dir = path.parent_path().string();
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("admin socket directory ", dir, ": ",
                                                      std::strerror(errno),
                                                      " (create it, owned by the agent's "
                                                      "user, mode 0700 or 0750)"));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("admin socket directory ", dir, ": not a directory"));
  }
  if (st.st_uid != ::geteuid()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "admin socket directory ", dir, ": owned by uid ", st.st_uid,
        ", not by the agent's user (uid ", ::geteuid(), ")"));
  }
  if ((st.st_mode & 0027) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "admin socket directory ", dir, ": mode ", Octal(st.st_mode),
        " lets the group write or others in (allowed: 0700 or 0750; chmod 0750 ", dir, ")"));
  }
  if (::lstat(socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "admin socket ", socket_path, ": a file that is not a socket is in the way"));
    }
    // A socket left by a daemon that did not stop cleanly. A live daemon
    // holds the data directory's RocksDB lock, so two never get this far.
    if (::unlink(socket_path.c_str()) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "admin socket ", socket_path, ": cannot remove the stale socket: ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartAdminServer(const std::string& socket_path,
                                                                unsigned mode,
                                                                grpc::Service* service) {
  if (mode != 0600 && mode != 0660) {
    return absl::InvalidArgumentError("admin socket mode: allowed 0600 or 0660");
  }
  if (absl::Status prepared = PrepareAdminSocket(socket_path); !prepared.ok()) return prepared;
  grpc::ServerBuilder builder;
  proto::ApplyMessageSizeLimits(builder);
  builder.AddListeningPort("unix:" + socket_path, proto::MakeLocalAdminServerCredentials());
  builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    return absl::UnavailableError(absl::StrCat("admin socket ", socket_path, ": cannot listen"));
  }
  if (::chmod(socket_path.c_str(), static_cast<mode_t>(mode)) != 0) {
    const int error = errno;
    server->Shutdown();
    RemoveAdminSocket(socket_path);
    return absl::FailedPreconditionError(absl::StrCat("admin socket ", socket_path,
                                                      ": cannot set mode ", Octal(mode), ": ",
                                                      std::strerror(error)));
  }
  return server;
}

void RemoveAdminSocket(const std::string& socket_path) {
  struct stat st {};
  if (::lstat(socket_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    ::unlink(socket_path.c_str());
  }
}

}  // namespace fedlink::agent::admin
