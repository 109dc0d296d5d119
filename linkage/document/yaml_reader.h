// Strict reading of a YAML document that yaml-cpp has parsed into nodes: no
// unknown or repeated keys, no silent type conversions, enumerations spelled
// exactly, and every error "source:line:col: path: message". The reader of
// one kind of document (a linkage schema, an ingest schema, an agent policy)
// derives from YamlReader and reads its keys with these helpers; the position
// of every key read is remembered, so that a later validation error can point
// at its line too (PrefixFor).
#ifndef FEDLINK_LINKAGE_DOCUMENT_YAML_READER_H_
#define FEDLINK_LINKAGE_DOCUMENT_YAML_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "linkage/document/document_problem.h"
#include "linkage/document/quote_name.h"
#include "linkage/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace fedlink::document {

struct YamlMapEntry {
  YAML::Node key;
  YAML::Node value;
};
// A mapping's entries by key.
using YamlEntries = std::map<std::string, YamlMapEntry>;

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
  // A plain number in decimal notation ("0.05", "1e-3"; not inf, nan or hex).
  absl::StatusOr<double> ReadDecimal(const YAML::Node& node, const std::string& path) const;
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

// The core of ParseYamlDocument: calls `read` on the document's root node.
absl::Status ReadYamlDocument(std::string_view yaml, std::string_view source,
                              std::string_view what, size_t max_bytes, const YamlReader& reader,
                              const std::function<absl::Status(const YAML::Node& root)>& read);

// Runs `read` on the root node of `yaml`, one YAML document of at most
// max_bytes that names `source` in messages (`what` names the kind of
// document with its article: "an ingest schema"). An empty text, a second
// document in it and malformed YAML are InvalidArgument errors that point at
// the line (through `reader`); no yaml-cpp exception leaves this function.
template <typename T>
absl::StatusOr<T> ParseYamlDocument(
    std::string_view yaml, std::string_view source, std::string_view what, size_t max_bytes,
    const YamlReader& reader, const std::function<absl::StatusOr<T>(const YAML::Node&)>& read) {
  std::optional<T> result;
  FEDLINK_RETURN_IF_ERROR(ReadYamlDocument(
      yaml, source, what, max_bytes, reader, [&](const YAML::Node& root) -> absl::Status {
        absl::StatusOr<T> value = read(root);
        if (!value.ok()) return value.status();
        result.emplace(*std::move(value));
        return absl::OkStatus();
      }));
  return *std::move(result);
}

// ParseYamlDocument whose reading is `reader.Read(root)` (a YamlReader
// subclass's), followed by the document's own rules: each problem
// `find_problems` reports is placed at the line of the entry it names.
template <typename T, typename Reader>
absl::StatusOr<T> ParseValidatedYamlDocument(
    std::string_view yaml, std::string_view source, std::string_view what, size_t max_bytes,
    Reader& reader, std::vector<DocumentProblem> (*find_problems)(const T&)) {
  return ParseYamlDocument<T>(
      yaml, source, what, max_bytes, reader, [&](const YAML::Node& root) -> absl::StatusOr<T> {
        FEDLINK_ASSIGN_OR_RETURN(T document, reader.Read(root));
        FEDLINK_RETURN_IF_ERROR(ProblemsToStatus(
            find_problems(document),
            [&reader](const std::string& path) { return reader.PrefixFor(path); }));
        return document;
      });
}

}  // namespace fedlink::document

#endif  // FEDLINK_LINKAGE_DOCUMENT_YAML_READER_H_
