// Names for long-lived threads, so that `top -H`, `ps -L`, perf and gdb tell
// a daemon's threads apart (they all show the program's name otherwise).
#ifndef FEDLINK_LINKAGE_THREAD_NAME_H_
#define FEDLINK_LINKAGE_THREAD_NAME_H_

#include <pthread.h>

namespace fedlink {

// Names the calling thread: at most 15 characters (Linux's limit; longer
// names are refused and the thread keeps its old one). Not for the main
// thread: its name is the process's name in `ps`.
inline void NameCurrentThread(const char* name) {
  (void)pthread_setname_np(pthread_self(), name);
}

}  // namespace fedlink

#endif  // FEDLINK_LINKAGE_THREAD_NAME_H_
