// NormalizeField: the schema's field kind selects the normaliser.
#include <string_view>

#include "absl/status/status.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::normalize {

MaybeValue NormalizeField(schema::FieldKind kind, std::string_view raw,
                          const DateOptions& date) {
  switch (kind) {
    case schema::FieldKind::kName:
      return NormalizeName(raw);
    case schema::FieldKind::kDate:
      return NormalizeDate(raw, date);
    case schema::FieldKind::kSex:
      return NormalizeSex(raw);
    case schema::FieldKind::kPostcode:
      return NormalizePostcode(raw);
    case schema::FieldKind::kIdentifier:
      return NormalizeIdentifier(raw);
    case schema::FieldKind::kText:
      return NormalizeText(raw);
  }
  return absl::InvalidArgumentError("field kind: not one of the known kinds");
}

}  // namespace fedlink::normalize
