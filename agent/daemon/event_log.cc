#include "agent/daemon/event_log.h"

#include <cctype>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace fedlink::agent::daemon {
namespace {

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    default:
      break;
  }
  return "info";
}

// A text-form value: bare when it is a simple word, JSON-quoted otherwise.
std::string TextValue(const nlohmann::json& value) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    bool plain = !s.empty();
    for (char c : s) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
            c == '/' || c == ':')) {
        plain = false;
        break;
      }
    }
    if (plain) return s;
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::shared_ptr<EventLog> EventLog::ToStderr(LogFormat format, std::string_view level) {
  return ToSink(format, level, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

std::shared_ptr<EventLog> EventLog::ToSink(LogFormat format, std::string_view level,
                                           spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>("fedlink-agent", std::move(sink));
  // Lines are formatted here, whole (JSON needs its own escaping).
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::trace);
  return std::shared_ptr<EventLog>(new EventLog(format, std::move(logger)));
}

void EventLog::Debug(std::string_view event, nlohmann::json fields) {
  Write(spdlog::level::debug, event, std::move(fields));
}
void EventLog::Info(std::string_view event, nlohmann::json fields) {
  Write(spdlog::level::info, event, std::move(fields));
}
void EventLog::Warn(std::string_view event, nlohmann::json fields) {
  Write(spdlog::level::warn, event, std::move(fields));
}
void EventLog::Error(std::string_view event, nlohmann::json fields) {
  Write(spdlog::level::err, event, std::move(fields));
}

nlohmann::json EventLog::StatusFields(const absl::Status& status, nlohmann::json fields) {
  fields["code"] = absl::StatusCodeToString(status.code());
  fields["error"] = std::string(status.message());
  return fields;
}

void EventLog::Write(spdlog::level::level_enum level, std::string_view event,
                     nlohmann::json fields) {
  if (!logger_->should_log(level)) return;
  const std::string time =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (format_ == LogFormat::kJson) {
    nlohmann::json out = nlohmann::json::object();
    out["time"] = time;
    out["level"] = LevelName(level);
    out["event"] = event;
    if (fields.is_object()) {
      for (auto& [key, value] : fields.items()) out[key] = value;
    }
    line = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = absl::StrCat(time, " ", std::string(LevelName(level)), " ", std::string(event));
    if (fields.is_object()) {
      for (auto& [key, value] : fields.items()) {
        absl::StrAppend(&line, " ", key, "=", TextValue(value));
      }
    }
  }
  logger_->log(level, "{}", line);
}

}  // namespace fedlink::agent::daemon
