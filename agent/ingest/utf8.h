// UTF-8 well-formedness (RFC 3629): what ingest accepts as text.
#ifndef FEDLINK_AGENT_INGEST_UTF8_H_
#define FEDLINK_AGENT_INGEST_UTF8_H_

#include <cstddef>
#include <string_view>

namespace fedlink::agent::ingest {

// True when `text` is well-formed UTF-8: no truncated sequences, no overlong
// forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF. NUL and
// other control characters are well-formed. Pure ASCII is checked eight
// bytes at a time. Thread-safe.
bool IsValidUtf8(std::string_view text);

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_UTF8_H_
