#include "proto/runtime/message_limits.h"

#include <cstdint>
#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/unknown_field_set.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fedlink/v1/options.pb.h"

namespace fedlink::proto {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The path to the value being checked, as a chain of frames on the stack so
// that nothing is formatted unless there is an error to report.
struct PathFrame {
  const PathFrame* parent = nullptr;
  absl::string_view name;  // root name or field name
  int index = -1;          // element index of a repeated field, or -1
};

void AppendPath(const PathFrame* frame, std::string* out) {
  if (frame == nullptr) return;
  AppendPath(frame->parent, out);
  if (frame->parent != nullptr) out->push_back('.');
  out->append(frame->name.data(), frame->name.size());
  if (frame->index >= 0) absl::StrAppend(out, "[", frame->index, "]");
}

absl::Status Problem(const PathFrame& at, absl::string_view what) {
  std::string path;
  AppendPath(&at, &path);
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Timestamp range of RFC 3339: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::Status CheckTimestamp(const Message& message, const PathFrame& at) {
  const Descriptor* d = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  int64_t seconds = r->GetInt64(message, d->FindFieldByName("seconds"));
  int32_t nanos = r->GetInt32(message, d->FindFieldByName("nanos"));
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds || nanos < 0 ||
      nanos > 999999999) {
    return Problem(at, "not a valid timestamp (years 1 to 9999, nanos 0 to 999999999)");
  }
  return absl::OkStatus();
}

// `element`: a value of a repeated field, where an empty value is not
// "absent" but an element like any other, held to min_bytes and syntax.
absl::Status CheckText(std::string_view value, const FieldDescriptor* field,
                       const v1::FieldLimits& limits, bool element, const PathFrame& at) {
  if (limits.max_bytes() > 0 && value.size() > limits.max_bytes()) {
    return Problem(at,
                   absl::StrCat(value.size(), " bytes exceeds the limit of ", limits.max_bytes()));
  }
  if (value.empty() && !element) return absl::OkStatus();  // absence is `required`'s business
  if (value.size() < limits.min_bytes()) {
    return Problem(
        at,
        limits.min_bytes() == limits.max_bytes()
            ? absl::StrCat(value.size(), " bytes, must be exactly ", limits.min_bytes())
            : absl::StrCat(value.size(), " bytes is below the minimum of ", limits.min_bytes()));
  }
  if (field->type() != FieldDescriptor::TYPE_STRING) return absl::OkStatus();
  switch (limits.syntax()) {
    case v1::TEXT_SYNTAX_NAME:
      if (!IsNameSyntax(value)) return Problem(at, "not a valid name ([a-z0-9][a-z0-9._-]*)");
      break;
    case v1::TEXT_SYNTAX_PRINCIPAL:
      if (!IsPrincipalSyntax(value)) {
        return Problem(at, "not a valid principal name (NAME or NAME/NAME)");
      }
      break;
    case v1::TEXT_SYNTAX_IDENTIFIER:
      if (!IsIdentifierSyntax(value)) {
        return Problem(at, "not a valid identifier ([A-Za-z_][A-Za-z0-9_.-]*)");
      }
      break;
    case v1::TEXT_SYNTAX_LINE:
      if (!IsPrintableText(value, false)) {
        return Problem(at, "contains a control or layout character (one line of text expected)");
      }
      break;
    case v1::TEXT_SYNTAX_MULTILINE:
      if (!IsPrintableText(value, true)) {
        return Problem(at, "contains a control or layout character other than newline and tab");
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status CheckUnsigned(uint64_t value, const v1::FieldLimits& limits, bool element,
                           const PathFrame& at) {
  if (value == 0 && !element) return absl::OkStatus();  // absent: `required` decides
  if (value < limits.min_value() || (limits.max_value() > 0 && value > limits.max_value())) {
    return Problem(at, absl::StrCat("value out of range ", limits.min_value(), "..",
                                    limits.max_value() > 0 ? absl::StrCat(limits.max_value())
                                                           : std::string("")));
  }
  return absl::OkStatus();
}

absl::Status Walk(const Message& message, const PathFrame& at);

// One value of `field`: the singular value, or element `index` of a repeated one.
absl::Status CheckValue(const Message& message, const FieldDescriptor* field, int index,
                        const v1::FieldLimits& limits, const PathFrame& at) {
  const Reflection* r = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub =
          repeated ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field);
      return Walk(sub, at);
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& value =
          repeated ? r->GetRepeatedStringReference(message, field, index, &scratch)
                   : r->GetStringReference(message, field, &scratch);
      if (!repeated && limits.required() && value.empty()) return Problem(at, "required");
      return CheckText(value, field, limits, repeated, at);
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int value = repeated ? r->GetRepeatedEnumValue(message, field, index)
                           : r->GetEnumValue(message, field);
      if (field->enum_type()->FindValueByNumber(value) == nullptr) {
        return Problem(at, absl::StrCat("unknown ", field->enum_type()->name(), " value"));
      }
      if (limits.required() && value == 0) return Problem(at, "required");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t value =
          repeated ? r->GetRepeatedUInt32(message, field, index) : r->GetUInt32(message, field);
      if (!repeated && limits.required() && value == 0) return Problem(at, "required");
      return CheckUnsigned(value, limits, repeated, at);
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t value =
          repeated ? r->GetRepeatedUInt64(message, field, index) : r->GetUInt64(message, field);
      if (!repeated && limits.required() && value == 0) return Problem(at, "required");
      return CheckUnsigned(value, limits, repeated, at);
    }
    default:
      // Signed integers, bool, double, float: the contract puts no generic
      // limit on them; limits.h checks the few that need a range.
      return absl::OkStatus();
  }
}

absl::Status CheckField(const Message& message, const FieldDescriptor* field,
                        const PathFrame& parent) {
  const Reflection* r = message.GetReflection();
  const v1::FieldLimits& limits = field->options().GetExtension(v1::limits);
  PathFrame at{&parent, field->name(), -1};
  if (field->is_repeated()) {
    int count = r->FieldSize(message, field);
    if (limits.required() && count == 0) return Problem(at, "required (at least one element)");
    if (limits.max_count() > 0 && static_cast<uint64_t>(count) > limits.max_count()) {
      return Problem(at, absl::StrCat(count, " elements exceed the limit of ", limits.max_count()));
    }
    for (int i = 0; i < count; ++i) {
      PathFrame element{&parent, field->name(), i};
      absl::Status status = CheckValue(message, field, i, limits, element);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !r->HasField(message, field)) {
    return limits.required() ? Problem(at, "required") : absl::OkStatus();
  }
  return CheckValue(message, field, -1, limits, at);
}

absl::Status Walk(const Message& message, const PathFrame& at) {
  const Descriptor* d = message.GetDescriptor();
  if (d->full_name() == "google.protobuf.Timestamp") return CheckTimestamp(message, at);
  const Reflection* r = message.GetReflection();
  const google::protobuf::UnknownFieldSet& unknown = r->GetUnknownFields(message);
  if (!unknown.empty()) {
    return Problem(at, absl::StrCat("unknown field number ", unknown.field(0).number(),
                                    " (this build speaks fedlink.v1 without it)"));
  }
  for (int i = 0; i < d->field_count(); ++i) {
    absl::Status status = CheckField(message, d->field(i), at);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

bool IsNameSyntax(std::string_view text) {
  if (text.empty() || !IsNameStart(text.front())) return false;
  for (char c : text) {
    if (!IsNameStart(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool IsPrincipalSyntax(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return IsNameSyntax(text);
  return IsNameSyntax(text.substr(0, slash)) && IsNameSyntax(text.substr(slash + 1));
}

bool IsIdentifierSyntax(std::string_view text) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (text.empty() || !letter(text.front())) return false;
  for (char c : text) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-') return false;
  }
  return true;
}

bool IsPrintableText(std::string_view text, bool multiline) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = p[i];
    if (c < 0x20) {
      if (multiline && (c == '\n' || c == '\t')) continue;
      return false;
    }
    if (c == 0x7f) return false;
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) return false;
    if (c == 0xe2 && i + 2 < n) {
      // U+2028..U+202E: line/paragraph separators, bidi embeddings and
      // overrides (E2 80 A8..AE); U+2066..U+2069: bidi isolates (E2 81 A6..A9).
      if (p[i + 1] == 0x80 && p[i + 2] >= 0xa8 && p[i + 2] <= 0xae) return false;
      if (p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9) return false;
    }
  }
  return true;
}

absl::Status ValidateMessage(const Message& message, std::string_view root) {
  PathFrame frame{nullptr,
                  root.empty() ? absl::string_view(message.GetDescriptor()->name())
                               : absl::string_view(root.data(), root.size()),
                  -1};
  return Walk(message, frame);
}

}  // namespace fedlink::proto
