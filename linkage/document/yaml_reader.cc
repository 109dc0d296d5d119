#include "linkage/document/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <limits>
#include <system_error>

#include "absl/strings/str_join.h"
#include "yaml-cpp/depthguard.h"

namespace fedlink::document {
namespace {

constexpr std::string_view kPlainTag = "?";  // yaml-cpp's tag of a plain scalar
constexpr std::string_view kIntTag = "tag:yaml.org,2002:int";
constexpr std::string_view kFloatTag = "tag:yaml.org,2002:float";
constexpr std::string_view kBoolTag = "tag:yaml.org,2002:bool";

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool HasTag(const YAML::Node& node, std::initializer_list<std::string_view> tags) {
  return std::find(tags.begin(), tags.end(), node.Tag()) != tags.end();
}

}  // namespace

std::string AllowedHint(std::string_view word, const std::vector<std::string_view>& allowed) {
  std::string_view closest;
  size_t best = 3;  // suggest near misses only
  for (std::string_view candidate : allowed) {
    const size_t d = EditDistance(word, candidate);
    if (d < best) {
      best = d;
      closest = candidate;
    }
  }
  std::string hint = "(";
  if (!closest.empty()) absl::StrAppend(&hint, "did you mean '", Sv(closest), "'? ");
  std::vector<absl::string_view> names;
  for (std::string_view name : allowed) names.push_back(Sv(name));
  absl::StrAppend(&hint, "allowed: ", absl::StrJoin(names, ", "), ")");
  return hint;
}

std::string DescribeYamlNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return QuoteName(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string YamlReader::PrefixFor(const std::string& path) const {
  std::string p = path;
  while (true) {
    auto it = marks_.find(p);
    if (it != marks_.end()) return Prefix(it->second);
    if (p.empty()) return absl::StrCat(source_, ": ");
    const size_t cut = p.find_last_of(".[");
    p = cut == std::string::npos ? std::string() : p.substr(0, cut);
  }
}

std::string YamlReader::Prefix(const YAML::Mark& mark) const {
  if (mark.is_null()) return absl::StrCat(source_, ": ");
  return absl::StrCat(source_, ":", mark.line + 1, ":", mark.column + 1, ": ");
}

absl::Status YamlReader::Error(const YAML::Mark& mark, const std::string& path,
                               std::string_view message) const {
  return absl::InvalidArgumentError(
      absl::StrCat(Prefix(mark), path.empty() ? "" : path + ": ", Sv(message)));
}

absl::StatusOr<YamlEntries> YamlReader::GetEntries(const YAML::Node& node,
                                                   const std::string& path,
                                                   std::string_view what) {
  if (!node.IsMap()) {
    return Error(node.Mark(), path,
                 absl::StrCat("expected a mapping for ", Sv(what), ", got ",
                              DescribeYamlNode(node)));
  }
  YamlEntries entries;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      return Error(key.Mark(), path,
                   absl::StrCat("a key must be plain text, got ", DescribeYamlNode(key)));
    }
    auto [pos, inserted] = entries.emplace(key.Scalar(), YamlMapEntry{key, it->second});
    if (!inserted) {
      return Error(key.Mark(), path,
                   absl::StrCat("key ", QuoteName(key.Scalar()), " appears twice (first at line ",
                                pos->second.key.Mark().line + 1, ")"));
    }
    marks_[path.empty() ? key.Scalar() : path + "." + key.Scalar()] = it->second.Mark();
  }
  marks_[path] = node.Mark();
  return entries;
}

absl::Status YamlReader::CheckVersion(const YAML::Node& root, const YamlEntries& top,
                                      int64_t supported) const {
  FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* version, Required(root, top, "", "version"));
  FEDLINK_ASSIGN_OR_RETURN(
      int64_t v, ReadInt(*version, "version", 0, std::numeric_limits<uint32_t>::max()));
  if (v != supported) {
    return Error(version->Mark(), "version",
                 absl::StrCat("unsupported version ", v, " (this build reads version ", supported,
                              ")"));
  }
  return absl::OkStatus();
}

absl::Status YamlReader::AllowOnly(const YamlEntries& entries, const std::string& path,
                                   const std::vector<std::string_view>& allowed) const {
  for (const auto& [name, entry] : entries) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    return Error(entry.key.Mark(), path,
                 absl::StrCat("unknown key ", QuoteName(name), " ", AllowedHint(name, allowed)));
  }
  return absl::OkStatus();
}

absl::StatusOr<const YAML::Node*> YamlReader::Required(const YAML::Node& map,
                                                       const YamlEntries& entries,
                                                       const std::string& path,
                                                       const std::string& key) const {
  auto it = entries.find(key);
  if (it == entries.end()) {
    return Error(map.Mark(), path, absl::StrCat("missing required key '", key, "'"));
  }
  return &it->second.value;
}

const YAML::Node* YamlReader::Optional(const YamlEntries& entries, const std::string& key) {
  auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second.value;
}

absl::StatusOr<std::string> YamlReader::ReadText(const YAML::Node& node,
                                                 const std::string& path) const {
  if (!node.IsScalar()) {
    return Error(node.Mark(), path, absl::StrCat("expected text, got ", DescribeYamlNode(node)));
  }
  return node.Scalar();
}

