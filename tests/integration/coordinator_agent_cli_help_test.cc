// The three command lines as a user meets them: every command's --help ends
// with an example, each binary's top-level --help lists its exit codes and
// --version names its release, and the exit codes hold (bad command line,
// bad configuration, nothing to reach). No daemon runs: the coordinator address is a closed loopback port
// and the agent's admin socket does not exist.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/coordinator_daemon_runner.h"

namespace fedlink {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using Output = testing::CommandOutput;

// Runs `binary` with each argument quoted for the shell.
Output RunCommand(const std::string& binary, const std::vector<std::string>& arguments) {
  std::string command = absl::StrCat("'", binary, "'");
  for (const std::string& argument : arguments) absl::StrAppend(&command, " '", argument, "'");
  return testing::RunCommand(command);
}

struct Command {
  const char* binary;
  std::vector<std::string> path;
};

std::vector<Command> EveryCommand() {
  const char* cli = FEDLINK_CLI_BINARY;
  const char* agent = FEDLINK_AGENT_BINARY;
  const char* coordinator = FEDLINK_COORDINATOR_BINARY;
  return {{cli, {"audit"}},
          {cli, {"audit", "verify"}},
          {cli, {"audit", "log"}},
          {cli, {"audit", "denials"}},
          {cli, {"audit", "export"}},
          {cli, {"job"}},
          {cli, {"job", "submit"}},
          {cli, {"job", "status"}},
          {cli, {"job", "list"}},
          {cli, {"job", "cancel"}},
          {cli, {"job", "results"}},
          {cli, {"keys"}},
          {cli, {"keys", "init"}},
          {agent, {"init"}},
          {agent, {"ingest"}},
          {agent, {"quality"}},
          {agent, {"check-config"}},
          {agent, {"serve"}},
          {agent, {"jobs"}},
          {agent, {"jobs", "pending"}},
          {agent, {"jobs", "list"}},
          {agent, {"jobs", "show"}},
          {agent, {"jobs", "approve"}},
          {agent, {"jobs", "deny"}},
          {agent, {"audit"}},
          {agent, {"audit", "export"}},
          {coordinator, {"serve"}},
          {coordinator, {"check-config"}}};
}

TEST(CliHelpTest, EveryCommandsHelpEndsWithAnExampleOfItself) {
  for (const Command& command : EveryCommand()) {
    std::vector<std::string> arguments = command.path;
    arguments.push_back("--help");
    const Output help = RunCommand(command.binary, arguments);
    const std::string what =
        absl::StrCat(fs::path(command.binary).filename().string(), " ",
                     absl::StrJoin(command.path, " "));
    EXPECT_EQ(help.exit_code, 0) << what << "\n" << help.text;
    const size_t example = help.text.find("Example");
    ASSERT_NE(example, std::string::npos) << what << "\n" << help.text;
    // The example runs this very command.
    EXPECT_THAT(help.text.substr(example), HasSubstr(what)) << help.text;
  }
}

TEST(CliHelpTest, TopLevelHelpListsTheExitCodes) {
  for (const char* binary :
       {FEDLINK_CLI_BINARY, FEDLINK_AGENT_BINARY, FEDLINK_COORDINATOR_BINARY}) {
    const Output help = RunCommand(binary, {"--help"});
    EXPECT_EQ(help.exit_code, 0) << binary;
    EXPECT_THAT(help.text, HasSubstr("Exit codes:\n  0  success")) << help.text;
    EXPECT_THAT(help.text, HasSubstr("\n  2  ")) << help.text;
  }
}

TEST(CliHelpTest, VersionNamesTheBinaryAndTheRelease) {
  for (const char* binary :
       {FEDLINK_CLI_BINARY, FEDLINK_AGENT_BINARY, FEDLINK_COORDINATOR_BINARY}) {
    const Output version = RunCommand(binary, {"--version"});
    EXPECT_EQ(version.exit_code, 0) << binary;
    EXPECT_EQ(version.text,
              absl::StrCat(fs::path(binary).filename().string(), " ", FEDLINK_VERSION, "\n"));
  }
}

TEST(CliHelpTest, JsonIsOfferedWhereScriptsReadTheOutput) {
  const std::vector<Command> with_output = {
      {FEDLINK_CLI_BINARY, {"audit", "verify"}}, {FEDLINK_CLI_BINARY, {"audit", "log"}},
      {FEDLINK_CLI_BINARY, {"audit", "denials"}}, {FEDLINK_CLI_BINARY, {"job", "status"}},
      {FEDLINK_CLI_BINARY, {"job", "list"}},     {FEDLINK_CLI_BINARY, {"job", "results"}},
      {FEDLINK_AGENT_BINARY, {"quality"}},        {FEDLINK_AGENT_BINARY, {"jobs", "pending"}},
      {FEDLINK_AGENT_BINARY, {"jobs", "show"}}};
  for (const Command& command : with_output) {
    std::vector<std::string> arguments = command.path;
    arguments.push_back("--help");
    EXPECT_THAT(RunCommand(command.binary, arguments).text, HasSubstr("--output"))
        << absl::StrJoin(command.path, " ");
  }
  // Anything but table or json is a usage error.
  EXPECT_EQ(RunCommand(FEDLINK_CLI_BINARY, {"job", "list", "--output", "yaml"}).exit_code, 2);
  EXPECT_EQ(RunCommand(FEDLINK_AGENT_BINARY, {"quality", "--data-dir", "d", "--output", "xml"}).exit_code,
            2);
}

TEST(CliExitCodeTest, ABadCommandLineIsTwo) {
  for (const char* binary :
       {FEDLINK_CLI_BINARY, FEDLINK_AGENT_BINARY, FEDLINK_COORDINATOR_BINARY}) {
    EXPECT_EQ(RunCommand(binary, {"no-such-command"}).exit_code, 2) << binary;
    EXPECT_EQ(RunCommand(binary, {}).exit_code, 2) << binary;
  }
  EXPECT_EQ(RunCommand(FEDLINK_CLI_BINARY, {"job", "cancel"}).exit_code, 2);  // no job id
  EXPECT_EQ(RunCommand(FEDLINK_AGENT_BINARY, {"jobs", "deny", "j1"}).exit_code, 2);  // no --reason
  EXPECT_EQ(RunCommand(FEDLINK_COORDINATOR_BINARY, {"check-config"}).exit_code, 2);  // no --config
}

class CliConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("GRPC_DNS_RESOLVER", "native", 1);
    char pattern[] = "/tmp/fedlink-cli-help-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    // No client configuration but what the test passes.
    ::setenv("XDG_CONFIG_HOME", dir_.c_str(), 1);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(CliConnectionTest, ConfigurationErrorsAreTwoForFedlinkAndOneForTheCoordinator) {
  // An explicit --config that does not exist; then no coordinator set.
  const Output missing =
      RunCommand(FEDLINK_CLI_BINARY, {"--config", Path("none.yaml"), "job", "list"});
  EXPECT_EQ(missing.exit_code, 2) << missing.text;
  const Output unset = RunCommand(FEDLINK_CLI_BINARY, {"job", "list"});
  EXPECT_EQ(unset.exit_code, 2) << unset.text;
  EXPECT_THAT(unset.text, HasSubstr("no coordinator")) << unset.text;
  // fedlink-coordinator: an invalid configuration is 1 (the check failed).
  const Output check =
      RunCommand(FEDLINK_COORDINATOR_BINARY, {"check-config", "--config", Path("none.yaml")});
  EXPECT_EQ(check.exit_code, 1) << check.text;
}

TEST_F(CliConnectionTest, NothingToReachIsThree) {
  const std::string pki = Path("pki");
  const Output made =
      RunCommand(absl::StrCat(FEDLINK_SOURCE_DIR, "/deploy/pki.sh"),
          {"--out", pki, "--coordinator", "coord", "--analyst", "alice"});
  ASSERT_EQ(made.exit_code, 0) << made.text;
  const Output status = RunCommand(
      FEDLINK_CLI_BINARY,
      {"--coordinator", absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort()), "--ca",
       pki + "/ca.crt", "--cert", pki + "/analyst/alice.crt", "--key", pki + "/analyst/alice.key",
       "job", "status", "j3f1c9a2e7b6d40158c2e9f0a1b3d5c7e"});
  EXPECT_EQ(status.exit_code, 3) << status.text;
  EXPECT_THAT(status.text, HasSubstr("could not be reached")) << status.text;

  const Output jobs =
      RunCommand(FEDLINK_AGENT_BINARY, {"jobs", "pending", "--socket", Path("agent.sock")});
  EXPECT_EQ(jobs.exit_code, 3) << jobs.text;
  EXPECT_THAT(jobs.text, HasSubstr("is not reachable")) << jobs.text;
}

}  // namespace
}  // namespace fedlink
