// How error messages show a name that came from outside (agency, analyst,
// column, job id, schema field, YAML key): single-quoted, with control
// characters, quotes and backslashes escaped as \xhh so a hostile name cannot
// forge log lines or terminal escapes, and cut after 64 bytes. Only for
// names, never for data values: those must not appear in messages at all.
#ifndef FEDLINK_LINKAGE_DOCUMENT_QUOTE_NAME_H_
#define FEDLINK_LINKAGE_DOCUMENT_QUOTE_NAME_H_

#include <string>
#include <string_view>

namespace fedlink::document {

// 'name' as described above; "..." marks a cut. Thread-safe.
std::string QuoteName(std::string_view name);

}  // namespace fedlink::document

#endif  // FEDLINK_LINKAGE_DOCUMENT_QUOTE_NAME_H_
