// Exponential backoff with jitter between reconnect attempts to the
// coordinator: after the k-th consecutive failure the agent waits
//   base_k = min(max, initial × multiplier^(k-1))
//   delay  = base_k × (1 − jitter × u),   u uniform in [0, 1)
// so delays grow to the cap and never exceed it, and agents that lost the
// coordinator at the same moment do not all come back at the same instant.
// A successful connection (the coordinator's Welcome) resets the schedule.
#ifndef FEDLINK_AGENT_DAEMON_BACKOFF_H_
#define FEDLINK_AGENT_DAEMON_BACKOFF_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace fedlink::agent::daemon {

struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(500);
  absl::Duration max = absl::Seconds(60);
  double multiplier = 2.0;
  // Fraction of each delay that is randomised away, in [0, 1).
  double jitter = 0.2;
};

// InvalidArgument naming the field unless 0 < initial <= max, multiplier
// >= 1 and 0 <= jitter < 1. Thread-safe.
absl::Status ValidateBackoffPolicy(const BackoffPolicy& policy);

// The schedule above. `uniform` returns values in [0, 1) (injected so that
// tests are deterministic; production uses a seeded engine). The policy
// must be valid. Thread-compatible.
class Backoff {
 public:
  Backoff(BackoffPolicy policy, std::function<double()> uniform);

  // The delay before the next attempt; advances the schedule.
  absl::Duration Next();
  // Back to the first delay (after a successful connection).
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  BackoffPolicy policy_;
  std::function<double()> uniform_;
  int failures_ = 0;
};

// A `uniform` function over a std::mt19937_64 seeded from std::random_device
// (jitter needs unpredictability between hosts, not secrecy).
std::function<double()> DefaultJitterSource();

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_BACKOFF_H_
