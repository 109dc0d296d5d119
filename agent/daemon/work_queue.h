// The daemon's queue of work items between the WatchWork reader (which must
// keep reading, to notice a dropped connection and to take new items) and
// the one thread that runs job steps. One step at a time keeps the steps of
// a job in the order the coordinator sent them and bounds the agent's load
// (encoding itself is multi-threaded).
//
// The coordinator repeats every outstanding item on each reconnect, so an
// item whose (job, kind) is already waiting replaces the waiting one (the
// newer carries the coordinator's newer resume point) instead of queueing a
// second run.
#ifndef FEDLINK_AGENT_DAEMON_WORK_QUEUE_H_
#define FEDLINK_AGENT_DAEMON_WORK_QUEUE_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "fedlink/v1/coordinator.pb.h"

namespace fedlink::agent::daemon {

// Thread-safe.
class WorkQueue {
 public:
  // `run` is called on the queue's thread, one item at a time.
  explicit WorkQueue(std::function<void(const v1::WorkItem&)> run);
  ~WorkQueue();  // Stop()

  // Queues `item` (or replaces the waiting item of the same job and kind).
  // Ignored after Stop.
  void Push(v1::WorkItem item);
  // Drops waiting items, lets the running one finish, joins the thread.
  // Idempotent.
  void Stop();
  // Items waiting (not the running one).
  size_t waiting() const;
  // Blocks until nothing is waiting or running (tests).
  void WaitIdle();

 private:
  void Loop();

  const std::function<void(const v1::WorkItem&)> run_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<v1::WorkItem> items_;  // guarded by mu_
  bool running_ = false;            // guarded by mu_
  bool stopped_ = false;            // guarded by mu_
  std::thread thread_;
};

}  // namespace fedlink::agent::daemon

#endif  // FEDLINK_AGENT_DAEMON_WORK_QUEUE_H_
