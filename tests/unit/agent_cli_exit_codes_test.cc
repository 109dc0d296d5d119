// fedlink-agent's exit codes from a command's status.
#include "agent/cli/exit_codes.h"

#include "gtest/gtest.h"

namespace fedlink::agent::cli {
namespace {

TEST(AgentExitCodeTest, OkFailedAndUnavailableAreDistinct) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("schema.yaml:3:1: bad")), kExitFailed);
  EXPECT_EQ(ExitCodeFor(absl::FailedPreconditionError("policy violated")), kExitFailed);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("no such job")), kExitFailed);
  // The daemon not running, the store held by another process.
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("not reachable")), kExitUnavailable);
  EXPECT_NE(kExitFailed, kExitUsage);
  EXPECT_NE(kExitUsage, kExitUnavailable);
}

}  // namespace
}  // namespace fedlink::agent::cli
