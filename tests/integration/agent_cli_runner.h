// Runs the real fedlink-agent binary (FEDLINK_AGENT_BINARY, set by
// tests/CMakeLists.txt) for the agent_ integration tests, in a temporary
// directory that the fixture removes.
#ifndef FEDLINK_TESTS_INTEGRATION_AGENT_CLI_RUNNER_H_
#define FEDLINK_TESTS_INTEGRATION_AGENT_CLI_RUNNER_H_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

extern char** environ;

namespace fedlink::testing {

struct AgentRun {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteWholeFile(const std::string& path, const std::string& bytes,
                           mode_t mode = 0644) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

// A temporary directory with helpers to run fedlink-agent in it.
class AgentCliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fedlink-agent-cli-XXXXXX")
            .string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Starts fedlink-agent with `args`, stdout and stderr to files; returns
  // its pid.
  pid_t Spawn(const std::vector<std::string>& args, const std::string& tag) {
    std::vector<std::string> all = {FEDLINK_AGENT_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = Path(tag + ".out"), err = Path(tag + ".err");
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(),
                               environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
    return rc == 0 ? pid : -1;
  }

  AgentRun Wait(pid_t pid, const std::string& tag) {
    AgentRun run;
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
      run.exit_code = WEXITSTATUS(status);
    }
    run.out = ReadWholeFile(Path(tag + ".out"));
    run.err = ReadWholeFile(Path(tag + ".err"));
    return run;
  }

  AgentRun Run(const std::vector<std::string>& args) {
    const std::string tag = "run" + std::to_string(++runs_);
    return Wait(Spawn(args, tag), tag);
  }

  // A linkage secret file (64 hex digits) with `mode`.
  std::string SecretFile(const std::string& name, mode_t mode = 0600) {
    const std::string path = Path(name);
    WriteWholeFile(path, std::string(64, 'a') + "\n", mode);
    return path;
  }

  // Initialises data directory `name` for agency "k12"; returns its path.
  std::string InitDataDir(const std::string& name = "data") {
    const std::string data = Path(name);
    AgentRun run = Run({"init", "--data-dir", data, "--agency", "k12",
                        "--linkage-secret", SecretFile(name + ".secret")});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return data;
  }

  std::string dir_;
  int runs_ = 0;
};

}  // namespace fedlink::testing

#endif  // FEDLINK_TESTS_INTEGRATION_AGENT_CLI_RUNNER_H_
