// Runs the real fedlink-coordinator binary (FEDLINK_COORDINATOR_BINARY, set
// by tests/CMakeLists.txt for coordinator_ integration tests) on 127.0.0.1
// with certificates from deploy/pki.sh, and dials it as any identity of
// that PKI. Tests without the binary use the command and PKI helpers only.
#ifndef FEDLINK_TESTS_INTEGRATION_COORDINATOR_DAEMON_RUNNER_H_
#define FEDLINK_TESTS_INTEGRATION_COORDINATOR_DAEMON_RUNNER_H_

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "fedlink/v1/coordinator.grpc.pb.h"
#include "gtest/gtest.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/tls_credentials.h"

namespace fedlink::testing {

struct CommandOutput {
  int exit_code = -1;  // -1: did not exit normally
  std::string text;    // stdout and stderr together
};

// Runs a shell command, collecting its output.
inline CommandOutput RunCommand(const std::string& command) {
  CommandOutput out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.text.append(buffer, n);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

inline std::string ReadTextFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A loopback port that was free a moment ago.
inline int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// The mTLS files of `identity` ("agent/edu", "steward/edu/sam") in a
// deploy/pki.sh directory.
inline proto::TlsFiles PkiFiles(const std::filesystem::path& pki, const std::string& identity) {
  return {(pki / "ca.crt").string(), (pki / (identity + ".crt")).string(),
          (pki / (identity + ".key")).string()};
}

// A stub on a new channel (so every call of a fresh stub makes its own
// handshake) presenting `files`.
inline std::unique_ptr<v1::Coordinator::Stub> CoordinatorStub(const proto::TlsFiles& files,
                                                              int port) {
  auto credentials = proto::MakeChannelCredentials(files);
  EXPECT_TRUE(credentials.ok()) << credentials.status();
  if (!credentials.ok()) return nullptr;
  grpc::ChannelArguments arguments;
  proto::ApplyMessageSizeLimits(arguments);
  // A separate subchannel pool: no connection is shared between stubs.
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return v1::Coordinator::NewStub(grpc::CreateCustomChannel(absl::StrCat("localhost:", port),
                                                            credentials->credentials, arguments));
}

inline std::chrono::system_clock::time_point DeadlineIn(std::chrono::milliseconds after) {
  return std::chrono::system_clock::now() + after;
}

#ifdef FEDLINK_COORDINATOR_BINARY
// One fedlink-coordinator process, serving `config` with its output in
// `log`; killed by the destructor if still running.
class CoordinatorProcess {
 public:
  CoordinatorProcess(std::filesystem::path config, std::filesystem::path log)
      : config_(std::move(config)), log_(std::move(log)) {}
  ~CoordinatorProcess() {
    if (pid_ > 0) Stop(SIGKILL);
  }
  CoordinatorProcess(const CoordinatorProcess&) = delete;
  CoordinatorProcess& operator=(const CoordinatorProcess&) = delete;

  // Starts the daemon and waits until `operator_files` gets an answer to
  // GetStatus on `port`. False (with the log in `why`) if it did not come up.
  bool Start(const proto::TlsFiles& operator_files, int port, std::string* why) {
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(FEDLINK_COORDINATOR_BINARY, FEDLINK_COORDINATOR_BINARY, "serve", "--config",
              config_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int attempt = 0; attempt < 300; ++attempt) {
      // A new channel each time: a reused one would wait out gRPC's
      // reconnect backoff (1 s, growing) after the first refused connect.
      std::unique_ptr<v1::Coordinator::Stub> stub = CoordinatorStub(operator_files, port);
      if (stub == nullptr) break;
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(std::chrono::seconds(2)));
      v1::CoordinatorStatus status;
      if (stub->GetStatus(&context, v1::GetStatusRequest(), &status).ok()) return true;
      int exit_status = 0;
      if (::waitpid(pid_, &exit_status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *why = ReadTextFile(log_);
    return false;
  }

  // Sends `signal` without waiting (SIGHUP: reload).
  void Signal(int signal) const {
    if (pid_ > 0) ::kill(pid_, signal);
  }

  // Sends `signal` and waits: the exit code, or -signal if killed by one.
  int Stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  std::string Log() const { return ReadTextFile(log_); }

 private:
  std::filesystem::path config_, log_;
  pid_t pid_ = -1;
};
#endif  // FEDLINK_COORDINATOR_BINARY

}  // namespace fedlink::testing

#endif  // FEDLINK_TESTS_INTEGRATION_COORDINATOR_DAEMON_RUNNER_H_
