// The linkage schema survives the wire unchanged (same fingerprint), and a
// party refuses a schema that is invalid or differs from its fingerprint.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/linkage_schema_proto.h"

namespace fedlink::proto {
namespace {

using ::testing::HasSubstr;

schema::LinkageSchema RichSchema() {
  schema::LinkageSchema s = schema::DefaultLinkageSchema();
  s.bloom->hardening.balance = true;
  s.bloom->hardening.blip_flip_probability = 0.05;
  s.bloom->field_level = true;
  s.bloom->field_level_bits = 256;
  s.token_recipes.back().blocking_only = true;
  return s;
}

TEST(LinkageSchemaProtoTest, RoundTripKeepsTheSchemaAndItsFingerprint) {
  for (const schema::LinkageSchema& s : {schema::DefaultLinkageSchema(), RichSchema()}) {
    v1::LinkageSchemaSpec spec = MakeLinkageSchemaSpec(s);
    EXPECT_TRUE(Validate(spec).ok()) << Validate(spec);
    absl::StatusOr<schema::LinkageSchema> back = LinkageSchemaFromProto(spec.schema());
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, s);
    absl::StatusOr<schema::LinkageSchema> verified = VerifyLinkageSchemaSpec(spec);
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ(schema::FingerprintHex(*verified), schema::FingerprintHex(s));
  }
}

TEST(LinkageSchemaProtoTest, TokensOnlySchemaHasNoBloom) {
  schema::LinkageSchema s = schema::DefaultLinkageSchema();
  s.bloom.reset();
  v1::LinkageSchemaSpec spec = MakeLinkageSchemaSpec(s);
  EXPECT_FALSE(spec.schema().has_bloom());
  absl::StatusOr<schema::LinkageSchema> back = VerifyLinkageSchemaSpec(spec);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(back->bloom.has_value());
}

TEST(LinkageSchemaProtoTest, AChangedSchemaNoLongerMatchesItsFingerprint) {
  v1::LinkageSchemaSpec spec = MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
  spec.mutable_schema()->mutable_bloom()->mutable_fields(0)->set_k(
      spec.schema().bloom().fields(0).k() + 1);
  absl::StatusOr<schema::LinkageSchema> verified =
      VerifyLinkageSchemaSpec(spec, "spec.linkage_schema");
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(verified.status().message()),
              HasSubstr("spec.linkage_schema.fingerprint: does not match"));
}

TEST(LinkageSchemaProtoTest, InvalidSchemasAndEnumsAreRefusedNamingTheEntry) {
  v1::LinkageSchemaSpec spec = MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
  spec.mutable_schema()->mutable_token_recipes(1)->mutable_parts(0)->set_transform(
      v1::TRANSFORM_UNSPECIFIED);
  absl::StatusOr<schema::LinkageSchema> verified = VerifyLinkageSchemaSpec(spec);
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(verified.status().message()),
              HasSubstr("LinkageSchemaSpec.schema.token_recipes[1].parts[0].transform"));

  spec = MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
  spec.mutable_schema()->mutable_token_recipes(0)->mutable_parts(0)->set_field("no_such_field");
  verified = VerifyLinkageSchemaSpec(spec);
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(verified.status().message()), HasSubstr("token_recipes[0].parts[0]"));
}

}  // namespace
}  // namespace fedlink::proto
