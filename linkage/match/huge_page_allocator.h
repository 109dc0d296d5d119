// A std::allocator replacement for large flat tables that are accessed at
// random (the token tables): big blocks are aligned to 2 MiB and marked for
// transparent huge pages, so a probe into a table of hundreds of MiB does not
// pay a TLB miss and page walk on every access, and first-touch faults drop
// 512-fold. Small blocks come from operator new as usual. Where the system
// has no madvise(MADV_HUGEPAGE) the hint is skipped.
#ifndef FEDLINK_LINKAGE_MATCH_HUGE_PAGE_ALLOCATOR_H_
#define FEDLINK_LINKAGE_MATCH_HUGE_PAGE_ALLOCATOR_H_

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace fedlink::match {

template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: allocator rebinding

  T* allocate(size_t n) {
    size_t bytes = n * sizeof(T);
    if (bytes < kMinHugeBytes) return static_cast<T*>(::operator new(bytes));
    void* p = std::aligned_alloc(kHugePage, RoundedUp(bytes));
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(p, RoundedUp(bytes), MADV_HUGEPAGE);  // a hint: failure only costs speed
#endif
    return static_cast<T*>(p);
  }

  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kMinHugeBytes) {
      ::operator delete(p);
    } else {
      std::free(p);
    }
  }

  template <typename U>
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator<U>&) {
    return true;
  }

 private:
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kMinHugeBytes = size_t{4} << 20;
  static size_t RoundedUp(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }
};

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_HUGE_PAGE_ALLOCATOR_H_