absl::StatusOr<int64_t> YamlReader::ReadInt(const YAML::Node& node, const std::string& path,
                                            int64_t min, int64_t max) const {
  const std::string expected =
      absl::StrCat("expected a whole number from ", min, " to ", max, ", got ");
  if (!node.IsScalar() || !HasTag(node, {kPlainTag, kIntTag})) {
    return Error(node.Mark(), path,
                 absl::StrCat(expected, node.IsScalar() ? "a quoted or tagged value"
                                                        : DescribeYamlNode(node)));
  }
  const std::string& text = node.Scalar();
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return Error(node.Mark(), path, absl::StrCat(expected, QuoteName(text)));
  }
  return value;
}

absl::StatusOr<size_t> YamlReader::ReadSize(const YAML::Node& node, const std::string& path,
                                            size_t max) const {
  FEDLINK_ASSIGN_OR_RETURN(int64_t v, ReadInt(node, path, 1, static_cast<int64_t>(max)));
  return static_cast<size_t>(v);
}

absl::StatusOr<bool> YamlReader::ReadBool(const YAML::Node& node, const std::string& path) const {
  if (node.IsScalar() && HasTag(node, {kPlainTag, kBoolTag})) {
    const std::string& text = node.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
  }
  return Error(node.Mark(), path,
               absl::StrCat("expected true or false, got ",
                            node.IsScalar() && !HasTag(node, {kPlainTag})
                                ? "a quoted or tagged value"
                                : DescribeYamlNode(node)));
}

absl::StatusOr<double> YamlReader::ReadDecimal(const YAML::Node& node,
                                              const std::string& path) const {
  constexpr std::string_view kExpected = "expected a decimal number such as 0.05, got ";
  if (!node.IsScalar() || !HasTag(node, {kPlainTag, kFloatTag, kIntTag})) {
    return Error(node.Mark(), path,
                 absl::StrCat(Sv(kExpected), node.IsScalar() ? "a quoted or tagged value"
                                                             : DescribeYamlNode(node)));
  }
  // Decimal notation only: from_chars would also take "inf", "nan" and hex
  // floats, which have no place in a configuration file.
  std::string_view text = node.Scalar();
  const bool decimal =
      !text.empty() && text.find_first_not_of("0123456789.eE+-") == std::string_view::npos;
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!decimal || ec != std::errc() || ptr != text.data() + text.size()) {
    return Error(node.Mark(), path, absl::StrCat(Sv(kExpected), QuoteName(node.Scalar())));
  }
  return value;
}

absl::StatusOr<std::vector<YAML::Node>> YamlReader::ReadList(const YAML::Node& node,
                                                             const std::string& path,
                                                             size_t max_items) {
  if (!node.IsSequence()) {
    return Error(node.Mark(), path, absl::StrCat("expected a list, got ", DescribeYamlNode(node)));
  }
  if (node.size() > max_items) {
    return Error(node.Mark(), path,
                 absl::StrCat(node.size(), " entries (at most ", max_items, " are allowed)"));
  }
  std::vector<YAML::Node> items;
  for (size_t i = 0; i < node.size(); ++i) {
    marks_[absl::StrCat(path, "[", i, "]")] = node[i].Mark();
    items.push_back(node[i]);
  }
  return items;
}

absl::StatusOr<std::vector<std::string>> YamlReader::ReadTextList(const YAML::Node& node,
                                                                  const std::string& path,
                                                                  size_t max_items) {
  FEDLINK_ASSIGN_OR_RETURN(std::vector<YAML::Node> items, ReadList(node, path, max_items));
  std::vector<std::string> out;
  for (size_t i = 0; i < items.size(); ++i) {
    FEDLINK_ASSIGN_OR_RETURN(std::string text, ReadText(items[i], absl::StrCat(path, "[", i, "]")));
    out.push_back(std::move(text));
  }
  return out;
}

absl::Status ReadYamlDocument(std::string_view yaml, std::string_view source,
                              std::string_view what, size_t max_bytes, const YamlReader& reader,
                              const std::function<absl::Status(const YAML::Node& root)>& read) {
  if (yaml.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(source), ": ", yaml.size(), " bytes (",
                                                   Sv(what), " may have at most ", max_bytes,
                                                   ")"));
  }
  // yaml-cpp reports malformed YAML (and its nesting limit) by throwing.
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
    if (documents.empty() || documents[0].IsNull()) {
      return absl::InvalidArgumentError(absl::StrCat(
          Sv(source), ":1:1: the document is empty (expected ", Sv(what), ", a YAML mapping)"));
    }
    if (documents.size() > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.Prefix(documents[1].Mark()), "a second YAML document (",
                       Sv(what), " is one document)"));
    }
    return read(documents[0]);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this case is "bad file".
    return absl::InvalidArgumentError(absl::StrCat(
        reader.Prefix(e.mark), "malformed YAML: nested more than ", e.depth() - 1, " levels deep"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(reader.Prefix(e.mark), "malformed YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat(Sv(source), ": unexpected failure while reading YAML: ", e.what()));
  }
}

}  // namespace fedlink::document
