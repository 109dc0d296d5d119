// absl::Status ↔ grpc::Status: every code keeps its meaning, messages pass
// through, an out-of-range absl code becomes UNKNOWN. (grpc::StatusCode has
// no fixed underlying type, so an out-of-range value cannot even be formed.)
#include "proto/runtime/status_convert.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::proto {
namespace {

using ::testing::HasSubstr;

TEST(StatusConvertTest, EveryCodeRoundTripsWithItsMessage) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status status(static_cast<absl::StatusCode>(code), "job-1: not yours");
    grpc::Status wire = ToGrpcStatus(status);
    EXPECT_EQ(static_cast<int>(wire.error_code()), code);
    EXPECT_EQ(wire.error_message(), "job-1: not yours");
    absl::Status back = FromGrpcStatus(wire);
    EXPECT_EQ(back, status);
  }
}

TEST(StatusConvertTest, NamedCodesMapToTheirNamesakes) {
  EXPECT_EQ(ToGrpcStatus(absl::PermissionDeniedError("x")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("x")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "x")).code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(StatusConvertTest, OkAndUnknownCodes) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  EXPECT_EQ(ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(99), "x")).error_code(),
            grpc::StatusCode::UNKNOWN);
}

// rocksdb::Status → absl::Status: the store's codes map as documented, and
// the message names the operation.
TEST(FromRocksDbStatusTest, MapsCodesAndNamesTheOperation) {
  EXPECT_TRUE(FromRocksDbStatus(rocksdb::Status::OK(), "x").ok());
  const absl::Status corruption = FromRocksDbStatus(
      rocksdb::Status::Corruption("bad block"), "read records");
  EXPECT_EQ(corruption.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(corruption.message(), HasSubstr("read records: "));
  EXPECT_THAT(corruption.message(), HasSubstr("bad block"));
  EXPECT_EQ(FromRocksDbStatus(rocksdb::Status::IOError("disk"), "op").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(FromRocksDbStatus(rocksdb::Status::NotFound(), "op").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(FromRocksDbStatus(rocksdb::Status::InvalidArgument(), "op").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromRocksDbStatus(rocksdb::Status::NotSupported(), "op").code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(FromRocksDbStatus(rocksdb::Status::Aborted(), "op").code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(FromRocksDbStatus(rocksdb::Status::MergeInProgress(), "op").code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace fedlink::proto
