// A pool of interchangeable, thread-compatible objects (keyed HMAC states,
// keyed AEAD contexts) for a thread-safe owner: a thread takes an idle one
// for one operation and gives it back, and a new one is made only when none
// is idle. So each object is built once per concurrent user instead of once
// per operation, and the lock covers only the hand-over, never the work.
#ifndef FEDLINK_AGENT_STORE_IDLE_POOL_H_
#define FEDLINK_AGENT_STORE_IDLE_POOL_H_

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace fedlink::agent {

template <typename T>
class IdlePool {
 public:
  using Factory = std::function<absl::StatusOr<std::unique_ptr<T>>()>;

  // An object taken from the pool; returned to it when destroyed. Must not
  // outlive the pool.
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          object_(std::move(other.object_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr && object_ != nullptr) {
        pool_->GiveBack(std::move(object_));
      }
    }
    T* operator->() const { return object_.get(); }
    T& operator*() const { return *object_; }

   private:
    friend class IdlePool;
    Lease(IdlePool* pool, std::unique_ptr<T> object)
        : pool_(pool), object_(std::move(object)) {}
    IdlePool* pool_;
    std::unique_ptr<T> object_;
  };

  explicit IdlePool(Factory make) : make_(std::move(make)) {}
  IdlePool(const IdlePool&) = delete;
  IdlePool& operator=(const IdlePool&) = delete;

  // An idle object, or a new one from the factory (whose error this
  // returns). Thread-safe.
  absl::StatusOr<Lease> Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        std::unique_ptr<T> object = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(object));
      }
    }
    absl::StatusOr<std::unique_ptr<T>> made = make_();
    if (!made.ok()) return made.status();
    return Lease(this, *std::move(made));
  }

 private:
  void GiveBack(std::unique_ptr<T> object) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(object));
  }

  const Factory make_;
  std::mutex mu_;
  std::vector<std::unique_ptr<T>> idle_;  // guarded by mu_
};

}  // namespace fedlink::agent

#endif  // FEDLINK_AGENT_STORE_IDLE_POOL_H_
