// Runs independent tasks on a bounded number of threads. Matching work is
// split into many small tasks (row chunks, bands, candidate slices) that
// threads claim one at a time, so uneven tasks still balance; results are
// written per task and combined in task order, which keeps every output
// independent of the thread count.
#ifndef FEDLINK_LINKAGE_MATCH_PARALLEL_H_
#define FEDLINK_LINKAGE_MATCH_PARALLEL_H_

#include <cstddef>

#include "absl/functional/function_ref.h"

namespace fedlink::match {

// The thread count to use for a request of `requested` threads: requested
// itself when > 0, otherwise the number of hardware threads (at least 1).
int ResolveThreadCount(int requested);

// Calls task(i) exactly once for every i in [0, num_tasks), on up to
// `threads` threads (the calling thread is one of them; threads <= 1 runs
// everything inline, in order). Returns when all calls have returned. Tasks
// must not throw. `task` must be safe to call concurrently for different i.
void ParallelFor(int threads, size_t num_tasks, absl::FunctionRef<void(size_t)> task);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_PARALLEL_H_
