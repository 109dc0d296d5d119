// The coordinator's log lines on stderr (spdlog's default logger), as
// coordinator.yaml's log_format asks:
//   text  2026-01-02T03:04:05.678Z info job j1a2b… SUBMITTED -> PENDING_APPROVAL
//   json  {"time":"2026-01-02T03:04:05.678Z","level":"info",
//          "message":"job j1a2b… SUBMITTED -> PENDING_APPROVAL","job":"j1a2b…"}
// JSON lines are valid JSON whatever the message holds (it is escaped), and
// a line about one job — the core starts those with "job <id>" — carries the
// id in its own "job" field for log collectors. Messages hold job ids,
// identities, state names and counts; never an identifier or a value.
#ifndef FEDLINK_COORDINATOR_RPC_SERVER_LOGGING_H_
#define FEDLINK_COORDINATOR_RPC_SERVER_LOGGING_H_

#include <string>
#include <string_view>

#include "coordinator/config/coordinator_config.h"

namespace fedlink::coordinator {

// Sets the default logger's format. Not thread-safe: call before threads log.
void ConfigureServerLogging(LogFormat format);

// The JSON members after "level" for one message: "message":"…" and, for a
// message about a job, ,"job":"<id>". Exposed for tests. Thread-safe.
std::string JsonMessageMembers(std::string_view message);

}  // namespace fedlink::coordinator

#endif  // FEDLINK_COORDINATOR_RPC_SERVER_LOGGING_H_
