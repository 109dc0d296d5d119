// The generic half of inbound validation: checks a message against the
// (fedlink.v1.limits) annotations of its fields (proto/fedlink/v1/options.proto),
// recursively. limits.h adds the cross-field rules of particular messages;
// call Validate() from there rather than this directly.
#ifndef FEDLINK_PROTO_RUNTIME_MESSAGE_LIMITS_H_
#define FEDLINK_PROTO_RUNTIME_MESSAGE_LIMITS_H_

#include <string_view>

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace fedlink::proto {

// Checks every field of `message` and of the messages inside it: lengths of
// strings and bytes, element counts of repeated fields, text syntax, integer
// ranges, required fields, enum values this build knows, valid
// google.protobuf.Timestamp values, and the absence of unknown fields (a
// field this build does not know could carry something no one checked or
// approved). Returns InvalidArgument "<path>: <problem>" for the first
// problem, where path is `root` (default: the message type's name) followed
// by field names and [indices], e.g.
// "SubmitJobRequest.spec.parties[1].columns[3]: 80 bytes exceeds the limit of 64";
// never the field's value. Thread-safe.
absl::Status ValidateMessage(const google::protobuf::Message& message, std::string_view root = {});

// Whether text matches the syntax rules of options.proto (exposed for tests
// and for code that builds such strings).
bool IsNameSyntax(std::string_view text);        // [a-z0-9][a-z0-9._-]*
bool IsPrincipalSyntax(std::string_view text);   // NAME or NAME/NAME
bool IsIdentifierSyntax(std::string_view text);  // [A-Za-z_][A-Za-z0-9_.-]*
// No C0 or C1 control character, DEL, line/paragraph separator or bidi
// embedding/override/isolate; `multiline` also allows '\n' and '\t'.
bool IsPrintableText(std::string_view text, bool multiline);

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_MESSAGE_LIMITS_H_
