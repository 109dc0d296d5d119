#include "agent/cli/serve_command.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <memory>
#include <utility>

#include "agent/daemon/agent_config.h"
#include "agent/daemon/agent_daemon.h"
#include "agent/daemon/event_log.h"
#include "linkage/status_macros.h"

namespace fedlink::agent::cli {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockTerminationSignals() {
  const sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

absl::Status RunServeCommand(const ServeCommandOptions& options) {
  // Before gRPC starts any thread: threads inherit the blocked mask, so only
  // the sigwait below sees the signals.
  BlockTerminationSignals();
  FEDLINK_ASSIGN_OR_RETURN(daemon::AgentConfig config, daemon::LoadAgentConfigFile(options.config));
  std::shared_ptr<daemon::EventLog> log =
      daemon::EventLog::ToStderr(config.log_format, config.log_level);
  FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<daemon::AgentDaemon> agent,
                           daemon::AgentDaemon::Create(std::move(config), log));
  FEDLINK_RETURN_IF_ERROR(agent->Start());
  const sigset_t set = TerminationSignals();
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  log->Info("agent.signal", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  agent->Shutdown();
  return absl::OkStatus();
}

}  // namespace fedlink::agent::cli
