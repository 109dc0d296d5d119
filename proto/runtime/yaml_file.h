// Reading a YAML configuration file (ingest schema, agent policy) from disk,
// capped in size: its text goes to document::ParseYamlDocument, which
// reports a file that is too long.
#ifndef FEDLINK_PROTO_RUNTIME_YAML_FILE_H_
#define FEDLINK_PROTO_RUNTIME_YAML_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fedlink::proto {

// The text of the file `path` holding `what` ("ingest schema"): at most
// max_bytes + 1 bytes of it, enough for the parser to see it is too long.
// NotFound, PermissionDenied or Internal "cannot open <what> <path>:
// <reason>".
absl::StatusOr<std::string> ReadYamlFile(const std::string& path, std::string_view what,
                                         size_t max_bytes);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_YAML_FILE_H_
