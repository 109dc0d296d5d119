// Strict reading of a YAML document that yaml-cpp has parsed into nodes: no
// unknown or repeated keys, no silent type conversions, enumerations spelled
// exactly, and every error "source:line:col: path: message". The reader of
// one kind of document (an ingest schema, an agent policy) derives from
// YamlReader and reads its keys with these helpers; the position of every key
// read is remembered, so that a later validation error can point at its line
// too (PrefixFor).
#ifndef FEDLINK_PROTO_RUNTIME_YAML_READER_H_
#define FEDLINK_PROTO_RUNTIME_YAML_READER_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"
#include "proto/runtime/quote_name.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::proto {

struct YamlMapEntry {
  YAML::Node key;
  YAML::Node value;
};
// A mapping's entries by key.
using YamlEntries = std::map<std::string, YamlMapEntry>;

// A rule a document breaks, found after reading it: `path` names the key
// ("identifiers[2].field") so that the reader can place it at its line.
struct DocumentProblem {
  std::string path;
  std::string message;  // what is wrong and what is allowed
};

// OK when `problems` is empty; otherwise InvalidArgument listing at most 10
// of them as "<prefix(path)><path>: <message>" joined by "; " (and "; and N
// more"). `prefix` is YamlReader::PrefixFor, or empty for a document that
// was not read from YAML.
absl::Status ProblemsToStatus(const std::vector<DocumentProblem>& problems,
                              const std::function<std::string(const std::string& path)>& prefix);

// "(did you mean 'x'? allowed: a, b, c)" for a word not in `allowed`; the
// suggestion only for a near miss (edit distance 1 or 2).
std::string AllowedHint(std::string_view word, const std::vector<std::string_view>& allowed);

// For messages: the quoted scalar, "a list", "a mapping" or "nothing".
std::string DescribeYamlNode(const YAML::Node& node);

class YamlReader {
 public:
  // `source` names the document in messages (a file name).
  explicit YamlReader(std::string_view source) : source_(source) {}

  // "source:line:col: " of `path` ("identifiers[2].column"), or of its
  // nearest enclosing key whose position is known.
  std::string PrefixFor(const std::string& path) const;
  // "source:line:col: ", or "source: " for a null mark.
  std::string Prefix(const YAML::Mark& mark) const;

 protected:
  // InvalidArgument "<Prefix(mark)><path>: <message>".
  absl::Status Error(const YAML::Mark& mark, const std::string& path,
                     std::string_view message) const;

  // The entries of a mapping (`what` names it in the error if `node` is not
  // one); a key that is not plain text or appears twice is an error.
  absl::StatusOr<YamlEntries> GetEntries(const YAML::Node& node, const std::string& path,
                                         std::string_view what);
  // Reads the top-level `version` first (a newer file would otherwise show up
  // as a list of unknown keys): an error unless it is `supported`.
  absl::Status CheckVersion(const YAML::Node& root, const YamlEntries& top,
                            int64_t supported) const;
  // An error for the first key not in `allowed`.
  absl::Status AllowOnly(const YamlEntries& entries, const std::string& path,
                         const std::vector<std::string_view>& allowed) const;
  absl::StatusOr<const YAML::Node*> Required(const YAML::Node& map, const YamlEntries& entries,
                                             const std::string& path,
                                             const std::string& key) const;
  static const YAML::Node* Optional(const YamlEntries& entries, const std::string& key);

  absl::StatusOr<std::string> ReadText(const YAML::Node& node, const std::string& path) const;
  // A plain (unquoted, untagged) whole number in [min, max].
  absl::StatusOr<int64_t> ReadInt(const YAML::Node& node, const std::string& path, int64_t min,
                                  int64_t max) const;
  // A whole number in [1, max].
  absl::StatusOr<size_t> ReadSize(const YAML::Node& node, const std::string& path,
                                  size_t max) const;
  // A plain true/True/TRUE or false/False/FALSE.
  absl::StatusOr<bool> ReadBool(const YAML::Node& node, const std::string& path) const;
  // The items of a list of at most `max_items`, each remembered by position.
  absl::StatusOr<std::vector<YAML::Node>> ReadList(const YAML::Node& node,
                                                   const std::string& path, size_t max_items);
  absl::StatusOr<std::vector<std::string>> ReadTextList(const YAML::Node& node,
                                                        const std::string& path,
                                                        size_t max_items);

  // One of `allowed`, spelled exactly; `what` names the kind in the error.
  template <typename E>
  absl::StatusOr<E> ReadEnum(const YAML::Node& node, const std::string& path,
                             std::string_view what, const std::vector<std::string_view>& allowed,
                             std::optional<E> (*from_name)(std::string_view)) const {
    FEDLINK_ASSIGN_OR_RETURN(std::string text, ReadText(node, path));
    std::optional<E> value = from_name(text);
    if (!value.has_value()) {
      return Error(node.Mark(), path,
                   absl::StrCat("unknown ", absl::string_view(what.data(), what.size()), " ",
                                QuoteName(text), " ", AllowedHint(text, allowed)));
    }
    return *value;
  }

  // A list of ReadEnum values. At most 64: longer than `allowed` can only
  // repeat entries, which the document's validator reports.
  template <typename E>
  absl::StatusOr<std::vector<E>> ReadEnumList(const YAML::Node& node, const std::string& path,
                                              std::string_view what,
                                              const std::vector<std::string_view>& allowed,
                                              std::optional<E> (*from_name)(std::string_view)) {
    FEDLINK_ASSIGN_OR_RETURN(std::vector<YAML::Node> items, ReadList(node, path, 64));
    std::vector<E> out;
    for (size_t i = 0; i < items.size(); ++i) {
      FEDLINK_ASSIGN_OR_RETURN(
          E value,
          ReadEnum<E>(items[i], absl::StrCat(path, "[", i, "]"), what, allowed, from_name));
      out.push_back(value);
    }
    return out;
  }

 private:
  std::string source_;
  std::map<std::string, YAML::Mark> marks_;
};

// The text of the YAML file `path` holding `what` ("ingest schema"), at most
// max_bytes + 1 bytes of it, so that ParseYamlDocument reports a file that is
// too long. NotFound, PermissionDenied or Internal "cannot open <what>
// <path>: <reason>".
absl::StatusOr<std::string> ReadYamlFile(const std::string& path, std::string_view what,
                                         size_t max_bytes);

// Runs `read` on the root node of `yaml`, which names `source` in messages
// and may have at most max_bytes (`what` names the kind of document with its
// article: "an ingest schema"). yaml-cpp's exceptions become InvalidArgument
// errors that point at the line (through `reader`).
template <typename T>
absl::StatusOr<T> ParseYamlDocument(std::string_view yaml, std::string_view source,
                                    std::string_view what, size_t max_bytes,
                                    const YamlReader& reader,
                                    const std::function<absl::StatusOr<T>(const YAML::Node&)>& read) {
  const absl::string_view source_name(source.data(), source.size());
  if (yaml.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": ", yaml.size(), " bytes (",
                                                   absl::string_view(what.data(), what.size()),
                                                   " may have at most ", max_bytes, ")"));
  }
  try {
    return read(YAML::Load(std::string(yaml)));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(reader.Prefix(e.mark), "malformed YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": cannot read YAML: ", e.what()));
  }
}

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_YAML_READER_H_
