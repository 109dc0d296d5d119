// Conversion between the linkage schema of linkage/schema (C++ value type)
// and its wire form fedlink.v1.LinkageSchema, and the check every party
// makes on a job's schema: rebuild it, validate it, recompute its
// fingerprint and compare with the one the job carries.
#ifndef FEDLINK_PROTO_RUNTIME_LINKAGE_SCHEMA_PROTO_H_
#define FEDLINK_PROTO_RUNTIME_LINKAGE_SCHEMA_PROTO_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "fedlink/v1/linkage_schema.pb.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::proto {

// The wire form of `schema` (any schema; validity is not checked).
// Thread-safe.
v1::LinkageSchema LinkageSchemaToProto(const schema::LinkageSchema& schema);

// The schema with its fingerprint, as an analyst's tool puts it in a JobSpec.
// Thread-safe.
v1::LinkageSchemaSpec MakeLinkageSchemaSpec(const schema::LinkageSchema& schema);

// The C++ schema of a wire schema. InvalidArgument naming the entry (e.g.
// "LinkageSchema.token_recipes[2].parts[0].transform") for an unspecified or
// unknown enum value or a number out of range; the schema's rules are not
// checked here (that is schema::ValidateSchema). Thread-safe.
absl::StatusOr<schema::LinkageSchema> LinkageSchemaFromProto(const v1::LinkageSchema& schema,
                                                             std::string_view path = {});

// Converts spec.schema, validates it (schema::ValidateSchema) and checks that
// its fingerprint equals spec.fingerprint. InvalidArgument for a conversion
// or validation problem; FailedPrecondition "... fingerprint ... does not
// match" when the schema differs from the one the job was approved with.
// Thread-safe.
absl::StatusOr<schema::LinkageSchema> VerifyLinkageSchemaSpec(const v1::LinkageSchemaSpec& spec,
                                                              std::string_view path = {});

}  // namespace fedlink::proto

#endif  // FEDLINK_PROTO_RUNTIME_LINKAGE_SCHEMA_PROTO_H_
