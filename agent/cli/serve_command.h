// `fedlink-agent serve --config agent.yaml`: runs the agent daemon
// (agent/daemon/agent_daemon.h) in the foreground until SIGTERM or SIGINT,
// then stops gracefully: the admin socket closes, coordinator calls in
// flight are cancelled (an upload keeps what the coordinator stored and
// resumes after the next start), the running job step ends, the store is
// closed. Logs go to stderr (log.format: text or JSON lines).
#ifndef FEDLINK_AGENT_CLI_SERVE_COMMAND_H_
#define FEDLINK_AGENT_CLI_SERVE_COMMAND_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace fedlink::agent::cli {

struct ServeCommandOptions {
  std::string config;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it
// starts later, so that RunServeCommand receives them with sigwait(2).
void BlockTerminationSignals();

// Runs the daemon until a termination signal (blocking them first: call it
// before anything starts a thread). Errors of LoadAgentConfigFile,
// AgentDaemon::Create and Start (the daemon never started).
absl::Status RunServeCommand(const ServeCommandOptions& options);

}  // namespace fedlink::agent::cli

#endif  // FEDLINK_AGENT_CLI_SERVE_COMMAND_H_
