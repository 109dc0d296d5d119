#include "agent/store/idle_pool.h"

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace fedlink::agent {
namespace {

struct Counter {
  int uses = 0;
};

TEST(IdlePoolTest, ReusesAnIdleObjectInsteadOfMakingAnother) {
  int made = 0;
  IdlePool<Counter> pool([&]() -> absl::StatusOr<std::unique_ptr<Counter>> {
    ++made;
    return std::make_unique<Counter>();
  });
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<IdlePool<Counter>::Lease> lease = pool.Take();
    ASSERT_TRUE(lease.ok()) << lease.status();
    ++(*lease)->uses;
    EXPECT_EQ((**lease).uses, i + 1);  // the same object every time
  }
  EXPECT_EQ(made, 1);
}

TEST(IdlePoolTest, LeasesHeldAtOnceAreDistinctObjects) {
  int made = 0;
  IdlePool<Counter> pool([&]() -> absl::StatusOr<std::unique_ptr<Counter>> {
    ++made;
    return std::make_unique<Counter>();
  });
  {
    absl::StatusOr<IdlePool<Counter>::Lease> a = pool.Take();
    absl::StatusOr<IdlePool<Counter>::Lease> b = pool.Take();
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(&**a, &**b);
    // A moved lease gives its object back once, when the new owner goes.
    IdlePool<Counter>::Lease moved = *std::move(a);
    EXPECT_EQ(made, 2);
  }
  absl::StatusOr<IdlePool<Counter>::Lease> c = pool.Take();
  absl::StatusOr<IdlePool<Counter>::Lease> d = pool.Take();
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_NE(&**c, &**d);
  EXPECT_EQ(made, 2);  // both came back and were reused
}

TEST(IdlePoolTest, FactoryErrorIsReturnedAndNothingIsPooled) {
  bool fail = true;
  IdlePool<Counter> pool([&]() -> absl::StatusOr<std::unique_ptr<Counter>> {
    if (fail) return absl::InternalError("no context");
    return std::make_unique<Counter>();
  });
  absl::StatusOr<IdlePool<Counter>::Lease> lease = pool.Take();
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kInternal);
  fail = false;
  EXPECT_TRUE(pool.Take().ok());
}

TEST(IdlePoolTest, ConcurrentUsersNeverShareAnObject) {
  std::atomic<int> made{0};
  IdlePool<std::atomic<int>> pool(
      [&]() -> absl::StatusOr<std::unique_ptr<std::atomic<int>>> {
        ++made;
        return std::make_unique<std::atomic<int>>(0);
      });
  constexpr int kThreads = 4;
  std::atomic<int> shared{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        absl::StatusOr<IdlePool<std::atomic<int>>::Lease> lease = pool.Take();
        if (!lease.ok()) continue;
        // Only this thread holds the object: nobody else raises it meanwhile.
        if ((*lease)->fetch_add(1) != 0) ++shared;
        (*lease)->fetch_sub(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(shared.load(), 0);
  EXPECT_LE(made.load(), kThreads);
}

}  // namespace
}  // namespace fedlink::agent
