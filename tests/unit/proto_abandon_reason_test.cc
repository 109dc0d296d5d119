// AbandonJob's reason helpers: the category names both ends write, and the
// agent's message made to fit AbandonJobRequest.detail's annotation.
#include "proto/runtime/abandon_reason.h"

#include <string>

#include <google/protobuf/descriptor.h>

#include "fedlink/v1/options.pb.h"
#include "gtest/gtest.h"
#include "proto/runtime/limits.h"

namespace fedlink::proto {
namespace {

TEST(AbandonReasonTest, NamesAreTheEnumValuesInLowerCase) {
  EXPECT_EQ(AbandonReasonName(v1::ABANDON_REASON_APPROVALS_UNVERIFIED), "approvals_unverified");
  EXPECT_EQ(AbandonReasonName(v1::ABANDON_REASON_LOCAL_DATA_LOST), "local_data_lost");
  EXPECT_EQ(AbandonReasonName(static_cast<v1::AbandonReason>(99)), "reason 99");
}

TEST(AbandonReasonTest, DetailLimitIsTheFieldsAnnotation) {
  const google::protobuf::FieldDescriptor* detail =
      v1::AbandonJobRequest::descriptor()->FindFieldByName("detail");
  ASSERT_NE(detail, nullptr);
  const v1::FieldLimits& limits = detail->options().GetExtension(v1::limits);
  EXPECT_EQ(limits.max_bytes(), kMaxAbandonDetailBytes);
  EXPECT_EQ(limits.syntax(), v1::TEXT_SYNTAX_LINE);
}

TEST(AbandonReasonTest, AnyMessageBecomesAValidDetail) {
  std::string message = "job j1: cohort refused by policy:\n  max_cohort_size 100\t(r\xC3\xA9gion)\x7F";
  EXPECT_EQ(AbandonDetail(message),
            "job j1: cohort refused by policy:   max_cohort_size 100 (r??gion)?");
  message.append(2000, 'x');
  v1::AbandonJobRequest request;
  request.set_job_id("j1");
  request.set_reason(v1::ABANDON_REASON_COHORT_REFUSED);
  request.set_detail(AbandonDetail(message));
  EXPECT_EQ(request.detail().size(), kMaxAbandonDetailBytes);
  EXPECT_TRUE(Validate(request).ok()) << Validate(request);
  // Unchanged when it fits already.
  EXPECT_EQ(AbandonDetail("approvals do not verify"), "approvals do not verify");
}

}  // namespace
}  // namespace fedlink::proto
