#include "proto/runtime/yaml_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace fedlink::proto {

absl::StatusOr<std::string> ReadYamlFile(const std::string& path, std::string_view what,
                                         size_t max_bytes) {
  const absl::string_view what_text(what.data(), what.size());
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message =
        absl::StrCat("cannot open ", what_text, " ", path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return absl::InternalError(absl::StrCat("cannot read ", what_text, " ", path));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

}  // namespace fedlink::proto
