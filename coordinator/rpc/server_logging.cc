#include "coordinator/rpc/server_logging.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "proto/runtime/peer_identity.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/spdlog.h"

namespace fedlink::coordinator {
namespace {

constexpr char kTime[] = "%Y-%m-%dT%H:%M:%S.%eZ";

void AppendJsonString(std::string_view text, std::string& out) {
  out.push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += absl::StrFormat("\\u%04x", byte);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// The `%*` flag of the JSON pattern.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string members =
        JsonMessageMembers(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(members.data(), members.data() + members.size());
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

std::string JsonMessageMembers(std::string_view message) {
  std::string out = "\"message\":";
  AppendJsonString(message, out);
  if (message.starts_with("job ")) {
    const std::string_view rest = message.substr(4);
    const std::string_view id = rest.substr(0, rest.find_first_of(" :"));
    // Only a well-formed id (the core's own): anything else stays in the
    // message alone.
    if (proto::IsValidName(id)) {
      out += ",\"job\":";
      AppendJsonString(id, out);
    }
  }
  return out;
}

void ConfigureServerLogging(LogFormat format) {
  if (format == LogFormat::kJson) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        absl::StrCat(R"({"time":")", kTime, R"(","level":"%l",%*})"));
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern(absl::StrCat(kTime, " %l %v"), spdlog::pattern_time_type::utc);
  }
}

}  // namespace fedlink::coordinator
