#include "linkage/match/parallel.h"

#include <pthread.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace fedlink::match {
namespace {

std::string CurrentThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name;
}

TEST(ResolveThreadCountTest, ARequestStandsAndZeroMeansTheHardwareThreads) {
  EXPECT_EQ(ResolveThreadCount(3), 3);
  EXPECT_GE(ResolveThreadCount(0), 1);
  EXPECT_EQ(ResolveThreadCount(0), ResolveThreadCount(-1));
}

TEST(ParallelForTest, CallsEveryTaskExactlyOnce) {
  for (int threads : {0, 1, 2, 4}) {
    for (size_t tasks : {size_t{0}, size_t{1}, size_t{3}, size_t{1000}}) {
      std::vector<std::atomic<int>> calls(tasks);
      ParallelFor(threads, tasks, [&](size_t i) { calls[i].fetch_add(1); });
      for (size_t i = 0; i < tasks; ++i) {
        EXPECT_EQ(calls[i].load(), 1) << "threads " << threads << ", task " << i;
      }
    }
  }
}

TEST(ParallelForTest, HelperThreadsAreNamedForOperators) {
  // Every task waits until the helper has started one, so the helper is
  // sure to run some: its name must be the one `top -H` shows.
  const std::string caller = CurrentThreadName();
  std::mutex mu;
  std::set<std::string> names;
  std::atomic<bool> helper_ran{false};
  const std::thread::id main_thread = std::this_thread::get_id();
  ParallelFor(2, 64, [&](size_t) {
    if (std::this_thread::get_id() != main_thread) {
      helper_ran = true;
    } else {
      while (!helper_ran.load()) std::this_thread::yield();
    }
    std::lock_guard<std::mutex> lock(mu);
    names.insert(CurrentThreadName());
  });
  EXPECT_TRUE(names.count("match-worker")) << "helper threads are unnamed";
  EXPECT_EQ(CurrentThreadName(), caller);  // the calling thread keeps its name
}

}  // namespace
}  // namespace fedlink::match
