// The daemon's structured log: one line per event, an event name and
// key/value fields (job id, counts, step, status code and message), either as
// JSON lines (log.format json, for collectors) or as readable text. Through
// spdlog, so lines from several threads never interleave.
//
// What may be logged: job ids, agency and steward names, counts, sequence
// numbers, state names and status messages (which by the project's rules
// name fields and files, never values). Never an identifier, a local id, an
// attribute value, a key or a pseudonym → local id pair: the callers pass
// only such fields, and this class has no API that takes a record.
#ifndef FEDLINK_AGENT_DAEMON_EVENT_LOG_H_
#define FEDLINK_AGENT_DAEMON_EVENT_LOG_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "agent/daemon/agent_config.h"
#include "nlohmann/json.hpp"
#include "spdlog/logger.h"

namespace fedlink::agent::daemon {

// Thread-safe.
class EventLog {
 public:
  // A log to stderr.
  static std::shared_ptr<EventLog> ToStderr(LogFormat format, std::string_view level);
  // A log to `sink` (tests capture lines with an ostream sink).
  static std::shared_ptr<EventLog> ToSink(LogFormat format, std::string_view level,
                                          spdlog::sink_ptr sink);

  void Debug(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void Info(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void Warn(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void Error(std::string_view event, nlohmann::json fields = nlohmann::json::object());

  // {"code": "UNAVAILABLE", "error": message} for a status.
  static nlohmann::json StatusFields(const absl::Status& status,
                                     nlohmann::json fields = nlohmann::json::object());

 private:
  EventLog(LogFormat format, std::shared_ptr<spdlog::logger> logger)
      : format_(format), logger_(std::move(logger)) {}
  void Write(spdlog::level::level_enum level, std::string_view event, nlohmann::json fields);

  const LogFormat format_;
  const std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_EVENT_LOG_H_
