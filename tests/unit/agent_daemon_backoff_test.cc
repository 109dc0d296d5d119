// The reconnect schedule: doubling from the initial delay up to the cap,
// jitter only ever shortens a delay, and a success starts over.
#include <vector>

#include "agent/daemon/backoff.h"
#include "gtest/gtest.h"

namespace fedlink::agent::daemon {
namespace {

BackoffPolicy Policy() {
  BackoffPolicy policy;
  policy.initial = absl::Milliseconds(100);
  policy.max = absl::Milliseconds(1000);
  policy.multiplier = 2.0;
  policy.jitter = 0.5;
  return policy;
}

TEST(BackoffTest, DoublesUpToTheCapWithoutJitter) {
  Backoff backoff(Policy(), [] { return 0.0; });
  std::vector<int64_t> delays;
  for (int i = 0; i < 7; ++i) delays.push_back(absl::ToInt64Milliseconds(backoff.Next()));
  EXPECT_EQ(delays, (std::vector<int64_t>{100, 200, 400, 800, 1000, 1000, 1000}));
  EXPECT_EQ(backoff.failures(), 7);
}

TEST(BackoffTest, JitterShortensByAtMostItsFraction) {
  Backoff low(Policy(), [] { return 0.999999; });
  EXPECT_NEAR(absl::ToDoubleMilliseconds(low.Next()), 50.0, 0.01);
  EXPECT_NEAR(absl::ToDoubleMilliseconds(low.Next()), 100.0, 0.01);
  double u = 0.0;
  Backoff varying(Policy(), [&u] { return u += 0.13; });
  for (int i = 0; i < 40; ++i) {
    const absl::Duration delay = varying.Next();
    EXPECT_LE(delay, absl::Milliseconds(1000));
    EXPECT_GE(delay, absl::Milliseconds(50));
    if (u > 0.9) u = 0.0;
  }
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff(Policy(), [] { return 0.0; });
  backoff.Next();
  backoff.Next();
  backoff.Reset();
  EXPECT_EQ(backoff.failures(), 0);
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(100));
}

TEST(BackoffTest, ManyFailuresStayAtTheCap) {
  Backoff backoff(Policy(), [] { return 0.0; });
  absl::Duration last;
  for (int i = 0; i < 5000; ++i) last = backoff.Next();
  EXPECT_EQ(last, absl::Milliseconds(1000));
}

TEST(BackoffTest, ValidationNamesTheField) {
  BackoffPolicy policy = Policy();
  policy.max = absl::Milliseconds(10);
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateBackoffPolicy(policy)));
  policy = Policy();
  policy.jitter = 1.0;
  EXPECT_EQ(ValidateBackoffPolicy(policy).message(), "reconnect.jitter: must be in [0, 1)");
  EXPECT_TRUE(ValidateBackoffPolicy(Policy()).ok());
}

TEST(BackoffTest, DefaultJitterSourceStaysInTheUnitInterval) {
  std::function<double()> uniform = DefaultJitterSource();
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace fedlink::agent::daemon
