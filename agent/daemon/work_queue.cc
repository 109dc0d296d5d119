#include "agent/daemon/work_queue.h"

#include <utility>

#include "linkage/thread_name.h"

namespace fedlink::agent::daemon {

WorkQueue::WorkQueue(std::function<void(const v1::WorkItem&)> run)
    : run_(std::move(run)), thread_([this] {
        NameCurrentThread("agent-jobs");
        Loop();
      }) {}

WorkQueue::~WorkQueue() { Stop(); }

void WorkQueue::Push(v1::WorkItem item) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    for (v1::WorkItem& waiting : items_) {
      if (waiting.job_id() == item.job_id() && waiting.work_case() == item.work_case()) {
        waiting = std::move(item);
        return;
      }
    }
    items_.push_back(std::move(item));
  }
  cv_.notify_all();
}

void WorkQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    items_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t WorkQueue::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return items_.size();
}

void WorkQueue::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopped_ || (items_.empty() && !running_); });
}

void WorkQueue::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopped_ || !items_.empty(); });
    if (stopped_) break;
    v1::WorkItem item = std::move(items_.front());
    items_.pop_front();
    running_ = true;
    lock.unlock();
    run_(item);
    lock.lock();
    running_ = false;
    cv_.notify_all();
  }
  running_ = false;
  cv_.notify_all();
}

}  // namespace fedlink::agent::daemon
