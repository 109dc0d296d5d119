// Derived values computed from one normalised field before it is encoded
// (schema::Transform): the compact form, the initial, phonetic codes, the
// year of a date. Shared by the token and the Bloom-filter encoders.
#ifndef FEDLINK_LINKAGE_ENCODE_TRANSFORM_H_
#define FEDLINK_LINKAGE_ENCODE_TRANSFORM_H_

#include <string>
#include <string_view>

#include "linkage/schema/linkage_schema.h"

namespace fedlink::encode {

// Writes transform(normalized) into *out (cleared first; its capacity is
// reused, so a caller that keeps `out` allocates nothing in steady state).
// Returns false when the transform has no value for this input — e.g. the
// Soundex of a value without letters, or the year of a value that is not a
// YYYYMMDD date, or any empty result — and the caller must treat the field
// as missing. *out is empty exactly when the result is false.
// Thread-safe.
bool ApplyTransform(schema::Transform transform, std::string_view normalized,
                    std::string* out);

}  // namespace fedlink::encode

#endif  // FEDLINK_LINKAGE_ENCODE_TRANSFORM_H_
