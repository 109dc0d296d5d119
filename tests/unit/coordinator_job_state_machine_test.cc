#include "coordinator/state/job_state_machine.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::coordinator {
namespace {

using ::testing::HasSubstr;

const std::vector<v1::JobState> kAll = {
    v1::JOB_STATE_SUBMITTED, v1::JOB_STATE_PENDING_APPROVAL, v1::JOB_STATE_APPROVED,
    v1::JOB_STATE_ENCODING,  v1::JOB_STATE_MATCHING,         v1::JOB_STATE_RELEASING,
    v1::JOB_STATE_COMPLETE,  v1::JOB_STATE_DENIED,           v1::JOB_STATE_FAILED,
    v1::JOB_STATE_CANCELLED, v1::JOB_STATE_PURGED};

TEST(JobStateMachineTest, HappyPathIsAllowedInOrder) {
  const std::vector<v1::JobState> path = {
      v1::JOB_STATE_SUBMITTED, v1::JOB_STATE_PENDING_APPROVAL, v1::JOB_STATE_APPROVED,
      v1::JOB_STATE_ENCODING,  v1::JOB_STATE_MATCHING,         v1::JOB_STATE_RELEASING,
      v1::JOB_STATE_COMPLETE,  v1::JOB_STATE_PURGED};
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    EXPECT_TRUE(IsAllowedTransition(path[i], path[i + 1]))
        << JobStateName(path[i]) << " -> " << JobStateName(path[i + 1]);
  }
  EXPECT_TRUE(IsAllowedTransition(v1::JOB_STATE_MATCHING, v1::JOB_STATE_COMPLETE));  // aggregate
}

TEST(JobStateMachineTest, NoSkippingAndNoGoingBack) {
  EXPECT_FALSE(IsAllowedTransition(v1::JOB_STATE_SUBMITTED, v1::JOB_STATE_APPROVED));
  EXPECT_FALSE(IsAllowedTransition(v1::JOB_STATE_PENDING_APPROVAL, v1::JOB_STATE_ENCODING));
  EXPECT_FALSE(IsAllowedTransition(v1::JOB_STATE_ENCODING, v1::JOB_STATE_PENDING_APPROVAL));
  EXPECT_FALSE(IsAllowedTransition(v1::JOB_STATE_RELEASING, v1::JOB_STATE_MATCHING));
  EXPECT_FALSE(IsAllowedTransition(v1::JOB_STATE_ENCODING, v1::JOB_STATE_DENIED));
  for (v1::JobState s : kAll) EXPECT_FALSE(IsAllowedTransition(s, s)) << JobStateName(s);
}

TEST(JobStateMachineTest, EveryLiveStateCanFailOrBeCancelled) {
  for (v1::JobState s : kAll) {
    const bool live = !IsFinalState(s);
    EXPECT_EQ(IsAllowedTransition(s, v1::JOB_STATE_FAILED), live) << JobStateName(s);
    EXPECT_EQ(IsAllowedTransition(s, v1::JOB_STATE_CANCELLED), live) << JobStateName(s);
  }
}

TEST(JobStateMachineTest, FinalStatesOnlyGetPurged) {
  for (v1::JobState from : {v1::JOB_STATE_COMPLETE, v1::JOB_STATE_DENIED, v1::JOB_STATE_FAILED,
                            v1::JOB_STATE_CANCELLED}) {
    for (v1::JobState to : kAll) {
      EXPECT_EQ(IsAllowedTransition(from, to), to == v1::JOB_STATE_PURGED)
          << JobStateName(from) << " -> " << JobStateName(to);
    }
  }
  for (v1::JobState to : kAll) EXPECT_FALSE(IsAllowedTransition(v1::JOB_STATE_PURGED, to));
}

TEST(JobStateMachineTest, UnknownStatesAreRefused) {
  EXPECT_FALSE(IsAllowedTransition(v1::JOB_STATE_UNSPECIFIED, v1::JOB_STATE_PENDING_APPROVAL));
  EXPECT_FALSE(IsAllowedTransition(static_cast<v1::JobState>(77), v1::JOB_STATE_FAILED));
  EXPECT_EQ(JobStateName(static_cast<v1::JobState>(77)), "UNKNOWN");
}

TEST(JobStateMachineTest, ErrorNamesJobAndStates) {
  absl::Status s = CheckTransition("j1", v1::JOB_STATE_COMPLETE, v1::JOB_STATE_MATCHING);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("'j1' is COMPLETE, cannot become MATCHING"));
  EXPECT_TRUE(CheckTransition("j1", v1::JOB_STATE_MATCHING, v1::JOB_STATE_RELEASING).ok());
}

}  // namespace
}  // namespace fedlink::coordinator
