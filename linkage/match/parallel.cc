#include "linkage/match/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "linkage/thread_name.h"

namespace fedlink::match {

int ResolveThreadCount(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void ParallelFor(int threads, size_t num_tasks, absl::FunctionRef<void(size_t)> task) {
  const size_t workers = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), num_tasks);
  if (workers <= 1) {
    for (size_t i = 0; i < num_tasks; ++i) task(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < num_tasks;
         i = next.fetch_add(1, std::memory_order_relaxed)) {
      task(i);
    }
  };
  {
    std::vector<std::jthread> helpers;
    helpers.reserve(workers - 1);
    for (size_t t = 1; t < workers; ++t) {
      helpers.emplace_back([&] {
        NameCurrentThread("match-worker");
        work();
      });
    }
    work();
  }  // jthreads join here
}

}  // namespace fedlink::match
