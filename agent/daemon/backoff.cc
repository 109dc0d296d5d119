#include "agent/daemon/backoff.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>
#include <utility>

namespace fedlink::agent::daemon {

absl::Status ValidateBackoffPolicy(const BackoffPolicy& policy) {
  if (policy.initial <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("reconnect.initial_ms: must be at least 1");
  }
  if (policy.max < policy.initial) {
    return absl::InvalidArgumentError(
        "reconnect.max_ms: must be at least reconnect.initial_ms");
  }
  if (!(policy.multiplier >= 1.0 && policy.multiplier <= 16.0)) {
    return absl::InvalidArgumentError("reconnect.multiplier: must be in [1, 16]");
  }
  if (!(policy.jitter >= 0.0 && policy.jitter < 1.0)) {
    return absl::InvalidArgumentError("reconnect.jitter: must be in [0, 1)");
  }
  return absl::OkStatus();
}

Backoff::Backoff(BackoffPolicy policy, std::function<double()> uniform)
    : policy_(policy), uniform_(std::move(uniform)) {}

absl::Duration Backoff::Next() {
  // Grow in floating point and stop at the cap, so that many failures can
  // neither overflow nor exceed it.
  double base = absl::ToDoubleSeconds(policy_.initial);
  const double cap = absl::ToDoubleSeconds(policy_.max);
  for (int i = 0; i < failures_ && base < cap; ++i) base *= policy_.multiplier;
  base = std::min(base, cap);
  if (failures_ < 1 << 20) ++failures_;
  const double u = std::clamp(uniform_(), 0.0, 1.0);
  return absl::Seconds(base * (1.0 - policy_.jitter * u));
}

std::function<double()> DefaultJitterSource() {
  struct Source {
    std::mutex mu;
    std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> distribution{0.0, 1.0};
  };
  auto source = std::make_shared<Source>();
  return [source] {
    std::lock_guard<std::mutex> lock(source->mu);
    return source->distribution(source->engine);
  };
}

}  // namespace fedlink::agent::daemon
